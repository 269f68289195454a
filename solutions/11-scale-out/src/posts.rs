//! Lesson 09's posts and comments, for a cluster: a comment posted through
//! one server notifies the author on whichever servers their devices are
//! connected to.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use workbook::http::{ApiError, Bearer, JsonBody};
use workbook::users::User;

use crate::Web;
use crate::records::{NewNotification, Notification, Records};

pub fn routes<A: Adapter>(web: Web<A>) -> Router {
    use axum::routing::{get, post};
    Router::new()
        .route("/api/posts", post(create_post::<A>))
        .route("/api/posts/{id}/comment", post(comment::<A>))
        .route(
            "/api/presence/{user_id}",
            get(crate::presence::presence::<A>),
        )
        .with_state(web)
}

#[derive(Deserialize)]
struct NewPost {
    title: String,
}

#[derive(Deserialize)]
struct NewComment {
    text: String,
}

/// The caller, as the store knows them now.
async fn caller<A: Adapter>(
    web: &Web<A>,
    claims: &workbook::jwt::Claims,
) -> Result<User, ApiError> {
    web.ctx
        .users
        .find_by_id(&claims.id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::unauthorized("User not found"))
}

/// `POST /api/posts {title}` → `201 {id, title, authorId}`.
async fn create_post<A: Adapter>(
    State(web): State<Web<A>>,
    Bearer(claims): Bearer,
    JsonBody(form): JsonBody<NewPost>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let author = caller(&web, &claims).await?;
    let title = form.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(ApiError::bad_request("title must be 1 to 200 characters"));
    }
    let post = web
        .records
        .create_post(title, &author.id)
        .await
        .map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(json!(post))))
}

/// `POST /api/posts/{id}/comment {text}` → `201 {success:true}`: the comment
/// is stored, and the author, unless they commented themselves, is notified
/// on every device.
async fn comment<A: Adapter>(
    State(web): State<Web<A>>,
    Bearer(claims): Bearer,
    Path(post_id): Path<String>,
    JsonBody(form): JsonBody<NewComment>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let commenter = caller(&web, &claims).await?;
    let text = form.text.trim();
    if text.is_empty() || text.chars().count() > 1000 {
        return Err(ApiError::bad_request("text must be 1 to 1000 characters"));
    }
    let post = web
        .records
        .find_post(&post_id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("Post not found"))?;
    web.records
        .add_comment(&post.id, &commenter.id, text)
        .await
        .map_err(ApiError::internal)?;
    if post.author_id != commenter.id {
        let new = NewNotification {
            user_id: post.author_id.clone(),
            kind: "comment",
            title: "New comment on your post".to_owned(),
            body: format!("{} commented on \"{}\"", commenter.username, post.title),
            link: format!("/posts/{}", post.id),
        };
        let notification = web
            .records
            .add_notification(new)
            .await
            .map_err(ApiError::internal)?;
        notify(&web.io, &web.records, &notification).await;
    }
    Ok((StatusCode::CREATED, Json(json!({ "success": true }))))
}

// EXERCISE: notify
// ANCHOR: notify
/// Sends `notification` to every device of its user, on every server, and
/// then their new unread count.
///
/// `io.to(room).emit(..)` hands the packet to the adapter, which sends it
/// to the room's sockets here and publishes it on Redis for the others.
/// (`io.within(room).sockets()` and an emit on each would reach this
/// server's sockets only: the author's phone, connected to another server,
/// would never hear of the comment.)
pub async fn notify<A: Adapter>(io: &SocketIo<A>, records: &Records, notification: &Notification) {
    let room = format!("user:{}", notification.user_id);
    if let Err(e) = io.to(room).emit("notification", notification).await {
        tracing::error!(error = %e, "cannot send a notification");
    }
    send_unread_count(io, records, &notification.user_id).await;
}
// ANCHOR_END: notify
// EXERCISE_END: notify

/// `unread-count {count}` to every device of `user_id`, on every server.
pub async fn send_unread_count<A: Adapter>(io: &SocketIo<A>, records: &Records, user_id: &str) {
    let count = match records.unread_count(user_id).await {
        Ok(count) => count,
        Err(e) => {
            tracing::error!(%user_id, error = %e, "cannot count notifications");
            return;
        }
    };
    let room = format!("user:{user_id}");
    if let Err(e) = io
        .to(room)
        .emit("unread-count", &json!({ "count": count }))
        .await
    {
        tracing::error!(error = %e, "cannot send the unread count");
    }
}
