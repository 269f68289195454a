//! The connection-level limit: at most `MAX_CONNECTIONS_PER_IP` connected
//! sockets per client address.
//!
//! The table maps an IP to how many sockets it holds. An entry exists only
//! while its count is above zero: a table that kept every address it ever
//! saw would grow with each new client, forever.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Json;
use axum::extract::ConnectInfo;
use serde_json::{Value, json};
use socketioxide::extract::{HttpExtension, SocketRef, State};

/// Why a handshake was refused here; the text is the `connect_error` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyConnections;

impl std::fmt::Display for TooManyConnections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Too many connections")
    }
}

/// The per-IP table, shared by every socket. Cloning shares it.
#[derive(Clone)]
pub struct Connections {
    max_per_ip: usize,
    by_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One connected socket's place in the table. It is given back when the
/// value is dropped, which happens when the socket that holds it is dropped:
/// after a disconnect, and just as well when a later middleware refuses the
/// socket or its confirmation cannot be sent. No path forgets to give it back.
pub struct Slot {
    ip: IpAddr,
    by_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Connections {
    pub fn new(max_per_ip: usize) -> Self {
        Self {
            max_per_ip,
            by_ip: Arc::default(),
        }
    }

    // ANCHOR: try_acquire
    /// A slot for `ip`, or `None` when it already holds `max_per_ip`.
    ///
    /// The check and the count happen under one lock, with no `.await`
    /// between them: two handshakes from one IP that arrive together cannot
    /// both see "9 of 10" and both take the tenth place.
    pub fn try_acquire(&self, ip: IpAddr) -> Option<Slot> {
        let mut by_ip = lock(&self.by_ip);
        acquire(&mut by_ip, ip, self.max_per_ip).then(|| Slot {
            ip,
            by_ip: self.by_ip.clone(),
        })
    }
    // ANCHOR_END: try_acquire

    /// How many sockets each IP holds, sorted by address.
    pub fn snapshot(&self) -> BTreeMap<String, usize> {
        lock(&self.by_ip)
            .iter()
            .map(|(ip, count)| (ip.to_string(), *count))
            .collect()
    }
}

// ANCHOR: drop
impl Drop for Slot {
    fn drop(&mut self) {
        release(&mut lock(&self.by_ip), self.ip);
    }
}
// ANCHOR_END: drop

// EXERCISE: acquire
// ANCHOR: acquire
/// Counts one more socket for `ip` if it holds fewer than `max`, and says
/// whether it did. A refused IP gets no entry: it holds nothing.
fn acquire(by_ip: &mut HashMap<IpAddr, usize>, ip: IpAddr, max: usize) -> bool {
    let count = by_ip.get(&ip).copied().unwrap_or(0);
    if count >= max {
        return false;
    }
    by_ip.insert(ip, count + 1);
    true
}
// ANCHOR_END: acquire
// EXERCISE_END: acquire

// EXERCISE: release
// ANCHOR: release
/// Counts one socket fewer for `ip`, and forgets the IP with its last one.
fn release(by_ip: &mut HashMap<IpAddr, usize>, ip: IpAddr) {
    if let Some(count) = by_ip.get_mut(&ip) {
        *count -= 1;
        if *count == 0 {
            by_ip.remove(&ip);
        }
    }
}
// ANCHOR_END: release
// EXERCISE_END: release

// ANCHOR: middleware
/// Connect middleware: takes a slot for the client's IP and keeps it in the
/// socket's extensions for as long as the socket lives.
///
/// `HttpExtension`, not `MaybeHttpExtension`: `workbook` always serves with
/// connect info, so a missing address is a bug to hear about, not a client
/// to let through unlimited.
pub async fn limit_connections(
    socket: SocketRef,
    State(connections): State<Connections>,
    HttpExtension(ConnectInfo(peer)): HttpExtension<ConnectInfo<SocketAddr>>,
) -> Result<(), TooManyConnections> {
    // An IPv4 client of a dual-stack listener shows up as `::ffff:a.b.c.d`;
    // the canonical form counts it under the address it really has.
    let ip = peer.ip().to_canonical();
    let slot = connections.try_acquire(ip).ok_or(TooManyConnections)?;
    // Extensions hand out clones; an `Arc` makes each clone a reference to
    // the one slot, which is dropped once, with the socket.
    socket.extensions.insert(Arc::new(slot));
    Ok(())
}
// ANCHOR_END: middleware

/// `GET /stats` → `{"connectionsByIp": {"127.0.0.1": 2}}`.
pub async fn stats(
    axum::extract::State(connections): axum::extract::State<Connections>,
) -> Json<Value> {
    Json(json!({ "connectionsByIp": connections.snapshot() }))
}

/// The table, even if a thread panicked while holding it: every change to
/// it is a single insert or remove, so it is never left half-done. (A panic
/// here, in `Drop`, during another panic, would abort the process.)
fn lock(by_ip: &Mutex<HashMap<IpAddr, usize>>) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
    by_ip
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
