//! Sending a notification: store it, then push it to the user's devices.

use socketioxide::SocketIo;

use crate::store::{self, NewNotification, Notification, Store};

/// `unread-count {count}`, the event every device shows as a badge.
pub fn unread_count(count: u64) -> serde_json::Value {
    serde_json::json!({ "count": count })
}

// ANCHOR: notify
// EXERCISE: notify
/// Stores a notification for `user_id`, then sends it, and the user's new
/// unread count, to the room `user:<user_id>`: every device the user has
/// connected, whichever request or server task calls this.
///
/// Stored first: a user with no device connected sees it on their next
/// connect (the count) and in `GET /api/notifications`. Sending to a room
/// with nobody in it is not an error; it reaches nobody.
pub async fn notify(
    io: &SocketIo,
    store: &Store,
    user_id: &str,
    new: NewNotification,
) -> store::Result<Notification> {
    let notification = store.add_notification(user_id, new).await?;
    let count = store.unread_count(user_id).await?;
    let room = format!("user:{user_id}");
    if let Err(e) = io
        .to(room.clone())
        .emit("notification", &notification)
        .await
    {
        tracing::warn!(error = %e, "could not push a notification");
    }
    if let Err(e) = io.to(room).emit("unread-count", &unread_count(count)).await {
        tracing::warn!(error = %e, "could not push the unread count");
    }
    Ok(notification)
}
// EXERCISE_END: notify
// ANCHOR_END: notify
