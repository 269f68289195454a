//! Lesson 02: JWT authentication.
//!
//! The client proves who it is once, in the handshake: `auth.token` carries
//! an access token from `POST /auth/login`. A middleware verifies it, loads
//! the user it names from the store and attaches that user to the socket.
//! From then on every event handler knows who is talking without asking the
//! client, and never believes a client that says otherwise.

pub mod auth;
mod chat;

use axum::Router;
use socketioxide::extract::{Extension, SocketRef};
use socketioxide::handler::ConnectHandler;
use workbook::Context;
use workbook::users::PublicUser;

use auth::authenticate;

/// The server: `/` guarded by [`authenticate`], the chat events, and the
/// shared auth routes that hand out tokens.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let (layer, io) = workbook::socket_io().with_state(ctx.clone()).build_layer();

    // The last `.with()` runs first: authenticate, then register the events.
    io.ns("/", on_connect.with(chat::register).with(authenticate));

    Ok(Router::new()
        .merge(workbook::auth::routes(&ctx))
        .layer(layer))
}

/// Runs once every middleware has let the socket in. The events are
/// already registered (see [`chat::register`]); what is left is a line in
/// the log, with the user's id and never their token.
async fn on_connect(socket: SocketRef, Extension(user): Extension<PublicUser>) {
    tracing::info!(user_id = %user.id, socket_id = %socket.id, "connected");
}

// Lesson 02's suite (tests/src/suites/02-jwt-auth), which
// `cargo xtask check 02` runs against this crate: keep these lines.
#[cfg(test)]
jwt_auth_suite::run!(crate::app);
