//! The Socket.IO layer every lesson starts from.

use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderValue, Uri};
use socketioxide::{SocketIo, SocketIoBuilder};

// ANCHOR: limit
/// The largest message a client may send, handshake included: 1 MB, as in
/// Node's Socket.IO. socketioxide's own defaults differ by transport (100 KB
/// for HTTP long-polling, 64 MiB for WebSocket); one limit for both means a
/// client cannot make a middleware parse a "token" of many megabytes.
pub const MAX_MESSAGE_BYTES: usize = 1_000_000;

/// The first read buffer of each WebSocket, in bytes (engineioxide's default
/// is 4 KiB). Every socket holds one for as long as it is open, all of it
/// touched, so it is RSS paid per idle socket. Socket.IO events are small:
/// 1 KiB holds a chat message whole. A bigger message still arrives whole
/// (the buffer grows to its size), read 1 KiB per system call instead of
/// 4 KiB: a 1 MB message costs about 1,000 reads instead of 250. Memory per
/// socket against throughput on large messages: `cargo xtask bench` shows
/// the first, the book's appendix "What a socket costs" both.
pub const WS_READ_BUFFER_BYTES: usize = 1024;

/// A socketioxide builder with [`MAX_MESSAGE_BYTES`] on both transports.
/// Add the lesson's state and build the layer:
/// `workbook::socket_io().with_state(ctx.clone()).build_layer()`.
///
/// `max_buffer_size` (how many packets may wait for a slow client, 128) is
/// left alone: engineioxide's queue allocates its first block of 32 slots
/// whatever the bound, so a smaller bound saves no memory on an idle socket;
/// it only makes a burst to a slow client fail sooner.
pub fn socket_io() -> SocketIoBuilder {
    SocketIo::builder()
        .max_payload(MAX_MESSAGE_BYTES as u64)
        .ws_max_message_size(MAX_MESSAGE_BYTES)
        .ws_read_buffer_size(WS_READ_BUFFER_BYTES)
}
// ANCHOR_END: limit

// ANCHOR: detach
/// Gives a request's header values and URI their own memory. Every server
/// of the workbook runs each request through it (see [`crate::start`]).
///
/// hyper parses a request without copying: each header value and the URI
/// are slices of the connection's read buffer, and keep all of it
/// alive. engineioxide keeps the handshake request's headers for the whole
/// life of a socket (`socket.req_parts()`, where middleware reads the
/// `Cookie`, the `Origin` or the `User-Agent`), so every open socket held a
/// read buffer it would never use again (16 KiB per socket in a heap
/// profile). Copied, the few hundred bytes of headers are all that stays.
pub async fn detach_request(mut request: Request) -> Request {
    for value in request.headers_mut().values_mut() {
        // Every byte hyper accepted in a value is one `from_bytes` accepts;
        // should that ever differ, the value stays as it was.
        if let Ok(mut owned) = HeaderValue::from_bytes(value.as_bytes()) {
            owned.set_sensitive(value.is_sensitive());
            *value = owned;
        }
    }
    *request.uri_mut() = owned_uri(request.uri());
    // axum's router keeps a clone of the URI as it arrived, for the
    // `OriginalUri` extractor: a second hold on the same buffer.
    if let Some(OriginalUri(uri)) = request.extensions_mut().get_mut::<OriginalUri>() {
        *uri = owned_uri(uri);
    }
    request
}

/// The same URI in memory of its own: from a `String`, a URI owns its bytes.
fn owned_uri(uri: &Uri) -> Uri {
    Uri::try_from(uri.to_string()).unwrap_or_else(|_| uri.clone())
}
// ANCHOR_END: detach

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn detaching_keeps_every_header_and_the_uri() {
        let request = Request::builder()
            .uri("/socket.io/?EIO=4&transport=websocket")
            .header("cookie", "sid=abc")
            .header("x-forwarded-for", "10.0.0.1")
            .header("x-forwarded-for", "10.0.0.2")
            .body(axum::body::Body::empty())
            .unwrap();
        let mut authorization = HeaderValue::from_static("Bearer secret");
        authorization.set_sensitive(true);
        let mut request = request;
        request.headers_mut().insert("authorization", authorization);
        let original = OriginalUri(Uri::from_static("/base/socket.io/?EIO=4"));
        request.extensions_mut().insert(original);
        let before = (request.uri().clone(), request.headers().clone());

        let after = detach_request(request).await;
        assert_eq!((after.uri().clone(), after.headers().clone()), before);
        assert!(after.headers()["authorization"].is_sensitive());
        let OriginalUri(original) = after.extensions().get::<OriginalUri>().unwrap();
        assert_eq!(original, "/base/socket.io/?EIO=4");
    }
}
