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
// ANCHOR: slot
/// One connected socket's place in the table. The middleware keeps it in
/// the socket's extensions; when the socket is dropped (disconnected, or
/// refused by a middleware after this one) its extensions go, the last
/// clone of the slot goes, and the place is given back.
#[derive(Clone, Debug)]
pub struct Slot {
    _held: Arc<Held>,
}

#[derive(Debug)]
struct Held {
    ip: IpAddr,
    counts: Counts,
}
// ANCHOR_END: slot

// ANCHOR: try_acquire
impl IpLimit {
    /// A slot for `ip`, or `None` when `ip` already holds `max` of them.
    ///
    /// The check and the increment happen under one lock. Read the count,
    /// release the lock, then write it back, and twenty handshakes arriving
    /// together all read the same count and all pass.
    pub fn try_acquire(&self, ip: IpAddr) -> Option<Slot> {
        let mut counts = self.counts.lock().unwrap();
        let count = counts.get(&ip).copied().unwrap_or(0);
        if count >= self.max {
            // A refusal changes nothing, not even an empty entry.
            return None;
        }
        counts.insert(ip, count + 1);
        Some(Slot {
            _held: Arc::new(Held {
                ip,
                counts: self.counts.clone(),
            }),
        })
    }
}

/// Gives the place back, and removes the address from the table when it
/// was its last: a client that left keeps no entry.
impl Drop for Held {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap();
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}
// ANCHOR_END: try_acquire
// EXERCISE_END: slots

// EXERCISE: client_ip
// ANCHOR: client_ip
/// The address of the peer of the TCP connection that opened the socket:
/// the one thing about a client's location it cannot choose.
///
/// Not `X-Forwarded-For`, `X-Real-IP` or `Forwarded`: a client writes
/// whatever it likes in its headers, and a limit keyed on them is a limit
/// each client sets for itself. (Behind a reverse proxy that you run, read
/// the header that proxy sets, and only when the peer is that proxy.)
/// `to_canonical` makes `::ffff:127.0.0.2` and `127.0.0.2` one client.
pub fn client_ip(socket: &SocketRef) -> Option<IpAddr> {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;

    let ConnectInfo(addr) = socket
        .req_parts()
        .extensions
        .get::<ConnectInfo<SocketAddr>>()?;
    Some(addr.ip().to_canonical())
}
// ANCHOR_END: client_ip
// EXERCISE_END: client_ip

// ANCHOR: limit_per_ip
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
// ANCHOR_END: limit_per_ip
