//! `/admin`: its second lock, the check every admin event repeats, and the
//! two things an administrator can do there.

use serde::Deserialize;
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use workbook::Context;
use workbook::payload::Object;
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

// EXERCISE: still_admin
/// Asks the store whether `user` is an administrator now, at every `/admin`
/// event: `Ok(())` when `ctx.users.find_by_id(&user.id)` finds them with
/// the role `Role::Admin` (`workbook::users::Role`);
/// `Err(Refusal::AdminRequired)` when it finds them with another role, or
/// not at all; and when the store fails, log the error with the user's id
/// (`tracing::error!`) and answer as authentication does when its store
/// fails: `Err(Refusal::Auth(AuthError::Unavailable))`
/// (`workbook::handshake::AuthError`).
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn still_admin(ctx: &Context, user: &PublicUser) -> Result<(), Refusal> {
    todo!("ask the store for the caller's role again (chapter 05, \"Every event asks again\")")
}

/// Refuses an `/admin` event: answers `ack` with `{error: <refusal's
/// text>}`, then disconnects `socket`, in that order.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub fn dismiss(socket: SocketRef, ack: AckSender, refusal: Refusal) {
    todo!("answer, then close this /admin socket (chapter 05, \"Every event asks again\")")
}
// EXERCISE_END: still_admin

/// `disconnect-user`, as `/admin` receives it: is the caller still an
/// administrator? Then, and only then, the work.
pub async fn on_disconnect_user(
    socket: SocketRef,
    io: SocketIo,
    State(ctx): State<Context>,
    Extension(user): Extension<PublicUser>,
    ack: AckSender,
    payload: TryData<Object<DisconnectUser>>,
) {
    match still_admin(&ctx, &user).await {
        Ok(()) => disconnect_user(io, ack, payload).await,
        Err(refusal) => dismiss(socket, ack, refusal),
    }
}

/// `online-users` → ack `[{userId, name, sockets}]`, one row per user,
/// behind the same check.
pub async fn online_users(
    socket: SocketRef,
    State(ctx): State<Context>,
    State(devices): State<Devices>,
    Extension(user): Extension<PublicUser>,
    ack: AckSender,
) {
    match still_admin(&ctx, &user).await {
        Ok(()) => {
            let _ = ack.send(&devices.online());
        }
        Err(refusal) => dismiss(socket, ack, refusal),
    }
}

// EXERCISE: disconnect_user
/// `disconnect-user {userId}`. Read as [`Object`]: serde would fill it from
/// an array too (`["<id>"]`), and that is not the contract's payload.
#[allow(dead_code)] // Remove this line once `disconnect_user` reads the field.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectUser {
    user_id: String,
}

/// `disconnect-user {userId}` → ack `{status:"ok", disconnected: n}`, or
/// `{error:"Invalid payload"}` for a payload of the wrong shape (an array
/// included). [`on_disconnect_user`] has already checked the caller.
///
/// Every socket of the user, in every namespace (`io.nsps()`, and the room
/// `user:<id>` in each), gets `forceDisconnect {reason:
/// DISCONNECTED_BY_ADMIN}` and is disconnected; `n` is how many there were.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn disconnect_user(
    io: SocketIo,
    ack: AckSender,
    TryData(data): TryData<Object<DisconnectUser>>,
) {
    todo!("find the user's sockets in every namespace (chapter 05, \"Reaching every device\")")
}
// EXERCISE_END: disconnect_user
