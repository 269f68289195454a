//! The administrators' HTTP routes: ban, unban, and a look at the chain's
//! tables. Every route takes `Authorization: Bearer <token>` and checks, in
//! this order: a valid token naming an account that exists (else 401), a
//! caller who is not banned (else 403) and is an admin according to the
//! store (else 403), then the target user (else 404). Checking the caller
//! before the target means a non-admin cannot even learn which ids exist.

use axum::extract::{FromRef, Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use socketioxide::SocketIo;
use workbook::Context;
use workbook::http::{ApiError, Bearer};
use workbook::jwt::{Claims, Jwt};
use workbook::users::{Role, User};

use crate::bans::Bans;
use crate::limit::IpLimit;
use crate::logging::Attempts;

/// What the routes need: the store, the bans, the Socket.IO server (to
/// reach a banned user's sockets), and the chain's counters.
#[derive(Clone)]
pub struct Admin {
    pub ctx: Context,
    pub bans: Bans,
    pub io: SocketIo,
    pub limit: IpLimit,
    pub attempts: Attempts,
}

impl FromRef<Admin> for Jwt {
    fn from_ref(admin: &Admin) -> Jwt {
        admin.ctx.jwt.clone()
    }
}

pub fn routes(admin: Admin) -> Router {
    Router::new()
        .route("/api/admin/users/{id}/ban", post(ban))
        .route("/api/admin/users/{id}/unban", post(unban))
        .route("/api/admin/stats", get(stats))
        .with_state(admin)
}

// ANCHOR: require_admin
/// The caller, if the stores say they may act as an administrator now:
/// asked on every request, because a token is only what was true when it
/// was issued, up to an hour ago.
///
/// - The account must still exist. A token for a deleted account names
///   nobody, so it authenticates nobody: 401, as for a bad token.
/// - It must not be banned. A ban stops the account's sockets at the
///   handshake (`authorize`), and it must stop its HTTP requests too:
///   otherwise a banned administrator would unban themselves, then ban
///   the others. The same order as the socket chain: the ban first.
/// - Its role in the store must be `admin`, whatever the token claims.
async fn require_admin(admin: &Admin, claims: &Claims) -> Result<User, ApiError> {
    let user = admin
        .ctx
        .users
        .find_by_id(&claims.id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::unauthorized("User not found"))?;
    if admin
        .bans
        .is_banned(&user.id)
        .await
        .map_err(ApiError::internal)?
    {
        return Err(ApiError::forbidden("Account suspended"));
    }
    if user.role != Role::Admin {
        return Err(ApiError::forbidden("Admin access required"));
    }
    Ok(user)
}
// ANCHOR_END: require_admin

/// The user the route is about, or a 404.
async fn target(ctx: &Context, id: &str) -> Result<User, ApiError> {
    ctx.users
        .find_by_id(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("User not found"))
}

// EXERCISE: ban
// ANCHOR: ban
/// `POST /api/admin/users/{id}/ban` → `{status:"ok"}`.
///
/// The ban is stored first, the sockets are closed second. The other way
/// round, a client that reconnects at once (Socket.IO clients do) could
/// slip through the chain between the two steps and stay connected.
async fn ban(
    State(admin): State<Admin>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let by = require_admin(&admin, &claims).await?;
    let user = target(&admin.ctx, &id).await?;
    admin.bans.ban(&user.id).await.map_err(ApiError::internal)?;
    let sockets = kick(&admin.io, &user.id, "Account suspended");
    tracing::info!(admin_id = %by.id, user_id = %user.id, sockets, "banned");
    Ok(Json(json!({ "status": "ok" })))
}

/// Sends `forceDisconnect {reason}` to each of the user's sockets, then
/// disconnects it, and returns how many there were. The event goes first:
/// after the disconnect nothing more reaches the client, and a client that
/// is simply dropped would think the network failed and reconnect.
pub fn kick(io: &SocketIo, user_id: &str, reason: &str) -> usize {
    let sockets = io.within(format!("user:{user_id}")).sockets();
    for socket in &sockets {
        let _ = socket.emit("forceDisconnect", &json!({ "reason": reason }));
        let _ = socket.clone().disconnect();
    }
    sockets.len()
}
// ANCHOR_END: ban
// EXERCISE_END: ban

/// `POST /api/admin/users/{id}/unban` → `{status:"ok"}`. The user's next
/// handshake gets through; nothing else needs to happen.
async fn unban(
    State(admin): State<Admin>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let by = require_admin(&admin, &claims).await?;
    let user = target(&admin.ctx, &id).await?;
    admin
        .bans
        .unban(&user.id)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(admin_id = %by.id, user_id = %user.id, "unbanned");
    Ok(Json(json!({ "status": "ok" })))
}

/// `GET /api/admin/stats` → `{attempts, maxConnectionsPerIp,
/// connectionsByIp: {"<ip>": n}}`. Addresses say where people are, so only
/// administrators see them.
async fn stats(
    State(admin): State<Admin>,
    Bearer(claims): Bearer,
) -> Result<Json<Value>, ApiError> {
    require_admin(&admin, &claims).await?;
    Ok(Json(json!({
        "attempts": admin.attempts.count(),
        "maxConnectionsPerIp": admin.limit.max(),
        "connectionsByIp": admin.limit.snapshot(),
    })))
}
