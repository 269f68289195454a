//! The socket side: each socket joins its user's room, hears its unread
//! count on connect, and marks notifications read.

use std::convert::Infallible;

use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use workbook::users::PublicUser;

use crate::store::Store;

/// The most ids one `mark-read` may carry. A client showing a list marks
/// what it shows; a payload of a million ids is not a client, and would be
/// a million comparisons in the store.
pub const MAX_MARK_READ_IDS: usize = 500;

/// The last middleware: the user's room, which every device of the user
/// joins and [`crate::notify::notify`] sends to, and the events. (In a
/// middleware, not the connect handler: see lesson 02.)
pub async fn register(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
) -> Result<(), Infallible> {
    socket.join(format!("user:{}", user.id));
    socket.on("whoami", whoami);
    socket.on("mark-read", mark_read);
    Ok(())
}

/// `whoami` → ack `{id, name, role}`.
pub async fn whoami(Extension(user): Extension<PublicUser>, ack: AckSender) {
    let _ = ack.send(&user);
}

/// Runs once the socket is connected: sends it `unread-count {count}`, so
/// a device that was away shows what arrived meanwhile.
///
/// Here and not in a middleware: before the connection is confirmed the
/// socket cannot be sent anything yet.
pub async fn on_connect(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    State(store): State<Store>,
) {
    tracing::info!(user_id = %user.id, socket_id = %socket.id, "connected");
    match store.unread_count(&user.id).await {
        Ok(count) => {
            let _ = socket.emit("unread-count", &crate::notify::unread_count(count));
        }
        Err(e) => {
            tracing::error!(user_id = %user.id, error = %e, "cannot count unread notifications")
        }
    }
}

// EXERCISE: mark_read
/// `mark-read [ids]` → ack `{status:"ok"}`: marks those of the ids that are
/// this user's notifications read (`store.mark_read(&user.id, ..)`), then
/// sends the new `unread-count` to every device of the user, this one
/// included (`socket.within(..)`).
///
/// A payload that is not an array of at most [`MAX_MARK_READ_IDS`] strings
/// gets the ack `{error:"Invalid payload"}` and changes nothing.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn mark_read(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    State(store): State<Store>,
    ack: AckSender,
    TryData(ids): TryData<Vec<String>>,
) {
    todo!(
        "mark the user's own notifications read, then update every device (chapter 09, \"Marking read\")"
    )
}
// EXERCISE_END: mark_read
