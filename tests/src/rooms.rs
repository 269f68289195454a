//! Lesson 02's room rules (`workbook::rooms`), kept by every chat lesson
//! after it: the bodies of their checks, written once. A suite's case
//! starts its own server and socket, calls one of these and snapshots what
//! it returns (the snapshot is named after the case, so it stays there).

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::Socket;
use crate::clock::assert_now_ms;

/// The most rooms a socket may join, its own `user:<id>` room aside.
const MAX_ROOMS: usize = 50;

/// How long a check listens to be sure an event does not come.
const QUIET: Duration = Duration::from_millis(300);

/// `join-room {room}`'s ack.
pub async fn join(socket: &Socket, room: &str) -> Value {
    socket.ack("join-room", json!({ "room": room })).await
}

/// The labels of [`name_lengths`] around the limit, in a snapshot's order:
/// the first two fit, the last two do not.
pub const AROUND_THE_LIMIT: [&str; 4] = [
    "64 characters",
    "64 two-byte characters",
    "65 characters",
    "500 KB",
];

/// The room name a label of [`name_lengths`] stands for, around the limit
/// of 64 characters, counted as characters, not bytes.
fn name_for(label: &str) -> String {
    match label {
        "64 characters" => "r".repeat(64),
        "64 two-byte characters" => "é".repeat(64),
        "65 characters" => "r".repeat(65),
        "500 KB" => "r".repeat(500_000),
        "empty" => String::new(),
        other => panic!("no room name is labelled {other:?}"),
    }
}

/// `join-room`'s answer to each name in `labels` (`"64 characters"`,
/// `"64 two-byte characters"`, `"65 characters"`, `"500 KB"`, `"empty"`),
/// in that order, under its label.
pub async fn name_lengths(socket: &Socket, labels: &[&str]) -> Map<String, Value> {
    let mut answers = Map::new();
    for label in labels {
        let ack = join(socket, &name_for(label)).await;
        answers.insert((*label).to_owned(), ack);
    }
    answers
}

/// Joins `room-1` to `room-50`, each of which must be accepted, then tries
/// `room-51` (its answer under `label_51st`) and `room-7` again (under
/// `"room-7 again"`): the 51st is refused, rejoining costs nothing.
pub async fn past_the_limit(socket: &Socket, label_51st: &str) -> Map<String, Value> {
    for n in 1..=MAX_ROOMS {
        let ack = join(socket, &format!("room-{n}")).await;
        assert_eq!(ack, json!({ "status": "ok" }), "joining room {n} of 50");
    }
    let mut answers = Map::new();
    answers.insert(label_51st.to_owned(), join(socket, "room-51").await);
    answers.insert("room-7 again".to_owned(), join(socket, "room-7").await);
    answers
}

/// `join-room`'s answer to someone's `user:<id>` room, for each
/// `(label, user id)`: always refused, as such a room reaches one user's
/// devices only.
pub async fn user_rooms(socket: &Socket, users: &[(&str, &str)]) -> Map<String, Value> {
    let mut answers = Map::new();
    for (label, id) in users {
        let ack = join(socket, &format!("user:{id}")).await;
        answers.insert((*label).to_owned(), ack);
    }
    answers
}

/// `join-room ["lobby"]` and `send-message ["lobby", "hi"]`: serde would
/// fill `{room}` and `{room, text}` from arrays, field by field, and the
/// contract wants objects. Their acks, under those names.
pub async fn array_payloads(socket: &Socket) -> Value {
    json!({
        "join-room [\"lobby\"]": socket.ack("join-room", json!(["lobby"])).await,
        "send-message [\"lobby\", \"hi\"]": socket.ack("send-message", json!(["lobby", "hi"])).await,
    })
}

/// Seed 000's audit, "users emit events to rooms they have not joined":
/// `member` joins `lobby`, `stranger` (who has not) sends to it. Returns
/// the stranger's ack, once `member` has heard nothing for [`QUIET`].
pub async fn a_stranger_speaks(stranger: &Socket, member: &Socket) -> Value {
    assert_eq!(join(member, "lobby").await, json!({ "status": "ok" }));
    let ack = stranger
        .ack(
            "send-message",
            json!({ "room": "lobby", "text": "let me in" }),
        )
        .await;
    member.assert_silent("new-message", QUIET).await;
    ack
}

/// The `new-message` that `listener` hears once `sender` has spoken in a
/// room both are in. Its `senderId` is the sending socket's user
/// (`sender_id`), whatever the payload claimed; its `timestamp` is now, in
/// milliseconds; and the sender, in the room too, hears the same message.
/// Returned for the case to snapshot.
pub async fn the_message_heard(sender: &Socket, listener: &Socket, sender_id: &str) -> Value {
    let message = listener.next("new-message").await;
    assert_eq!(message["senderId"], json!(sender_id), "{message}");
    assert_now_ms(
        message["timestamp"].as_u64(),
        &format!("timestamp should be the time in milliseconds since 1970, got {message}"),
    );
    let own_copy = sender.next("new-message").await;
    assert_eq!(own_copy, message, "the sender is in the room too");
    message
}
