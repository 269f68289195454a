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

// ANCHOR: factory
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
// ANCHOR_END: factory

// EXERCISE: auth_state
// ANCHOR: auth_state
/// `"provided"` when the handshake brings a token, `"none"` otherwise: the
/// log says *whether* the client tried to authenticate, never with what.
///
/// "A token" follows the contract: a missing `token`, `null` and `""` are
/// none. Any other value is provided, even one of the wrong type: the client
/// sent something, and the next middleware will refuse it.
pub fn auth_state(auth: &Value) -> &'static str {
    match auth.get("token") {
        None | Some(Value::Null) => "none",
        Some(Value::String(token)) if token.is_empty() => "none",
        Some(_) => "provided",
    }
}
// ANCHOR_END: auth_state
// EXERCISE_END: auth_state

// EXERCISE: log_attempt
// ANCHOR: log_attempt
/// Logs one attempt on `namespace`, and arranges for the socket's
/// disconnect to be logged with how long it lasted. It never refuses: a
/// logger that could turn clients away would be an outage waiting to happen.
async fn log_attempt(
    namespace: &'static str,
    socket: SocketRef,
    auth: Value,
) -> Result<(), Infallible> {
    // Where the attempt comes from. axum puts the peer's address in the
    // request's extensions (the server is started with connect info), and
    // socketioxide keeps the handshake request's parts for the socket.
    let parts = socket.req_parts();
    let ip = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_canonical().to_string());
    // A header is bytes. Lossy decoding keeps a line for a client that sends
    // bytes that are not UTF-8, instead of dropping the field.
    let user_agent = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());

    // Each `name = value` becomes a JSON field. `%` records a value with its
    // `Display`; an `Option` that is `None` leaves its field out. The token
    // is not among them, and neither is the `auth` object it came in.
    tracing::info!(
        event = "connection_attempt",
        namespace,
        socketId = %socket.id,
        ip,
        userAgent = user_agent,
        auth = auth_state(&auth),
        "connection attempt"
    );

    // The clock starts now. socketioxide calls the disconnect handler only
    // for a socket that every middleware let in, so a refused attempt leaves
    // exactly one line, and an accepted one two.
    let started = std::time::Instant::now();
    socket.on_disconnect(
        move |socket: SocketRef, reason: DisconnectReason| async move {
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            tracing::info!(
                event = "disconnect",
                namespace,
                socketId = %socket.id,
                reason = reason_text(reason),
                durationMs = duration_ms,
                "disconnect"
            );
        },
    );
    Ok(())
}
// ANCHOR_END: log_attempt
// EXERCISE_END: log_attempt

// ANCHOR: reason_text
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
// ANCHOR_END: reason_text
