//! Who is online, in this process: each user's sockets, and the users whose
//! last socket has just left and who may still come back.
//!
//! A user is online from their first socket until the grace period after
//! their last one has passed with no socket coming back. A tab refresh, a
//! train going through a tunnel or a phone switching from Wi-Fi to 4G all
//! close a socket and open another a moment later; without the grace period
//! every one of them would tell the user's friends "gone" and then nothing
//! (this lesson has no "back" event) or, worse, a flicker of both.
//!
//! Everything here is one table behind one mutex, never held across an
//! `.await`: each method reads and changes it in one step, so two sockets of
//! one user leaving at the same moment cannot both believe they were last.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use socketioxide::socket::Sid;

/// The presence table. Cloning is cheap and every clone sees the same table.
#[derive(Clone, Debug, Default)]
pub struct Presence(Arc<Mutex<Table>>);

// ANCHOR: table
#[derive(Debug, Default)]
struct Table {
    /// Each user with at least one socket, and those sockets (one per tab
    /// or device). A user whose last socket leaves loses the entry, so the
    /// table never grows with users who have left.
    sockets: HashMap<String, HashSet<Sid>>,
    /// Users in their grace period: no socket, not yet offline. The value is
    /// the ticket of the one timer that may still declare them offline.
    leaving: HashMap<String, Ticket>,
}

/// The right to end one grace period: the id of the socket whose leave
/// started it (socket ids are never reused). A timer holds it while it
/// sleeps; a reconnect, or a later leave with a ticket of its own, takes
/// the right away, and the timer wakes up to find it is no longer current.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(Sid);
// ANCHOR_END: table

impl Presence {
    fn table(&self) -> MutexGuard<'_, Table> {
        // A panic while the lock was held leaves the table as it was at the
        // panic; keep serving rather than poison every later connection.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ANCHOR: arrive
    // EXERCISE: arrive
    /// A socket of `user_id` is in. A user in their grace period is back:
    /// removing their ticket is what cancels the pending "offline".
    pub fn arrive(&self, user_id: &str, socket: Sid) {
        let mut table = self.table();
        table.leaving.remove(user_id);
        table
            .sockets
            .entry(user_id.to_owned())
            .or_default()
            .insert(socket);
    }
    // EXERCISE_END: arrive
    // ANCHOR_END: arrive

    // ANCHOR: leave
    // EXERCISE: leave
    /// A socket of `user_id` is gone. When it was the user's last one, the
    /// entry goes, the grace period starts, and the returned ticket is the
    /// only one that may end it. Another device still connected: `None`,
    /// the user is still online.
    pub fn leave(&self, user_id: &str, socket: Sid) -> Option<Ticket> {
        let mut table = self.table();
        let sockets = table.sockets.get_mut(user_id)?;
        sockets.remove(&socket);
        if !sockets.is_empty() {
            return None;
        }
        table.sockets.remove(user_id);
        let ticket = Ticket(socket);
        // Replaces any older ticket: only the latest leave's timer counts.
        table.leaving.insert(user_id.to_owned(), ticket);
        Some(ticket)
    }
    // EXERCISE_END: leave
    // ANCHOR_END: leave

    // ANCHOR: expire
    // EXERCISE: expire
    /// The grace period of `ticket` is over. True when the user is really
    /// gone: `ticket` is still theirs (no socket came back, no later leave
    /// replaced it). Either way a stale ticket is forgotten, never acted on.
    pub fn expire(&self, user_id: &str, ticket: Ticket) -> bool {
        let mut table = self.table();
        if table.leaving.get(user_id) != Some(&ticket) {
            return false;
        }
        table.leaving.remove(user_id);
        true
    }
    // EXERCISE_END: expire
    // ANCHOR_END: expire

    /// Online: a socket is connected, or the grace period is still running.
    pub fn is_online(&self, user_id: &str) -> bool {
        let table = self.table();
        table.sockets.contains_key(user_id) || table.leaving.contains_key(user_id)
    }

    /// How many sockets `user_id` has right now.
    pub fn sockets(&self, user_id: &str) -> usize {
        self.table().sockets.get(user_id).map_or(0, HashSet::len)
    }

    /// How many users have at least one socket.
    pub fn tracked_users(&self) -> usize {
        self.table().sockets.len()
    }
}
