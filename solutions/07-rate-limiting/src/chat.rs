//! The events of a connected socket, with `send-message` rate limited per
//! socket. Who sends comes from the socket (`Extension<PublicUser>`), never
//! from the payload. The room rules (bounded names and counts, speaking only
//! where the socket belongs) are lesson 02's, from `workbook::rooms`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use workbook::payload::Object;
use workbook::rooms;
use workbook::users::PublicUser;

use crate::window::{SlidingWindow, retry_after_secs};

/// `RATE_LIMIT_MAX_EVENTS` per `RATE_LIMIT_WINDOW_MS`, for each socket.
#[derive(Clone, Copy, Debug)]
pub struct EventLimit {
    pub max: usize,
    pub window: Duration,
}

// ANCHOR: register
/// The last middleware: gives the socket its own sliding window and
/// registers its events. It never refuses.
///
/// The window lives in the socket's extensions, so it is one socket's and
/// nobody else's, and it is freed with the socket: no table keyed by socket
/// id to clean up.
pub async fn register(
    socket: SocketRef,
    State(limit): State<EventLimit>,
) -> Result<(), Infallible> {
    socket
        .extensions
        .insert(Arc::new(SlidingWindow::new(limit.max, limit.window)));
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

/// `send-message {room, text}`.
#[derive(Deserialize)]
pub struct SendMessage {
    room: String,
    text: String,
}

/// `whoami` → ack `{id, name, role}`.
async fn whoami(Extension(user): Extension<PublicUser>, ack: AckSender) {
    let _ = ack.send(&user);
}

/// `join-room {room}` → joins, ack `{status:"ok"}`, under
/// [`rooms::join`]'s rules.
async fn join_room(socket: SocketRef, ack: AckSender, TryData(data): TryData<Object<JoinRoom>>) {
    let reply = match data {
        Ok(Object(JoinRoom { room })) => match rooms::join(&socket, &room) {
            Ok(()) => json!({ "status": "ok" }),
            Err(refused) => refused.ack(),
        },
        Err(_) => invalid_payload(),
    };
    let _ = ack.send(&reply);
}

// ANCHOR: send_message
/// `send-message {room, text}` → `new-message {text, user}` to the room, ack
/// `{status:"ok"}`; over the limit, ack `{error:"Rate limited", retryAfter}`
/// and nothing else.
///
/// The limit is checked first, before the payload is even looked at: a
/// flood of malformed messages costs the server work too, and counts.
async fn send_message(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    Extension(limit): Extension<Arc<SlidingWindow>>,
    ack: AckSender,
    TryData(data): TryData<Object<SendMessage>>,
) {
    if let Err(wait) = limit.try_record(Instant::now()) {
        let _ = ack.send(&json!({
            "error": "Rate limited",
            "retryAfter": retry_after_secs(wait),
        }));
        return;
    }
    let Ok(Object(SendMessage { room, text })) = data else {
        let _ = ack.send(&invalid_payload());
        return;
    };
    if let Err(refused) = rooms::may_send(&socket, &room, &text) {
        let _ = ack.send(&refused.ack());
        return;
    }
    let message = json!({ "text": text, "user": user.name });
    if let Err(e) = socket.within(room).emit("new-message", &message).await {
        tracing::warn!(error = %e, "could not deliver a message");
    }
    let _ = ack.send(&json!({ "status": "ok" }));
}
// ANCHOR_END: send_message

/// The answer to a payload of the wrong shape; the socket stays connected.
fn invalid_payload() -> Value {
    json!({ "error": "Invalid payload" })
}
