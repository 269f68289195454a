//! The Socket.IO layer every lesson starts from.

use socketioxide::{SocketIo, SocketIoBuilder};

// ANCHOR: limit
/// The largest message a client may send, handshake included: 1 MB, as in
/// Node's Socket.IO. socketioxide's own defaults differ by transport (100 KB
/// for HTTP long-polling, 64 MiB for WebSocket); one limit for both means a
/// client cannot make a middleware parse a "token" of many megabytes.
pub const MAX_MESSAGE_BYTES: usize = 1_000_000;

/// A socketioxide builder with [`MAX_MESSAGE_BYTES`] on both transports.
/// Add the lesson's state and build the layer:
/// `workbook::socket_io().with_state(ctx.clone()).build_layer()`.
pub fn socket_io() -> SocketIoBuilder {
    SocketIo::builder()
        .max_payload(MAX_MESSAGE_BYTES as u64)
        .ws_max_message_size(MAX_MESSAGE_BYTES)
}
// ANCHOR_END: limit
