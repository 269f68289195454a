//! What an event may carry, and how the server answers one.
//!
//! A payload is whatever the client chose to send: any JSON, of any size
//! the transport lets through (1 MB). Each event's payload is therefore a
//! Rust type whose fields carry their own limits, and a payload that does
//! not fit the type is answered with `Invalid payload`, never trusted,
//! never half-used.
//!
//! Two extractors do the plumbing for every handler:
//!
//! - [`Checked<T>`]: the message's size first (at most
//!   [`MAX_MESSAGE_BYTES`]), then the payload, which must be a JSON
//!   object, decoded into `T`;
//! - [`Reply`]: answers through the acknowledgement when the client asked
//!   for one, and with an `error` event when it did not.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use socketioxide::adapter::LocalAdapter;
use socketioxide::extract::{AckSender, SocketRef, TryData};
use socketioxide::handler::{FromMessageParts, Value};
use socketioxide::socket::Socket;
use socketioxide::{SendError, SocketError};

// ANCHOR: limits
/// The longest `text`, in characters (not bytes: `é` is one character).
pub const MAX_TEXT_CHARS: usize = 1000;
/// The longest id (`postId`), in characters.
pub const MAX_ID_CHARS: usize = 64;
/// The longest room name: `post:` and an id.
pub const MAX_ROOM_CHARS: usize = "post:".len() + MAX_ID_CHARS;
/// The largest event message, in bytes, as it arrived: the event's name,
/// its payload, every field, including the ones no type reads.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
// ANCHOR_END: limits

/// The answer to a payload that does not fit its type.
pub const INVALID_PAYLOAD: &str = "Invalid payload";

/// A payload that is too big or does not have the event's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(INVALID_PAYLOAD)
    }
}

// EXERCISE: bounded
// ANCHOR: bounded
/// `value` if it has at least one and at most `max` characters. Characters,
/// not bytes: the contract counts what a person typed, and `str::len`
/// counts UTF-8 bytes (`"é".len()` is 2).
pub fn bounded(value: String, max: usize) -> Result<String, Invalid> {
    let chars = value.chars().count();
    if (1..=max).contains(&chars) {
        Ok(value)
    } else {
        Err(Invalid)
    }
}
// ANCHOR_END: bounded
// EXERCISE_END: bounded

// EXERCISE: decode
// ANCHOR: decode
/// The payload as `T`, if it is a JSON object that fits `T`. Every payload
/// type of this lesson is a struct, and a struct is sent as an object. serde
/// would also fill a struct from an array, field by field in the order the
/// struct declares them (`["post:1", "hi"]` reads as a `SendMessage`), so
/// an array must be refused here, before serde sees it.
pub fn decode<T: DeserializeOwned>(payload: serde_json::Value) -> Result<T, Invalid> {
    if !payload.is_object() {
        return Err(Invalid);
    }
    serde_json::from_value(payload).map_err(|_| Invalid)
}
// ANCHOR_END: decode
// EXERCISE_END: decode

// ANCHOR: types
/// A post's id: 1 to [`MAX_ID_CHARS`] characters. `try_from` makes serde
/// check the limit while it decodes, so a `PostId` that exists is valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct PostId(String);

impl TryFrom<String> for PostId {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Invalid> {
        bounded(value, MAX_ID_CHARS).map(PostId)
    }
}

impl PostId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The post's room, `post:<id>`.
    pub fn room(&self) -> String {
        format!("post:{}", self.0)
    }
}

/// A room name: 1 to [`MAX_ROOM_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Room(String);

impl TryFrom<String> for Room {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Invalid> {
        bounded(value, MAX_ROOM_CHARS).map(Room)
    }
}

impl Room {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A message's text: 1 to [`MAX_TEXT_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Text(String);

impl TryFrom<String> for Text {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Invalid> {
        bounded(value, MAX_TEXT_CHARS).map(Text)
    }
}

/// `join-post {postId}` and `like-post {postId}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostRef {
    pub post_id: PostId,
}

/// `typing {postId, isTyping}`. A `userName` in the payload is not a field,
/// so it is never read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Typing {
    pub post_id: PostId,
    pub is_typing: bool,
}

/// `send-message {room, text}`. No `sender`, no `senderId`: who sends is
/// the socket's business, not the payload's.
#[derive(Debug, Deserialize)]
pub struct SendMessage {
    pub room: Room,
    pub text: Text,
}
// ANCHOR_END: types

// ANCHOR: checked
/// An event's payload, checked: `Ok(T)` when the message is at most
/// [`MAX_MESSAGE_BYTES`] and its payload is an object that [`decode`]s into
/// `T` (and so keeps every limit of `T`'s fields), `Err(Invalid)` otherwise. Never fails
/// itself: the handler always runs, and always answers.
pub struct Checked<T>(pub Result<T, Invalid>);

impl<T: DeserializeOwned> FromMessageParts<LocalAdapter> for Checked<T> {
    type Error = Infallible;

    fn from_message_parts(
        socket: &Arc<Socket<LocalAdapter>>,
        message: &mut Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Infallible> {
        // The size first: no point decoding what will be refused anyway.
        if size_of(message) > MAX_MESSAGE_BYTES {
            return Ok(Checked(Err(Invalid)));
        }
        // Then the shape: read as plain JSON, which never fails on an
        // array, so that `decode` is the one place that says what fits.
        let TryData(data) =
            TryData::<serde_json::Value>::from_message_parts(socket, message, ack_id)?;
        Ok(Checked(data.map_err(|_| Invalid).and_then(decode)))
    }
}

/// The message's bytes as they arrived, binary attachments included.
fn size_of(message: &Value) -> usize {
    match message {
        Value::Str(text, attachments) => {
            text.len() + attachments.iter().flatten().map(|b| b.len()).sum::<usize>()
        }
        Value::Bytes(bytes) => bytes.len(),
    }
}
// ANCHOR_END: checked

// ANCHOR: reply
/// How one event is answered. A client that asked for an acknowledgement
/// always gets one, so it never waits for an answer that will not come; a
/// client that did not ask hears about errors through an `error` event.
pub struct Reply {
    socket: SocketRef,
    ack: AckSender,
    asked: bool,
}

impl FromMessageParts<LocalAdapter> for Reply {
    type Error = Infallible;

    fn from_message_parts(
        socket: &Arc<Socket<LocalAdapter>>,
        message: &mut Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Infallible> {
        Ok(Reply {
            socket: SocketRef::from_message_parts(socket, message, ack_id)?,
            ack: AckSender::from_message_parts(socket, message, ack_id)?,
            asked: ack_id.is_some(),
        })
    }
}

impl Reply {
    /// Success: `answer` as the acknowledgement, if one was asked for.
    pub fn ok(self, answer: &impl Serialize) {
        let _ = self.ack.send(answer);
    }

    /// An error: ack `{error}` if one was asked for, else the event
    /// `error {message}`.
    pub async fn error(self, message: &str) {
        if self.asked {
            let _ = self.ack.send(&json!({ "error": message }));
        } else {
            emit_to_self(&self.socket, "error", &json!({ "message": message })).await;
        }
    }

    /// The answer to a payload that is not [`Checked`]: `Invalid payload`.
    pub async fn invalid(self) {
        self.error(INVALID_PAYLOAD).await
    }

    /// An error that is not worth an event of its own (a typing indicator
    /// from outside the room): ack `{error}` if one was asked for, else
    /// nothing at all.
    pub fn quietly(self, message: &str) {
        if self.asked {
            let _ = self.ack.send(&json!({ "error": message }));
        }
    }
}
// ANCHOR_END: reply

// ANCHOR: emit_to_self
/// `socket.emit(event, data)`, without losing the event in the socket's
/// first moment. socketioxide tells the client it is connected and only
/// then marks the socket connected; an event the client sends at once can
/// be handled in between, and `socket.emit` refuses with `Closed` while the
/// mark is missing (an acknowledgement, sent another way, goes through).
/// So wait for the mark, which comes within microseconds unless the
/// machine is busy, and give up after a second: then the socket is gone.
pub async fn emit_to_self(socket: &SocketRef, event: &str, data: &impl Serialize) {
    for _ in 0..500 {
        match socket.emit(event, data) {
            Err(SendError::Socket(SocketError::Closed)) if !socket.connected() => {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            _ => return,
        }
    }
}
// ANCHOR_END: emit_to_self
