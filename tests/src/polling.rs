//! A bare Socket.IO client over HTTP long-polling, for bursts and churn.
//!
//! `rust_socketio` spends tens of milliseconds of CPU on each connection in
//! a debug build (it upgrades to a WebSocket and runs background tasks), so
//! a thousand connect/disconnect cycles, or a burst of twenty, would make a
//! suite slow. This speaks just enough of Engine.IO 4 and Socket.IO 5 over
//! plain HTTP requests to join namespaces and leave them again:
//!
//! - `open`: `GET /socket.io/?EIO=4&transport=polling` opens a session
//!   (`0{"sid":..}`): one connection, as a browser tab has;
//! - `join`: `POST` the CONNECT packet `40/ns,{auth}` (`40{auth}`
//!   for `/`), then `GET` the answer, `40/ns,{"sid":..}` (in) or
//!   `44/ns,{"message":..}` (refused);
//! - [`Session::close`]: `POST` Engine.IO's CLOSE `1`, which ends every
//!   socket of the session, as a tab that goes away.
//!
//! Churn tests open a session per cycle rather than joining and leaving
//! on one: socketioxide ignores a CONNECT that arrives on a session while
//! its previous CONNECT to the same namespace is still being finished, and
//! a client this fast can get there first.

use serde_json::Value;

/// Engine.IO's separator between packets in one polling payload.
const SEPARATOR: char = '\u{1e}';

/// An open Engine.IO session.
pub struct Session {
    http: reqwest::Client,
    url: String,
}

/// Opens a session at `base` (e.g. `http://127.0.0.1:4000/`).
async fn open(http: &reqwest::Client, base: &str) -> Session {
    let endpoint = format!("{base}socket.io/?EIO=4&transport=polling");
    let open = get(http, &endpoint).await;
    let handshake: Value = open
        .strip_prefix('0')
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_else(|| panic!("an Engine.IO handshake, got {open:?}"));
    let sid = handshake["sid"].as_str().expect("a session id");
    Session {
        http: http.clone(),
        url: format!("{endpoint}&sid={sid}"),
    }
}

/// Opens a session and joins `namespace` with `auth`: the session when the
/// server lets the socket in, the `connect_error` message when it refuses
/// (the session is closed then).
pub async fn connect(
    http: &reqwest::Client,
    base: &str,
    namespace: &str,
    auth: Option<&Value>,
) -> Result<Session, String> {
    let session = open(http, base).await;
    match session.join(namespace, auth).await {
        Ok(()) => Ok(session),
        Err(refusal) => {
            session.close().await;
            Err(refusal)
        }
    }
}

/// Opens one session and joins each of `namespaces` with `auth`, in
/// order: one connection carrying several sockets, which Engine.IO's CLOSE
/// ([`Session::close`]) ends at the same moment.
pub async fn connect_all(base: &str, namespaces: &[&str], auth: &Value) -> Session {
    let session = open(&reqwest::Client::new(), base).await;
    for namespace in namespaces {
        let label = format!("polling {namespace}");
        let said = format!("→ handshake auth={}", crate::transcript::show(auth));
        crate::transcript::record(&label, said);
        if let Err(refusal) = session.join(namespace, Some(auth)).await {
            panic!("the handshake on {namespace} was refused: {refusal}");
        }
        crate::transcript::record(&label, "← connect");
    }
    session
}

/// Opens a session and sends the CONNECT packet for `namespace` with
/// `auth`, without waiting for the answer: a client that may hang up
/// ([`Session::close`]) in the middle of its handshake.
pub async fn begin(base: &str, namespace: &str, auth: &Value) -> Session {
    let session = open(&reqwest::Client::new(), base).await;
    let label = format!("polling {namespace}");
    let said = format!("→ handshake auth={}", crate::transcript::show(auth));
    crate::transcript::record(&label, said);
    post(
        &session.http,
        &session.url,
        connect_packet(namespace, Some(auth)),
    )
    .await;
    session
}

/// Socket.IO's CONNECT: its type (0) after Engine.IO's MESSAGE (4), then
/// the namespace, then the JSON.
fn connect_packet(namespace: &str, auth: Option<&Value>) -> String {
    let auth = auth.map(Value::to_string).unwrap_or_default();
    format!("40{}{auth}", prefix(namespace))
}

/// The `connect_error` message for a handshake on `namespace` at `base`
/// with `auth`, written into the test's conversation; fails the test if the
/// server lets the socket in.
pub async fn refusal(base: &str, namespace: &str, auth: Option<&Value>) -> String {
    let label = format!("polling {namespace}");
    let said = match auth {
        Some(auth) => format!("→ handshake auth={}", crate::transcript::show(auth)),
        None => "→ handshake with no auth".to_owned(),
    };
    crate::transcript::record(&label, said);
    match connect(&reqwest::Client::new(), base, namespace, auth).await {
        Ok(session) => {
            crate::transcript::record(&label, "← connect");
            session.close().await;
            panic!("the handshake on {namespace} should have been refused, but it was accepted")
        }
        Err(message) => {
            crate::transcript::record(&label, format!("← connect_error {message:?}"));
            message
        }
    }
}

/// `namespace` as packets write it: nothing for `/`, else `/ns,`.
fn prefix(namespace: &str) -> String {
    if namespace == "/" {
        String::new()
    } else {
        format!("{namespace},")
    }
}

impl Session {
    /// Joins `namespace` with `auth` (none if `None`): `Ok` when the server
    /// lets the socket in, the `connect_error` message when it refuses.
    async fn join(&self, namespace: &str, auth: Option<&Value>) -> Result<(), String> {
        // The answer is CONNECT (0) or CONNECT_ERROR (4), in the same shape.
        let ns = prefix(namespace);
        post(&self.http, &self.url, connect_packet(namespace, auth)).await;
        let (kind, json) = crate::wait("the answer to a CONNECT packet", async {
            loop {
                let payload = get(&self.http, &self.url).await;
                for packet in payload.split(SEPARATOR) {
                    if packet == "2" {
                        // Engine.IO's PING: answer, or the server hangs up.
                        post(&self.http, &self.url, "3".to_owned()).await;
                        continue;
                    }
                    let answer = packet
                        .strip_prefix('4')
                        .and_then(|rest| rest.split_at_checked(1))
                        .and_then(|(kind, rest)| Some((kind, rest.strip_prefix(ns.as_str())?)))
                        .filter(|(kind, _)| matches!(*kind, "0" | "4"));
                    if let Some((kind, json)) = answer {
                        return (kind.to_owned(), json.to_owned());
                    }
                }
            }
        })
        .await;
        if kind == "0" {
            return Ok(());
        }
        Err(serde_json::from_str::<Value>(&json)
            .ok()
            .and_then(|error| error["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("a connect_error with a message, got {json:?}")))
    }

    /// Sends Engine.IO's CLOSE: every socket of the session ends.
    pub async fn close(self) {
        // The session is over either way; the answer says nothing.
        let close = self.http.post(&self.url).body("1").send();
        let _ = crate::wait("the answer to an Engine.IO CLOSE", close).await;
    }
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
