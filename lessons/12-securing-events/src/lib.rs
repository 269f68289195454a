//! Lesson 12: securing events, the capstone.
//!
//! A security audit found two holes in a real-time server: users emit events
//! to rooms they never joined, and nothing checks what an event carries.
//! This server is the answer, one check per place:
//!
//! - the handshake ([`auth`]): who is this? A valid token makes the socket
//!   its user's, no token (or an expired one) makes it anonymous, and an
//!   invalid token is refused;
//! - every event ([`events`]): may this socket do this (logged in, a member
//!   of the room), is the payload well-formed and small ([`payload`]), and
//!   who is speaking (the socket's user, never the payload);
//! - the token's lifetime ([`expiry`]): a socket does not outlive the token
//!   that let it in.
//!
//! Likes outlive sockets, so they live in a store ([`likes`]): in memory by
//! default, in MongoDB when `MONGODB_URI` is set.

pub mod auth;
pub mod events;
pub mod expiry;
pub mod likes;
pub mod payload;

use axum::Router;
use axum::routing::get;
use serde_json::json;
use socketioxide::handler::ConnectHandler;
use workbook::Context;

use expiry::ExpiryTimers;
use likes::Likes;

/// The server: `/` with anonymous and authenticated sockets side by side,
/// the shared auth routes, and `GET /stats`.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let likes = Likes::open(&ctx).await?;
    let timers = ExpiryTimers::default();

    let (layer, io) = workbook::socket_io()
        .with_state(ctx.clone())
        .with_state(likes)
        .with_state(timers.clone())
        .build_layer();

    // The last `.with()` runs first: authenticate (or let in anonymously),
    // then register the events for every socket, anonymous or not.
    io.ns(
        "/",
        events::on_connect
            .with(events::register)
            .with(auth::authenticate),
    );

    // How many expiry timers are running: one per authenticated socket
    // that is still connected, and not one more.
    let stats = get(move || async move { axum::Json(json!({ "expiryTimers": timers.live() })) });

    Ok(Router::new()
        .merge(workbook::auth::routes(&ctx))
        .route("/stats", stats)
        .layer(layer))
}

// Lesson 12's suite (tests/src/suites/12-securing-events), which
// `cargo xtask check 12` runs against this crate: keep these lines.
#[cfg(test)]
securing_events_suite::run!(crate::app);
