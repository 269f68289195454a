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

// ANCHOR: register
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
// ANCHOR_END: register

/// `whoami` → ack `{id, name, role}`.
pub async fn whoami(Extension(user): Extension<PublicUser>, ack: AckSender) {
    let _ = ack.send(&user);
}

// ANCHOR: on_connect
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
// ANCHOR_END: on_connect

// ANCHOR: mark_read
// EXERCISE: mark_read
/// `mark-read [ids]` → ack `{status:"ok"}`: marks those of the ids that are
/// this user's notifications read, then sends the new `unread-count` to
/// every device of the user (this one included), so every badge agrees.
///
/// Whose notifications they are comes from the socket's user, never from
/// the payload: the store is asked about this user's notifications only.
/// A payload that is not an array of at most [`MAX_MARK_READ_IDS`] strings
/// gets `{error:"Invalid payload"}`. The ack is optional: a client that
/// asked for none still gets the count.
pub async fn mark_read(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    State(store): State<Store>,
    ack: AckSender,
    TryData(ids): TryData<Vec<String>>,
) {
    let ids = match ids {
        Ok(ids) if ids.len() <= MAX_MARK_READ_IDS => ids,
        _ => {
            let _ = ack.send(&serde_json::json!({ "error": "Invalid payload" }));
            return;
        }
    };
    let count = match store.mark_read(&user.id, &ids).await {
        Ok(()) => store.unread_count(&user.id).await,
        Err(e) => Err(e),
    };
    let reply = match count {
        Ok(count) => {
            let room = format!("user:{}", user.id);
            if let Err(e) = socket
                .within(room)
                .emit("unread-count", &crate::notify::unread_count(count))
                .await
            {
                tracing::warn!(error = %e, "could not push the unread count");
            }
            serde_json::json!({ "status": "ok" })
        }
        Err(e) => {
            tracing::error!(user_id = %user.id, error = %e, "cannot mark notifications read");
            serde_json::json!({ "error": "Internal server error" })
        }
    };
    let _ = ack.send(&reply);
}
// EXERCISE_END: mark_read
// ANCHOR_END: mark_read
