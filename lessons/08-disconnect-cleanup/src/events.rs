//! The end of the chain: the user's room, the presence table, the events.

use std::convert::Infallible;

use serde::Deserialize;
use serde_json::json;
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use workbook::users::PublicUser;

use crate::Hub;
use crate::cleanup;

/// The last middleware: once it runs nothing can refuse the socket, so
/// this is where it leaves marks that must be undone when it goes (the
/// room, the presence entry, the disconnect handler that undoes them).
/// A middleware rather than the connect handler: socketioxide confirms the
/// connection before that handler runs (see lesson 02).
pub async fn register(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    State(hub): State<Hub>,
) -> Result<(), Infallible> {
    socket.join(format!("user:{}", user.id));
    hub.presence.arrive(&user.id, socket.id);
    socket.on("whoami", whoami);
    socket.on("join-room", join_room);
    socket.on_disconnect(cleanup::on_disconnect);
    Ok(())
}

/// `whoami` → ack `{id, name, role}`.
pub async fn whoami(Extension(user): Extension<PublicUser>, ack: AckSender) {
    let _ = ack.send(&user);
}

#[derive(Deserialize)]
pub struct JoinRoom {
    room: String,
}

/// `join-room {room}` → ack `{status:"ok"}`. `user:<id>` rooms belong to
/// one user's devices (friends' notices go there), so nobody joins
/// another's.
pub async fn join_room(socket: SocketRef, ack: AckSender, TryData(data): TryData<JoinRoom>) {
    let reply = match data {
        Ok(JoinRoom { room }) if room.starts_with("user:") => {
            json!({ "error": "Room not allowed" })
        }
        Ok(JoinRoom { room }) if !room.is_empty() => {
            socket.join(room);
            json!({ "status": "ok" })
        }
        _ => json!({ "error": "Invalid payload" }),
    };
    let _ = ack.send(&reply);
}

/// Runs once the socket is in: a log line with the user's id.
pub async fn on_connect(socket: SocketRef, Extension(user): Extension<PublicUser>) {
    tracing::info!(user_id = %user.id, socket_id = %socket.id, "connected");
}
