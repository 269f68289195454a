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
// ANCHOR: sockets_of
/// How many sockets `user_id` has, on every server and in every namespace,
/// leaving out the socket `except` (one that is leaving).
///
/// `sockets()` would answer for this server alone. `fetch_sockets()` asks
/// the adapter, which asks every other server over Redis and adds their
/// answers to its own. It returns ids and the server each socket is on,
/// not the socket's data: a remote socket's extensions stay on its server.
pub async fn sockets_of<A: Adapter>(
    io: &SocketIo<A>,
    user_id: &str,
    except: Option<Sid>,
) -> Result<usize, A::Error> {
    let room = format!("user:{user_id}");
    let mut count = 0;
    for namespace in io.nsps() {
        let sockets = namespace.within(room.clone()).fetch_sockets().await?;
        count += sockets
            .iter()
            .filter(|socket| Some(socket.data().id) != except)
            .count();
    }
    Ok(count)
}
// ANCHOR_END: sockets_of
// EXERCISE_END: sockets_of

// EXERCISE: last_seen
// ANCHOR: last_seen
/// When a socket leaves: if it was the user's last one, on any server, the
/// user is offline from now on, and `lastSeen` says since when.
///
/// The socket is still in its rooms while this handler runs, so it is left
/// out of the count by its id. Asking only this server would set `lastSeen`
/// for a user who is still connected elsewhere.
pub async fn on_disconnect<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    Extension(user): Extension<PublicUser>,
    socketioxide::extract::State(records): socketioxide::extract::State<Records>,
) {
    match sockets_of(&io, &user.id, Some(socket.id)).await {
        Ok(0) => {
            if let Err(e) = records.set_last_seen(&user.id).await {
                tracing::error!(user_id = %user.id, error = %e, "cannot record last seen");
            }
        }
        Ok(_) => {}
        Err(e) => {
            tracing::error!(user_id = %user.id, error = %e, "cannot count the user's sockets")
        }
    }
}
// ANCHOR_END: last_seen
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
