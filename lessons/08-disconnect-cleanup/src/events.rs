//! The end of the chain: the user's room, the presence table, the events.

use std::convert::Infallible;

use serde::Deserialize;
use serde_json::json;
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use workbook::payload::Object;
use workbook::rooms::{self, RoomError};
use workbook::users::PublicUser;

use crate::Hub;
use crate::cleanup::{self, Tracked};

/// The last middleware: once it runs nothing can refuse the socket, so
/// this is where it leaves marks that must be undone when it goes (the
/// room, the presence entry, the disconnect handler that undoes them).
/// The entry is a [`Tracked`] in the socket's extensions, so that it goes
/// with the socket even when no disconnect handler runs.
/// A middleware rather than the connect handler: socketioxide confirms the
/// connection before that handler runs (see lesson 02).
pub async fn register(
    socket: SocketRef,
    io: SocketIo,
    Extension(user): Extension<PublicUser>,
    State(hub): State<Hub>,
) -> Result<(), Infallible> {
    socket.join(rooms::user_room(&user.id));
    let tracked = Tracked::arrive(io, hub, &user.id, socket.id);
    socket.extensions.insert(tracked);
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

/// `join-room {room}` → ack `{status:"ok"}`, under lesson 02's room rules
/// ([`workbook::rooms::join`]): a name of 1 to 64 characters, at most 50
/// rooms per socket, and never a `user:<id>` room. Those belong to one
/// user's devices, and here they carry `friend-offline`: a stranger in
/// ada's room would hear every time one of her friends goes offline.
pub async fn join_room(
    socket: SocketRef,
    ack: AckSender,
    TryData(data): TryData<Object<JoinRoom>>,
) {
    let joined = match data {
        Ok(Object(JoinRoom { room })) => rooms::join(&socket, &room),
        Err(_) => Err(RoomError::InvalidPayload),
    };
    let reply = match joined {
        Ok(()) => json!({ "status": "ok" }),
        Err(refused) => refused.ack(),
    };
    let _ = ack.send(&reply);
}

/// Runs once the socket is in: a log line with the user's id.
pub async fn on_connect(socket: SocketRef, Extension(user): Extension<PublicUser>) {
    tracing::info!(user_id = %user.id, socket_id = %socket.id, "connected");
}
