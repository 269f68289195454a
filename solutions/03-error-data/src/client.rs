//! The client side: connect with an access token, refresh it once when the
//! server says it expired, and tell the caller plainly when only logging in
//! again will help.
//!
//! `rust_socketio`'s `connect()` returns as soon as its CONNECT packet is
//! sent, before the server's middleware has decided anything, so
//! [`connect`] waits for the server's answer itself.
//!
//! Once connected, the socket reconnects by itself when the network drops
//! it, and refreshes first when its access token expired in the meantime
//! ([`token_for_reconnect`]).

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client, ClientBuilder, ReconnectSettings};
use rust_socketio::{Event, Payload};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Mutex, watch};

/// How long to wait for the server to accept or refuse a handshake.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// How `rust_socketio` reports a `connect_error`: this, then the packet's JSON.
const CONNECT_ERROR_PREFIX: &str = "Received an ConnectError frame: ";

/// A connected socket, and the tokens to keep for next time: new ones when
/// [`connect`] had to refresh, or a reconnect did.
pub struct Connection {
    pub socket: Client,
    /// Shared with the reconnect hook, which replaces the pair when it
    /// refreshes: read it with [`Connection::tokens`], never keep a copy.
    tokens: Arc<Mutex<Tokens>>,
    answers: watch::Receiver<Option<Answer>>,
}

impl Connection {
    /// The pair to save now. A reconnect may have refreshed it since
    /// [`connect`] returned, and then the old refresh token is spent.
    pub async fn tokens(&self) -> Tokens {
        self.tokens.lock().await.clone()
    }

    /// Waits for the server's answer to the socket's next reconnect, after
    /// the network dropped it: `Ok` when the server took it back. It waits
    /// as long as the socket keeps trying: wrap it in a timeout.
    pub async fn reconnected(&mut self) -> Result<(), Rejection> {
        loop {
            if self.answers.changed().await.is_err() {
                // The socket is gone, and its hooks with it.
                std::future::pending::<()>().await;
            }
            match self.answers.borrow_and_update().clone() {
                Some(Answer::Accepted) => return Ok(()),
                Some(Answer::Refused(rejection)) => return Err(rejection),
                // A transport error on the way: the socket tries again.
                Some(Answer::Failed(_)) | None => {}
            }
        }
    }
}

/// The server's latest answer to a handshake of this socket.
#[derive(Clone)]
enum Answer {
    Accepted,
    Refused(Rejection),
    /// An error that is not a refusal: the network, or a server that does
    /// not speak Socket.IO.
    Failed(String),
}

/// The `type` of a refusal, from the server's error data.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RejectionKind {
    AuthRequired,
    InvalidToken,
    TokenExpired,
    UserNotFound,
    /// A type this client does not know, or none at all.
    #[serde(other)]
    Other,
}

/// A refused handshake: the server's message, and its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub message: String,
    pub kind: RejectionKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The session is over: no token, a bad one, or a refresh the server
    /// turned down. Only the user's password can start a new one.
    #[error("{reason}: log in again")]
    LogInAgain { reason: String },
    #[error("the server refused the connection: {}", .0.message)]
    Refused(Rejection),
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    #[error("the server did not answer within {ANSWER_TIMEOUT:?}")]
    Timeout,
    /// The client refreshed, then its one retry failed with `error`. The
    /// old refresh token is spent: `tokens` is the pair to keep, or the
    /// user must log in again for nothing.
    #[error("{error} (after refreshing the tokens)")]
    AfterRefresh {
        error: Box<ClientError>,
        tokens: Tokens,
    },
}

impl ClientError {
    /// Whether the caller should send the user back to the login screen.
    pub fn must_log_in_again(&self) -> bool {
        match self {
            ClientError::LogInAgain { .. } => true,
            ClientError::AfterRefresh { error, .. } => error.must_log_in_again(),
            _ => false,
        }
    }

    /// The new pair when the client refreshed before failing: save it, as
    /// after a successful [`connect`].
    pub fn fresh_tokens(&self) -> Option<&Tokens> {
        match self {
            ClientError::AfterRefresh { tokens, .. } => Some(tokens),
            _ => None,
        }
    }

    /// This error, with the pair a refresh returned before it happened.
    pub fn after_refresh(self, tokens: Tokens) -> ClientError {
        ClientError::AfterRefresh {
            error: Box::new(self),
            tokens,
        }
    }
}

// ANCHOR: connect
// EXERCISE: connect
/// Connects to `server` (e.g. `http://127.0.0.1:3000/`) with `token`. When
/// the server answers `TOKEN_EXPIRED`, trades `refresh_token` for a new pair
/// and tries once more: a second refusal is final, so a server that keeps
/// refusing cannot make the client loop. Once it has refreshed, an error
/// carries the new pair ([`ClientError::fresh_tokens`]): the old refresh
/// token is spent.
pub async fn connect(
    server: &str,
    token: &str,
    refresh_token: &str,
) -> Result<Connection, ClientError> {
    let tokens = Tokens {
        token: token.to_owned(),
        refresh_token: refresh_token.to_owned(),
    };
    match attempt(server, tokens).await? {
        Ok(connection) => Ok(connection),
        Err(rejection) if rejection.kind == RejectionKind::TokenExpired => {
            let fresh = refresh(server, refresh_token).await?;
            // From here on, `fresh` holds the only refresh token that
            // works: every way out returns it.
            match attempt(server, fresh.clone()).await {
                Ok(Ok(connection)) => Ok(connection),
                Ok(Err(rejection)) => Err(refused(rejection).after_refresh(fresh)),
                Err(error) => Err(error.after_refresh(fresh)),
            }
        }
        Err(rejection) => Err(refused(rejection)),
    }
}

/// No token and a bad token both end the session; anything else is
/// reported as it came.
fn refused(rejection: Rejection) -> ClientError {
    match rejection.kind {
        RejectionKind::AuthRequired | RejectionKind::InvalidToken => ClientError::LogInAgain {
            reason: rejection.message,
        },
        _ => ClientError::Refused(rejection),
    }
}
// EXERCISE_END: connect
// ANCHOR_END: connect

/// One handshake with `tokens.token`: the connection when the server
/// accepts, the refusal when it sends `connect_error`, an error when it does
/// neither. An accepted socket reconnects by itself after a network failure
/// (not when the server disconnects it), with [`token_for_reconnect`].
pub async fn attempt(
    server: &str,
    tokens: Tokens,
) -> Result<Result<Connection, Rejection>, ClientError> {
    let (answer, mut answers) = watch::channel(None);
    let on_error = answer.clone();
    let token = tokens.token.clone();
    let tokens = Arc::new(Mutex::new(tokens));
    let before_reconnect = {
        let (server, tokens) = (server.to_owned(), tokens.clone());
        move || {
            let (server, tokens) = (server.clone(), tokens.clone());
            async move {
                let mut settings = ReconnectSettings::new();
                let token = token_for_reconnect(&server, &tokens).await;
                settings.auth(json!({ "token": token }));
                settings
            }
            .boxed()
        }
    };
    let client = ClientBuilder::new(server)
        .namespace("/")
        .auth(json!({ "token": token }))
        .reconnect(true)
        .on_reconnect(before_reconnect)
        .on(Event::Connect, move |_, _| {
            answer.send_replace(Some(Answer::Accepted));
            async {}.boxed()
        })
        .on(Event::Error, move |payload, _| {
            let error = text_of(payload);
            on_error.send_replace(Some(match parse_rejection(&error) {
                Some(rejection) => Answer::Refused(rejection),
                None => Answer::Failed(error),
            }));
            async {}.boxed()
        })
        .connect()
        .await
        .map_err(|e| ClientError::Unreachable(e.to_string()))?;

    let first = match tokio::time::timeout(ANSWER_TIMEOUT, answers.wait_for(Option::is_some)).await
    {
        Ok(Ok(answer)) => answer.clone(),
        Ok(Err(_)) | Err(_) => None,
    };
    match first {
        Some(Answer::Accepted) => Ok(Ok(Connection {
            socket: client,
            tokens,
            answers,
        })),
        Some(Answer::Refused(rejection)) => {
            let _ = client.disconnect().await;
            Ok(Err(rejection))
        }
        Some(Answer::Failed(error)) => {
            let _ = client.disconnect().await;
            Err(ClientError::Unreachable(error))
        }
        None => {
            let _ = client.disconnect().await;
            Err(ClientError::Timeout)
        }
    }
}

// ANCHOR: reconnect
/// The token to reconnect with: JavaScript clients do this in a
/// `reconnect_attempt` handler. The server checks the token at every
/// handshake, a reconnect's too, and a socket can stay up long after its
/// token expired (the server checks it only at the handshake). Sending it
/// would only earn a `TOKEN_EXPIRED`, so refresh first. The lock is held
/// across the refresh: two refreshes with one token would revoke the family.
async fn token_for_reconnect(server: &str, tokens: &Mutex<Tokens>) -> String {
    let mut tokens = tokens.lock().await;
    if has_expired(&tokens.token) {
        // When the refresh fails, the old token goes anyway: the server
        // refuses it, and `reconnected` reports the refusal.
        if let Ok(fresh) = refresh(server, &tokens.refresh_token).await {
            *tokens = fresh;
        }
    }
    tokens.token.clone()
}

/// Whether `token`'s `exp` has passed. The client reads its own token
/// without verifying it: it has no secret to verify with, and it decides
/// only *when* to refresh. The server verifies every token it is sent.
fn has_expired(token: &str) -> bool {
    #[derive(Deserialize)]
    struct Expiry {
        exp: u64,
    }
    match jsonwebtoken::dangerous::insecure_decode_claims::<Expiry>(token) {
        Ok(claims) => claims.exp <= workbook::jwt::now(),
        // Not a token we can read: let the server say what it thinks.
        Err(_) => false,
    }
}
// ANCHOR_END: reconnect

/// Reads our error document out of `rust_socketio`'s error text:
/// `Received an ConnectError frame: {"message":"{\"message\":...,\"data\":{...}}"}`.
pub fn parse_rejection(error: &str) -> Option<Rejection> {
    #[derive(Deserialize)]
    struct Packet {
        message: String,
    }
    #[derive(Deserialize)]
    struct Document {
        message: String,
        data: Option<Data>,
    }
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "type")]
        kind: RejectionKind,
    }

    let packet: Packet = serde_json::from_str(error.strip_prefix(CONNECT_ERROR_PREFIX)?).ok()?;
    // A server that sends a plain sentence still gets its message shown.
    let rejection = match serde_json::from_str::<Document>(&packet.message) {
        Ok(document) => Rejection {
            message: document.message,
            kind: document.data.map_or(RejectionKind::Other, |data| data.kind),
        },
        Err(_) => Rejection {
            message: packet.message,
            kind: RejectionKind::Other,
        },
    };
    Some(rejection)
}

/// The pair `POST /auth/refresh` answers with.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    pub token: String,
    pub refresh_token: String,
}

/// Tokens are credentials: a `{:?}` of an error that carries them, in a log
/// line say, shows that they are there and nothing of them.
impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// Trades `refresh_token` for a new pair. A 401 means the session is over.
pub async fn refresh(server: &str, refresh_token: &str) -> Result<Tokens, ClientError> {
    let unreachable = |e: reqwest::Error| ClientError::Unreachable(e.to_string());
    let url = reqwest::Url::parse(server)
        .and_then(|url| url.join("/auth/refresh"))
        .map_err(|e| ClientError::Unreachable(format!("{server}: {e}")))?;
    let response = reqwest::Client::new()
        .post(url)
        .json(&json!({ "refreshToken": refresh_token }))
        .timeout(ANSWER_TIMEOUT)
        .send()
        .await
        .map_err(unreachable)?;
    if response.status() == reqwest::StatusCode::UNAUTHORIZED {
        return Err(ClientError::LogInAgain {
            reason: "Session expired".to_owned(),
        });
    }
    response
        .error_for_status()
        .map_err(unreachable)?
        .json()
        .await
        .map_err(unreachable)
}

fn text_of(payload: Payload) -> String {
    match payload {
        Payload::Text(values) => match values.as_slice() {
            [Value::String(text)] => text.clone(),
            _ => Value::Array(values).to_string(),
        },
        #[allow(deprecated)]
        Payload::String(text) => text,
        Payload::Binary(bytes) => format!("<{} bytes of binary>", bytes.len()),
    }
}
