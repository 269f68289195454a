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
use socketioxide::SocketIo;
use socketioxide::extract::{Extension, SocketRef};
use socketioxide::handler::ConnectHandler;
use workbook::Context;
use workbook::users::User;

use auth::authenticate;

/// The largest message a client may send, handshake included. socketioxide
/// caps HTTP long-polling at 100 KB but WebSocket messages only at 64 MiB:
/// without one limit for both, a client could make the middleware parse a
/// "token" of many megabytes. A real token is a few hundred bytes.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The server: `/` guarded by [`authenticate`], the chat events, and the
/// shared auth routes that hand out tokens.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let (layer, io) = SocketIo::builder()
        .with_state(ctx.clone())
        .max_payload(MAX_MESSAGE_BYTES as u64)
        .ws_max_message_size(MAX_MESSAGE_BYTES)
        .build_layer();

    io.ns("/", on_connect.with(authenticate));

    Ok(Router::new()
        .merge(workbook::auth::routes(&ctx))
        .layer(layer))
}

/// Runs only for sockets that [`authenticate`] let in, so the user is always
/// there. Each user gets a room of their own, `user:<id>`, through which the
/// server can reach all of their devices at once.
async fn on_connect(socket: SocketRef, Extension(user): Extension<User>) {
    socket.join(format!("user:{}", user.id));
    socket.on("whoami", chat::whoami);
    socket.on("join-room", chat::join_room);
    socket.on("send-message", chat::send_message);
}
