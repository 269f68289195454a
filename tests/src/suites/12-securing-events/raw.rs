//! A bare client for the few cases that listen to the server's `error`
//! event, which the harness's [`harness::Socket`] does not record:
//! `rust_socketio` hands an event named `error` to its own `Event::Error`
//! callback, which the harness uses for `connect_error` only. It speaks
//! WebSocket from the start: the polling handshake costs a few hundred
//! milliseconds per client and proves nothing here.

use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::Value;
use tokio::sync::{Notify, mpsc};

use harness::TestApp;

/// A connected client that records every event, `error` included.
pub(super) struct RawSocket {
    client: Client,
    log: Arc<Log>,
}

#[derive(Default)]
struct Log {
    /// Every event received, in order, and whether a test took it already.
    events: Mutex<Vec<(String, Value, bool)>>,
    changed: Notify,
}

impl Log {
    fn push(&self, event: String, data: Value) {
        self.events.lock().unwrap().push((event, data, false));
        self.changed.notify_waiters();
    }

    fn try_take(&self, event: &str) -> Option<Value> {
        let mut events = self.events.lock().unwrap();
        let (_, data, taken) = events
            .iter_mut()
            .find(|(name, _, taken)| name == event && !taken)?;
        *taken = true;
        Some(data.clone())
    }
}

/// The event's first argument, as JSON.
fn first(payload: Payload) -> Value {
    match payload {
        Payload::Text(mut values) if !values.is_empty() => values.remove(0),
        _ => Value::Null,
    }
}

impl RawSocket {
    /// Connects to `/` with `auth` (none when `None`) and waits until the
    /// server accepts.
    pub(super) async fn connect(server: &TestApp, auth: Option<Value>) -> RawSocket {
        let log = Arc::new(Log::default());
        let (on_event, on_error) = (log.clone(), log.clone());
        let (connected_tx, mut connected) = mpsc::unbounded_channel::<()>();
        let mut builder = ClientBuilder::new(server.url("/"))
            .namespace("/")
            .reconnect(false)
            .transport_type(TransportType::Websocket)
            .on(Event::Connect, move |_, _| {
                let _ = connected_tx.send(());
                async {}.boxed()
            })
            .on(Event::Error, move |payload, _| {
                // The server's `error` events are JSON objects; the
                // client's own errors are sentences.
                let data = first(payload);
                if data.is_object() {
                    on_error.push("error".to_owned(), data);
                }
                async {}.boxed()
            })
            .on_any(move |event, payload, _| {
                on_event.push(String::from(event), first(payload));
                async {}.boxed()
            });
        if let Some(auth) = auth {
            builder = builder.auth(auth);
        }
        let client = harness::wait("the raw client to connect", builder.connect())
            .await
            .unwrap_or_else(|e| panic!("could not connect to the test server: {e}"));
        harness::wait("the server to accept the raw client", connected.recv()).await;
        RawSocket { client, log }
    }

    pub(super) async fn emit(&self, event: &str, data: Value) {
        self.client
            .emit(event, data)
            .await
            .unwrap_or_else(|e| panic!("emitting {event:?} failed: {e}"));
    }

    /// Waits for the next `event` not yet taken.
    pub(super) async fn next(&self, event: &str) -> Value {
        harness::wait(&format!("event {event:?} on the raw client"), async {
            loop {
                let changed = self.log.changed.notified();
                if let Some(data) = self.log.try_take(event) {
                    return data;
                }
                changed.await;
            }
        })
        .await
    }

    /// Every `event` received so far, taken or not.
    pub(super) fn all(&self, event: &str) -> Vec<Value> {
        let events = self.log.events.lock().unwrap();
        events
            .iter()
            .filter(|(name, _, _)| name == event)
            .map(|(_, data, _)| data.clone())
            .collect()
    }

    pub(super) async fn disconnect(&self) {
        let _ = self.client.disconnect().await;
    }
}
