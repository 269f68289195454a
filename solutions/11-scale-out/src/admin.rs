//! `/admin`, as in lesson 05, but for a cluster: the user to disconnect
//! may be connected to any server, and "online" means online anywhere.

use std::convert::Infallible;

use serde::Deserialize;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use workbook::Context;
use workbook::handshake::AuthError;
use workbook::payload::Object;
use workbook::users::{PublicUser, Role};

use crate::auth::Refusal;
use crate::presence::Presence;

/// What a client sees after `disconnect-user`, in `forceDisconnect`.
pub const DISCONNECTED_BY_ADMIN: &str = "Disconnected by an administrator";

/// The last middleware on `/admin`: an administrator's devices count too.
pub async fn register<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    Extension(user): Extension<PublicUser>,
    State(presence): State<Presence>,
) -> Result<(), Infallible> {
    socket.join(workbook::rooms::user_room(&user.id));
    // Dropped with the socket: `lastSeen` once the user's last one is gone.
    let departure = presence.departure(io, &user.id, socket.id);
    socket.extensions.insert(departure);
    socket.on("whoami", crate::chat::whoami::<A>);
    socket.on("disconnect-user", on_disconnect_user::<A>);
    socket.on("online-users", on_online_users::<A>);
    Ok(())
}

/// Once connected: a log line.
pub async fn on_connect<A: Adapter>(socket: SocketRef<A>, Extension(user): Extension<PublicUser>) {
    tracing::info!(user_id = %user.id, socket_id = %socket.id, "administrator connected");
}

/// Seed 001's per-event check, as in lesson 05: `require_admin` answered
/// once, at the handshake, and a socket can stay open for days. Every
/// `/admin` event asks the store again, so an administrator demoted or
/// deleted since then stops acting at once, on whichever server their
/// socket lives. A store that cannot answer is a no.
async fn still_admin(ctx: &Context, user: &PublicUser) -> Result<(), Refusal> {
    match ctx.users.find_by_id(&user.id).await {
        Ok(Some(found)) if found.role == Role::Admin => Ok(()),
        Ok(_) => Err(Refusal::AdminRequired),
        Err(e) => {
            tracing::error!(user_id = %user.id, error = %e, "cannot read the user");
            Err(Refusal::Auth(AuthError::Unavailable))
        }
    }
}

/// Refuses an `/admin` event: the ack says why, nothing is done, and this
/// `/admin` socket is closed (its next handshake meets the lock again).
fn dismiss<A: Adapter>(socket: SocketRef<A>, ack: AckSender<A>, refusal: Refusal) {
    tracing::warn!(socket_id = %socket.id, %refusal, "admin event refused");
    let _ = ack.send(&serde_json::json!({ "error": refusal.to_string() }));
    let _ = socket.disconnect();
}

/// `disconnect-user`, as `/admin` receives it: still an administrator? Then
/// the work.
async fn on_disconnect_user<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(ctx): State<Context>,
    Extension(user): Extension<PublicUser>,
    ack: AckSender<A>,
    payload: TryData<Object<DisconnectUser>>,
) {
    match still_admin(&ctx, &user).await {
        Ok(()) => disconnect_user(io, ack, payload).await,
        Err(refusal) => dismiss(socket, ack, refusal),
    }
}

/// `online-users`, behind the same check.
async fn on_online_users<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(ctx): State<Context>,
    Extension(user): Extension<PublicUser>,
    ack: AckSender<A>,
) {
    match still_admin(&ctx, &user).await {
        Ok(()) => online_users(io, State(ctx), ack).await,
        Err(refusal) => dismiss(socket, ack, refusal),
    }
}

/// `disconnect-user {userId}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectUser {
    pub user_id: String,
}

// EXERCISE: disconnect_user
// ANCHOR: disconnect_user
/// `disconnect-user {userId}` → ack `{status:"ok", disconnected: n}`, where
/// `n` counts the user's sockets on every server, in every namespace.
///
/// Lesson 05 collected `SocketRef`s with `sockets()`: those are this
/// server's only, and a socket on another server has no `SocketRef` here.
/// Through the adapter, the same three steps reach every server: count
/// (`fetch_sockets`), tell (`emit` to the room), disconnect (`disconnect`
/// on the room). Each server receives the requests in the order they were
/// sent, so `forceDisconnect` arrives before the disconnect.
pub async fn disconnect_user<A: Adapter>(
    io: SocketIo<A>,
    ack: AckSender<A>,
    TryData(data): TryData<Object<DisconnectUser>>,
) {
    use serde_json::json;

    let Ok(Object(DisconnectUser { user_id })) = data else {
        let _ = ack.send(&json!({ "error": "Invalid payload" }));
        return;
    };
    let room = format!("user:{user_id}");
    let reason = json!({ "reason": DISCONNECTED_BY_ADMIN });
    let mut disconnected = 0;
    for namespace in io.nsps() {
        let sockets = namespace.clone().within(room.clone()).fetch_sockets().await;
        disconnected += sockets.map_or(0, |sockets| sockets.len());
        let told = namespace
            .within(room.clone())
            .emit("forceDisconnect", &reason);
        if let Err(e) = told.await {
            tracing::error!(error = %e, "cannot tell the user's sockets");
        }
    }
    // The answer before the disconnect: an administrator may be
    // disconnecting their own account.
    let _ = ack.send(&json!({ "status": "ok", "disconnected": disconnected }));
    for namespace in io.nsps() {
        if let Err(e) = namespace.within(room.clone()).disconnect().await {
            tracing::error!(error = %e, "cannot disconnect the user's sockets");
        }
    }
}
// ANCHOR_END: disconnect_user
// EXERCISE_END: disconnect_user

// EXERCISE: online_users
// ANCHOR: online_users
/// `online-users` → ack `[{userId, name, sockets}]`, one row per user
/// connected to any server, sorted by name.
///
/// The users come from the rooms: `rooms()` through the adapter lists the
/// rooms of every server, and each `user:<id>` room is a user with at least
/// one socket. Their names come from the user store, which every server
/// shares; their counts from [`crate::presence::sockets_of`].
pub async fn online_users<A: Adapter>(
    io: SocketIo<A>,
    State(ctx): State<Context>,
    ack: AckSender<A>,
) {
    use serde_json::json;
    use std::collections::BTreeSet;

    let mut ids = BTreeSet::new();
    for namespace in io.nsps() {
        match namespace.rooms().await {
            Ok(rooms) => ids.extend(
                rooms
                    .iter()
                    .filter_map(|room| room.strip_prefix("user:"))
                    .map(str::to_owned),
            ),
            Err(e) => tracing::error!(error = %e, "cannot list the rooms"),
        }
    }
    let mut rows = Vec::new();
    for id in ids {
        let sockets = match crate::presence::sockets_of(&io, &id).await {
            Ok(0) | Err(_) => continue,
            Ok(n) => n,
        };
        if let Ok(Some(user)) = ctx.users.find_by_id(&id).await {
            rows.push(json!({ "userId": user.id, "name": user.username, "sockets": sockets }));
        }
    }
    rows.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let _ = ack.send(&rows);
}
// ANCHOR_END: online_users
// EXERCISE_END: online_users
