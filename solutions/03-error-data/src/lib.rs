//! Lesson 03: error data.
//!
//! The authentication of lesson 02, with every refusal typed, so a client
//! can tell "refresh your token" from "log in again"; refresh tokens that
//! make the first answer possible; and, in [`client`], a Rust client that
//! acts on the difference.

pub mod client;
mod handshake;
mod refresh;
mod rejection;
mod routes;

use std::time::Duration;

use axum::Router;
use socketioxide::handler::ConnectHandler;
use workbook::Context;

pub use refresh::{RefreshTokens, Rotated};
pub use rejection::AuthError;

/// A week: how long a client may stay away and still come back without
/// its password. Set with `REFRESH_TTL_SECS`.
const DEFAULT_REFRESH_TTL_SECS: u64 = 7 * 24 * 60 * 60;

/// Thirty days: how long a login lasts, however often its refresh token is
/// rotated. Set with `REFRESH_MAX_SECS`.
const DEFAULT_REFRESH_MAX_SECS: u64 = 30 * 24 * 60 * 60;

/// The server: `/` behind the authentication middleware, registration,
/// login with refresh tokens, `POST /auth/refresh` and `POST /auth/logout`.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let ttl = seconds(&ctx, "REFRESH_TTL_SECS", DEFAULT_REFRESH_TTL_SECS)?;
    let max = seconds(&ctx, "REFRESH_MAX_SECS", DEFAULT_REFRESH_MAX_SECS)?;
    let refresh = RefreshTokens::open(&ctx, ttl, max).await?;

    let (layer, io) = workbook::socket_io().with_state(ctx.clone()).build_layer();
    // The last `.with()` runs first: authenticate, then register the events.
    io.ns(
        "/",
        handshake::on_connect
            .with(handshake::register)
            .with(handshake::authenticate),
    );

    Ok(Router::new()
        .merge(workbook::auth::register_route(&ctx))
        .merge(routes::routes(&ctx, refresh))
        .layer(layer))
}

/// A lifetime setting: a whole number of seconds, at least 1. A bad value
/// stops the server with a message that names the variable.
fn seconds(ctx: &Context, name: &str, default: u64) -> anyhow::Result<Duration> {
    let secs = ctx.config.knob(name, default)?;
    anyhow::ensure!(secs > 0, "{name}: must be at least 1");
    Ok(Duration::from_secs(secs))
}

// Lesson 03's suite (tests/src/suites/03-error-data), which
// `cargo xtask check 03` runs against this crate: keep these lines.
#[cfg(test)]
error_data_suite::run!(
    crate::app,
    error_data_suite::lesson_client!(crate::client::connect)
);
