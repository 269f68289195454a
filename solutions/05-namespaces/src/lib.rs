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
// ANCHOR: namespaces
/// Registers each namespace with its own chain. As in chapter 04, the last
/// `.with()` runs first. A namespace that is not registered here does not
/// exist: socketioxide answers `Invalid namespace` by itself. (`io.dyn_ns`
/// would create namespaces on demand from a pattern; that is a door for
/// every name that matches, so it is not used here.)
fn namespaces(io: &SocketIo) {
    use socketioxide::handler::ConnectHandler;

    io.ns(
        "/",
        events::on_connect
            .with(events::register_anonymous)
            .with(events::log_attempt),
    );
    io.ns(
        "/chat",
        events::on_connect
            .with(events::register_member)
            .with(auth::authenticate),
    );
    io.ns(
        "/admin",
        events::on_connect
            .with(events::register_admin)
            .with(admin::require_admin) // then: is this user an admin?
            .with(auth::authenticate), // first: who is this?
    );
    io.ns(
        "/public",
        events::on_connect.with(events::register_anonymous),
    );
}
// ANCHOR_END: namespaces
// EXERCISE_END: namespaces

// Lesson 05's suite (tests/src/suites/05-namespaces), which
// `cargo xtask check 05` runs against this crate: keep these lines.
#[cfg(test)]
namespaces_suite::run!(crate::app);
