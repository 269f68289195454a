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

// EXERCISE: still_admin
// ANCHOR: still_admin
/// Whether `user` is an administrator now, asked of the store at every
/// `/admin` event. `require_admin` answered the same question once, at the
/// handshake, and a socket can stay open for days: an administrator
/// demoted (or deleted) since then must not keep acting through it.
///
/// A store that cannot answer is a no, as at the handshake: a check that
/// lets everyone through when it cannot check is no check. The client is
/// told `Authentication failed`, never that it is not an admin.
pub async fn still_admin(ctx: &Context, user: &PublicUser) -> Result<(), Refusal> {
    use workbook::handshake::AuthError;
    use workbook::users::Role;

    match ctx.users.find_by_id(&user.id).await {
        Ok(Some(found)) if found.role == Role::Admin => Ok(()),
        Ok(_) => Err(Refusal::AdminRequired),
        Err(e) => {
            tracing::error!(user_id = %user.id, error = %e, "cannot read the user");
            Err(Refusal::Auth(AuthError::Unavailable))
        }
    }
}

/// Refuses an `/admin` event: the ack says why (`{error}`, the handshake's
/// own words), and this `/admin` socket is closed. It was let in as an
/// administrator's, and is not one any more; its next handshake meets the
/// lock again. The answer goes first: after the disconnect nothing more
/// reaches the client.
pub fn dismiss(socket: SocketRef, ack: AckSender, refusal: Refusal) {
    use serde_json::json;

    tracing::warn!(socket_id = %socket.id, %refusal, "admin event refused");
    let _ = ack.send(&json!({ "error": refusal.to_string() }));
    let _ = socket.disconnect();
}
// ANCHOR_END: still_admin
// EXERCISE_END: still_admin

// ANCHOR: admin_events
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
// ANCHOR_END: admin_events

// EXERCISE: disconnect_user
/// `disconnect-user {userId}`. Read as [`Object`]: serde would fill it from
/// an array too (`["<id>"]`), and that is not the contract's payload.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectUser {
    user_id: String,
}

// ANCHOR: disconnect_user
/// `disconnect-user {userId}` → ack `{status:"ok", disconnected: n}`, once
/// [`on_disconnect_user`] has checked the caller.
///
/// A room belongs to one namespace: `io.within("user:<id>")` looks in `/`
/// only. So the handler goes through every namespace (`io.nsps()`) and
/// collects the user's sockets in each. Every one hears why first
/// (`forceDisconnect`), the administrator gets the count, and only then are
/// they disconnected, so the answer arrives even when an administrator
/// disconnects themselves.
pub async fn disconnect_user(
    io: SocketIo,
    ack: AckSender,
    TryData(data): TryData<Object<DisconnectUser>>,
) {
    use serde_json::json;

    let Ok(Object(DisconnectUser { user_id })) = data else {
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
