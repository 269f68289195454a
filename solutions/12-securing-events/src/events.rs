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

// ANCHOR: register
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
// ANCHOR_END: register

// ANCHOR: on_connect
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
// ANCHOR_END: on_connect

/// `whoami` → ack `{id, name, role}`, or `null` for an anonymous socket.
pub async fn whoami(MaybeExtension(user): MaybeExtension<PublicUser>, ack: AckSender) {
    let _ = ack.send(&user);
}

// EXERCISE: join_post
// ANCHOR: join_post
/// `join-post {postId}`: an anonymous socket is told
/// `Authentication required to join rooms` and joins nothing; otherwise the
/// socket joins `post:<postId>` and gets `joined-post {postId}`.
///
/// Who comes before what: an anonymous socket gets the same answer
/// whatever it sent.
pub async fn join_post(
    socket: SocketRef,
    MaybeExtension(user): MaybeExtension<PublicUser>,
    reply: Reply,
    Checked(payload): Checked<PostRef>,
) {
    if user.is_none() {
        return reply.error("Authentication required to join rooms").await;
    }
    let Ok(PostRef { post_id }) = payload else {
        return reply.invalid().await;
    };
    socket.join(post_id.room());
    let joined = serde_json::json!({ "postId": post_id });
    crate::payload::emit_to_self(&socket, "joined-post", &joined).await;
    reply.ok(&serde_json::json!({ "status": "ok" }));
}
// ANCHOR_END: join_post
// EXERCISE_END: join_post

// EXERCISE: typing
// ANCHOR: typing
/// `typing {postId, isTyping}` → `user-typing {userName, isTyping}` to the
/// others in `post:<postId>`. Ignored (no event, no error) unless the socket
/// is authenticated and in that room: typing indicators are sent many
/// times a second, and an error for each would be noise.
///
/// `userName` is the socket's user's name. The payload may carry a
/// `userName` of its own; [`Typing`] has no such field, so it is never read.
pub async fn typing(
    socket: SocketRef,
    MaybeExtension(user): MaybeExtension<PublicUser>,
    reply: Reply,
    Checked(payload): Checked<Typing>,
) {
    let Some(user) = user else {
        return reply.quietly(NOT_A_MEMBER);
    };
    let Ok(Typing { post_id, is_typing }) = payload else {
        return reply.invalid().await;
    };
    let room = post_id.room();
    if !is_member(&socket, &room) {
        return reply.quietly(NOT_A_MEMBER);
    }
    let typing = serde_json::json!({ "userName": user.name, "isTyping": is_typing });
    if let Err(e) = socket.to(room).emit("user-typing", &typing).await {
        tracing::warn!(error = %e, "could not relay a typing indicator");
    }
    reply.ok(&serde_json::json!({ "status": "ok" }));
}
// ANCHOR_END: typing
// EXERCISE_END: typing

// EXERCISE: like_post
// ANCHOR: like_post
/// `like-post {postId}`: an anonymous socket is told `Login to like posts`;
/// otherwise the like is stored (once per user, however often they click)
/// and `post:<postId>` gets `like-update {likeCount}`.
pub async fn like_post(
    socket: SocketRef,
    MaybeExtension(user): MaybeExtension<PublicUser>,
    State(likes): State<Likes>,
    reply: Reply,
    Checked(payload): Checked<PostRef>,
) {
    let Some(user) = user else {
        return reply.error("Login to like posts").await;
    };
    let Ok(PostRef { post_id }) = payload else {
        return reply.invalid().await;
    };
    let like_count = match likes.like(post_id.as_str(), &user.id).await {
        Ok(count) => count,
        Err(e) => {
            tracing::error!(user_id = %user.id, error = %e, "cannot store a like");
            return reply.error("Could not save the like").await;
        }
    };
    let update = serde_json::json!({ "likeCount": like_count });
    if let Err(e) = socket
        .within(post_id.room())
        .emit("like-update", &update)
        .await
    {
        tracing::warn!(error = %e, "could not send a like update");
    }
    reply.ok(&serde_json::json!({ "status": "ok", "likeCount": like_count }));
}
// ANCHOR_END: like_post
// EXERCISE_END: like_post

// EXERCISE: send_message
// ANCHOR: send_message
/// `send-message {room, text}` → `new-message {text, sender, senderId,
/// timestamp}` to everyone in `room`, the sender included, and ack
/// `{status:"ok"}`; into a room the socket is not in: `Not a member of this
/// room`, and nothing is sent. An anonymous socket is in no room.
pub async fn send_message(
    socket: SocketRef,
    MaybeExtension(user): MaybeExtension<PublicUser>,
    reply: Reply,
    Checked(payload): Checked<SendMessage>,
) {
    let Ok(SendMessage { room, text }) = payload else {
        return reply.invalid().await;
    };
    let Some(user) = user.filter(|_| is_member(&socket, room.as_str())) else {
        return reply.error(NOT_A_MEMBER).await;
    };
    let message = serde_json::json!({
        "text": text,
        "sender": user.name,
        "senderId": user.id,
        "timestamp": now_ms(),
    });
    if let Err(e) = socket
        .within(room.as_str().to_owned())
        .emit("new-message", &message)
        .await
    {
        tracing::warn!(error = %e, "could not deliver a message");
    }
    reply.ok(&serde_json::json!({ "status": "ok" }));
}

/// Milliseconds since the Unix epoch, as JavaScript's `Date.now()`.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
// ANCHOR_END: send_message
// EXERCISE_END: send_message

// EXERCISE: is_member
// ANCHOR: is_member
/// Whether this socket is in `room`, by the server's own list of the
/// socket's rooms: the only rooms it is in are the ones a handler joined
/// it to. What the client says about its rooms counts for nothing.
pub fn is_member(socket: &SocketRef, room: &str) -> bool {
    socket.rooms().iter().any(|joined| joined == room)
}
// ANCHOR_END: is_member
// EXERCISE_END: is_member
