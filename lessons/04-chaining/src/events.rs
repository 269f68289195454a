//! The end of the chain: what happens once every guard has said yes.

use std::convert::Infallible;

use socketioxide::extract::{AckSender, Extension, MaybeExtension, SocketRef};
use workbook::users::PublicUser;

use crate::logging::AttemptedAt;

/// The last middleware. It never refuses, and it is the only one that
/// leaves a mark outside the socket: the room `user:<id>` (which the ban
/// route uses to find a user's sockets) and the event handlers. Nothing
/// after it can refuse, so nothing it does has to be undone.
///
/// Why a middleware and not the connect handler: socketioxide confirms the
/// connection before it runs that handler, in a task of its own, so a
/// client that emits at once could beat it (see lesson 02).
pub async fn register(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
) -> Result<(), Infallible> {
    socket.join(format!("user:{}", user.id));
    socket.on("whoami", whoami);
    Ok(())
}

/// `whoami` → ack `{id, name, role}`, the user as the store knows it.
pub async fn whoami(Extension(user): Extension<PublicUser>, ack: AckSender) {
    let _ = ack.send(&user);
}

/// Runs once every middleware has let the socket in: a log line with the
/// user's id (never their token) and how long the chain took.
pub async fn on_connect(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    MaybeExtension(attempted): MaybeExtension<AttemptedAt>,
) {
    let chain_ms = attempted.map_or(0, |AttemptedAt(at)| at.elapsed().as_millis());
    tracing::info!(user_id = %user.id, socket_id = %socket.id, chain_ms, "connected");
}
