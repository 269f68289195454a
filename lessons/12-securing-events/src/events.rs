//! The events, anonymous and authenticated sockets alike. Every handler
//! asks the same three questions, in the same order:
//!
//! 1. who is asking? The socket's user, put there by the middleware
//!    (`MaybeExtension<PublicUser>`: `None` for an anonymous socket);
//! 2. what did they send? The payload, checked ([`Checked`]);
//! 3. where does it go? A room this socket is in, by the server's own
//!    list of its rooms.
//!
//! And every broadcast names its sender from the socket, never from the
//! payload.

use std::convert::Infallible;

use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, MaybeExtension, SocketRef, State};
use workbook::users::PublicUser;

use crate::expiry::{ExpiryTimers, TokenExpiry};
use crate::likes::Likes;
use crate::payload::{Checked, PostRef, Reply, SendMessage, Typing};

/// The answer to an event aimed at a room this socket is not in.
pub const NOT_A_MEMBER: &str = "Not a member of this room";

/// The last middleware: registers the events, for every socket. It never
/// refuses. Anonymous sockets get the same handlers as the others; each
/// handler decides what an anonymous socket may do, because that depends
/// on the event (`whoami` is for everyone, `like-post` is not).
///
/// A middleware and not the connect handler, as in every lesson since 02:
/// socketioxide confirms the connection before that handler runs, and an
/// event that arrives before its handler exists is dropped.
pub async fn register(socket: SocketRef) -> Result<(), Infallible> {
    socket.on("whoami", whoami);
    socket.on("join-post", join_post);
    socket.on("typing", typing);
    socket.on("like-post", like_post);
    socket.on("send-message", send_message);
    Ok(())
}

/// Runs once the socket is connected: starts the clock on its token, if
/// it has one, and writes a line to the log (the user's id, never a token).
pub async fn on_connect(
    socket: SocketRef,
    io: SocketIo,
    State(timers): State<ExpiryTimers>,
    MaybeExtension(user): MaybeExtension<PublicUser>,
    MaybeExtension(expiry): MaybeExtension<TokenExpiry>,
) {
    if let Some(TokenExpiry(exp)) = expiry {
        timers.arm(io, &socket, exp);
    }
    match user {
        Some(user) => tracing::info!(user_id = %user.id, socket_id = %socket.id, "connected"),
        None => tracing::info!(socket_id = %socket.id, "connected anonymously"),
    }
}

/// `whoami` → ack `{id, name, role}`, or `null` for an anonymous socket.
pub async fn whoami(MaybeExtension(user): MaybeExtension<PublicUser>, ack: AckSender) {
    let _ = ack.send(&user);
}

// EXERCISE: join_post
/// `join-post {postId}`: an anonymous socket (`user` is `None`) gets
/// `reply.error("Authentication required to join rooms").await`; a payload
/// that is `Err` gets `reply.invalid().await`; otherwise the socket joins
/// `post_id.room()`, gets `joined-post {postId}` (through
/// [`emit_to_self`](crate::payload::emit_to_self), not `socket.emit`), and
/// the reply is `reply.ok(&json!({"status": "ok"}))`. Who first, then what.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn join_post(
    socket: SocketRef,
    MaybeExtension(user): MaybeExtension<PublicUser>,
    reply: Reply,
    Checked(payload): Checked<PostRef>,
) {
    todo!("logged-in sockets only, then join post:<postId> (chapter 12, \"Gates\")")
}
// EXERCISE_END: join_post

// EXERCISE: typing
/// `typing {postId, isTyping}` → `user-typing {userName, isTyping}` to the
/// OTHERS in `post:<postId>` (`socket.to(..)`). An anonymous socket, or one
/// that is not in the room ([`is_member`]), is ignored:
/// `reply.quietly(NOT_A_MEMBER)`. An invalid payload gets
/// `reply.invalid().await`. `userName` is the socket's user's name,
/// whatever the payload says. Reply `{status:"ok"}` when relayed.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn typing(
    socket: SocketRef,
    MaybeExtension(user): MaybeExtension<PublicUser>,
    reply: Reply,
    Checked(payload): Checked<Typing>,
) {
    todo!("members only, with the server-side name (chapter 12, \"Who is speaking\")")
}
// EXERCISE_END: typing

// EXERCISE: like_post
/// `like-post {postId}`: an anonymous socket gets
/// `reply.error("Login to like posts").await`, an invalid payload
/// `reply.invalid().await`. Otherwise `likes.like(post_id, user id)`
/// stores the like and returns the count; everyone in `post:<postId>`
/// (`socket.within(..)`) gets `like-update {likeCount}`, and the reply is
/// `{status:"ok", likeCount}`. A store error is logged and answered with
/// `reply.error("Could not save the like").await`.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn like_post(
    socket: SocketRef,
    MaybeExtension(user): MaybeExtension<PublicUser>,
    State(likes): State<Likes>,
    reply: Reply,
    Checked(payload): Checked<PostRef>,
) {
    todo!("logged-in sockets only, one like per user (chapter 12, \"Gates\")")
}
// EXERCISE_END: like_post

// EXERCISE: send_message
/// `send-message {room, text}`: an invalid payload gets
/// `reply.invalid().await`; a socket that is anonymous or not in
/// `room` ([`is_member`]) gets `reply.error(NOT_A_MEMBER).await` and nothing is
/// sent. Otherwise everyone in the room, the sender included, gets
/// `new-message {text, sender, senderId, timestamp}` (the socket's user's
/// name and id, and milliseconds since 1970), and the reply is
/// `{status:"ok"}`.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn send_message(
    socket: SocketRef,
    MaybeExtension(user): MaybeExtension<PublicUser>,
    reply: Reply,
    Checked(payload): Checked<SendMessage>,
) {
    todo!("members only, sender from the socket (chapter 12, \"Room membership\")")
}
// EXERCISE_END: send_message

// EXERCISE: is_member
/// Whether this socket is in `room`, by the server's own list of the
/// socket's rooms (`socket.rooms()`).
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub fn is_member(socket: &SocketRef, room: &str) -> bool {
    todo!("ask the server, not the client (chapter 12, \"Room membership\")")
}
// EXERCISE_END: is_member
