//! The events of an authenticated socket. Each handler takes the user from
//! the socket (`Extension<PublicUser>`), where the middleware put it, and never
//! from the payload: a payload says whatever the client wants it to say.

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Value, json};
use socketioxide::extract::{AckSender, Extension, SocketRef, TryData};
use workbook::users::PublicUser;

// ANCHOR: register
/// A middleware that registers the socket's events; it never refuses.
///
/// Why not in the connect handler, as in Node? socketioxide confirms the
/// connection to the client first and only then runs the connect handler,
/// in a task of its own. A client that emits as soon as it is connected can
/// beat that task, and an event with no handler yet is dropped. Middlewares
/// run before the confirmation, so handlers set here are always in place.
pub async fn register(socket: SocketRef) -> Result<(), Infallible> {
    socket.on("whoami", whoami);
    socket.on("join-room", join_room);
    socket.on("send-message", send_message);
    Ok(())
}
// ANCHOR_END: register

/// `join-room {room}`.
#[derive(Deserialize)]
pub struct JoinRoom {
    room: String,
}

// ANCHOR: whoami
// EXERCISE: whoami
/// `whoami` → ack `{id, name, role}`: the server's view of this socket's user.
/// [`PublicUser`] is the only shape of a user the socket holds; it has no
/// password hash to leak.
pub async fn whoami(Extension(user): Extension<PublicUser>, ack: AckSender) {
    let _ = ack.send(&user);
}
// EXERCISE_END: whoami
// ANCHOR_END: whoami

/// `join-room {room}` → joins, ack `{status:"ok"}`.
///
/// `user:<id>` rooms are refused: each one reaches a single user's devices,
/// and joining someone else's would mean reading their private messages.
pub async fn join_room(socket: SocketRef, ack: AckSender, TryData(data): TryData<JoinRoom>) {
    let reply = match data {
        Ok(JoinRoom { room }) if room.starts_with("user:") => {
            json!({ "error": "Room not allowed" })
        }
        Ok(JoinRoom { room }) if !room.is_empty() => {
            socket.join(room);
            json!({ "status": "ok" })
        }
        _ => invalid_payload(),
    };
    let _ = ack.send(&reply);
}

// EXERCISE: send_message
/// `send-message {room, text}`. A `sender` or `senderId` in the payload is
/// not even read: serde skips fields the struct does not name.
#[derive(Deserialize)]
pub struct SendMessage {
    room: String,
    text: String,
}

// ANCHOR: send_message
/// `send-message {room, text}` → `new-message {text, sender, senderId,
/// timestamp}` to everyone in `room`, the sender included. Who sent it is
/// the socket's user, whatever the payload claims.
pub async fn send_message(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    ack: AckSender,
    TryData(data): TryData<SendMessage>,
) {
    let Ok(SendMessage { room, text }) = data else {
        let _ = ack.send(&invalid_payload());
        return;
    };
    let message = json!({
        "text": text,
        "sender": user.name,
        "senderId": user.id,
        "timestamp": now_ms(),
    });
    if let Err(e) = socket.within(room).emit("new-message", &message).await {
        tracing::warn!(error = %e, "could not deliver a message");
    }
    let _ = ack.send(&json!({ "status": "ok" }));
}
// ANCHOR_END: send_message

/// Milliseconds since the Unix epoch, as JavaScript's `Date.now()`.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
// EXERCISE_END: send_message

/// The answer to a payload of the wrong shape. Asking again with the same
/// payload will not help, and the connection stays open.
fn invalid_payload() -> Value {
    json!({ "error": "Invalid payload" })
}
