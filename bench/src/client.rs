//! Just enough of a Socket.IO v5 client over Engine.IO v4's WebSocket
//! transport: open, CONNECT with credentials, wait for the answer, answer
//! pings. No polling, no upgrade, no reconnection: the bench measures the
//! server, and a client that does less keeps its own cost out of the way.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context as _, bail};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::COOKIE;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

pub type Ws = WebSocketStream<TcpStream>;

/// How long one handshake may take before the run fails.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

/// Where the sockets go and how they prove who they are.
pub struct Target {
    pub addr: SocketAddr,
    pub namespace: String,
    pub auth: Auth,
}

pub enum Auth {
    /// `auth.token` in the CONNECT packet.
    Token(String),
    /// A `Cookie` header on the WebSocket request (lesson 10's session).
    Cookie(String),
}

/// Opens a WebSocket and a Socket.IO session in the target's namespace, and
/// returns once the server has accepted it.
pub async fn handshake(target: &Target) -> anyhow::Result<Ws> {
    tokio::time::timeout(HANDSHAKE_TIMEOUT, try_handshake(target))
        .await
        .with_context(|| {
            format!(
                "no answer to a handshake within {} s",
                HANDSHAKE_TIMEOUT.as_secs()
            )
        })?
}

async fn try_handshake(target: &Target) -> anyhow::Result<Ws> {
    assert!(
        target.addr.ip().is_loopback(),
        "the bench stays on loopback"
    );
    let stream = TcpStream::connect(target.addr)
        .await
        .with_context(|| format!("connecting to {}", target.addr))?;
    stream.set_nodelay(true)?;
    let url = format!("ws://{}/socket.io/?EIO=4&transport=websocket", target.addr);
    let mut request = url.into_client_request()?;
    if let Auth::Cookie(cookie) = &target.auth {
        request
            .headers_mut()
            .insert(COOKIE, HeaderValue::from_str(cookie)?);
    }
    // Small buffers: 5,000 sockets with tungstenite's default 128 KiB read
    // buffer would cost the client 640 MB. The messages here are tiny.
    let config = WebSocketConfig::default()
        .read_buffer_size(1024)
        .write_buffer_size(0);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config))
        .await
        .context("the WebSocket upgrade")?;

    // Engine.IO OPEN: `0{"sid":...,"pingInterval":...}`.
    let open = next_text(&mut ws).await?;
    if !open.starts_with('0') {
        bail!("expected Engine.IO's open packet, got {open:?}");
    }

    // Socket.IO CONNECT: `40` + `/ns,` outside the main namespace + auth.
    let prefix = if target.namespace == "/" {
        String::new()
    } else {
        format!("{},", target.namespace)
    };
    let auth = match &target.auth {
        Auth::Token(token) => json!({ "token": token }),
        Auth::Cookie(_) => json!({}),
    };
    ws.send(Message::text(format!("40{prefix}{auth}"))).await?;

    loop {
        let text = next_text(&mut ws).await?;
        if text == "2" {
            ws.send(Message::text("3")).await?;
        } else if let Some(rest) = text.strip_prefix("40") {
            if rest.starts_with(&prefix) {
                return Ok(ws);
            }
        } else if let Some(rest) = text.strip_prefix("44") {
            let body = rest.strip_prefix(&prefix).unwrap_or(rest);
            let message = serde_json::from_str::<Value>(body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| body.to_owned());
            bail!("the server refused the handshake: {message}");
        }
        // Anything else (an event sent on connection) is not our business.
    }
}

/// The next text frame; pings at the WebSocket level are answered by
/// tungstenite itself.
async fn next_text(ws: &mut Ws) -> anyhow::Result<Utf8Bytes> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => return Ok(text),
            Some(Ok(Message::Close(_))) | None => bail!("the server closed the connection"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e).context("reading from the socket"),
        }
    }
}

/// Closes a socket politely: Socket.IO DISCONNECT, then the WebSocket
/// close handshake. Errors do not matter any more.
pub async fn close(mut ws: Ws) {
    let _ = ws.send(Message::text("41")).await;
    let _ = ws.close(None).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

/// Keeps a socket alive, answering the server's pings, until `stop` turns
/// true; then closes it. `false` when the server closed it first.
pub async fn hold(mut ws: Ws, mut stop: watch::Receiver<bool>) -> bool {
    loop {
        let message = tokio::select! {
            () = stopped(&mut stop) => {
                close(ws).await;
                return true;
            }
            message = ws.next() => message,
        };
        match message {
            Some(Ok(Message::Text(text))) if text == "2" => {
                if ws.send(Message::text("3")).await.is_err() {
                    return false;
                }
            }
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return false,
            Some(Ok(_)) => {}
        }
    }
}

/// Completes once `stop` turns true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // `wait_for`'s answer borrows the channel: dropped here, before the
    // caller awaits anything else.
    let _ = stop.wait_for(|stop| *stop).await;
}
