//! Lesson 01, basic middleware (contract §01): a middleware that counts every
//! attempt, one that refuses a handshake without a token, and the counts at
//! `GET /stats`.

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use harness::{App, TestApp};

harness::cases! {
    crate basic_middleware_suite, dir "01-basic-middleware",
    step_1: [
        welcomes_a_socket_that_brings_a_token,
        refuses_a_handshake_without_auth,
        refuses_auth_without_a_token,
        refuses_an_empty_token,
        refuses_a_null_token,
        refuses_a_number_as_token,
        refuses_an_object_as_token,
        stats_count_every_attempt,
        stats_start_at_zero,
    ],
}

async fn welcomes_a_socket_that_brings_a_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let socket = server
        .socket("/")
        .auth(json!({ "token": "anything-for-now" }))
        .connect_ok()
        .await;
    let welcome = socket.next("welcome").await;
    assert!(
        welcome["id"].as_str().is_some_and(|id| !id.is_empty()),
        "welcome should carry the socket's id as a string, got {welcome}"
    );
    assert_json_snapshot!(welcome, { ".id" => "[socket id]" });
}

/// The handshake's outcome when the client sends `auth` (or none).
async fn refusal(app: &App, auth: Option<Value>) -> harness::ConnectError {
    let server = TestApp::spawn(app).await;
    let mut socket = server.socket("/");
    if let Some(auth) = auth {
        socket = socket.auth(auth);
    }
    socket.connect_err().await
}

async fn refuses_a_handshake_without_auth(app: App) {
    assert_json_snapshot!(refusal(&app, None).await);
}

async fn refuses_auth_without_a_token(app: App) {
    assert_json_snapshot!(refusal(&app, Some(json!({ "user": "ada" }))).await);
}

async fn refuses_an_empty_token(app: App) {
    assert_json_snapshot!(refusal(&app, Some(json!({ "token": "" }))).await);
}

async fn refuses_a_null_token(app: App) {
    assert_json_snapshot!(refusal(&app, Some(json!({ "token": null }))).await);
}

async fn refuses_a_number_as_token(app: App) {
    assert_json_snapshot!(refusal(&app, Some(json!({ "token": 42 }))).await);
}

async fn refuses_an_object_as_token(app: App) {
    assert_json_snapshot!(refusal(&app, Some(json!({ "token": { "value": "x" } }))).await);
}

async fn stats_start_at_zero(app: App) {
    let server = TestApp::spawn(&app).await;
    let (status, stats) = server.get("/stats", None).await;
    assert_eq!(status, 200, "GET /stats: {stats}");
    assert_json_snapshot!(stats);
}

async fn stats_count_every_attempt(app: App) {
    let server = TestApp::spawn(&app).await;
    let mut kept = Vec::new();
    for token in ["one", "two"] {
        let socket = server
            .socket("/")
            .auth(json!({ "token": token }))
            .connect_ok()
            .await;
        // `welcome` is sent once the connection is counted as accepted.
        socket.next("welcome").await;
        kept.push(socket);
    }
    for auth in [json!({}), json!({ "token": "" }), json!({ "token": 7 })] {
        server.socket("/").auth(auth).connect_err().await;
    }
    let (status, stats) = server.get("/stats", None).await;
    assert_eq!(status, 200, "GET /stats: {stats}");
    assert_json_snapshot!(stats);
}
