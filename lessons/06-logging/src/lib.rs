//! Lesson 06: logging.
//!
//! An operator who wants to know who connects, from where, and for how long
//! reads the log. So every connection attempt, accepted or not, leaves one
//! structured line, and every disconnect another, in a shape a machine can
//! search. What never reaches the log is what would let a reader of the log
//! act as the user: the token, the password, its hash, an `Authorization`
//! header.

pub mod auth;
pub mod logging;

use axum::Router;
use serde_json::Value;
use socketioxide::extract::{AckSender, Extension, SocketRef};
use socketioxide::handler::ConnectHandler;
use workbook::Context;
use workbook::users::PublicUser;

pub use logging::logging;

/// The server: `/` for anyone and `/chat` for users, both logged, and the
/// shared auth routes.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let (layer, io) = workbook::socket_io().with_state(ctx.clone()).build_layer();

    // The last `.with()` runs first: the attempt is logged before anything
    // can refuse it, so refused attempts are in the log too.
    io.ns("/", on_connect.with(register_public).with(logging("/")));
    io.ns(
        "/chat",
        on_chat_connect
            .with(register_chat)
            .with(auth::authenticate)
            .with(logging("/chat")),
    );

    Ok(Router::new()
        .merge(workbook::auth::routes(&ctx))
        .layer(layer))
}

/// `/` lets anyone in; `whoami` says so with `null`. Events are registered
/// in a middleware: socketioxide confirms the connection before the connect
/// handler runs, and an event that arrives before its handler is dropped.
async fn register_public(socket: SocketRef) -> Result<(), std::convert::Infallible> {
    socket.on("whoami", async |ack: AckSender| {
        let _ = ack.send(&Value::Null);
    });
    Ok(())
}

/// `/chat` knows its user: `whoami` answers with it, `{id, name, role}`.
async fn register_chat(socket: SocketRef) -> Result<(), std::convert::Infallible> {
    socket.on(
        "whoami",
        async |Extension(user): Extension<PublicUser>, ack: AckSender| {
            let _ = ack.send(&user);
        },
    );
    Ok(())
}

async fn on_connect() {}

/// Once `/chat` has let a user in, the log says who: the user's id and
/// name. A name is whatever the user chose, quotes and line breaks
/// included; as a field value it is escaped like any other.
async fn on_chat_connect(socket: SocketRef, Extension(user): Extension<PublicUser>) {
    tracing::info!(
        event = "connected",
        namespace = "/chat",
        socketId = %socket.id,
        userId = %user.id,
        user = %user.name,
        "connected"
    );
}

// Lesson 06's suite (tests/src/suites/06-logging), which
// `cargo xtask check 06` runs against this crate: keep these lines.
#[cfg(test)]
logging_suite::run!(crate::app);
