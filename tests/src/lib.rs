//! The socket test harness that every lesson's suite is written with.
//!
//! A suite is written once, in `src/suites/NN-name/` (a crate of its own,
//! `NAME-suite`, with its snapshots beside it), and run against two crates:
//! the learner's `lessons/NN-name` and the reference `solutions/NN-name`.
//! Each ends its `src/lib.rs` with `#[cfg(test)] basic_middleware_suite::run!(crate::app);`,
//! which expands to one `#[test]` per case (see [`cases!`]) in the crate's
//! own test binary: no second binary to link after each edit. Both crates
//! are held to the same files, and checking one lesson compiles one suite.
//!
//! - [`TestApp`] starts a lesson's server on port 0 with a fresh store,
//!   through the same [`workbook::start`] its `main` uses;
//! - [`TestApp::socket`] connects and waits for the server's answer;
//! - [`wait()`] bounds every wait and fails fast when the server panics;
//! - [`attacks`] makes every hostile handshake of the contract, and
//!   [`rooms`] checks lesson 02's room rules and [`admin`] lesson 05's
//!   per-event check, for every suite that keeps them;
//! - [`clock`] reads timestamps as the contract writes them;
//! - the server's `tracing` output is caught per test and shown with a
//!   failure ([`TestApp::logs`] reads it).

pub mod admin;
mod app;
pub mod attacks;
mod cases;
pub mod clock;
pub mod grader;
pub mod logs;
pub mod polling;
pub mod rooms;
mod socket;
pub mod source_ip;
mod threads;
pub mod transcript;
mod wait;

pub use app::{App, TEST_JWT_SECRET, TestApp, TestUser, unique_database_name};
pub use cases::{Attacks, Case, Outcome, Suite, run_case};
pub use socket::{ConnectError, Received, Socket, SocketBuilder};
pub use wait::{run, timeout, wait};
