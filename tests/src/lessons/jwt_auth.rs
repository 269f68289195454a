//! Lesson 02, JWT authentication (contract §02): the handshake's
//! `auth.token` is verified (HS256 only, `exp` checked), the user it names
//! is loaded from the store, and events take the sender from the server side.

use std::time::Duration;

use insta::assert_json_snapshot;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use workbook::jwt::{Claims, now};
use workbook::users::Role;

use crate::{App, ConnectError, Socket, TEST_JWT_SECRET, TestApp, TestUser};

/// `harness::lesson_02!(crate_name::app)` in a lesson crate's `tests/suite.rs`.
#[macro_export]
macro_rules! lesson_02 {
    ($app:path) => {
        $crate::suite!($app => $crate::lessons::jwt_auth [
            accepts_a_valid_token,
            refuses_a_handshake_without_auth,
            refuses_auth_without_a_token,
            refuses_an_empty_token,
            refuses_a_null_token,
            refuses_a_number_as_token,
            refuses_an_object_as_token,
            refuses_an_array_as_token,
            ignores_a_token_in_the_query_string,
            refuses_a_malformed_token,
            refuses_alg_none,
            refuses_a_token_signed_with_another_secret,
            refuses_a_tampered_payload,
            refuses_hs512_even_with_the_right_secret,
            refuses_claims_without_a_role,
            refuses_an_expired_token,
            refuses_a_token_that_expired_seconds_ago,
            refuses_a_token_for_a_deleted_user,
            refuses_a_token_for_an_unknown_id,
            survives_a_100_kb_token,
            whoami_answers_from_the_store_not_the_token,
            each_socket_joins_its_user_room,
            join_room_acks_ok,
            join_room_refuses_another_users_room,
            send_message_reaches_the_room_with_the_server_side_sender,
            send_message_skips_sockets_outside_the_room,
            invalid_payloads_get_an_error_and_the_socket_lives_on,
        ]);
    };
}

/// How long a test listens to be sure an event does not come.
const QUIET: Duration = Duration::from_millis(300);

/// The handshake's outcome when the client sends `auth` (or none).
async fn refusal(server: &TestApp, auth: Option<Value>) -> ConnectError {
    let mut socket = server.socket("/");
    if let Some(auth) = auth {
        socket = socket.auth(auth);
    }
    socket.connect_err().await
}

/// Connects as `user` and returns the socket.
async fn connect(server: &TestApp, user: &TestUser) -> Socket {
    server
        .socket("/")
        .auth(json!({ "token": user.token }))
        .connect_ok()
        .await
}

/// Claims for `id` that expire in an hour.
fn claims_for(id: &str) -> Claims {
    Claims {
        id: id.to_owned(),
        name: "ghost".to_owned(),
        role: Role::User,
        iat: now(),
        exp: now() + 3600,
    }
}

/// Signs any JSON claims with any algorithm and secret.
fn forge(alg: Algorithm, claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("signing test claims")
}

/// The three dot-separated parts of a JWT: header, claims, signature.
fn parts(token: &str) -> Vec<&str> {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {token}");
    parts
}

pub async fn accepts_a_valid_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = connect(&server, &ada).await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(ada.id), "whoami should name ada: {me}");
    assert_json_snapshot!(me, { ".id" => "[user id]" });
}

pub async fn refuses_a_handshake_without_auth(app: App) {
    let server = TestApp::spawn(&app).await;
    assert_json_snapshot!(refusal(&server, None).await);
}

pub async fn refuses_auth_without_a_token(app: App) {
    let server = TestApp::spawn(&app).await;
    assert_json_snapshot!(refusal(&server, Some(json!({ "user": "ada" }))).await);
}

pub async fn refuses_an_empty_token(app: App) {
    let server = TestApp::spawn(&app).await;
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": "" }))).await);
}

pub async fn refuses_a_null_token(app: App) {
    let server = TestApp::spawn(&app).await;
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": null }))).await);
}

pub async fn refuses_a_number_as_token(app: App) {
    let server = TestApp::spawn(&app).await;
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": 42 }))).await);
}

pub async fn refuses_an_object_as_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let auth = json!({ "token": { "token": ada.token } });
    assert_json_snapshot!(refusal(&server, Some(auth)).await);
}

pub async fn refuses_an_array_as_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let auth = json!({ "token": [ada.token] });
    assert_json_snapshot!(refusal(&server, Some(auth)).await);
}

/// A good token in the URL, none in `auth`: the URL is not a place for
/// secrets, so the server acts as if there were no token at all.
pub async fn ignores_a_token_in_the_query_string(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let address = format!("{}?token={}", server.url("/socket.io/"), ada.token);
    let error = server.socket("/").address(address).connect_err().await;
    assert_json_snapshot!(error);
}

pub async fn refuses_a_malformed_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let auth = json!({ "token": "not-a-jwt" });
    assert_json_snapshot!(refusal(&server, Some(auth)).await);
}

/// `{"alg":"none"}` and no signature: a token anyone can write.
pub async fn refuses_alg_none(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    // base64url of `{"alg":"none","typ":"JWT"}`.
    let none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
    let token = format!("{none_header}.{}.", parts(&ada.token)[1]);
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": token }))).await);
}

pub async fn refuses_a_token_signed_with_another_secret(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let claims = serde_json::to_value(claims_for(&ada.id)).unwrap();
    let token = forge(
        Algorithm::HS256,
        &claims,
        "some-other-secret-also-32-bytes-long",
    );
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": token }))).await);
}

/// Ada's genuine header and signature around claims that make her an admin.
pub async fn refuses_a_tampered_payload(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let mut claims = serde_json::to_value(claims_for(&ada.id)).unwrap();
    claims["name"] = json!("ada");
    claims["role"] = json!("admin");
    let promoted = forge(
        Algorithm::HS256,
        &claims,
        "any-secret-will-do-for-the-claims",
    );
    let original = parts(&ada.token);
    let token = format!("{}.{}.{}", original[0], parts(&promoted)[1], original[2]);
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": token }))).await);
}

/// The right secret, the wrong algorithm: only HS256 is accepted.
pub async fn refuses_hs512_even_with_the_right_secret(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let claims = serde_json::to_value(claims_for(&ada.id)).unwrap();
    let token = forge(Algorithm::HS512, &claims, TEST_JWT_SECRET);
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": token }))).await);
}

pub async fn refuses_claims_without_a_role(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let claims = json!({ "id": ada.id, "name": "ada", "iat": now(), "exp": now() + 3600 });
    let token = forge(Algorithm::HS256, &claims, TEST_JWT_SECRET);
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": token }))).await);
}

pub async fn refuses_an_expired_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let token = server.ctx.jwt.sign(&Claims {
        iat: now() - 7200,
        exp: now() - 3600,
        ..claims_for(&ada.id)
    });
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": token }))).await);
}

/// No leeway: `jsonwebtoken` forgives 60 seconds by default, which is for
/// servers whose clocks disagree. Ours issues and checks its own tokens.
pub async fn refuses_a_token_that_expired_seconds_ago(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let token = server.ctx.jwt.sign(&Claims {
        iat: now() - 60,
        exp: now() - 3,
        ..claims_for(&ada.id)
    });
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": token }))).await);
}

pub async fn refuses_a_token_for_a_deleted_user(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let deleted = server.ctx.users.delete(&ada.id).await.expect("the store");
    assert!(deleted, "ada should have been in the store");
    let auth = json!({ "token": ada.token });
    assert_json_snapshot!(refusal(&server, Some(auth)).await);
}

pub async fn refuses_a_token_for_an_unknown_id(app: App) {
    let server = TestApp::spawn(&app).await;
    let token = server.ctx.jwt.sign(&claims_for("000000000000000000000000"));
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": token }))).await);
}

/// A 100 KB token is no token: the middleware refuses it like any other
/// garbage (the transport's message limit, 1 MB, stops bigger ones before
/// they reach it). The server then goes on serving others.
pub async fn survives_a_100_kb_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let huge = "a".repeat(100 * 1024);
    assert_json_snapshot!(refusal(&server, Some(json!({ "token": huge }))).await);

    let socket = connect(&server, &ada).await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(
        me["name"],
        json!("ada"),
        "the server should still serve ada: {me}"
    );
}

/// A validly signed token whose claims say "mallory, admin" for ada's id:
/// whoami reports what the store says about that id.
pub async fn whoami_answers_from_the_store_not_the_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let token = server.ctx.jwt.sign(&Claims {
        name: "mallory".to_owned(),
        role: Role::Admin,
        ..claims_for(&ada.id)
    });
    let socket = server
        .socket("/")
        .auth(json!({ "token": token }))
        .connect_ok()
        .await;
    let me = socket.ack("whoami", Value::Null).await;
    assert_eq!(me["id"], json!(ada.id), "whoami should name ada: {me}");
    assert_json_snapshot!(me, { ".id" => "[user id]" });
}

/// Seen from outside: a message sent to room `user:<bob's id>` reaches Bob,
/// who never joined it himself.
pub async fn each_socket_joins_its_user_room(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (connect(&server, &ada).await, connect(&server, &bob).await);
    let room = format!("user:{}", bob.id);
    ada_socket
        .emit("send-message", json!({ "room": room, "text": "hi bob" }))
        .await;
    let message = bob_socket.next("new-message").await;
    assert_eq!(message["text"], json!("hi bob"), "{message}");
}

pub async fn join_room_acks_ok(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = connect(&server, &ada).await;
    let ack = socket.ack("join-room", json!({ "room": "lobby" })).await;
    assert_json_snapshot!(ack);
}

/// `user:<id>` rooms reach one user's devices; nobody else may join them.
pub async fn join_room_refuses_another_users_room(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (connect(&server, &ada).await, connect(&server, &bob).await);
    let room = format!("user:{}", bob.id);
    let ack = ada_socket.ack("join-room", json!({ "room": room })).await;
    assert_json_snapshot!(ack);

    bob_socket
        .emit(
            "send-message",
            json!({ "room": room, "text": "note to self" }),
        )
        .await;
    bob_socket.next("new-message").await;
    ada_socket.assert_silent("new-message", QUIET).await;
}

/// Ada claims to be Bob in the payload; the message still says Ada.
pub async fn send_message_reaches_the_room_with_the_server_side_sender(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (connect(&server, &ada).await, connect(&server, &bob).await);
    for socket in [&ada_socket, &bob_socket] {
        let ack = socket.ack("join-room", json!({ "room": "lobby" })).await;
        assert_eq!(ack, json!({ "status": "ok" }));
    }
    let forged = json!({ "room": "lobby", "text": "hello", "sender": "bob", "senderId": bob.id });
    ada_socket.emit("send-message", forged).await;

    let message = bob_socket.next("new-message").await;
    assert_eq!(message["senderId"], json!(ada.id), "{message}");
    let timestamp = message["timestamp"].as_u64();
    let now_ms = now() * 1000;
    assert!(
        timestamp.is_some_and(|t| t + 60_000 > now_ms && t < now_ms + 60_000),
        "timestamp should be the time in milliseconds since 1970, got {message}"
    );
    assert_json_snapshot!(message, {
        ".senderId" => "[ada's id]",
        ".timestamp" => "[timestamp]",
    });
    let own_copy = ada_socket.next("new-message").await;
    assert_eq!(own_copy, message, "the sender is in the room too");
}

pub async fn send_message_skips_sockets_outside_the_room(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (connect(&server, &ada).await, connect(&server, &bob).await);
    ada_socket
        .ack("join-room", json!({ "room": "lobby" }))
        .await;
    ada_socket
        .emit(
            "send-message",
            json!({ "room": "lobby", "text": "anyone?" }),
        )
        .await;
    ada_socket.next("new-message").await;
    bob_socket.assert_silent("new-message", QUIET).await;
}

/// Payloads of the wrong shape get an error ack; nothing is sent, and the
/// socket keeps working.
pub async fn invalid_payloads_get_an_error_and_the_socket_lives_on(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = connect(&server, &ada).await;
    let answers = json!({
        "join-room 42": socket.ack("join-room", json!(42)).await,
        "join-room {}": socket.ack("join-room", json!({})).await,
        "join-room {room: 7}": socket.ack("join-room", json!({ "room": 7 })).await,
        "send-message \"hi\"": socket.ack("send-message", json!("hi")).await,
        "send-message {room} without text": socket.ack("send-message", json!({ "room": "lobby" })).await,
    });
    assert_json_snapshot!(answers);
    socket.assert_silent("new-message", QUIET).await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(
        me["name"],
        json!("ada"),
        "the socket should still answer: {me}"
    );
}
