//! Lesson 05: namespaces.
//!
//! One server, four doors, four locks. A namespace is a separate channel on
//! the same connection, with its own middleware, rooms and events:
//!
//! | namespace | guards | events |
//! |---|---|---|
//! | `/` | logging only | `whoami` → `null` |
//! | `/chat` | authentication | `whoami` |
//! | `/admin` | authentication, then the admin role | `whoami`, `disconnect-user`, `online-users` |
//! | `/public` | none | `whoami` → `null` |
//!
//! Any other namespace is refused with `Invalid namespace`.

pub mod admin;
pub mod auth;
pub mod devices;
pub mod events;
pub mod refusal;

use axum::Router;
use socketioxide::SocketIo;
use workbook::Context;

use devices::Devices;

/// The server: the four namespaces and the shared auth routes.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let (layer, io) = workbook::socket_io()
        .with_state(ctx.clone())
        .with_state(Devices::default())
        .build_layer();
    namespaces(&io);
    Ok(Router::new()
        .merge(workbook::auth::routes(&ctx))
        .layer(layer))
}

// EXERCISE: namespaces
/// Registers the four namespaces, each with its own chain (the last
/// `.with()` runs first):
///
/// - `/`: `events::log_attempt`, then `events::register_anonymous`;
/// - `/chat`: `auth::authenticate`, then `events::register_member`;
/// - `/admin`: `auth::authenticate`, `admin::require_admin`, then
///   `events::register_admin`;
/// - `/public`: `events::register_anonymous` only.
///
/// Each ends in the connect handler `events::on_connect`. Any other
/// namespace must not exist.
#[allow(unused_variables)] // Remove this line once the body uses `io`.
fn namespaces(io: &SocketIo) {
    todo!("register the four namespaces, each with its own chain (chapter 05, \"Four doors\")")
}
// EXERCISE_END: namespaces

// Lesson 05's suite (tests/src/suites/05-namespaces), which
// `cargo xtask check 05` runs against this crate: keep these lines.
#[cfg(test)]
namespaces_suite::run!(crate::app);
