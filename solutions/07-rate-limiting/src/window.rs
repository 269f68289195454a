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
// ANCHOR: admit
/// The sliding log's rule. An event at `t` counts while `now - t < window`.
/// Drop the events that no longer count (the oldest are at the front); if
/// fewer than `max` remain, record `now` and let it through; otherwise the
/// caller must wait until the oldest one leaves the window.
fn admit(
    log: &mut VecDeque<Instant>,
    max: usize,
    window: Duration,
    now: Instant,
) -> Result<(), Duration> {
    while let Some(&oldest) = log.front() {
        if now.duration_since(oldest) < window {
            break;
        }
        log.pop_front();
    }
    match log.front() {
        Some(&oldest) if log.len() >= max => Err(window - now.duration_since(oldest)),
        _ => {
            log.push_back(now);
            Ok(())
        }
    }
}
// ANCHOR_END: admit
// EXERCISE_END: admit

// EXERCISE: retry_after_secs
// ANCHOR: retry_after_secs
/// `retryAfter` in whole seconds, rounded up: a client told "0" or told one
/// second too few would try again while still limited.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}
// ANCHOR_END: retry_after_secs
// EXERCISE_END: retry_after_secs
