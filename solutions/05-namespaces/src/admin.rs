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
// ANCHOR: require_admin
/// `/admin`'s second middleware, after `authenticate`: the user must be an
/// administrator. `user` was loaded from the store by `authenticate`, so
/// the role is the store's, as of this handshake. The token's `role` claim
/// is what the role was when the token was issued, and a demoted admin may
/// hold a token that still says `admin` for another hour.
pub async fn require_admin(Extension(user): Extension<PublicUser>) -> Result<(), Refusal> {
    use workbook::users::Role;

    match user.role {
        Role::Admin => Ok(()),
        Role::User => Err(Refusal::AdminRequired),
    }
}
// ANCHOR_END: require_admin
// EXERCISE_END: require_admin

// EXERCISE: disconnect_user
/// `disconnect-user {userId}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectUser {
    user_id: String,
}

// ANCHOR: disconnect_user
/// `disconnect-user {userId}` → ack `{status:"ok", disconnected: n}`.
///
/// A room belongs to one namespace: `io.within("user:<id>")` looks in `/`
/// only. So the handler goes through every namespace (`io.nsps()`) and
/// collects the user's sockets in each. Every one hears why first
/// (`forceDisconnect`), the administrator gets the count, and only then are
/// they disconnected, so the answer arrives even when an administrator
/// disconnects themselves.
pub async fn disconnect_user(io: SocketIo, ack: AckSender, TryData(data): TryData<DisconnectUser>) {
    use serde_json::json;
    use socketioxide::extract::SocketRef;

    let Ok(DisconnectUser { user_id }) = data else {
        let _ = ack.send(&json!({ "error": "Invalid payload" }));
        return;
    };
    let room = format!("user:{user_id}");
    let sockets: Vec<SocketRef> = io
        .nsps()
        .into_iter()
        .flat_map(|ns| ns.within(room.clone()).sockets())
        .collect();
    for socket in &sockets {
        let _ = socket.emit(
            "forceDisconnect",
            &json!({ "reason": DISCONNECTED_BY_ADMIN }),
        );
    }
    let _ = ack.send(&json!({ "status": "ok", "disconnected": sockets.len() }));
    for socket in sockets {
        let _ = socket.disconnect();
    }
}
// ANCHOR_END: disconnect_user
// EXERCISE_END: disconnect_user

/// `online-users` → ack `[{userId, name, sockets}]`, one row per user.
pub async fn online_users(State(devices): State<Devices>, ack: AckSender) {
    let _ = ack.send(&devices.online());
}
