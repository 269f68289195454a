//! Lesson 04: chaining middleware.
//!
//! Four connection middlewares guard `/`, each with one job:
//!
//! 1. [`logging`]: records every attempt and its time;
//! 2. [`auth`]: who is this? (the token, and the user from the store);
//! 3. [`authorize`]: may this user come in? (not if banned);
//! 4. [`limit`]: is there room? (at most `MAX_CONNECTIONS_PER_IP` sockets
//!    per client address).
//!
//! The order is the design: the first refusal wins, so it decides which
//! message a client gets, who may spend a scarce resource (a slot), and
//! what the log sees. Administrators ban and unban over HTTP ([`admin`]);
//! bans live in a store ([`bans`]).

pub mod admin;
pub mod auth;
pub mod authorize;
pub mod bans;
pub mod events;
pub mod limit;
pub mod logging;
pub mod refusal;

use axum::Router;
use socketioxide::SocketIo;
use workbook::Context;

use admin::Admin;
use bans::Bans;
use limit::IpLimit;
use logging::Attempts;

/// The contract's default for `MAX_CONNECTIONS_PER_IP`.
const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 5;

/// The server: `/` behind the chain, the shared auth routes, and the
/// admin routes.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let max = ctx
        .config
        .knob("MAX_CONNECTIONS_PER_IP", DEFAULT_MAX_CONNECTIONS_PER_IP)?;
    anyhow::ensure!(max > 0, "MAX_CONNECTIONS_PER_IP: must be at least 1");
    let bans = Bans::open(&ctx).await?;
    let limit = IpLimit::new(max);
    let attempts = Attempts::default();

    // Each middleware asks for the state it needs by type.
    let (layer, io) = workbook::socket_io()
        .with_state(ctx.clone())
        .with_state(bans.clone())
        .with_state(limit.clone())
        .with_state(attempts.clone())
        .build_layer();
    chain(&io);

    let admin = Admin {
        ctx: ctx.clone(),
        bans,
        io,
        limit,
        attempts,
    };
    Ok(Router::new()
        .merge(workbook::auth::routes(&ctx))
        .merge(admin::routes(admin))
        .layer(layer))
}

// EXERCISE: chain
/// Registers `/` with the connect handler `events::on_connect` and five
/// middlewares, which must RUN in this order: `logging::log_attempt`,
/// `auth::authenticate`, `authorize::authorize`, `limit::limit_per_ip`,
/// `events::register`. Mind which `.with()` runs first.
#[allow(unused_variables)] // Remove this line once the body uses `io`.
fn chain(io: &SocketIo) {
    todo!("chain the middlewares in their order (chapter 04, \"The order is the design\")")
}
// EXERCISE_END: chain

// Lesson 04's suite (tests/src/suites/04-chaining), which
// `cargo xtask check 04` runs against this crate: keep these lines.
#[cfg(test)]
chaining_suite::run!(crate::app);
