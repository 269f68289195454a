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
use workbook::payload::Object;
use workbook::rooms::{self, RoomError};
use workbook::users::PublicUser;

use crate::posts::send_unread_count;
use crate::presence::Presence;
use crate::records::Records;

/// The last middleware on `/`: joins `user:<id>` and registers the events
/// (before socketioxide confirms the connection, as in lesson 02).
pub async fn register<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    Extension(user): Extension<PublicUser>,
    State(presence): State<Presence>,
) -> Result<(), Infallible> {
    socket.join(rooms::user_room(&user.id));
    // Dropped with the socket: `lastSeen` once the user's last one is gone.
    let departure = presence.departure(io, &user.id, socket.id);
    socket.extensions.insert(departure);
    socket.on("whoami", whoami::<A>);
    socket.on("join-room", join_room::<A>);
    socket.on("send-message", send_message::<A>);
    socket.on("mark-read", mark_read::<A>);
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

/// `join-room {room}` → ack `{status:"ok"}`, under lesson 02's room rules
/// ([`workbook::rooms::join`]): a name of 1 to 64 characters, at most 50
/// rooms per socket, never a `user:<id>` room (each carries one user's
/// notifications). The Redis adapter shares the rooms with every server,
/// so a bound here is a bound on what every server keeps.
async fn join_room<A: Adapter>(
    socket: SocketRef<A>,
    ack: AckSender<A>,
    TryData(data): TryData<Object<JoinRoom>>,
) {
    let joined = match data {
        Ok(Object(JoinRoom { room })) => rooms::join(&socket, &room),
        Err(_) => Err(RoomError::InvalidPayload),
    };
    let answer = match joined {
        Ok(()) => json!({ "status": "ok" }),
        Err(refused) => refused.ack(),
    };
    let _ = ack.send(&answer);
}

/// `send-message {room, text}` → `new-message` to the room on every server,
/// when [`workbook::rooms::may_send`] allows it: only into a room this
/// socket joined, or to a `user:<id>` room (a direct message), with at
/// most 1000 characters of text. Anything else is refused and sent nowhere.
async fn send_message<A: Adapter>(
    socket: SocketRef<A>,
    ack: AckSender<A>,
    Extension(user): Extension<PublicUser>,
    TryData(data): TryData<Object<SendMessage>>,
) {
    let Ok(Object(SendMessage { room, text })) = data else {
        let _ = ack.send(&RoomError::InvalidPayload.ack());
        return;
    };
    if let Err(refused) = rooms::may_send(&socket, &room, &text) {
        let _ = ack.send(&refused.ack());
        return;
    }
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

/// The most ids one `mark-read` may carry, as in lesson 09: a client marks
/// what it shows, and a million ids would be a million comparisons in the
/// store.
pub const MAX_MARK_READ_IDS: usize = 500;

/// `mark-read [ids]`: the user's own notifications among `ids` are read;
/// then every device of the user, on every server, gets the new count. At
/// most [`MAX_MARK_READ_IDS`] ids, else `{error:"Invalid payload"}`.
async fn mark_read<A: Adapter>(
    io: SocketIo<A>,
    ack: AckSender<A>,
    Extension(user): Extension<PublicUser>,
    State(records): State<Records>,
    TryData(ids): TryData<Vec<String>>,
) {
    let ids = match ids {
        Ok(ids) if ids.len() <= MAX_MARK_READ_IDS => ids,
        _ => {
            let _ = ack.send(&json!({ "error": "Invalid payload" }));
            return;
        }
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
