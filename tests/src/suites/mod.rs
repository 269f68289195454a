//! One folder per lesson, named like the lesson's crate: its suite
//! (`mod.rs`) and its snapshots (`snapshots/<case>.snap`).

#[path = "01-basic-middleware/mod.rs"]
pub mod basic_middleware;
#[path = "04-chaining/mod.rs"]
pub mod chaining;
#[path = "08-disconnect-cleanup/mod.rs"]
pub mod disconnect_cleanup;
#[path = "03-error-data/mod.rs"]
pub mod error_data;
#[path = "02-jwt-auth/mod.rs"]
pub mod jwt_auth;
#[path = "06-logging/mod.rs"]
pub mod logging;
#[path = "05-namespaces/mod.rs"]
pub mod namespaces;
#[path = "09-notifications/mod.rs"]
pub mod notifications;
#[path = "07-rate-limiting/mod.rs"]
pub mod rate_limiting;
#[path = "11-scale-out/mod.rs"]
pub mod scale_out;
#[path = "12-securing-events/mod.rs"]
pub mod securing_events;
#[path = "10-session-auth/mod.rs"]
pub mod session_auth;

use crate::Suite;

/// Every suite, for the harness's own checks (`tests/tests/registration.rs`
/// proves no folder is missing here).
pub static ALL: &[&Suite] = &[
    &basic_middleware::SUITE,
    &jwt_auth::SUITE,
    &error_data::SUITE,
    &chaining::SUITE,
    &namespaces::SUITE,
    &logging::SUITE,
    &rate_limiting::SUITE,
    &session_auth::SUITE,
    &scale_out::SUITE,
    &securing_events::SUITE,
    &disconnect_cleanup::SUITE,
    &notifications::SUITE,
];
