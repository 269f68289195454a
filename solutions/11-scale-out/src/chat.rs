//! `/`: lesson 02's rooms and messages, lesson 09's unread count and
//! `mark-read`. Every emit here goes through the adapter, so it reaches
//! the room's sockets on every server.

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::json;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use workbook::users::PublicUser;

use crate::posts::send_unread_count;
use crate::presence;
use crate::records::Records;

/// The last middleware on `/`: joins `user:<id>` and registers the events
/// (before socketioxide confirms the connection, as in lesson 02).
pub async fn register<A: Adapter>(
    socket: SocketRef<A>,
    Extension(user): Extension<PublicUser>,
) -> Result<(), Infallible> {
    socket.join(format!("user:{}", user.id));
    socket.on("whoami", whoami::<A>);
    socket.on("join-room", join_room::<A>);
    socket.on("send-message", send_message::<A>);
    socket.on("mark-read", mark_read::<A>);
    socket.on_disconnect(presence::on_disconnect::<A>);
    Ok(())
}

/// Once connected: the unread count, to this socket only.
pub async fn on_connect<A: Adapter>(
    socket: SocketRef<A>,
    Extension(user): Extension<PublicUser>,
    State(records): State<Records>,
) {
    match records.unread_count(&user.id).await {
        Ok(count) => {
            let _ = socket.emit("unread-count", &json!({ "count": count }));
        }
        Err(e) => tracing::error!(user_id = %user.id, error = %e, "cannot count notifications"),
    }
    tracing::info!(user_id = %user.id, socket_id = %socket.id, "connected");
}

pub async fn whoami<A: Adapter>(Extension(user): Extension<PublicUser>, ack: AckSender<A>) {
    let _ = ack.send(&user);
}

#[derive(Deserialize)]
pub struct JoinRoom {
    room: String,
}

#[derive(Deserialize)]
pub struct SendMessage {
    room: String,
    text: String,
}

async fn join_room<A: Adapter>(
    socket: SocketRef<A>,
    ack: AckSender<A>,
    TryData(data): TryData<JoinRoom>,
) {
    let answer = match data {
        Err(_) => json!({ "error": "Invalid payload" }),
        Ok(JoinRoom { room }) if room.starts_with("user:") => {
            json!({ "error": "Room not allowed" })
        }
        Ok(JoinRoom { room }) => {
            socket.join(room);
            json!({ "status": "ok" })
        }
    };
    let _ = ack.send(&answer);
}

/// `send-message {room, text}` → `new-message` to the room on every server.
async fn send_message<A: Adapter>(
    socket: SocketRef<A>,
    ack: AckSender<A>,
    Extension(user): Extension<PublicUser>,
    TryData(data): TryData<SendMessage>,
) {
    let Ok(SendMessage { room, text }) = data else {
        let _ = ack.send(&json!({ "error": "Invalid payload" }));
        return;
    };
    let message = json!({
        "text": text,
        "sender": user.name,
        "senderId": user.id,
        "timestamp": now_ms(),
    });
    if let Err(e) = socket.within(room).emit("new-message", &message).await {
        tracing::error!(error = %e, "cannot send a message");
    }
    let _ = ack.send(&json!({ "status": "ok" }));
}

/// `mark-read [ids]`: the user's own notifications among `ids` are read;
/// then every device of the user, on every server, gets the new count.
async fn mark_read<A: Adapter>(
    io: SocketIo<A>,
    ack: AckSender<A>,
    Extension(user): Extension<PublicUser>,
    State(records): State<Records>,
    TryData(ids): TryData<Vec<String>>,
) {
    let Ok(ids) = ids else {
        let _ = ack.send(&json!({ "error": "Invalid payload" }));
        return;
    };
    if let Err(e) = records.mark_read(&user.id, &ids).await {
        tracing::error!(user_id = %user.id, error = %e, "cannot mark notifications read");
        let _ = ack.send(&json!({ "error": "Internal error" }));
        return;
    }
    send_unread_count(&io, &records, &user.id).await;
    let _ = ack.send(&json!({ "status": "ok" }));
}

fn now_ms() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}
