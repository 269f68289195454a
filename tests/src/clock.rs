//! The wall clock, as the contract's timestamps read it: milliseconds since
//! 1970, like JavaScript's `Date.now()`.

use std::time::{SystemTime, UNIX_EPOCH};

/// How far a server's timestamp may stand from the test's clock: wide
/// enough for a slow machine, narrow enough that seconds (a thousand times
/// too small) or microseconds (a thousand times too large) fail.
const SLACK_MS: u64 = 60_000;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    u64::try_from(since.as_millis()).expect("milliseconds since 1970 fit in a u64")
}

/// Fails unless `ms` is now, in milliseconds since 1970, within a minute.
/// `what` says where it came from, for the failure message.
pub fn assert_now_ms(ms: Option<u64>, what: &str) {
    let now = now_ms();
    assert!(
        ms.is_some_and(|t| t + SLACK_MS > now && t < now + SLACK_MS),
        "{what}"
    );
}
