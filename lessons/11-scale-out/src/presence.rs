//! Who is online, counted across every server.
//!
//! Lessons 05 and 08 kept a table of each user's sockets in the server's
//! memory. With two servers, each table holds half the truth. Here there
//! is no table: the rooms are the table. Every socket of a user is in the
//! room `user:<id>` of its namespace on its server, and the adapter can ask
//! every server, over Redis, which of its sockets are in a room. A server
//! that has died does not answer, so its sockets stop counting as soon as
//! Redis notices it is gone; one that hangs is waited for at most
//! `REDIS_REQUEST_TIMEOUT_MS`, and not counted.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{Extension, SocketRef};
use socketioxide::socket::Sid;
use workbook::http::ApiError;
use workbook::users::PublicUser;

use crate::Web;
use crate::records::Records;

// EXERCISE: sockets_of
/// How many sockets `user_id` has, on every server and in every namespace
/// (`io.nsps()`), leaving out the socket `except`: the sockets of the room
/// `user:<id>` as the adapter reports them from every server
/// (`fetch_sockets`, not `sockets`, which sees this server only).
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn sockets_of<A: Adapter>(
    io: &SocketIo<A>,
    user_id: &str,
    except: Option<Sid>,
) -> Result<usize, A::Error> {
    todo!("count the user's sockets on every server (chapter 11, \"Counting across servers\")")
}
// EXERCISE_END: sockets_of

// EXERCISE: last_seen
/// When a socket leaves: if the user has no other socket on any server
/// ([`sockets_of`], leaving this one out by its id), record that the user
/// was last seen now (`records.set_last_seen`). Log errors; there is no one
/// to answer.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn on_disconnect<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    Extension(user): Extension<PublicUser>,
    socketioxide::extract::State(records): socketioxide::extract::State<Records>,
) {
    todo!(
        "set lastSeen when the user's last socket anywhere has left (chapter 11, \"The last socket\")"
    )
}
// EXERCISE_END: last_seen

/// `GET /api/presence/{userId}` → `{userId, status, sockets, lastSeen}`.
pub async fn presence<A: Adapter>(
    State(web): State<Web<A>>,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user = web
        .ctx
        .users
        .find_by_id(&user_id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    let sockets = sockets_of(&web.io, &user.id, None)
        .await
        .map_err(ApiError::internal)?;
    let last_seen = web
        .records
        .last_seen(&user.id)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(json!({
        "userId": user.id,
        "status": if sockets > 0 { "online" } else { "offline" },
        "sockets": sockets,
        "lastSeen": last_seen,
    })))
}
