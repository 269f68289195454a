//! The event-level limit: a sliding log of when each recent event happened.
//!
//! A socket may send at most `max` events in any `window`-long stretch of
//! time, whenever that stretch starts. The log keeps the time of each
//! accepted event still inside the window, oldest first; an event is let
//! through when fewer than `max` remain once the expired ones are dropped.
//! It costs one `Instant` (16 bytes) per accepted event, at most `max` per
//! socket, and the log goes away with its socket.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One socket's limit for one kind of event.
pub struct SlidingWindow {
    max: usize,
    window: Duration,
    /// When each accepted event still in the window arrived, oldest first.
    log: Mutex<VecDeque<Instant>>,
}

impl SlidingWindow {
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window,
            log: Mutex::new(VecDeque::new()),
        }
    }

    /// Lets an event that arrives at `now` through, or says how long until
    /// one would be. A refused event is not recorded: a client that keeps
    /// knocking does not push its own release further away.
    pub fn try_record(&self, now: Instant) -> Result<(), Duration> {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        admit(&mut log, self.max, self.window, now)
    }
}

// EXERCISE: admit
/// The sliding log's rule. An event at `t` still counts while
/// `now - t < window`. Drop the events that no longer count (the oldest
/// are at the front of `log`); if fewer than `max` remain, record `now` and
/// return `Ok(())`; otherwise return how long until the oldest one leaves
/// the window, and record nothing.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
fn admit(
    log: &mut VecDeque<Instant>,
    max: usize,
    window: Duration,
    now: Instant,
) -> Result<(), Duration> {
    todo!("slide the window, then count (chapter 07, \"A sliding log\")")
}
// EXERCISE_END: admit

// EXERCISE: retry_after_secs
/// `retryAfter`: `wait` in whole seconds, rounded up (1 ms is 1 s; 1000 ms
/// is 1 s; 1001 ms is 2 s).
#[allow(unused_variables)] // Remove this line once the body uses `wait`.
pub fn retry_after_secs(wait: Duration) -> u64 {
    todo!("round up to whole seconds (chapter 07, \"Telling the client when\")")
}
// EXERCISE_END: retry_after_secs
