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

pub use refresh::RefreshTokens;
pub use rejection::AuthError;

/// A week: how long a client may stay away and still come back without
/// its password. Set with `REFRESH_TTL_SECS`.
const DEFAULT_REFRESH_TTL_SECS: u64 = 7 * 24 * 60 * 60;

/// The server: `/` behind the authentication middleware, registration,
/// login with refresh tokens, and `POST /auth/refresh`.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let ttl = ctx
        .config
        .knob("REFRESH_TTL_SECS", DEFAULT_REFRESH_TTL_SECS)?;
    anyhow::ensure!(ttl > 0, "REFRESH_TTL_SECS: must be at least 1");
    let ttl = Duration::from_secs(ttl);
    let refresh = match &ctx.db {
        Some(db) => RefreshTokens::mongo(db, ttl).await?,
        None => RefreshTokens::memory(ttl),
    };

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
