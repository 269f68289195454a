//! `POST /auth/login`, which now also hands out a refresh token (the first
//! of a new family), `POST /auth/refresh`, which trades one for a new pair,
//! and `POST /auth/logout`, which ends the family.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use workbook::Context;
use workbook::auth::{Login, check_credentials};
use workbook::http::{ApiError, JsonBody};

use crate::refresh::RefreshTokens;

#[derive(Clone)]
struct Sessions {
    ctx: Context,
    refresh: RefreshTokens,
}

pub fn routes(ctx: &Context, refresh: RefreshTokens) -> Router {
    let sessions = Sessions {
        ctx: ctx.clone(),
        refresh,
    };
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh_session))
        .route("/auth/logout", post(logout))
        .with_state(sessions)
}

async fn login(
    State(sessions): State<Sessions>,
    JsonBody(form): JsonBody<Login>,
) -> Result<Json<Value>, ApiError> {
    let user = check_credentials(&sessions.ctx, &form).await?;
    let refresh_token = sessions
        .refresh
        .login(&user.id)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(json!({
        "token": sessions.ctx.jwt.issue(&user),
        "refreshToken": refresh_token,
        "message": "Login successful",
    })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshRequest {
    refresh_token: String,
}

// EXERCISE: refresh_session
/// One answer for an unknown, used or expired refresh token: which of them
/// it was would only help someone holding a stolen one.
#[allow(dead_code)] // Remove this line once `refresh_session` uses it.
const INVALID_REFRESH_TOKEN: &str = "Invalid refresh token";

/// Spends `refresh_token` with [`RefreshTokens::rotate`] (it must never
/// work again), checks that its user still exists, and answers
/// `{token, refreshToken}` with a new access token and the family's next
/// refresh token. Anything wrong with the token is a 401
/// `Invalid refresh token`.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
async fn refresh_session(
    State(sessions): State<Sessions>,
    JsonBody(RefreshRequest { refresh_token }): JsonBody<RefreshRequest>,
) -> Result<Json<Value>, ApiError> {
    todo!("rotate the refresh token (chapter 03, \"Refresh tokens\")")
}
// EXERCISE_END: refresh_session

/// Ends the session the refresh token belongs to: its whole family. The
/// answer is 204 whether or not the token was known, so logout cannot be
/// used to find out which tokens exist. The access token already handed
/// out still works until it expires (chapter 03, "What this server does
/// not defend yet").
async fn logout(
    State(sessions): State<Sessions>,
    JsonBody(RefreshRequest { refresh_token }): JsonBody<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    sessions
        .refresh
        .revoke(&refresh_token)
        .await
        .map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}
