//! A Socket.IO test client on `rust_socketio`, made to be waited on.
//!
//! `rust_socketio`'s `connect()` returns as soon as the CONNECT packet is
//! sent, before the server's middleware has decided anything. [`SocketBuilder::connect`]
//! waits for the answer: `Ok` with a [`Socket`] when the server accepts,
//! `Err` with a [`ConnectError`] when it sends `connect_error`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::{Notify, mpsc};

use crate::transcript::{self, show};
use crate::wait;

/// The prefix `rust_socketio` puts before the payload of a `connect_error`.
const CONNECT_ERROR_PREFIX: &str = "Received an ConnectError frame: ";

/// The server refused the connection: the `connect_error` payload.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConnectError {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// An event the client received: its name and its first argument (all of
/// them, as an array, when there are several).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Received {
    pub event: String,
    pub data: Value,
}

/// The clients of one test server, for naming them in the transcript:
/// whose each token is, and how many clients each name has had.
#[derive(Clone, Default)]
pub(crate) struct Clients(Arc<Mutex<ClientNames>>);

#[derive(Default)]
struct ClientNames {
    by_token: Vec<(String, String)>,
    opened: Vec<(String, usize)>,
}

impl Clients {
    pub(crate) fn name_token(&self, token: &str, name: &str) {
        let mut names = self.0.lock().unwrap();
        names.by_token.push((token.to_owned(), name.to_owned()));
    }

    /// `ada#2` for ada's second client, `client#1` for one without a known
    /// token, with the namespace: `ada#2 /chat`.
    fn label(&self, auth: Option<&Value>, namespace: &str) -> String {
        let mut names = self.0.lock().unwrap();
        let token = auth
            .and_then(|auth| auth.get("token"))
            .and_then(Value::as_str);
        let name = token
            .and_then(|token| names.by_token.iter().find(|(t, _)| t == token))
            .map_or("client".to_owned(), |(_, name)| name.clone());
        let count = match names.opened.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => {
                *count += 1;
                *count
            }
            None => {
                names.opened.push((name.clone(), 1));
                1
            }
        };
        format!("{name}#{count} {namespace}")
    }
}

/// A connection about to be made; see [`crate::TestApp::socket`].
pub struct SocketBuilder {
    url: String,
    namespace: String,
    auth: Option<Value>,
    headers: Vec<(String, String)>,
    transport: TransportType,
    clients: Clients,
}

impl SocketBuilder {
    pub(crate) fn new(url: String, namespace: &str, clients: Clients) -> Self {
        Self {
            url,
            namespace: namespace.to_owned(),
            auth: None,
            headers: Vec::new(),
            // A WebSocket from the first request: a long-polling handshake
            // costs 50–120 ms here against 2–9 ms, and suites make hundreds.
            transport: TransportType::Websocket,
            clients,
        }
    }

    /// The handshake's `auth` object, e.g. `json!({"token": token})`.
    pub fn auth(mut self, auth: Value) -> Self {
        self.auth = Some(auth);
        self
    }

    /// A header on the HTTP requests that open the connection.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Connects over HTTP long-polling only, as a client behind a proxy that
    /// blocks WebSockets would.
    pub fn polling(mut self) -> Self {
        self.transport = TransportType::Polling;
        self
    }

    /// Replaces the server's address, e.g. to add a query string:
    /// `format!("{}?token={token}", server.url("/socket.io/"))`.
    pub fn address(mut self, url: String) -> Self {
        self.url = url;
        self
    }

    fn client_builder(&self) -> ClientBuilder {
        let mut builder = ClientBuilder::new(self.url.clone())
            .namespace(self.namespace.clone())
            .transport_type(self.transport.clone())
            .reconnect(false);
        if let Some(auth) = &self.auth {
            builder = builder.auth(auth.clone());
        }
        for (name, value) in &self.headers {
            builder = builder.opening_header(name.as_str(), value.as_str());
        }
        builder
    }

    /// Connects and waits for the server to accept or refuse.
    pub async fn connect(self) -> Result<Socket, ConnectError> {
        let label = self.clients.label(self.auth.as_ref(), &self.namespace);
        let mut handshake = match &self.auth {
            Some(auth) => format!("→ handshake auth={}", show(auth)),
            None => "→ handshake with no auth".to_owned(),
        };
        if let Some((_, query)) = self.url.split_once('?') {
            handshake.push_str(&format!(" query={}", redact_query(query)));
        }
        for (name, _) in &self.headers {
            handshake.push_str(&format!(" {name}: …"));
        }
        transcript::record(&label, handshake);
        let log = Arc::new(EventLog::new(label.clone()));
        let (answer_tx, mut answer) = mpsc::unbounded_channel::<Result<(), String>>();
        let on_error = answer_tx.clone();
        let (record, on_close) = (log.clone(), log.clone());
        let connected = label.clone();

        // Every callback runs on the client's one reader task, in the order
        // the packets arrived, so the transcript shows `connect` before an
        // event the server emitted right after it.
        let builder = self
            .client_builder()
            .on(Event::Connect, move |_, _| {
                transcript::record(&connected, "← connect");
                let _ = answer_tx.send(Ok(()));
                async {}.boxed()
            })
            .on(Event::Error, move |payload, _| {
                let _ = on_error.send(Err(text_of(payload)));
                async {}.boxed()
            })
            .on(Event::Close, move |_, _| {
                on_close.push("disconnect".to_owned(), Value::Null);
                async {}.boxed()
            })
            .on_any(move |event, payload, _| {
                record.push(String::from(event), first_argument(payload));
                async {}.boxed()
            });

        let what = format!("the server to answer the handshake on {:?}", self.namespace);
        let client = wait::wait(&what, builder.connect())
            .await
            .unwrap_or_else(|e| panic!("could not open a connection to the test server: {e}"));
        match wait::wait(&what, answer.recv()).await {
            Some(Ok(())) => Ok(Socket { client, log }),
            Some(Err(text)) => {
                let _ = client.disconnect().await;
                let error = parse_connect_error(&text);
                transcript::record(&label, format!("← connect_error {:?}", error.message));
                Err(error)
            }
            None => panic!("the client stopped before the server answered the handshake"),
        }
    }

    /// Connects, failing the test with the server's reason if it refuses.
    pub async fn connect_ok(self) -> Socket {
        let namespace = self.namespace.clone();
        match self.connect().await {
            Ok(socket) => socket,
            Err(e) => {
                panic!("expected {namespace:?} to accept the connection, got connect_error {e:?}")
            }
        }
    }

    /// Connects, failing the test if the server accepts.
    pub async fn connect_err(self) -> ConnectError {
        let namespace = self.namespace.clone();
        match self.connect().await {
            Ok(socket) => {
                socket.disconnect().await;
                panic!("expected {namespace:?} to refuse the connection, but it was accepted")
            }
            Err(e) => e,
        }
    }
}

/// A connected client and every event it has received.
pub struct Socket {
    client: Client,
    log: Arc<EventLog>,
}

impl Socket {
    /// Waits for the next `event` not yet taken, and returns its data.
    pub async fn next(&self, event: &str) -> Value {
        let what = format!("event {event:?}");
        wait::wait(&what, self.log.take(event)).await
    }

    /// Events received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.log.events.lock().unwrap().clone()
    }

    /// The data of every `event` received so far, in order.
    pub fn all(&self, event: &str) -> Vec<Value> {
        let events = self.log.events.lock().unwrap();
        events
            .iter()
            .filter(|r| r.event == event)
            .map(|r| r.data.clone())
            .collect()
    }

    /// Waits `quiet` and then asserts that no `event` arrived in that time.
    pub async fn assert_silent(&self, event: &str, quiet: Duration) {
        tokio::time::sleep(quiet).await;
        let got: Vec<_> = self
            .received()
            .into_iter()
            .filter(|r| r.event == event)
            .collect();
        assert!(got.is_empty(), "expected no {event:?} event, got {got:?}");
    }

    pub async fn emit(&self, event: &str, data: Value) {
        self.log.say(format!("→ emit {event} {}", show(&data)));
        self.client
            .emit(event, data)
            .await
            .unwrap_or_else(|e| panic!("emitting {event:?} failed: {e}"));
    }

    /// Emits `event` and waits for the server's acknowledgement.
    pub async fn ack(&self, event: &str, data: Value) -> Value {
        self.log
            .say(format!("→ emit {event} {} (asks for an ack)", show(&data)));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let callback = move |payload: Payload, _| {
            // Acks arrive as one more array around the arguments.
            let _ = tx.send(unwrap_ack(first_argument(payload)));
            async {}.boxed()
        };
        self.client
            .emit_with_ack(event, data, wait::timeout(), callback)
            .await
            .unwrap_or_else(|e| panic!("emitting {event:?} failed: {e}"));
        let answer = wait::wait(&format!("the acknowledgement of {event:?}"), rx.recv())
            .await
            .expect("the ack callback is kept until it runs");
        self.log.say(format!("← ack of {event} {}", show(&answer)));
        answer
    }

    pub async fn disconnect(&self) {
        self.log.say("→ disconnect");
        let _ = self.client.disconnect().await;
    }
}

struct EventLog {
    /// Who this client is in the transcript: `ada#1 /`.
    label: String,
    events: Mutex<Vec<Received>>,
    /// How many of each event `take` has handed out already.
    taken: Mutex<Vec<(String, usize)>>,
    changed: Notify,
}

impl EventLog {
    fn new(label: String) -> Self {
        EventLog {
            label,
            events: Mutex::default(),
            taken: Mutex::default(),
            changed: Notify::new(),
        }
    }

    fn say(&self, what: impl AsRef<str>) {
        transcript::record(&self.label, what);
    }

    fn push(&self, event: String, data: Value) {
        if event == "disconnect" {
            self.say("← disconnected");
        } else {
            self.say(format!("← {event} {}", show(&data)));
        }
        self.events.lock().unwrap().push(Received { event, data });
        self.changed.notify_waiters();
    }

    async fn take(&self, event: &str) -> Value {
        loop {
            let notified = self.changed.notified();
            if let Some(data) = self.try_take(event) {
                return data;
            }
            notified.await;
        }
    }

    fn try_take(&self, event: &str) -> Option<Value> {
        let events = self.events.lock().unwrap();
        let mut taken = self.taken.lock().unwrap();
        let index = match taken.iter().position(|(name, _)| name == event) {
            Some(i) => i,
            None => {
                taken.push((event.to_owned(), 0));
                taken.len() - 1
            }
        };
        let skip = taken[index].1;
        let data = events
            .iter()
            .filter(|r| r.event == event)
            .nth(skip)?
            .data
            .clone();
        taken[index].1 += 1;
        Some(data)
    }
}

fn first_argument(payload: Payload) -> Value {
    match payload {
        Payload::Text(mut values) if values.len() == 1 => values.remove(0),
        Payload::Text(values) => Value::Array(values),
        Payload::Binary(bytes) => Value::String(format!("<{} bytes of binary>", bytes.len())),
        #[allow(deprecated)]
        Payload::String(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// A query string with the value of any `token` shortened.
fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if key.eq_ignore_ascii_case("token") => {
                format!("{key}={}", transcript::shorten(value))
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn unwrap_ack(value: Value) -> Value {
    match value {
        Value::Array(mut values) if values.len() == 1 => values.remove(0),
        other => other,
    }
}

fn text_of(payload: Payload) -> String {
    match first_argument(payload) {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

/// `Received an ConnectError frame: {"message":"..."}` into its parts.
fn parse_connect_error(text: &str) -> ConnectError {
    let Some(json) = text.strip_prefix(CONNECT_ERROR_PREFIX) else {
        panic!("the connection failed without a connect_error: {text}");
    };
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(mut fields)) => ConnectError {
            message: match fields.remove("message") {
                Some(Value::String(message)) => message,
                other => panic!("connect_error without a string message: {other:?}"),
            },
            data: fields.remove("data"),
        },
        Ok(Value::String(message)) => ConnectError {
            message,
            data: None,
        },
        _ => panic!("connect_error payload is not JSON: {json}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_errors_are_parsed() {
        let error = parse_connect_error(r#"Received an ConnectError frame: {"message":"Nope"}"#);
        assert_eq!(
            error,
            ConnectError {
                message: "Nope".into(),
                data: None
            }
        );
        let error = parse_connect_error(
            r#"Received an ConnectError frame: {"message":"x","data":{"type":"T"}}"#,
        );
        assert_eq!(error.data, Some(serde_json::json!({"type": "T"})));
    }

    #[test]
    fn acks_lose_their_extra_array() {
        assert_eq!(
            unwrap_ack(serde_json::json!([{"status": "ok"}])),
            serde_json::json!({"status": "ok"})
        );
    }
}
