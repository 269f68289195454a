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

// EXERCISE: on_disconnect
/// The socket's disconnect handler (registered in
/// [`crate::events::register`]). socketioxide runs it while the socket is
/// still in its rooms, so `socket.rooms()` still answers here.
///
/// 1. Tell the other members of each room the socket was in, except the
///    user's own `user:<id>` room: `user-leaving {userId, room}`.
/// 2. Tell the presence table the socket left; if that hands out a ticket,
///    spawn [`offline_after_grace`] with it and the time, [`now_ms`].
///
/// With `DisconnectReason::ClosingServer` (the server is closing every
/// socket), only forget the socket: nobody is left to tell.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn on_disconnect(
    socket: SocketRef,
    io: SocketIo,
    reason: DisconnectReason,
    Extension(user): Extension<PublicUser>,
    State(hub): State<Hub>,
) {
    todo!(
        "announce the departure to each room, then start the grace period (chapter 08, \"When a socket goes\")"
    )
}
// EXERCISE_END: on_disconnect

// EXERCISE: offline_after_grace
/// Waits out the grace period (`hub.grace`), then, only if `ticket` is
/// still the user's (`hub.presence.expire`), stores `lastSeen` (`left_at`)
/// and sends `friend-offline {userId, lastSeen}` to each friend's
/// `user:<friendId>` room.
///
/// It runs long after the event that started it, possibly once the server
/// has stopped: log errors, never unwrap, and reach the sockets through
/// `io.of("/")` (`io.to(..)` panics once the namespaces are gone).
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn offline_after_grace(
    io: SocketIo,
    hub: Hub,
    user_id: String,
    ticket: Ticket,
    left_at: i64,
) {
    todo!(
        "sleep, check the ticket, store lastSeen, tell the friends (chapter 08, \"The grace period\")"
    )
}
// EXERCISE_END: offline_after_grace

/// Milliseconds since the Unix epoch, as JavaScript's `Date.now()`.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
