//! Middleware 4, the per-IP limit: at most `MAX_CONNECTIONS_PER_IP`
//! connected sockets per client address.
//!
//! Two properties make it a limit rather than a suggestion. Checking and
//! counting happen in one step, under one lock, so twenty handshakes that
//! arrive together cannot all read "4" and all come in. And a place in the
//! table is a value, a [`Slot`], owned by the socket that holds it: when
//! the socket goes, for whatever reason, the slot goes with it.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use socketioxide::extract::{SocketRef, State};
use workbook::handshake::AuthError;

use crate::refusal::Refusal;

/// Connected sockets per address. An address with no socket has no entry,
/// so the table is as large as the set of clients connected right now.
type Counts = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// The per-IP table. Cloning is cheap and every clone sees the same table.
#[derive(Clone, Debug)]
pub struct IpLimit {
    max: usize,
    counts: Counts,
}

impl IpLimit {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            counts: Counts::default(),
        }
    }

    /// How many sockets one address may hold.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The table as it is now, for `GET /api/admin/stats`.
    pub fn snapshot(&self) -> BTreeMap<String, usize> {
        let counts = self.counts.lock().unwrap();
        counts.iter().map(|(ip, n)| (ip.to_string(), *n)).collect()
    }
}

// EXERCISE: slots
/// One connected socket's place in the table. The middleware keeps it in
/// the socket's extensions; when the socket is dropped (disconnected, or
/// refused by a middleware after this one) its extensions go, the last
/// clone of the slot goes, and the place is given back by `Drop for Held`.
#[derive(Clone, Debug)]
pub struct Slot {
    _held: Arc<Held>,
}

#[allow(dead_code)] // Remove this line once `try_acquire` builds a `Held`.
#[derive(Debug)]
struct Held {
    ip: IpAddr,
    counts: Counts,
}

impl IpLimit {
    /// A slot for `ip`, or `None` when `ip` already holds `self.max` of them.
    ///
    /// Read the count and write the new one under ONE lock of
    /// `self.counts`: twenty handshakes arrive at once, and none may see a
    /// count another is about to change. A refusal changes nothing in the
    /// table. The slot holds `ip` and a clone of `self.counts`.
    #[allow(unused_variables)] // Remove this line once the body uses `ip`.
    pub fn try_acquire(&self, ip: IpAddr) -> Option<Slot> {
        todo!("check and count under one lock (chapter 04, \"A limit that holds\")")
    }
}

/// Gives the place back: one less for `self.ip`, and no entry at all for
/// an address whose count reaches zero.
impl Drop for Held {
    fn drop(&mut self) {
        todo!("give the place back (chapter 04, \"A limit that holds\")")
    }
}
// EXERCISE_END: slots

// EXERCISE: client_ip
/// The client's address: the peer of the TCP connection that opened the
/// socket, as `IpAddr::to_canonical` has it. axum records it in the
/// request's extensions as `axum::extract::ConnectInfo<std::net::SocketAddr>`,
/// and `socket.req_parts()` is that request. Never a header.
#[allow(unused_variables)] // Remove this line once the body uses `socket`.
pub fn client_ip(socket: &SocketRef) -> Option<IpAddr> {
    todo!("read the address the connection comes from (chapter 04, \"Who is asking\")")
}
// EXERCISE_END: client_ip

/// Takes a slot for the client's address and keeps it on the socket, or
/// refuses with [`Refusal::TooManyConnections`].
///
/// It runs after authentication and authorization: an attempt they refuse
/// never gets here, so it never takes a slot, and a banned user cannot use
/// up an address's share of sockets.
pub async fn limit_per_ip(socket: SocketRef, State(limit): State<IpLimit>) -> Result<(), Refusal> {
    let Some(ip) = client_ip(&socket) else {
        // Only a server that does not record peer addresses gets here
        // (`workbook::serve` does). Refuse rather than count nobody.
        tracing::error!(socket_id = %socket.id, "no peer address: serve with connect info");
        return Err(Refusal::Auth(AuthError::Unavailable));
    };
    let slot = limit.try_acquire(ip).ok_or(Refusal::TooManyConnections)?;
    socket.extensions.insert(slot);
    Ok(())
}
