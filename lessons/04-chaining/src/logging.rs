//! Middleware 1, logging. It runs first, so it sees every attempt: the ones
//! the later middlewares refuse are exactly the ones an operator wants to
//! know about.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use socketioxide::extract::{SocketRef, State};

/// How many handshakes have reached the chain since start-up, refused or
/// not. `GET /api/admin/stats` shows it.
#[derive(Clone, Debug, Default)]
pub struct Attempts(Arc<AtomicU64>);

impl Attempts {
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// When the handshake reached the chain. The connect handler reads it back
/// to log how long the chain took.
#[derive(Clone, Copy, Debug)]
pub struct AttemptedAt(pub Instant);

/// Counts the attempt, notes its time on the socket and writes a log line.
/// It never refuses: a logger that could say no would be a fifth guard.
pub async fn log_attempt(
    socket: SocketRef,
    State(attempts): State<Attempts>,
) -> Result<(), Infallible> {
    attempts.0.fetch_add(1, Ordering::Relaxed);
    socket.extensions.insert(AttemptedAt(Instant::now()));
    // The token stays out of the log: a log is read by more people than
    // the token was meant for.
    let ip = crate::limit::client_ip(&socket);
    tracing::info!(socket_id = %socket.id, ip = ?ip, "connection attempt");
    Ok(())
}
