//! Sending a notification: store it, then push it to the user's devices.

use socketioxide::SocketIo;

use crate::store::{self, NewNotification, Notification, Store};

/// `unread-count {count}`, the event every device shows as a badge.
pub fn unread_count(count: u64) -> serde_json::Value {
    serde_json::json!({ "count": count })
}

// EXERCISE: notify
/// Stores a notification for `user_id` (`store.add_notification`), then
/// sends it as `notification`, followed by `unread-count {count}` (see
/// [`unread_count`]), to the room `user:<user_id>`: every device the user
/// has connected. `io.to(room).emit(..)` returns a future; log its error
/// rather than fail: the notification is stored either way.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn notify(
    io: &SocketIo,
    store: &Store,
    user_id: &str,
    new: NewNotification,
) -> store::Result<Notification> {
    todo!(
        "store the notification, then send it and the count to the user's room (chapter 09, \"Stored first, then sent\")"
    )
}
// EXERCISE_END: notify
