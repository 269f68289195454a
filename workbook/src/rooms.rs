//! The rules for chat rooms a client names, shared by every lesson that
//! carries lesson 02's `join-room` and `send-message` (02, 07, 08, 11).
//!
//! A room name comes from the client, and socketioxide keeps every room a
//! socket joins (twice: socket → rooms and room → sockets) until the socket
//! leaves. Unchecked, one socket could join thousands of rooms with names
//! of a megabyte each and exhaust the server's memory. And a room is only a
//! name: without a membership check, anyone who guesses a name can speak in
//! it. These checks bound the first and close the second, in one place, so
//! that every lesson's handlers call the same rules.

use serde_json::{Value, json};
use socketioxide::adapter::Adapter;
use socketioxide::socket::Socket;

// ANCHOR: limits
/// The longest room name, in characters (not bytes).
pub const MAX_ROOM_CHARS: usize = 64;
/// How many rooms one socket may be in, its own `user:<id>` room aside.
pub const MAX_ROOMS_PER_SOCKET: usize = 50;
/// The longest message text, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;
// ANCHOR_END: limits

/// Why a room event was refused. The `Display` text is the ack's `error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoomError {
    /// Not the payload's shape, or a name or text out of bounds.
    #[error("Invalid payload")]
    InvalidPayload,
    /// A `user:*` room: each one reaches a single user's devices.
    #[error("Room not allowed")]
    NotAllowed,
    /// The socket is already in [`MAX_ROOMS_PER_SOCKET`] rooms.
    #[error("Too many rooms")]
    TooMany,
    /// `send-message` into a room the socket never joined.
    #[error("Not a member of this room")]
    NotAMember,
}

impl RoomError {
    /// The ack a client gets: `{"error": "<the reason>"}`.
    pub fn ack(self) -> Value {
        json!({ "error": self.to_string() })
    }
}

/// The room that reaches every socket of one user, on any of their devices.
pub fn user_room(user_id: &str) -> String {
    format!("user:{user_id}")
}

fn is_user_room(room: &str) -> bool {
    room.starts_with("user:")
}

fn valid_name(room: &str) -> bool {
    (1..=MAX_ROOM_CHARS).contains(&room.chars().count())
}

/// How many rooms the socket is in, its `user:<id>` room aside.
fn rooms_joined<A: Adapter>(socket: &Socket<A>) -> usize {
    socket.rooms().iter().filter(|r| !is_user_room(r)).count()
}

// ANCHOR: join
/// `join-room`: joins `room` if its name is valid, it is nobody's private
/// room, and the socket has a place left. Joining a room the socket is
/// already in is fine and costs nothing.
pub fn join<A: Adapter>(socket: &Socket<A>, room: &str) -> Result<(), RoomError> {
    if !valid_name(room) {
        return Err(RoomError::InvalidPayload);
    }
    if is_user_room(room) {
        return Err(RoomError::NotAllowed);
    }
    if socket.rooms().iter().any(|r| r == room) {
        return Ok(());
    }
    if rooms_joined(socket) >= MAX_ROOMS_PER_SOCKET {
        return Err(RoomError::TooMany);
    }
    socket.join(room.to_owned());
    // Events of one socket are handled concurrently: two joins can both pass
    // the count above. Counting again after joining keeps the bound exact
    // (at worst both step back, and the client may try again).
    if rooms_joined(socket) > MAX_ROOMS_PER_SOCKET {
        socket.leave(room.to_owned());
        return Err(RoomError::TooMany);
    }
    Ok(())
}
// ANCHOR_END: join

// ANCHOR: may_send
/// `send-message`: may this socket put `text` into `room`? Only into a room
/// it joined, or into a `user:<id>` room, which is a direct message to that
/// user's devices. A room is only a name; without this check anyone who
/// guesses one can speak in it (and listen, for rooms that echo).
pub fn may_send<A: Adapter>(socket: &Socket<A>, room: &str, text: &str) -> Result<(), RoomError> {
    if !valid_name(room) || text.chars().count() > MAX_TEXT_CHARS {
        return Err(RoomError::InvalidPayload);
    }
    if is_user_room(room) || socket.rooms().iter().any(|r| r == room) {
        Ok(())
    } else {
        Err(RoomError::NotAMember)
    }
}
// ANCHOR_END: may_send
