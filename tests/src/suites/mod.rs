//! One folder per lesson, named like the lesson's crate: its suite
//! (`mod.rs`) and its snapshots (`snapshots/<case>.snap`).

use crate::Suite;

/// Declares each suite's module and lists it in [`ALL`]: adding a lesson's
/// suite is one line here.
macro_rules! suites {
    ($($path:literal => $name:ident,)*) => {
        $(
            #[path = $path]
            pub mod $name;
        )*

        /// Every suite, for the harness's own checks
        /// (`tests/tests/registration.rs` proves no folder is missing here).
        pub static ALL: &[&Suite] = &[$(&$name::SUITE),*];
    };
}

suites! {
    "01-basic-middleware/mod.rs" => basic_middleware,
    "02-jwt-auth/mod.rs" => jwt_auth,
    "03-error-data/mod.rs" => error_data,
    "04-chaining/mod.rs" => chaining,
    "05-namespaces/mod.rs" => namespaces,
    "06-logging/mod.rs" => logging,
    "07-rate-limiting/mod.rs" => rate_limiting,
    "08-disconnect-cleanup/mod.rs" => disconnect_cleanup,
    "09-notifications/mod.rs" => notifications,
    "10-session-auth/mod.rs" => session_auth,
    "11-scale-out/mod.rs" => scale_out,
    "12-securing-events/mod.rs" => securing_events,
}
