//! Lesson 07: rate limiting.
//!
//! A WebSocket is one long connection, so limiting requests per second, as
//! an HTTP server would, misses both ways a client can overwhelm a Socket.IO
//! server: by opening many connections, and by sending many events down
//! one. This server limits both: connected sockets per client IP, and
//! `send-message` events per socket over a sliding window.

pub mod auth;
pub mod chat;
pub mod connections;
pub mod window;

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use socketioxide::extract::{Extension, SocketRef};
use socketioxide::handler::ConnectHandler;
use workbook::Context;
use workbook::users::PublicUser;

use chat::EventLimit;
use connections::Connections;

/// The server: `/` behind authentication and the per-IP limit, the chat
/// events with their per-socket limit, `GET /stats`, and the auth routes.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let connections = Connections::new(at_least_one(&ctx, "MAX_CONNECTIONS_PER_IP", 10)?);
    let events = EventLimit {
        max: at_least_one(&ctx, "RATE_LIMIT_MAX_EVENTS", 20)?,
        window: Duration::from_millis(at_least_one(&ctx, "RATE_LIMIT_WINDOW_MS", 60_000)? as u64),
    };
    let (layer, io) = workbook::socket_io()
        .with_state(ctx.clone())
        .with_state(connections.clone())
        .with_state(events)
        .build_layer();

    // ANCHOR: wiring
    // The last `.with()` runs first: who is it, is there room for one more
    // socket from that IP, then the socket's own event limit.
    io.ns(
        "/",
        on_connect
            .with(chat::register)
            .with(connections::limit_connections)
            .with(auth::authenticate),
    );
    // ANCHOR_END: wiring

    Ok(Router::new()
        .route("/stats", get(connections::stats))
        .with_state(connections)
        .merge(workbook::auth::routes(&ctx))
        .layer(layer))
}

/// A lesson knob that must be at least 1: a limit of 0 would refuse
/// everything, and a window of 0 ms would limit nothing.
fn at_least_one(ctx: &Context, name: &str, default: usize) -> anyhow::Result<usize> {
    let value = ctx.config.knob(name, default)?;
    if value == 0 {
        anyhow::bail!("{name}: must be at least 1");
    }
    Ok(value)
}

/// Every middleware let the socket in; the log gets its user's id.
async fn on_connect(socket: SocketRef, Extension(user): Extension<PublicUser>) {
    tracing::info!(userId = %user.id, socketId = %socket.id, "connected");
}

// Lesson 07's suite (tests/src/suites/07-rate-limiting), which
// `cargo xtask check 07` runs against this crate: keep these lines.
#[cfg(test)]
rate_limiting_suite::run!(crate::app);
