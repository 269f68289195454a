//! A bare Socket.IO handshake over HTTP long-polling, for churn tests.
//!
//! `rust_socketio` takes most of a second to open and close a connection
//! (it upgrades to a WebSocket and waits on its background tasks), so a
//! thousand connect/disconnect cycles would take minutes. [`cycle`] speaks
//! just enough of Engine.IO 4 and Socket.IO 5 over plain HTTP requests to
//! join a namespace and leave again, a few milliseconds each:
//!
//! 1. `GET /socket.io/?EIO=4&transport=polling` opens a session (`0{"sid":..}`);
//! 2. `POST` the CONNECT packet `40/ns,{auth}` (`40{auth}` for `/`);
//! 3. `GET` the answer: `40/ns,{"sid":..}` (in) or `44/ns,{"message":..}` (refused);
//! 4. `POST` the Engine.IO CLOSE packet `1`, which ends every socket of the
//!    session, as a browser tab that goes away would.

use serde_json::Value;

/// Engine.IO's separator between packets in one polling payload.
const SEPARATOR: char = '\u{1e}';

/// An open Engine.IO session that has joined one namespace.
pub struct Session {
    http: reqwest::Client,
    url: String,
}

/// Opens a session at `base` (e.g. `http://127.0.0.1:4000/`) and joins
/// `namespace` with `auth`: the [`Session`] when the server lets the socket
/// in, the `connect_error` message when it refuses (the session is closed
/// then).
pub async fn connect(
    http: &reqwest::Client,
    base: &str,
    namespace: &str,
    auth: &Value,
) -> Result<Session, String> {
    let endpoint = format!("{base}socket.io/?EIO=4&transport=polling");
    let open = get(http, &endpoint).await;
    let handshake: Value = open
        .strip_prefix('0')
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_else(|| panic!("an Engine.IO handshake, got {open:?}"));
    let sid = handshake["sid"].as_str().expect("a session id");
    let session = Session {
        http: http.clone(),
        url: format!("{endpoint}&sid={sid}"),
    };

    // A Socket.IO packet is its type (CONNECT 0, CONNECT_ERROR 4) after
    // Engine.IO's MESSAGE 4, then the namespace and a comma unless it is
    // `/`, then the JSON.
    let ns = if namespace == "/" {
        String::new()
    } else {
        format!("{namespace},")
    };
    post(http, &session.url, format!("40{ns}{auth}")).await;
    let answer = crate::wait("the answer to a CONNECT packet", async {
        loop {
            let payload = get(http, &session.url).await;
            let packet = payload.split(SEPARATOR).find_map(|packet| {
                let (kind, rest) = packet.strip_prefix('4')?.split_at_checked(1)?;
                let json = rest.strip_prefix(ns.as_str())?;
                matches!(kind, "0" | "4").then(|| (kind.to_owned(), json.to_owned()))
            });
            if let Some(packet) = packet {
                return packet;
            }
        }
    })
    .await;
    match (answer.0.as_str(), answer.1.as_str()) {
        ("0", _) => Ok(session),
        (_, json) => {
            session.close().await;
            Err(serde_json::from_str::<Value>(json)
                .ok()
                .and_then(|error| error["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| panic!("a connect_error with a message, got {json:?}")))
        }
    }
}

impl Session {
    /// Sends Engine.IO's CLOSE: every socket of the session ends, as when
    /// a browser tab goes away.
    pub async fn close(self) {
        // The session is over either way; the answer says nothing.
        let close = self.http.post(&self.url).body("1").send();
        let _ = crate::wait("the answer to an Engine.IO CLOSE", close).await;
    }
}

/// [`connect`], then [`Session::close`] at once.
pub async fn cycle(
    http: &reqwest::Client,
    base: &str,
    namespace: &str,
    auth: &Value,
) -> Result<(), String> {
    connect(http, base, namespace, auth).await?.close().await;
    Ok(())
}

async fn get(http: &reqwest::Client, url: &str) -> String {
    let request = http.get(url).send();
    let response = crate::wait("a long-polling GET", request)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    response.text().await.expect("a polling payload")
}

async fn post(http: &reqwest::Client, url: &str, body: String) {
    let request = http
        .post(url)
        .header("content-type", "text/plain;charset=UTF-8")
        .body(body)
        .send();
    let response = crate::wait("a long-polling POST", request)
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    assert!(
        response.status().is_success(),
        "POST {url}: {}",
        response.status()
    );
}
