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
/// `disconnect-user {userId}` → ack `{status:"ok", disconnected: n}`.
///
/// A payload that is not an object `{userId}` gets `{error: "Invalid payload"}`. For
/// each namespace (`io.nsps()`): count the sockets of the room
/// `user:<userId>` on every server (`fetch_sockets`), and emit
/// `forceDisconnect {reason: DISCONNECTED_BY_ADMIN}` to the room. Then
/// acknowledge, and then disconnect the room in each namespace.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn disconnect_user<A: Adapter>(
    io: SocketIo<A>,
    ack: AckSender<A>,
    TryData(data): TryData<Object<DisconnectUser>>,
) {
    todo!(
        "count, tell and disconnect the user's sockets on every server (chapter 11, \"Reaching sockets elsewhere\")"
    )
}
// EXERCISE_END: disconnect_user

// EXERCISE: online_users
/// `online-users` → ack `[{userId, name, sockets}]`, one row per user
/// connected to any server, sorted by name.
///
/// The users are the `user:<id>` rooms that `rooms()` finds in each
/// namespace, on every server; `sockets` comes from
/// [`crate::presence::sockets_of`] and `name` from `ctx.users`.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn online_users<A: Adapter>(
    io: SocketIo<A>,
    State(ctx): State<Context>,
    ack: AckSender<A>,
) {
    todo!("list the users connected to any server (chapter 11, \"Counting across servers\")")
}
// EXERCISE_END: online_users
