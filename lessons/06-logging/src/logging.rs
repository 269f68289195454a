//! The logging middleware: one JSON line per connection attempt and one per
//! disconnect, for every namespace that asks for it.
//!
//! The lines are `tracing` events. The subscriber that `workbook::run` sets
//! up for this lesson writes each event as one JSON object on stdout, with
//! the time (`timestamp`, RFC 3339) and level it adds itself. The encoder
//! escapes every value it writes, so a client that puts quotes in its
//! `User-Agent`, or a user whose name holds a line break, cannot end our
//! line and start a forged one.

use std::convert::Infallible;

use serde_json::Value;
use socketioxide::adapter::LocalAdapter;
use socketioxide::extract::{SocketRef, TryData};
use socketioxide::handler::ConnectMiddleware;
use socketioxide::socket::DisconnectReason;

/// The logging middleware for `namespace` (`"/"`, `"/chat"`).
///
/// A function that returns a middleware, rather than a middleware: each
/// namespace gets its own, which knows its name without asking the socket.
/// The closure captures `namespace` (a `&'static str`, so it is `Copy`,
/// `Send` and `Sync`) and hands each attempt to [`log_attempt`].
///
/// Its type cannot be written out (every closure has a type of its own), so
/// the return type names the trait socketioxide's `.with()` asks for: a
/// [`ConnectMiddleware`] whose arguments are these two extractors.
pub fn logging(
    namespace: &'static str,
) -> impl ConnectMiddleware<LocalAdapter, (SocketRef, TryData<Value>)> {
    move |socket: SocketRef, TryData(auth): TryData<Value>| {
        log_attempt(namespace, socket, auth.unwrap_or_default())
    }
}

// EXERCISE: auth_state
/// `"provided"` when the handshake's `auth` brings a token, `"none"` when it
/// does not. As everywhere in the workbook, a missing `token`, `null` and
/// `""` are no token; any other value, even one that is not a string,
/// counts as provided.
#[allow(unused_variables)] // Remove this line once the body uses `auth`.
pub fn auth_state(auth: &Value) -> &'static str {
    todo!("say whether a token came, never which (chapter 06, \"What goes in a line\")")
}
// EXERCISE_END: auth_state

// EXERCISE: log_attempt
/// Logs one attempt on `namespace` with `tracing::info!`: `event =
/// "connection_attempt"`, `namespace`, `socketId`, `ip`, `userAgent` and
/// `auth` ([`auth_state`]). Then registers `socket.on_disconnect(..)`, which
/// logs `event = "disconnect"`, `namespace`, `socketId`, `reason`
/// ([`reason_text`]) and `durationMs`, counted from this attempt. Never
/// refuses, and never logs the token or the `auth` object.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
async fn log_attempt(
    namespace: &'static str,
    socket: SocketRef,
    auth: Value,
) -> Result<(), Infallible> {
    todo!("log the attempt, then the disconnect (chapter 06, \"The middleware\")")
}
// EXERCISE_END: log_attempt

/// The reason as Node's Socket.IO words it, the vocabulary dashboards and
/// alerts built for Socket.IO already know.
pub fn reason_text(reason: DisconnectReason) -> &'static str {
    match reason {
        DisconnectReason::TransportClose => "transport close",
        DisconnectReason::TransportError | DisconnectReason::MultipleHttpPollingError => {
            "transport error"
        }
        DisconnectReason::PacketParsingError => "parse error",
        DisconnectReason::HeartbeatTimeout => "ping timeout",
        DisconnectReason::ClientNSDisconnect => "client namespace disconnect",
        DisconnectReason::ServerNSDisconnect => "server namespace disconnect",
        DisconnectReason::ClosingServer => "server shutting down",
    }
}
