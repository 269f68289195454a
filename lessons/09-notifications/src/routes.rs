//! The HTTP side: posts, comments, and the user's notifications. A comment
//! is an HTTP request, and its notification leaves through the sockets:
//! the handlers hold the [`SocketIo`] handle for that.

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use socketioxide::SocketIo;
use workbook::Context;
use workbook::http::{ApiError, Bearer, JsonBody};
use workbook::jwt::{Claims, Jwt};
use workbook::users::User;

use crate::store::{Notification, Post, Store};

/// The longest post title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// What the routes need: the users, the records, and the way out to the
/// sockets.
#[derive(Clone)]
pub struct Api {
    pub ctx: Context,
    pub store: Store,
    pub io: SocketIo,
}

impl FromRef<Api> for Jwt {
    fn from_ref(api: &Api) -> Jwt {
        api.ctx.jwt.clone()
    }
}

pub fn routes(api: Api) -> Router {
    Router::new()
        .route("/api/posts", post(create_post))
        .route("/api/posts/{id}/comment", post(comment))
        .route("/api/notifications", get(list))
        .with_state(api)
}

#[derive(Deserialize)]
pub struct NewPost {
    pub title: String,
}

#[derive(Deserialize)]
pub struct NewComment {
    pub text: String,
}

/// The caller, as the store knows them now (their current name, and
/// whether they still exist), from the token's verified `id`.
async fn caller(ctx: &Context, claims: &Claims) -> Result<User, ApiError> {
    ctx.users
        .find_by_id(&claims.id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::unauthorized("User not found"))
}

/// `value` trimmed, or a 400 naming `field` when it is empty or longer than
/// `max` characters.
fn required<'a>(field: &str, value: &'a str, max: usize) -> Result<&'a str, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::bad_request(format!("{field} is required")));
    }
    if value.chars().count() > max {
        return Err(ApiError::bad_request(format!(
            "{field} is too long (at most {max} characters)"
        )));
    }
    Ok(value)
}

/// `POST /api/posts {title}` (Bearer) → `201 {id, title, authorId}`. The
/// author is the caller; an `authorId` in the body is not even read.
async fn create_post(
    State(api): State<Api>,
    Bearer(claims): Bearer,
    JsonBody(body): JsonBody<NewPost>,
) -> Result<(StatusCode, Json<Post>), ApiError> {
    let title = required("Title", &body.title, MAX_TITLE_CHARS)?;
    let author = caller(&api.ctx, &claims).await?;
    let post = api
        .store
        .create_post(&author.id, title)
        .await
        .map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(post)))
}

// EXERCISE: comment
/// `POST /api/posts/{id}/comment {text}` (Bearer) → `201 {success:true}`.
///
/// Check the text with [`required`] and [`MAX_COMMENT_CHARS`] (400), find
/// the caller with [`caller`] (401) and the post (404 `Post not found`),
/// store the comment, and, when the caller is not the post's author,
/// notify the author with [`crate::notify::notify`]: type `comment`, title
/// `New comment on your post`, body `<name> commented on "<post title>"`,
/// link `/posts/<post id>`.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
async fn comment(
    State(api): State<Api>,
    Bearer(claims): Bearer,
    Path(post_id): Path<String>,
    JsonBody(body): JsonBody<NewComment>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    todo!(
        "validate, store the comment, notify the post's author (chapter 09, \"The comment route\")"
    )
}
// EXERCISE_END: comment

/// `GET /api/notifications` (Bearer) → the caller's notifications, newest
/// first (at most [`crate::store::LIST_LIMIT`]).
async fn list(
    State(api): State<Api>,
    Bearer(claims): Bearer,
) -> Result<Json<Vec<Notification>>, ApiError> {
    let user = caller(&api.ctx, &claims).await?;
    let all = api
        .store
        .notifications(&user.id)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(all))
}
