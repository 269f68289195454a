//! The events of an authenticated socket. Each handler takes the user from
//! the socket (`Extension<PublicUser>`), where the middleware put it, and never
//! from the payload: a payload says whatever the client wants it to say.

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Value, json};
use socketioxide::extract::{AckSender, Extension, SocketRef, TryData};
use workbook::users::PublicUser;

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

/// `join-room {room}`.
#[derive(Deserialize)]
pub struct JoinRoom {
    room: String,
}

// EXERCISE: whoami
/// `whoami` → ack `{id, name, role}`: the server's view of this socket's
/// user, never a password hash.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn whoami(Extension(user): Extension<PublicUser>, ack: AckSender) {
    todo!("answer with the socket's user (chapter 02, \"Who is talking\")")
}
// EXERCISE_END: whoami

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
#[allow(dead_code)] // Remove this line once `send_message` reads the fields.
pub struct SendMessage {
    room: String,
    text: String,
}

/// `send-message {room, text}` → `new-message {text, sender, senderId,
/// timestamp}` to everyone in `room`, the sender included, then ack
/// `{status:"ok"}`. `sender` and `senderId` are the socket's user's name and
/// id; `timestamp` is [`now_ms`]. A payload of the wrong shape gets the ack
/// [`invalid_payload`] and sends nothing.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn send_message(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    ack: AckSender,
    TryData(data): TryData<SendMessage>,
) {
    todo!("send the message as the socket's user (chapter 02, \"Who is talking\")")
}

/// Milliseconds since the Unix epoch, as JavaScript's `Date.now()`.
#[allow(dead_code)] // Remove this line once `send_message` uses it.
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
