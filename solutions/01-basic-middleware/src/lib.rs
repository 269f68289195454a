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

    // ANCHOR: wiring
    // The last `.with()` runs first: count the attempt, then check the token.
    io.ns("/", on_connect.with(require_token).with(count_attempt));
    // ANCHOR_END: wiring

    Ok(Router::new()
        .route("/stats", get(stats::show))
        .with_state(stats)
        .merge(workbook::auth::routes(&ctx))
        .layer(layer))
}

// ANCHOR: count_attempt
// EXERCISE: count_attempt
/// Middleware A. It never refuses anyone, so its error type is
/// [`std::convert::Infallible`]: the compiler knows this `Err` cannot happen.
async fn count_attempt(State(stats): State<Stats>) -> Result<(), std::convert::Infallible> {
    stats.record_attempt();
    Ok(())
}
// EXERCISE_END: count_attempt
// ANCHOR_END: count_attempt

// ANCHOR: require_token
// EXERCISE: require_token
/// Middleware B: the handshake's `auth` must hold a non-empty string `token`.
/// Nothing checks the token yet; that is lesson 02.
///
/// `TryData` rather than `Data`: a `Data<T>` that fails to deserialise
/// refuses the connection with serde's internal message, which is no answer
/// to give a client.
async fn require_token(
    State(stats): State<Stats>,
    TryData(auth): TryData<Value>,
) -> Result<(), &'static str> {
    let auth = auth.unwrap_or_default();
    match auth.get("token").and_then(Value::as_str) {
        Some(token) if !token.is_empty() => Ok(()),
        _ => {
            stats.record_rejected();
            Err("Authentication required")
        }
    }
}
// EXERCISE_END: require_token
// ANCHOR_END: require_token

/// Runs only for sockets every middleware let through.
async fn on_connect(socket: SocketRef, State(stats): State<Stats>) {
    stats.record_accepted();
    let _ = socket.emit("welcome", &json!({ "id": socket.id }));
}

// Lesson 01's suite (tests/src/suites/01-basic-middleware), which
// `cargo xtask check 01` runs against this crate: keep these lines.
#[cfg(test)]
basic_middleware_suite::run!(crate::app);
