//! `POST /auth/register` and `POST /auth/login`, the same in every lesson.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Context;
use crate::http::{ApiError, JsonBody};
use crate::password::{self, MAX_PASSWORD_BYTES, PasswordError};
use crate::users::{NewUser, Role, StoreError, User};

/// One message for an unknown user, a wrong password and an over-long one,
/// so the answer does not tell an attacker which usernames exist.
pub const INVALID_CREDENTIALS: &str = "Invalid username or password";

pub fn routes(ctx: &Context) -> Router {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .with_state(ctx.clone())
}

/// `POST /auth/register` alone, for a lesson that answers `POST /auth/login`
/// its own way (lesson 03 adds a refresh token to the login's answer).
pub fn register_route(ctx: &Context) -> Router {
    Router::new()
        .route("/auth/register", post(register))
        .with_state(ctx.clone())
}

#[derive(Deserialize)]
pub struct Registration {
    pub username: String,
    pub email: String,
    pub password: String,
}

#[derive(Deserialize)]
pub struct Login {
    pub username: String,
    pub password: String,
}

async fn register(
    State(ctx): State<Context>,
    JsonBody(form): JsonBody<Registration>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = create_user(&ctx, form, Role::User).await?;
    let body = json!({ "message": "Registration successful", "id": user.id });
    Ok((StatusCode::CREATED, Json(body)))
}

async fn login(
    State(ctx): State<Context>,
    JsonBody(form): JsonBody<Login>,
) -> Result<Json<Value>, ApiError> {
    let user = check_credentials(&ctx, &form).await?;
    let token = ctx.jwt.issue(&user);
    Ok(Json(
        json!({ "token": token, "message": "Login successful" }),
    ))
}

/// The user with these credentials, or the one error that does not say
/// which part was wrong. Lessons that answer a login differently call this.
pub async fn check_credentials(ctx: &Context, form: &Login) -> Result<User, ApiError> {
    let user = ctx
        .users
        .find_by_username(&form.username)
        .await
        .map_err(ApiError::internal)?;
    // Checked before asking whether the user exists, so that an unknown
    // user costs one bcrypt check too (against the decoy): a guard on
    // `Some(user)` would skip it, and a fast answer would say "no such user".
    let hash = user.as_ref().map(|u| u.password_hash.as_str());
    let matches = password::verify(&form.password, hash, &ctx.decoy).await;
    match user {
        Some(user) if matches => Ok(user),
        _ => Err(ApiError::bad_request(INVALID_CREDENTIALS)),
    }
}

/// Validates a registration, hashes its password and stores the user.
pub async fn create_user(ctx: &Context, form: Registration, role: Role) -> Result<User, ApiError> {
    let username = form.username.trim();
    let valid_name = (3..=32).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if !valid_name {
        return Err(ApiError::bad_request(
            "username must be 3 to 32 characters: letters, digits, '.', '_' or '-'",
        ));
    }
    let email = form.email.trim().to_lowercase();
    if !looks_like_email(&email) {
        return Err(ApiError::bad_request("email must be a valid email address"));
    }
    if form.password.len() < 8 {
        return Err(ApiError::bad_request(
            "password must be at least 8 characters",
        ));
    }

    let password_hash = match password::hash(&form.password, ctx.config.bcrypt_cost).await {
        Ok(hash) => hash,
        Err(PasswordError::TooLong) => {
            return Err(ApiError::bad_request(format!(
                "password must be at most {MAX_PASSWORD_BYTES} bytes"
            )));
        }
        Err(e) => return Err(ApiError::internal(e)),
    };
    let new = NewUser {
        username: username.to_owned(),
        email,
        password_hash,
        role,
    };
    match ctx.users.create(new).await {
        Ok(user) => Ok(user),
        Err(StoreError::Duplicate) => {
            Err(ApiError::bad_request("Username or email already exists"))
        }
        Err(e) => Err(ApiError::internal(e)),
    }
}

/// One `@` with something on each side, and a dot in the domain: enough to
/// catch typos. Only sending a message proves an address works.
fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && email.len() <= 254
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|part| !part.is_empty())
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}
