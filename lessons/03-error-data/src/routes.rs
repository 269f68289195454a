//! `POST /auth/login`, which now also hands out a refresh token, and
//! `POST /auth/refresh`, which trades one for a new pair.

use axum::extract::State;
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
        .with_state(sessions)
}

async fn login(
    State(sessions): State<Sessions>,
    JsonBody(form): JsonBody<Login>,
) -> Result<Json<Value>, ApiError> {
    let user = check_credentials(&sessions.ctx, &form).await?;
    let refresh_token = sessions
        .refresh
        .issue(&user.id)
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

/// Redeems `refresh_token` with [`RefreshTokens::redeem`] (it must never
/// work again), checks that its user still exists, and answers
/// `{token, refreshToken}` with a new access token and a new refresh token.
/// Anything wrong with the token is a 401 `Invalid refresh token`.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
async fn refresh_session(
    State(sessions): State<Sessions>,
    JsonBody(RefreshRequest { refresh_token }): JsonBody<RefreshRequest>,
) -> Result<Json<Value>, ApiError> {
    todo!("rotate the refresh token (chapter 03, \"Refresh tokens\")")
}
// EXERCISE_END: refresh_session
