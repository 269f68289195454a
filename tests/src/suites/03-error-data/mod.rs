//! Lesson 03, error data (contract §03): lesson 02's handshake checks, each
//! refusal a JSON document `{"message", "data": {"type"}}` in the
//! `connect_error` message; refresh tokens that rotate; and the lesson's
//! Rust client, run against the lesson's own server.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use insta::assert_json_snapshot;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use workbook::jwt::Claims;
use workbook::users::Role;

use harness::{App, ConnectError, Socket, TestApp, TestUser};

harness::cases! {
    crate error_data_suite, dir "03-error-data",
    step_1 with attacks on "/" judged by refusal_document: [
        accepts_a_valid_token_and_answers_whoami,
        login_returns_a_refresh_token,
        refresh_needs_a_string_refresh_token,
        logout_needs_a_string_refresh_token,
        refresh_max_secs_must_be_a_positive_number,
        user_store_down_is_service_unavailable,
    ],
    step_2: [
        refresh_rotates_the_pair,
        refresh_token_works_once_under_concurrency,
        refresh_refuses_an_unknown_token,
        refresh_refuses_an_expired_token,
        refresh_refuses_a_deleted_user,
        reusing_a_spent_refresh_token_revokes_its_family,
        logout_revokes_the_family,
        a_family_ends_refresh_max_secs_after_login,
    ],
    step_3: [
        client_connects_with_a_valid_token,
        client_refreshes_an_expired_token_and_retries,
        client_asks_to_log_in_again_for_an_invalid_token,
        client_asks_to_log_in_again_without_a_token,
        client_asks_to_log_in_again_when_the_refresh_is_refused,
        client_keeps_the_new_pair_when_the_retry_fails,
        client_connects_with_the_new_token_after_logout_and_login,
        client_refreshes_before_reconnecting_with_an_expired_token,
    ],
}

/// The glue from a lesson crate's `client::connect` to a [`LessonClient`]:
/// `error_data_suite::run!(crate::app, error_data_suite::lesson_client!(crate::client::connect));`
#[macro_export]
macro_rules! lesson_client {
    ($connect:path) => {
        $crate::LessonClient::new(|server, token, refresh_token| async move {
            use $crate::{Connected, Refused};
            match $connect(&server, &token, &refresh_token).await {
                Ok(mut c) => {
                    let tokens = c.tokens().await;
                    Ok(Connected {
                        socket: c.socket.clone(),
                        token: tokens.token,
                        refresh_token: tokens.refresh_token,
                        reconnected: Box::pin(async move {
                            c.reconnected()
                                .await
                                .map_err(|refusal| format!("{refusal:?}"))?;
                            let tokens = c.tokens().await;
                            Ok((tokens.token, tokens.refresh_token))
                        }),
                    })
                }
                Err(e) => Err(Refused {
                    log_in_again: e.must_log_in_again(),
                    message: e.to_string(),
                    tokens: e
                        .fresh_tokens()
                        .map(|t| (t.token.clone(), t.refresh_token.clone())),
                }),
            }
        })
    };
}

/// A lesson's `client::connect(server, token, refresh_token)`, seen through
/// types the harness knows.
#[derive(Clone)]
pub struct LessonClient(Arc<ConnectFn>);

type ConnectFn =
    dyn Fn(String, String, String) -> BoxFuture<'static, Result<Connected, Refused>> + Send + Sync;

/// What the lesson's client returns when it connected.
pub struct Connected {
    pub socket: rust_socketio::asynchronous::Client,
    pub token: String,
    pub refresh_token: String,
    /// The lesson's `Connection::reconnected`: the server's answer to the
    /// socket's next reconnect, and then the pair to keep (access token,
    /// refresh token), or the refusal.
    pub reconnected: BoxFuture<'static, Result<(String, String), String>>,
}

/// What the lesson's client returns when it gave up.
#[derive(Debug)]
pub struct Refused {
    pub log_in_again: bool,
    pub message: String,
    /// The pair (access token, refresh token) the client got from a
    /// refresh before its retry failed: the only refresh token that still
    /// works, so the caller must be able to keep it.
    pub tokens: Option<(String, String)>,
}

impl LessonClient {
    pub fn new<F, Fut>(connect: F) -> Self
    where
        F: Fn(String, String, String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Connected, Refused>> + Send + 'static,
    {
        LessonClient(Arc::new(move |server, token, refresh| {
            Box::pin(connect(server, token, refresh))
        }))
    }

    async fn connect(
        &self,
        server: &TestApp,
        token: &str,
        refresh_token: &str,
    ) -> Result<Connected, Refused> {
        self.connect_to(server.url("/"), token, refresh_token).await
    }

    /// [`LessonClient::connect`] to a server at `url` (a [`Cable`]'s).
    async fn connect_to(
        &self,
        url: String,
        token: &str,
        refresh_token: &str,
    ) -> Result<Connected, Refused> {
        let attempt = (self.0)(url, token.to_owned(), refresh_token.to_owned());
        harness::wait("the lesson's client::connect to return", attempt).await
    }
}

// ---------------------------------------------------------------- handshake

/// Registers `name` and logs in: the user, and the refresh token the login
/// also returned.
async fn login(server: &TestApp, name: &str) -> (TestUser, String) {
    let user = server.user(name).await;
    let form = json!({ "username": name, "password": TestUser::PASSWORD });
    let (status, answer) = server.post("/auth/login", &form, None).await;
    assert_eq!(status, 200, "logging in as {name}: {answer}");
    let refresh = answer["refreshToken"]
        .as_str()
        .unwrap_or_else(|| panic!("login should return a string refreshToken, got {answer}"))
        .to_owned();
    (user, refresh)
}

/// The attacks' outcome in this lesson: the refusal as the JSON document
/// the contract puts in the `connect_error` message.
fn refusal_document(result: Result<Socket, ConnectError>) -> BoxFuture<'static, Value> {
    Box::pin(async move {
        match result {
            Err(refusal) => json!({ "refused": document_of(refusal) }),
            Ok(socket) => {
                let me = socket.ack("whoami", json!({})).await;
                socket.disconnect().await;
                json!({ "accepted": { "whoami": me } })
            }
        }
    })
}

/// What a JavaScript client gets from `JSON.parse(err.message)`.
fn document_of(error: ConnectError) -> Value {
    assert_eq!(
        error.data, None,
        "socketioxide sends no data field; the data belongs inside the message"
    );
    let document: Value = serde_json::from_str(&error.message).unwrap_or_else(|e| {
        panic!(
            "the connect_error message should be a JSON document, got {:?} ({e})",
            error.message
        )
    });
    assert!(
        document["message"].is_string() && document["data"]["type"].is_string(),
        "expected {{\"message\": string, \"data\": {{\"type\": string}}}}, got {document}"
    );
    document
}

fn claims_for(user: &TestUser, exp_offset: i64) -> Claims {
    let now = workbook::jwt::now();
    Claims {
        id: user.id.clone(),
        name: user.name.clone(),
        role: Role::User,
        iat: now,
        exp: now.saturating_add_signed(exp_offset),
    }
}

fn sign(claims: &Claims, algorithm: Algorithm, secret: &[u8]) -> String {
    // Possibly before any server of this process made its `Jwt`.
    workbook::jwt::hmac_only::install();
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("signing a test token")
}

/// Emits `whoami` on a raw `rust_socketio` client and waits for the ack.
async fn whoami(socket: &rust_socketio::asynchronous::Client) -> Value {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let callback = move |payload: rust_socketio::Payload, _| {
        let _ = tx.send(payload);
        async {}.boxed()
    };
    socket
        .emit_with_ack("whoami", json!({}), harness::timeout(), callback)
        .await
        .unwrap_or_else(|e| panic!("emitting whoami failed: {e}"));
    let payload = harness::wait("the acknowledgement of whoami", rx.recv())
        .await
        .expect("the ack callback is kept until it runs");
    // Acks arrive wrapped in one more array than events.
    let mut value = match payload {
        rust_socketio::Payload::Text(values) => Value::Array(values),
        other => panic!("whoami answered with {other:?}"),
    };
    while let Value::Array(mut values) = value {
        assert_eq!(values.len(), 1, "whoami should ack one value");
        value = values.remove(0);
    }
    value
}

async fn accepts_a_valid_token_and_answers_whoami(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(me, json!({ "id": ada.id, "name": "ada", "role": "user" }));
}

/// A user store that fails (the database is down) is nobody's fault on the
/// client's side: the refusal says so, with its own type, and never looks
/// like a bad token or a missing user.
async fn user_store_down_is_service_unavailable(app: App) {
    let down = app.with_context(|ctx| ctx.users = workbook::users::Users::unreachable());
    let server = TestApp::spawn(&down).await;
    let ghost = TestUser {
        id: "65f0c0ffee0000000000beef".to_owned(),
        name: "ghost".to_owned(),
        token: String::new(),
    };
    let token = server.ctx.jwt.sign(&claims_for(&ghost, 3600));
    let refusal = server
        .socket("/")
        .auth(json!({ "token": token }))
        .connect_err()
        .await;
    assert_json_snapshot!(document_of(refusal));
}

// ------------------------------------------------------------ refresh tokens

async fn login_returns_a_refresh_token(app: App) {
    let server = TestApp::spawn(&app).await;
    server.user("ada").await;
    let form = json!({ "username": "ada", "password": TestUser::PASSWORD });
    let (status, answer) = server.post("/auth/login", &form, None).await;
    assert_eq!(status, 200, "{answer}");
    let refresh = answer["refreshToken"].as_str().unwrap_or_default();
    assert!(
        refresh.len() >= 32,
        "refreshToken should be a long random string, got {answer}"
    );
    assert_ne!(
        refresh.split('.').count(),
        3,
        "a refresh token is opaque, not a JWT"
    );
    assert_json_snapshot!(answer, { ".token" => "[jwt]", ".refreshToken" => "[refresh token]" });

    // With MongoDB, the token lives in `refresh_tokens`, and only as a hash.
    #[cfg(feature = "mongodb")]
    if let Some(db) = &server.ctx.db {
        use futures_util::TryStreamExt;
        let stored: Vec<mongodb::bson::Document> = db
            .collection("refresh_tokens")
            .find(mongodb::bson::doc! {})
            .await
            .expect("reading refresh_tokens")
            .try_collect()
            .await
            .expect("reading refresh_tokens");
        assert!(
            !stored.is_empty(),
            "refresh tokens should be kept in the `refresh_tokens` collection"
        );
        let plain = stored.iter().find(|doc| {
            doc.values()
                .any(|value| value.as_str().is_some_and(|text| text.contains(refresh)))
        });
        assert_eq!(plain, None, "a refresh token must be stored only as a hash");
    }
}

async fn refresh(server: &TestApp, refresh_token: &str) -> (u16, Value) {
    let body = json!({ "refreshToken": refresh_token });
    server.post("/auth/refresh", &body, None).await
}

async fn refresh_rotates_the_pair(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, first) = login(&server, "ada").await;

    let (status, pair) = refresh(&server, &first).await;
    assert_eq!(status, 200, "refreshing: {pair}");
    let token = pair["token"].as_str().expect("a new access token");
    let second = pair["refreshToken"].as_str().expect("a new refresh token");
    assert_ne!(second, first, "the refresh token must rotate");
    let claims = server.ctx.jwt.verify(token).expect("a valid access token");
    assert_eq!(claims.id, ada.id);

    let socket = server.connect_with("/", token).await;
    assert_eq!(socket.ack("whoami", json!({})).await["id"], json!(ada.id));

    let (status, answer) = refresh(&server, second).await;
    assert_eq!(status, 200, "the new refresh token works: {answer}");
    let (status, answer) = refresh(&server, &first).await;
    assert_eq!(
        (status, answer),
        (401, json!({ "message": "Invalid refresh token" })),
        "the old refresh token must stop working"
    );
}

/// Eight requests racing with one token: exactly one gets a new pair. The
/// seven others presented a token that was spent (or being spent), which
/// is reuse: the family ends, and the winner's new token with it.
async fn refresh_token_works_once_under_concurrency(app: App) {
    let server = TestApp::spawn(&app).await;
    let (_, token) = login(&server, "ada").await;
    let answers = futures_util::future::join_all((0..8).map(|_| refresh(&server, &token))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 401, 401, 401, 401, 401, 401, 401],
        "{answers:?}"
    );
    let winner = answers
        .iter()
        .find_map(|(_, answer)| answer["refreshToken"].as_str())
        .expect("the winner got a refresh token");
    let (status, answer) = refresh(&server, winner).await;
    assert_eq!(
        (status, answer),
        (401, json!({ "message": "Invalid refresh token" })),
        "the losers reused a spent token: its family, the winner's new token included, is revoked"
    );
}

async fn refresh_refuses_an_unknown_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let (_, token) = login(&server, "ada").await;
    let mut unknown = token.clone();
    unknown.replace_range(
        ..4,
        if token.starts_with("0000") {
            "1111"
        } else {
            "0000"
        },
    );
    for guess in [unknown.as_str(), "", "not-a-refresh-token"] {
        let (status, answer) = refresh(&server, guess).await;
        assert_eq!(
            (status, answer),
            (401, json!({ "message": "Invalid refresh token" })),
            "refreshing with {guess:?}"
        );
    }
}

async fn refresh_refuses_an_expired_token(app: App) {
    let server = TestApp::spawn_with(&app, &[("REFRESH_TTL_SECS", "1")]).await;
    let (_, token) = login(&server, "ada").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, answer) = refresh(&server, &token).await;
    assert_eq!(
        (status, answer),
        (401, json!({ "message": "Invalid refresh token" }))
    );
}

async fn refresh_refuses_a_deleted_user(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, token) = login(&server, "ada").await;
    assert!(server.ctx.users.delete(&ada.id).await.unwrap());
    let (status, answer) = refresh(&server, &token).await;
    assert_eq!(
        (status, answer),
        (401, json!({ "message": "Invalid refresh token" }))
    );
}

async fn refresh_needs_a_string_refresh_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let bodies = [
        json!({}),
        json!({ "refreshToken": null }),
        json!({ "refreshToken": 42 }),
        json!({ "refreshToken": ["x"] }),
        json!({ "refresh_token": "x" }),
    ];
    for body in bodies {
        let (status, answer) = server.post("/auth/refresh", &body, None).await;
        assert_eq!(status, 400, "POST /auth/refresh {body}: {answer}");
        assert!(answer["message"].is_string(), "a 400 says why: {answer}");
    }
    let (status, answer) = server.post_raw("/auth/refresh", "refreshToken=x").await;
    assert_eq!(status, 400, "a body that is not JSON: {answer}");
    assert!(answer["message"].is_string(), "a 400 says why: {answer}");
}

// ---------------------------------------------------------- token families

const REFUSED: (u16, &str) = (401, "Invalid refresh token");

/// `(status, message)` of an answer, to compare with [`REFUSED`].
fn status_and_message(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["message"].as_str().unwrap_or_default())
}

/// `POST /auth/refresh` that must succeed: the new refresh token.
async fn rotate(server: &TestApp, refresh_token: &str) -> String {
    let (status, answer) = refresh(server, refresh_token).await;
    assert_eq!(status, 200, "refreshing should work here: {answer}");
    answer["refreshToken"]
        .as_str()
        .expect("a new refresh token")
        .to_owned()
}

/// A thief copied ada's refresh token and redeemed it first. When ada's
/// client presents its (now spent) copy, the server cannot tell who is who,
/// so it ends the whole family: ada is refused, and so is the thief's new
/// token. Ada's other login (another device) is a family of its own.
async fn reusing_a_spent_refresh_token_revokes_its_family(app: App) {
    let server = TestApp::spawn(&app).await;
    let (_, stolen) = login(&server, "ada").await;
    let other_device = {
        let form = json!({ "username": "ada", "password": TestUser::PASSWORD });
        let (status, answer) = server.post("/auth/login", &form, None).await;
        assert_eq!(status, 200, "{answer}");
        answer["refreshToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    let thiefs = rotate(&server, &stolen).await;
    let owners_try = refresh(&server, &stolen).await;
    assert_eq!(
        status_and_message(&owners_try),
        REFUSED,
        "a spent refresh token is refused"
    );
    let thiefs_try = refresh(&server, &thiefs).await;
    assert_eq!(
        status_and_message(&thiefs_try),
        REFUSED,
        "presenting a spent refresh token must revoke its whole family, \
         the thief's newer token included"
    );
    let (status, answer) = refresh(&server, &other_device).await;
    assert_eq!(
        status, 200,
        "another login is another family, untouched: {answer}"
    );
}

async fn logout(server: &TestApp, refresh_token: &str) -> (u16, Value) {
    let body = json!({ "refreshToken": refresh_token });
    server.post("/auth/logout", &body, None).await
}

/// Logging out ends the family of the token presented: that token, and
/// every older one, no longer refresh. An unknown token gets the same 204,
/// so logout cannot be used to test whether a token exists.
async fn logout_revokes_the_family(app: App) {
    let server = TestApp::spawn(&app).await;
    let (_, first) = login(&server, "ada").await;
    let (_, graces) = login(&server, "grace").await;
    let second = rotate(&server, &first).await;

    let (status, answer) = logout(&server, &second).await;
    assert_eq!(status, 204, "logging out: {answer}");
    assert_eq!(answer, json!(""), "a 204 has no body");
    for token in [&second, &first] {
        let answer = refresh(&server, token).await;
        assert_eq!(status_and_message(&answer), REFUSED, "after logout");
    }

    for token in [second.as_str(), "not-a-refresh-token", ""] {
        let (status, answer) = logout(&server, token).await;
        assert_eq!(
            status, 204,
            "logout answers 204 whatever the token, known or not: {answer}"
        );
    }
    rotate(&server, &graces).await;
}

async fn logout_needs_a_string_refresh_token(app: App) {
    let server = TestApp::spawn(&app).await;
    for body in [
        json!({}),
        json!({ "refreshToken": null }),
        json!({ "refreshToken": 42 }),
        json!(["refreshToken"]),
    ] {
        let (status, answer) = server.post("/auth/logout", &body, None).await;
        assert_eq!(status, 400, "POST /auth/logout {body}: {answer}");
        assert!(answer["message"].is_string(), "a 400 says why: {answer}");
    }
}

/// However often a family rotates, it ends `REFRESH_MAX_SECS` after its
/// login: rotation alone would let a stolen chain live for ever.
async fn a_family_ends_refresh_max_secs_after_login(app: App) {
    // Two seconds, not one: the rotations below must fit in it even on a
    // busy machine.
    let server = TestApp::spawn_with(&app, &[("REFRESH_MAX_SECS", "2")]).await;
    let (_, first) = login(&server, "ada").await;
    let logged_in = std::time::Instant::now();
    let second = rotate(&server, &first).await;
    let third = rotate(&server, &second).await;

    // The family's end is stored in milliseconds, and the server read its
    // clock before `logged_in`: a little past two seconds is after it.
    let end = logged_in + std::time::Duration::from_millis(2050);
    tokio::time::sleep_until(end.into()).await;
    let answer = refresh(&server, &third).await;
    assert_eq!(
        status_and_message(&answer),
        REFUSED,
        "the family's newest token is refused REFRESH_MAX_SECS after the login"
    );
}

/// A setting the server cannot use stops it, naming the variable.
async fn refresh_max_secs_must_be_a_positive_number(app: App) {
    for bad in ["soon", "-1", "0"] {
        let vars = [("REFRESH_MAX_SECS", bad)];
        let started = AssertUnwindSafe(TestApp::spawn_with(&app, &vars))
            .catch_unwind()
            .await;
        let message = match started {
            Ok(_) => panic!("the server started with REFRESH_MAX_SECS={bad}; it should refuse"),
            Err(panic) => panic.downcast_ref::<String>().cloned().unwrap_or_default(),
        };
        assert!(
            message.contains("REFRESH_MAX_SECS"),
            "the refusal should name REFRESH_MAX_SECS: {message}"
        );
    }
}

// ---------------------------------------------------------------- the client

async fn client_connects_with_a_valid_token(app: App) {
    let client = app.extra::<LessonClient>();
    let server = TestApp::spawn(&app).await;
    let (ada, refresh_token) = login(&server, "ada").await;
    let connected = client
        .connect(&server, &ada.token, &refresh_token)
        .await
        .unwrap_or_else(|e| panic!("a valid token should connect, got {e:?}"));
    assert_eq!(
        (connected.token.as_str(), connected.refresh_token.as_str()),
        (ada.token.as_str(), refresh_token.as_str()),
        "with a valid token there is nothing to refresh"
    );
    assert_eq!(whoami(&connected.socket).await["id"], json!(ada.id));
    let _ = connected.socket.disconnect().await;
}

async fn client_refreshes_an_expired_token_and_retries(app: App) {
    let client = app.extra::<LessonClient>();
    let server = TestApp::spawn(&app).await;
    let (ada, refresh_token) = login(&server, "ada").await;
    let expired = server.ctx.jwt.sign(&claims_for(&ada, -10));
    let connected = client
        .connect(&server, &expired, &refresh_token)
        .await
        .unwrap_or_else(|e| panic!("an expired token should be refreshed, got {e:?}"));
    assert_ne!(
        connected.token, expired,
        "the client should hand back the new access token"
    );
    assert!(server.ctx.jwt.verify(&connected.token).is_ok());
    assert_ne!(
        connected.refresh_token, refresh_token,
        "and the new refresh token"
    );
    assert_eq!(whoami(&connected.socket).await["id"], json!(ada.id));
    let _ = connected.socket.disconnect().await;

    let (status, answer) = refresh(&server, &connected.refresh_token).await;
    assert_eq!(status, 200, "the new refresh token works: {answer}");
    let (status, _) = refresh(&server, &refresh_token).await;
    assert_eq!(status, 401, "the client used up the old refresh token");
}

/// Expect "log in again", and no refresh: the refresh token still works.
async fn expect_log_in_again(server: &TestApp, client: &LessonClient, token: &str) {
    let (_, refresh_token) = login(server, "grace").await;
    match client.connect(server, token, &refresh_token).await {
        Ok(connected) => {
            let _ = connected.socket.disconnect().await;
            panic!("the token {token:?} should not connect");
        }
        Err(refused) => {
            assert!(
                refused.log_in_again,
                "expected the log-in-again error, got {refused:?}"
            );
            assert!(
                refused.message.to_lowercase().contains("log in again"),
                "the error should tell the user to log in again, got {:?}",
                refused.message
            );
        }
    }
    let (status, answer) = refresh(server, &refresh_token).await;
    assert_eq!(
        status, 200,
        "the client must not refresh on this error: {answer}"
    );
}

async fn client_asks_to_log_in_again_for_an_invalid_token(app: App) {
    let client = app.extra::<LessonClient>();
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let mut claims = claims_for(&ada, 3600);
    claims.role = Role::Admin;
    let forged = sign(
        &claims,
        Algorithm::HS256,
        b"some-other-secret-that-is-32-bytes-long",
    );
    expect_log_in_again(&server, client, &forged).await;
}

async fn client_asks_to_log_in_again_without_a_token(app: App) {
    let client = app.extra::<LessonClient>();
    let server = TestApp::spawn(&app).await;
    expect_log_in_again(&server, client, "").await;
}

async fn client_asks_to_log_in_again_when_the_refresh_is_refused(app: App) {
    let client = app.extra::<LessonClient>();
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let expired = server.ctx.jwt.sign(&claims_for(&ada, -10));
    let refused = match client
        .connect(&server, &expired, "not-a-refresh-token")
        .await
    {
        Ok(connected) => {
            let _ = connected.socket.disconnect().await;
            panic!("an expired token with a bad refresh token should not connect");
        }
        Err(refused) => refused,
    };
    assert!(
        refused.log_in_again,
        "expected the log-in-again error, got {refused:?}"
    );
    assert!(
        refused.message.to_lowercase().contains("log in again"),
        "{refused:?}"
    );
}

/// A server whose clock runs ahead of the one that signed the tokens: it
/// finds every token expired, fresh ones too. Its `POST /auth/refresh`
/// forwards to the real server (`real`), so refreshing works.
fn clock_ahead(real: &TestApp) -> App {
    let refresh_url = real.url("/auth/refresh");
    App::new(move |_ctx| {
        let refresh_url = refresh_url.clone();
        async move {
            use socketioxide::extract::SocketRef;
            use socketioxide::handler::ConnectHandler;

            async fn every_token_expired(_: SocketRef) -> Result<(), String> {
                Err(
                    json!({ "message": "Token expired", "data": { "type": "TOKEN_EXPIRED" } })
                        .to_string(),
                )
            }
            let (layer, io) = workbook::socket_io().build_layer();
            io.ns("/", (async |_: SocketRef| {}).with(every_token_expired));

            let forward = move |body: String| async move {
                let answer = reqwest::Client::new()
                    .post(&refresh_url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("the real server answers");
                let status = axum::http::StatusCode::from_u16(answer.status().as_u16())
                    .expect("a status code");
                (status, answer.text().await.unwrap_or_default())
            };
            Ok(axum::Router::new()
                .route("/auth/refresh", axum::routing::post(forward))
                .layer(layer))
        }
    })
}

/// The client refreshes after `TOKEN_EXPIRED`, and its one retry is refused
/// again (here by a server whose clock is ahead). The refresh spent the old
/// refresh token, so the error must hand back the new pair: without it the
/// user would have to log in again although their session is alive.
async fn client_keeps_the_new_pair_when_the_retry_fails(app: App) {
    let client = app.extra::<LessonClient>();
    let server = TestApp::spawn(&app).await;
    let skewed = TestApp::spawn(&clock_ahead(&server)).await;
    let (ada, refresh_token) = login(&server, "ada").await;
    let refused = match client.connect(&skewed, &ada.token, &refresh_token).await {
        Ok(connected) => {
            let _ = connected.socket.disconnect().await;
            panic!("a server that finds every token expired should not accept one");
        }
        Err(refused) => refused,
    };
    let Some((_, kept)) = &refused.tokens else {
        panic!(
            "the client refreshed, then its retry failed: the error must carry the new \
             pair (ClientError::fresh_tokens), or the rotated refresh token is lost; got {refused:?}"
        );
    };
    assert_ne!(
        kept, &refresh_token,
        "the pair the refresh returned, not the old one"
    );
    let (status, answer) = refresh(&server, kept).await;
    assert_eq!(status, 200, "the kept refresh token still works: {answer}");
}

/// A cable between the client and the server that the test can cut, as a
/// network would: every connection open through it closes at once, without
/// a goodbye, and new ones go through.
struct Cable {
    url: String,
    cut: tokio::sync::watch::Sender<u32>,
}

impl Cable {
    async fn to(server: &TestApp) -> Cable {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a port for the cable");
        let url = format!("http://{}/", listener.local_addr().expect("its address"));
        let (cut, cuts) = tokio::sync::watch::channel(0);
        let upstream = server.addr;
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut cuts = cuts.clone();
                cuts.mark_unchanged();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    // Dropping both streams is the cut.
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        Cable { url, cut }
    }

    fn cut(&self) {
        self.cut.send_modify(|cuts| *cuts += 1);
    }
}

/// Logs in: the access token and the refresh token of one answer.
async fn login_pair(server: &TestApp, name: &str) -> (String, String) {
    let form = json!({ "username": name, "password": TestUser::PASSWORD });
    let (status, answer) = server.post("/auth/login", &form, None).await;
    assert_eq!(status, 200, "logging in as {name}: {answer}");
    let field = |name: &str| answer[name].as_str().unwrap_or_default().to_owned();
    (field("token"), field("refreshToken"))
}

/// Seed 002's third mistake: a client that keeps the token it was first
/// given (or the socket made with it) still speaks as the old user after
/// a logout and a new login. The next connection, and its reconnects, must
/// carry the new token.
async fn client_connects_with_the_new_token_after_logout_and_login(app: App) {
    let client = app.extra::<LessonClient>();
    let server = TestApp::spawn(&app).await;
    let cable = Cable::to(&server).await;
    let ada = server.user("ada").await;
    let grace = server.user("grace").await;

    let (token, refresh_token) = login_pair(&server, "ada").await;
    let first = client
        .connect_to(cable.url.clone(), &token, &refresh_token)
        .await
        .unwrap_or_else(|e| panic!("ada's valid token should connect, got {e:?}"));
    assert_eq!(whoami(&first.socket).await["id"], json!(ada.id));
    let _ = first.socket.disconnect().await;
    let (status, answer) = logout(&server, &refresh_token).await;
    assert_eq!(status, 204, "logging ada out: {answer}");

    let (token, refresh_token) = login_pair(&server, "grace").await;
    let second = client
        .connect_to(cable.url.clone(), &token, &refresh_token)
        .await
        .unwrap_or_else(|e| panic!("grace's valid token should connect, got {e:?}"));
    assert_eq!(
        whoami(&second.socket).await["id"],
        json!(grace.id),
        "after ada logged out and grace logged in, the next connection must use \
         grace's token, not one the client kept from before"
    );
    assert_eq!(
        (second.token.as_str(), second.refresh_token.as_str()),
        (token.as_str(), refresh_token.as_str()),
        "the client should hand back the pair it was given"
    );

    cable.cut();
    let (kept, _) = harness::wait("grace's socket to reconnect", second.reconnected)
        .await
        .unwrap_or_else(|refusal| panic!("grace's reconnect was refused: {refusal}"));
    assert_eq!(kept, token, "nothing expired: nothing to refresh");
    assert_eq!(
        whoami(&second.socket).await["id"],
        json!(grace.id),
        "the reconnect, too, must be grace's"
    );
    let _ = second.socket.disconnect().await;
}

/// Seed 004's client side: the server checks the token only at the
/// handshake, so a socket outlives its access token. When the network drops
/// it, the reconnect is a new handshake: the client must refresh first
/// (socket.io-client's `reconnect_attempt`), not send the expired token and
/// be refused.
async fn client_refreshes_before_reconnecting_with_an_expired_token(app: App) {
    let client = app.extra::<LessonClient>();
    let server = TestApp::spawn_with(&app, &[("JWT_TTL_SECS", "1")]).await;
    let cable = Cable::to(&server).await;
    let ada = server.user("ada").await;
    let (token, refresh_token) = login_pair(&server, "ada").await;
    let connected = client
        .connect_to(cable.url.clone(), &token, &refresh_token)
        .await
        .unwrap_or_else(|e| panic!("ada's token should connect, got {e:?}"));
    let before = connected.token.clone();

    // The token the socket holds expires while the socket is up: the
    // server refuses it once a second has passed its `exp`.
    let exp = jsonwebtoken::dangerous::insecure_decode_claims::<Claims>(&before)
        .expect("the access token is a JWT")
        .exp;
    let expired_at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(exp + 1);
    let wait = expired_at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    tokio::time::sleep(wait).await;
    let refusal = server
        .socket("/")
        .auth(json!({ "token": before }))
        .connect_err()
        .await;
    assert_eq!(document_of(refusal)["data"]["type"], "TOKEN_EXPIRED");

    cable.cut();
    let (token, kept) = harness::wait("ada's socket to reconnect", connected.reconnected)
        .await
        .unwrap_or_else(|refusal| {
            panic!(
                "the reconnect was refused ({refusal}): a token that expired while the \
                 socket was up must be refreshed before the socket reconnects"
            )
        });
    assert_ne!(
        token, before,
        "the reconnect should have refreshed the pair"
    );
    assert_eq!(whoami(&connected.socket).await["id"], json!(ada.id));
    let _ = connected.socket.disconnect().await;
    let (status, answer) = refresh(&server, &kept).await;
    assert_eq!(
        status, 200,
        "Connection::tokens hands back the refreshed pair, whose refresh token works: {answer}"
    );
}
