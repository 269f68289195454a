//! `/admin`: its second lock, and the two things an administrator can do
//! there.

use serde::Deserialize;
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, Extension, State, TryData};
use workbook::users::PublicUser;

use crate::devices::Devices;
use crate::refusal::Refusal;

/// What a client sees after `disconnect-user`, in `forceDisconnect`.
pub const DISCONNECTED_BY_ADMIN: &str = "Disconnected by an administrator";

// EXERCISE: require_admin
/// `/admin`'s second middleware, after `authenticate`: refuses a user who
/// is not an administrator with [`Refusal::AdminRequired`]. `user` is the
/// user `authenticate` loaded from the store; its `role` is a
/// `workbook::users::Role`.
#[allow(unused_variables)] // Remove this line once the body uses `user`.
pub async fn require_admin(Extension(user): Extension<PublicUser>) -> Result<(), Refusal> {
    todo!("let only administrators in (chapter 05, \"The admin lock\")")
}
// EXERCISE_END: require_admin

// EXERCISE: disconnect_user
/// `disconnect-user {userId}`.
#[allow(dead_code)] // Remove this line once `disconnect_user` reads the field.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectUser {
    user_id: String,
}

/// `disconnect-user {userId}` → ack `{status:"ok", disconnected: n}`, or
/// `{error:"Invalid payload"}` for a payload of the wrong shape.
///
/// Every socket of the user, in every namespace (`io.nsps()`, and the room
/// `user:<id>` in each), gets `forceDisconnect {reason:
/// DISCONNECTED_BY_ADMIN}` and is disconnected; `n` is how many there were.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn disconnect_user(io: SocketIo, ack: AckSender, TryData(data): TryData<DisconnectUser>) {
    todo!("find the user's sockets in every namespace (chapter 05, \"Reaching every device\")")
}
// EXERCISE_END: disconnect_user

/// `online-users` → ack `[{userId, name, sockets}]`, one row per user.
pub async fn online_users(State(devices): State<Devices>, ack: AckSender) {
    let _ = ack.send(&devices.online());
}
