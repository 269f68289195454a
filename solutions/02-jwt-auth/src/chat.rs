//! The events of an authenticated socket. Each handler takes the user from
//! the socket (`Extension<PublicUser>`), where the middleware put it, and never
//! from the payload: a payload says whatever the client wants it to say.

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Value, json};
use socketioxide::extract::{AckSender, Extension, SocketRef, TryData};
use workbook::payload::Object;
use workbook::rooms;
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
/// The rules are [`workbook::rooms`]'s, shared with lessons 07, 08 and 11: a
/// name of 1 to 64 characters, at most 50 rooms a socket, and never a
/// `user:<id>` room, which reaches a single user's devices (joining someone
/// else's would mean reading their private messages).
pub async fn join_room(
    socket: SocketRef,
    ack: AckSender,
    TryData(data): TryData<Object<JoinRoom>>,
) {
    let reply = match data {
        Ok(Object(JoinRoom { room })) => match rooms::join(&socket, &room) {
            Ok(()) => json!({ "status": "ok" }),
            Err(refused) => refused.ack(),
        },
        Err(_) => invalid_payload(),
    };
    let _ = ack.send(&reply);
}

/// `send-message {room, text}`. A `sender` or `senderId` in the payload is
/// not even read: serde skips fields the struct does not name.
#[derive(Deserialize)]
pub struct SendMessage {
    room: String,
    text: String,
}

// ANCHOR: send_message
/// `send-message {room, text}` → [`deliver`], ack `{status:"ok"}`.
///
/// A room is only a name, so the room has to be checked before anything is
/// sent ([`rooms::may_send`]): this socket must have joined it (or it is a
/// `user:<id>` room, a direct message), and the text must fit. Otherwise
/// anyone who guesses a room's name could speak in it.
pub async fn send_message(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    ack: AckSender,
    TryData(data): TryData<Object<SendMessage>>,
) {
    let Ok(Object(message)) = data else {
        let _ = ack.send(&invalid_payload());
        return;
    };
    if let Err(refused) = rooms::may_send(&socket, &message.room, &message.text) {
        let _ = ack.send(&refused.ack());
        return;
    }
    deliver(&socket, &user, message).await;
    let _ = ack.send(&json!({ "status": "ok" }));
}
// ANCHOR_END: send_message

// ANCHOR: deliver
// EXERCISE: deliver
/// Sends `new-message {text, sender, senderId, timestamp}` to everyone in
/// the room, the sender included. Who sent it is the socket's user,
/// whatever the payload claimed.
async fn deliver(socket: &SocketRef, user: &PublicUser, message: SendMessage) {
    let SendMessage { room, text } = message;
    let message = json!({
        "text": text,
        "sender": user.name,
        "senderId": user.id,
        "timestamp": now_ms(),
    });
    if let Err(e) = socket.within(room).emit("new-message", &message).await {
        tracing::warn!(error = %e, "could not deliver a message");
    }
}

/// Milliseconds since the Unix epoch, as JavaScript's `Date.now()`.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
// EXERCISE_END: deliver
// ANCHOR_END: deliver

/// The answer to a payload of the wrong shape. Asking again with the same
/// payload will not help, and the connection stays open.
fn invalid_payload() -> Value {
    json!({ "error": "Invalid payload" })
}
