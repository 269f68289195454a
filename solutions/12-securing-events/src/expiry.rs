//! A socket does not outlive its token.
//!
//! The token is checked once, in the handshake. A socket stays open for
//! hours; without more, a token that expires at 10:00 keeps its socket,
//! and everything the socket may do, until the user closes the tab. So each
//! authenticated socket gets a timer set to its token's `exp`: at that
//! moment the socket is told `forceDisconnect {reason:"Token expired"}` and
//! disconnected. The client logs in again (or refreshes, lesson 03) and
//! reconnects with a fresh token.
//!
//! One timer per socket, and no timer outlives its socket: a server with
//! many short visits would otherwise pile up sleeping tasks, each holding
//! on to a socket long gone.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use socketioxide::SocketIo;
use socketioxide::extract::SocketRef;
use tokio::task::AbortHandle;

/// The `exp` of the token that authenticated a socket, in seconds since
/// the Unix epoch. The middleware puts it in `socket.extensions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenExpiry(pub u64);

/// The expiry timers of all sockets: how many are running, for
/// `GET /stats`. Cloning is cheap and every clone counts the same timers.
#[derive(Clone, Debug, Default)]
pub struct ExpiryTimers {
    live: Arc<AtomicUsize>,
}

impl ExpiryTimers {
    /// How many timers are running now.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// Counts one running timer until the returned guard is dropped: move
    /// it into the timer's task, and the count falls when the task ends,
    /// however it ends (it fired, or it was aborted).
    pub fn count_one(&self) -> Running {
        self.live.fetch_add(1, Ordering::SeqCst);
        Running(self.live.clone())
    }

    // EXERCISE: arm
    // ANCHOR: arm
    /// Starts `socket`'s timer: at `exp`, `forceDisconnect {reason:"Token
    /// expired"}`, then the disconnect.
    ///
    /// The task holds the socket's id and `io`, not the socket: a task that
    /// held a `SocketRef` would keep the socket alive until the token
    /// expired, hours after the client left. The socket holds the task
    /// instead, as a [`Timer`] in its extensions: when the socket goes, for
    /// whatever reason, the timer is dropped and the task aborted.
    pub fn arm(&self, io: SocketIo, socket: &SocketRef, exp: u64) {
        let sid = socket.id;
        let running = self.count_one();
        let task = tokio::spawn(async move {
            let _running = running;
            tokio::time::sleep(until(exp)).await;
            // Still connected? Then it is still this socket's token.
            if let Some(socket) = io.get_socket(sid) {
                tracing::info!(socket_id = %sid, "token expired: disconnecting");
                let reason = serde_json::json!({ "reason": "Token expired" });
                let _ = socket.emit("forceDisconnect", &reason);
                let _ = socket.disconnect();
            }
        });
        socket.extensions.insert(Timer::new(task.abort_handle()));
    }
    // ANCHOR_END: arm
    // EXERCISE_END: arm
}

/// One running timer, counted in [`ExpiryTimers::live`] while it exists.
#[derive(Debug)]
pub struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

// ANCHOR: timer
/// A socket's hold on its timer's task: dropping the last clone aborts the
/// task. It lives in `socket.extensions` (which wants `Clone`, hence the
/// `Arc`), so it is dropped with the socket.
#[derive(Clone, Debug)]
pub struct Timer {
    /// Never read: it is here to be dropped.
    _abort: Arc<AbortOnDrop>,
}

impl Timer {
    pub fn new(task: AbortHandle) -> Self {
        Timer {
            _abort: Arc::new(AbortOnDrop(task)),
        }
    }
}

#[derive(Debug)]
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
// ANCHOR_END: timer

/// How long until `exp` (seconds since the Unix epoch); zero if it passed.
pub fn until(exp: u64) -> Duration {
    (UNIX_EPOCH + Duration::from_secs(exp))
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO)
}
