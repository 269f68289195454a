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
//!
//! `lastSeen` is written when a user's last socket, on any server, has
//! gone. Each socket holds a [`Departure`]; dropped with the socket (once
//! it has left every room), it asks every server how many sockets the user
//! has left, and at zero writes `lastSeen`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Sid;
use workbook::db::now_ms;
use workbook::http::ApiError;

use crate::Web;
use crate::records::Records;

// EXERCISE: sockets_of
// ANCHOR: sockets_of
/// How many sockets `user_id` has, on every server and in every namespace.
///
/// `sockets()` would answer for this server alone. `fetch_sockets()` asks
/// the adapter, which asks every other server over Redis and adds their
/// answers to its own. It returns ids and the server each socket is on,
/// not the socket's data: a remote socket's extensions stay on its server.
pub async fn sockets_of<A: Adapter>(io: &SocketIo<A>, user_id: &str) -> Result<usize, A::Error> {
    let room = workbook::rooms::user_room(user_id);
    let mut count = 0;
    for namespace in io.nsps() {
        count += namespace.within(room.clone()).fetch_sockets().await?.len();
    }
    Ok(count)
}
// ANCHOR_END: sockets_of
// EXERCISE_END: sockets_of

// ANCHOR: departure
/// This server's share of the `lastSeen` bookkeeping: the records, and
/// for each user whose socket has just gone from here, the last such
/// socket. Cloning is cheap and every clone sees the same table.
#[derive(Clone)]
pub struct Presence {
    records: Records,
    /// An entry lives from a socket's drop until its [`last_socket_left`]
    /// has run, so the table never grows with users who have left.
    latest: Arc<Mutex<HashMap<String, Sid>>>,
}

impl Presence {
    pub fn new(records: Records) -> Self {
        Presence {
            records,
            latest: Arc::default(),
        }
    }

    /// The guard for `socket` of `user_id`, to keep in the socket's
    /// extensions.
    pub fn departure<A: Adapter>(
        &self,
        io: SocketIo<A>,
        user_id: &str,
        socket: Sid,
    ) -> Departure<A> {
        Departure {
            _leaving: Arc::new(Leaving {
                io,
                presence: self.clone(),
                user_id: user_id.to_owned(),
                socket,
            }),
        }
    }

    /// `socket` is gone: it is now the user's latest departure here.
    fn left(&self, user_id: &str, socket: Sid) {
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        latest.insert(user_id.to_owned(), socket);
    }

    /// The store `lastSeen` goes to.
    pub fn records(&self) -> &Records {
        &self.records
    }

    /// Ends the departure of `socket`; true when it was still the user's
    /// latest here (no socket of the same user left this server since).
    pub fn settle(&self, user_id: &str, socket: Sid) -> bool {
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        if latest.get(user_id) != Some(&socket) {
            return false;
        }
        latest.remove(user_id);
        true
    }
}

/// One socket's departure, kept in its extensions. Cloning shares it; the
/// last clone to go (with the socket) starts [`last_socket_left`].
///
/// Why not the disconnect handler? socketioxide runs it while the socket is
/// still in its rooms, so it must leave itself out of the count, and two
/// sockets of one user that leave at once (two tabs closed together, or
/// the `/` and `/admin` sockets of one connection) each count the other:
/// neither writes, and `lastSeen` is lost. A socket is dropped only after
/// it has left every room, so at its drop the count needs no exception,
/// and whichever socket goes last sees zero.
pub struct Departure<A: Adapter> {
    _leaving: Arc<Leaving<A>>,
}

// A derived `Clone` would ask `A: Clone`; only the `Arc` is cloned.
impl<A: Adapter> Clone for Departure<A> {
    fn clone(&self) -> Self {
        Departure {
            _leaving: self._leaving.clone(),
        }
    }
}

struct Leaving<A: Adapter> {
    io: SocketIo<A>,
    presence: Presence,
    user_id: String,
    socket: Sid,
}

impl<A: Adapter> Drop for Leaving<A> {
    fn drop(&mut self) {
        let left_at = now_ms();
        self.presence.left(&self.user_id, self.socket);
        // Outside a runtime (the server is gone) there is nothing to write.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let io = self.io.clone();
            let presence = self.presence.clone();
            let user_id = self.user_id.clone();
            let socket = self.socket;
            runtime.spawn(last_socket_left(io, presence, user_id, socket, left_at));
        }
    }
}
// ANCHOR_END: departure

// EXERCISE: last_socket_left
// ANCHOR: last_socket_left
/// Runs once `socket` of `user_id` is gone (it left at `left_at`): if the
/// user has no socket left on any server, they are offline, and `lastSeen`
/// says since when.
///
/// Two departures can both see zero: two sockets of one server dropped
/// before either counted, or one socket on each of two servers. On one
/// server, only the latest departure writes (`settle`), so it writes once.
/// Across servers each may write once; the store keeps the later time
/// (`$max`), so the order of the writes does not matter.
pub async fn last_socket_left<A: Adapter>(
    io: SocketIo<A>,
    presence: Presence,
    user_id: String,
    socket: Sid,
    left_at: i64,
) {
    let count = sockets_of(&io, &user_id).await;
    // Settled whatever the count says: the entry must not outlive this.
    let latest = presence.settle(&user_id, socket);
    match count {
        Ok(0) if latest => match presence.records().set_last_seen(&user_id, left_at).await {
            Ok(()) => tracing::info!(%user_id, "offline"),
            Err(e) => tracing::error!(%user_id, error = %e, "cannot record last seen"),
        },
        Ok(_) => {}
        Err(e) => tracing::error!(%user_id, error = %e, "cannot count the user's sockets"),
    }
}
// ANCHOR_END: last_socket_left
// EXERCISE_END: last_socket_left

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
    let sockets = sockets_of(&web.io, &user.id)
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
