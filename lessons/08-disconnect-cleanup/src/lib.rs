//! Lesson 08: disconnect cleanup.
//!
//! A socket that goes must take everything it set up with it, and tell the
//! people who care:
//!
//! - the other members of each room it was in get `user-leaving`;
//! - the presence table ([`presence`]) forgets it, and when it was its
//!   user's last socket, a grace period starts;
//! - if no socket of that user comes back within `GRACE_PERIOD_MS`, the
//!   user is offline: `lastSeen` is stored and each friend gets
//!   `friend-offline` ([`cleanup`]).
//!
//! Friendships and `lastSeen` live in a store ([`store`]); who is online
//! lives in the table, and only there.

pub mod auth;
pub mod cleanup;
pub mod events;
pub mod presence;
pub mod routes;
pub mod store;

use std::time::Duration;

use axum::Router;
use socketioxide::handler::ConnectHandler;
use workbook::Context;

use presence::Presence;
use routes::Api;
use store::Store;

/// The contract's default for `GRACE_PERIOD_MS`.
const DEFAULT_GRACE_PERIOD_MS: u64 = 5000;

/// What the socket handlers and the routes share. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct Hub {
    pub presence: Presence,
    pub store: Store,
    /// How long a user without sockets stays online.
    pub grace: Duration,
}

pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let grace_ms = ctx
        .config
        .knob("GRACE_PERIOD_MS", DEFAULT_GRACE_PERIOD_MS)?;
    let store = Store::open(&ctx).await?;
    let hub = Hub {
        presence: Presence::default(),
        store,
        grace: Duration::from_millis(grace_ms),
    };

    let (layer, io) = workbook::socket_io()
        .with_state(ctx.clone())
        .with_state(hub.clone())
        .build_layer();
    // The last `.with()` runs first: authenticate, then register.
    io.ns(
        "/",
        events::on_connect
            .with(events::register)
            .with(auth::authenticate),
    );

    let api = Api {
        ctx: ctx.clone(),
        hub,
    };
    Ok(Router::new()
        .merge(workbook::auth::routes(&ctx))
        .merge(routes::routes(api))
        .layer(layer))
}

// Lesson 08's suite (tests/src/suites/08-disconnect-cleanup), which
// `cargo xtask check 08` runs against this crate: keep these lines.
#[cfg(test)]
disconnect_cleanup_suite::run!(crate::app);
