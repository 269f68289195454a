//! The socket test harness, and every lesson's suite.
//!
//! A suite is written once, here, and run against two crates: the learner's
//! `lessons/NN-name` and the reference `solutions/NN-name`. Each crate's
//! `tests/suite.rs` is one line, e.g. `harness::lesson_01!(basic_middleware::app);`,
//! which expands to one `#[test]` per case. Snapshots live beside the suites,
//! in `src/lessons/snapshots/`, so both crates are held to the same files.
//!
//! - [`TestApp`] spawns a lesson's server on port 0 with a fresh store;
//! - [`TestApp::socket`] connects and waits for the server's answer;
//! - [`wait()`] bounds every wait and fails fast when the server panics.

mod app;
pub mod lessons;
mod socket;
mod wait;

pub use app::{App, TEST_JWT_SECRET, TestApp, TestUser};
pub use socket::{ConnectError, Received, Socket, SocketBuilder};
pub use wait::{run, timeout, wait};

/// Expands to one `#[test]` per case of a lesson's suite, each running the
/// case against `$app`. Lesson macros such as [`lesson_01!`] call this.
#[doc(hidden)]
#[macro_export]
macro_rules! suite {
    ($app:path => $($suite:ident)::+ [$($case:ident),* $(,)?]) => {
        use $($suite)::+ as cases;
        $(
            #[test]
            fn $case() {
                $crate::run(stringify!($case), cases::$case($crate::App::new($app)));
            }
        )*
    };
}
