//! Lesson 10: session cookies.
//!
//! The other way to know who connects. Instead of a token the client puts
//! in `auth`, the browser carries a session cookie that `POST /session/login`
//! set, and sends it with the Socket.IO handshake by itself. The socket
//! middleware reads the cookie from the handshake request, finds the
//! session on the server, and lets the socket in as that session's user.
//! Logging out deletes the session and closes the sockets it opened.
//!
//! Cookies bring their own attack: any site's page can open a WebSocket to
//! this server, and the browser attaches the cookie. So the handshake
//! checks `Origin` first ([`origin`]).

pub mod cookie;
pub mod origin;
pub mod refusal;
pub mod routes;
pub mod session_id;
pub mod sessions;
pub mod socket;

use std::time::Duration;

use axum::Router;
use socketioxide::handler::ConnectHandler;
use workbook::Context;

use origin::AllowedOrigins;
use routes::Web;
use sessions::Sessions;

/// The default lifetime of a session: one day.
const DEFAULT_SESSION_TTL_SECS: u64 = 24 * 60 * 60;

/// What the handshake and the routes share: the store of users, the
/// sessions, the origins allowed, and whether cookies are `Secure`.
#[derive(Clone)]
pub struct SessionAuth {
    pub ctx: Context,
    pub sessions: Sessions,
    pub origins: AllowedOrigins,
    pub secure: bool,
}

/// The server: `/` behind [`socket::authenticate`], the session routes and
/// the shared auth routes (registration, and the JWT login that this
/// lesson's sockets ignore).
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let ttl = ctx
        .config
        .knob("SESSION_TTL_SECS", DEFAULT_SESSION_TTL_SECS)?;
    anyhow::ensure!(ttl > 0, "SESSION_TTL_SECS: must be at least 1");
    let secure = match ctx.config.knob("COOKIE_SECURE", 0u8)? {
        0 => false,
        1 => true,
        _ => anyhow::bail!("COOKIE_SECURE: must be 0 or 1"),
    };
    let origins = AllowedOrigins::from_config(&ctx.config, secure)?;
    let ttl = Duration::from_secs(ttl);
    let sessions = Sessions::open(&ctx, ttl).await?;
    let auth = SessionAuth {
        ctx: ctx.clone(),
        sessions,
        origins,
        secure,
    };

    let (layer, io) = workbook::socket_io().with_state(auth.clone()).build_layer();
    io.ns(
        "/",
        socket::on_connect
            .with(socket::register)
            .with(socket::authenticate),
    );

    Ok(Router::new()
        .merge(workbook::auth::routes(&ctx))
        .merge(routes::routes(Web { auth, io }))
        .layer(layer))
}

// Lesson 10's suite (tests/src/suites/10-session-auth), which
// `cargo xtask check 10` runs against this crate: keep these lines.
#[cfg(test)]
session_auth_suite::run!(crate::app);
