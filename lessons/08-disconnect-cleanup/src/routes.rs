//! The HTTP side: friendships, a user's presence, and the table's size.

use axum::extract::{FromRef, Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use workbook::Context;
use workbook::http::{ApiError, Bearer};
use workbook::jwt::Jwt;
use workbook::users::User;

use crate::Hub;

/// What the routes need.
#[derive(Clone)]
pub struct Api {
    pub ctx: Context,
    pub hub: Hub,
}

impl FromRef<Api> for Jwt {
    fn from_ref(api: &Api) -> Jwt {
        api.ctx.jwt.clone()
    }
}

pub fn routes(api: Api) -> Router {
    Router::new()
        .route("/api/friends/{id}", post(befriend))
        .route("/api/presence/{user_id}", get(presence))
        .route("/stats", get(stats))
        .with_state(api)
}

/// The user `id` names, or a 404. A malformed id is simply nobody.
async fn existing(ctx: &Context, id: &str) -> Result<User, ApiError> {
    ctx.users
        .find_by_id(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("User not found"))
}

/// `POST /api/friends/{id}` (Bearer) → `{status:"ok"}`: the caller and
/// `id` become friends of each other. Who the caller is comes from the
/// token, never from the request.
async fn befriend(
    State(api): State<Api>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let me = existing(&api.ctx, &claims.id)
        .await
        .map_err(|_| ApiError::unauthorized("User not found"))?;
    let friend = existing(&api.ctx, &id).await?;
    if friend.id == me.id {
        return Err(ApiError::bad_request("You cannot befriend yourself"));
    }
    api.hub
        .store
        .befriend(&me.id, &friend.id)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(json!({ "status": "ok" })))
}

/// `GET /api/presence/{userId}` → `{userId, status, sockets, lastSeen}`.
/// `status` and `sockets` come from this process's table, `lastSeen`
/// (`null` until the user first goes offline) from the store.
async fn presence(
    State(api): State<Api>,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user = existing(&api.ctx, &user_id).await?;
    let last_seen = api
        .hub
        .store
        .last_seen(&user.id)
        .await
        .map_err(ApiError::internal)?;
    let online = api.hub.presence.is_online(&user.id);
    Ok(Json(json!({
        "userId": user.id,
        "status": if online { "online" } else { "offline" },
        "sockets": api.hub.presence.sockets(&user.id),
        "lastSeen": last_seen,
    })))
}

/// `GET /stats` → `{trackedUsers}`: users with at least one socket. After
/// everyone has left it is 0; anything else is a leak.
async fn stats(State(api): State<Api>) -> Json<Value> {
    Json(json!({ "trackedUsers": api.hub.presence.tracked_users() }))
}
