//! What happens when a socket goes: the rooms it was in hear that it left,
//! and, if it was its user's last socket and none comes back in time, the
//! user's friends hear that the user is offline.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use socketioxide::SocketIo;
use socketioxide::extract::{Extension, SocketRef, State};
use socketioxide::socket::{DisconnectReason, Sid};
use workbook::users::PublicUser;

use crate::Hub;
use crate::presence::Ticket;

// ANCHOR: tracked
/// A socket's entry in the presence table, kept in the socket's
/// extensions ([`crate::events::register`]): dropped with the socket, it
/// takes the entry with it.
///
/// [`on_disconnect`] runs only for a socket that was connected. A client
/// that hangs up while its handshake is still in the middleware chain (the
/// store still looking its user up, say) never is: the chain runs to its
/// end, `register` puts the socket in the table, then socketioxide cannot
/// confirm the connection and drops the socket without calling any
/// disconnect handler. Its extensions are dropped with it in every case,
/// so `Drop` is the one place that cannot be skipped. As 05's `Device` and
/// 07's `Slot`.
#[derive(Clone, Debug)]
pub struct Tracked {
    _entry: Arc<Entry>,
}

#[derive(Debug)]
struct Entry {
    io: SocketIo,
    hub: Hub,
    user_id: String,
    socket: Sid,
}

impl Tracked {
    /// Puts `socket` of `user_id` in the table; the entry lasts as long as
    /// the returned value.
    pub fn arrive(io: SocketIo, hub: Hub, user_id: &str, socket: Sid) -> Tracked {
        hub.presence.arrive(user_id, socket);
        Tracked {
            _entry: Arc::new(Entry {
                io,
                hub,
                user_id: user_id.to_owned(),
                socket,
            }),
        }
    }
}

/// After [`on_disconnect`] there is nothing left to do: the table no
/// longer has the socket, and `leave` says so (`None`). A socket that went
/// without it is released here, its grace period started as a disconnect
/// would have; only the room notices are missing, and a socket that was
/// never connected joined no room.
impl Drop for Entry {
    fn drop(&mut self) {
        let Some(ticket) = self.hub.presence.leave(&self.user_id, self.socket) else {
            return;
        };
        // Outside a runtime (the server is gone) there is nobody to tell.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (io, hub, user_id) = (self.io.clone(), self.hub.clone(), self.user_id.clone());
            runtime.spawn(offline_after_grace(io, hub, user_id, ticket, now_ms()));
        }
    }
}
// ANCHOR_END: tracked

// ANCHOR: on_disconnect
// EXERCISE: on_disconnect
/// The socket's disconnect handler (registered in
/// [`crate::events::register`]).
///
/// Node's Socket.IO has two events here, `disconnecting` (the socket is
/// still in its rooms) and `disconnect` (it has left them). socketioxide
/// has one handler, run while the socket is still in its rooms:
/// `socket.rooms()` answers, and the socket still counts as a member until
/// the handler returns. So the rooms are read here, and anything that must
/// see the socket gone (the grace period) runs in a task of its own.
pub async fn on_disconnect(
    socket: SocketRef,
    io: SocketIo,
    reason: DisconnectReason,
    Extension(user): Extension<PublicUser>,
    State(hub): State<Hub>,
) {
    tracing::info!(user_id = %user.id, socket_id = %socket.id, %reason, "disconnected");
    if reason == DisconnectReason::ClosingServer {
        // `io.close()`: every socket is leaving at once and nobody is left
        // to tell. Forget the socket and start no timer.
        hub.presence.leave(&user.id, socket.id);
        return;
    }
    let own_room = format!("user:{}", user.id);
    for room in socket.rooms() {
        if room == own_room {
            continue;
        }
        // `to` leaves out this socket: the others in the room, the user's
        // other devices included, hear it.
        let notice = serde_json::json!({ "userId": user.id, "room": room });
        if let Err(e) = socket.to(room.clone()).emit("user-leaving", &notice).await {
            tracing::warn!(error = %e, "could not announce a departure");
        }
    }
    if let Some(ticket) = hub.presence.leave(&user.id, socket.id) {
        tokio::spawn(offline_after_grace(io, hub, user.id, ticket, now_ms()));
    }
}
// EXERCISE_END: on_disconnect
// ANCHOR_END: on_disconnect

// ANCHOR: offline_after_grace
// EXERCISE: offline_after_grace
/// Waits out the grace period, then, if `ticket` is still the user's (no
/// socket came back, no later leave replaced it), records `lastSeen` (the
/// moment the last socket left, `left_at`) and tells each friend's room
/// `friend-offline {userId, lastSeen}`.
///
/// It never panics and never unwraps: it runs long after the event that
/// started it, possibly once the server has stopped. Store errors are
/// logged; `io.of("/")` rather than `io.to(..)`, which panics once
/// `io.close()` has removed the namespaces.
pub async fn offline_after_grace(
    io: SocketIo,
    hub: Hub,
    user_id: String,
    ticket: Ticket,
    left_at: i64,
) {
    tokio::time::sleep(hub.grace).await;
    if !hub.presence.expire(&user_id, ticket) {
        return;
    }
    if let Err(e) = hub.store.set_last_seen(&user_id, left_at).await {
        tracing::error!(%user_id, error = %e, "cannot record lastSeen");
    }
    let friends = match hub.store.friends_of(&user_id).await {
        Ok(friends) => friends,
        Err(e) => {
            tracing::error!(%user_id, error = %e, "cannot load friends");
            return;
        }
    };
    let Some(ns) = io.of("/") else {
        return;
    };
    let rooms: Vec<String> = friends.iter().map(|id| format!("user:{id}")).collect();
    if rooms.is_empty() {
        return;
    }
    let notice = serde_json::json!({ "userId": user_id, "lastSeen": left_at });
    if let Err(e) = ns.to(rooms).emit("friend-offline", &notice).await {
        tracing::warn!(error = %e, "could not tell the friends");
    }
    tracing::info!(%user_id, "offline");
}
// EXERCISE_END: offline_after_grace
// ANCHOR_END: offline_after_grace

/// Milliseconds since the Unix epoch, as JavaScript's `Date.now()`.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
