//! Lesson 09: notifications, HTTP in, sockets out.
//!
//! Something happens over HTTP (a comment on a post); someone else hears
//! about it over their sockets, on every device they have connected, and
//! finds it waiting if they had none. The pieces:
//!
//! - every socket joins `user:<id>`, the room of all its user's devices;
//! - the HTTP handlers hold the [`socketioxide::SocketIo`] handle, and
//!   [`notify::notify`] stores a notification and sends it to that room;
//! - a socket hears its user's `unread-count` when it connects and
//!   whenever it changes; `mark-read` changes it ([`events`]).
//!
//! Posts, comments and notifications live in a store ([`store`]).

pub mod auth;
pub mod events;
pub mod notify;
pub mod routes;
pub mod store;

use axum::Router;
use socketioxide::handler::ConnectHandler;
use workbook::Context;

use routes::Api;
use store::Store;

pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let store = Store::open(&ctx).await?;
    let (layer, io) = workbook::socket_io()
        .with_state(ctx.clone())
        .with_state(store.clone())
        .build_layer();
    // The last `.with()` runs first: authenticate, then register.
    io.ns(
        "/",
        events::on_connect
            .with(events::register)
            .with(auth::authenticate),
    );
    // The HTTP side gets a clone of the handle: the same server, reachable
    // from any request.
    let api = Api {
        ctx: ctx.clone(),
        store,
        io,
    };
    Ok(Router::new()
        .merge(workbook::auth::routes(&ctx))
        .merge(routes::routes(api))
        .layer(layer))
}

// Lesson 09's suite (tests/src/suites/09-notifications), which
// `cargo xtask check 09` runs against this crate: keep these lines.
#[cfg(test)]
notifications_suite::run!(crate::app);
