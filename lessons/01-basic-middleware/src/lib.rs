//! Lesson 01: connection middleware.
//!
//! A Socket.IO middleware runs once per connection attempt, after the
//! transport is open and before the socket joins its namespace. Returning
//! `Err` refuses the socket: the client gets `connect_error` with the error's
//! text, and no event handler ever sees it. Here two middlewares guard `/`:
//! one counts every attempt, one refuses a handshake that brings no token.

mod stats;

use axum::Router;
use axum::routing::get;
use serde_json::{Value, json};
use socketioxide::extract::{SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;
use workbook::Context;

pub use stats::Stats;

/// The server: `/` guarded by the two middlewares, `GET /stats`, and the
/// shared auth routes.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let stats = Stats::default();
    let (layer, io) = workbook::socket_io()
        .with_state(stats.clone())
        .build_layer();

    // The last `.with()` runs first: count the attempt, then check the token.
    io.ns("/", on_connect.with(require_token).with(count_attempt));

    Ok(Router::new()
        .route("/stats", get(stats::show))
        .with_state(stats)
        .merge(workbook::auth::routes(&ctx))
        .layer(layer))
}

// EXERCISE: count_attempt
/// Middleware A: record every connection attempt in `stats`, then let the
/// handshake go on. It never refuses anyone, so its error type is
/// [`std::convert::Infallible`].
#[allow(unused_variables)] // Remove this line once the body uses `stats`.
async fn count_attempt(State(stats): State<Stats>) -> Result<(), std::convert::Infallible> {
    todo!("count the attempt (chapter 01, \"Middleware A\")")
}
// EXERCISE_END: count_attempt

// EXERCISE: require_token
/// Middleware B: let the handshake through only when its `auth` holds a
/// non-empty string `token`; otherwise record a rejection and refuse with
/// `Authentication required`. Nothing checks the token itself yet.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
async fn require_token(
    State(stats): State<Stats>,
    TryData(auth): TryData<Value>,
) -> Result<(), &'static str> {
    todo!("refuse a handshake without a token (chapter 01, \"Middleware B\")")
}
// EXERCISE_END: require_token

/// Runs only for sockets every middleware let through.
async fn on_connect(socket: SocketRef, State(stats): State<Stats>) {
    stats.record_accepted();
    let _ = socket.emit("welcome", &json!({ "id": socket.id }));
}

// Lesson 01's suite (tests/src/suites/01-basic-middleware), which
// `cargo xtask check 01` runs against this crate: keep these lines.
#[cfg(test)]
basic_middleware_suite::run!(crate::app);
