//! Lesson 06, logging (contract §06): one logging middleware per namespace,
//! on `/` and on `/chat` (before authentication), writing one JSON line per
//! connection attempt and one per disconnect through `tracing`. The suite
//! reads the server's own log, as the harness caught it for this test, and
//! checks every field, and that no line anywhere holds a token, a password,
//! a bcrypt hash or an `Authorization` header.
//!
//! The hostile handshakes of `harness::attacks` run against `/chat`; each one's
//! snapshot holds the refusal and the attempt line it left.

use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use insta::assert_json_snapshot;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use workbook::jwt::{Claims, now};
use workbook::users::{NewUser, Role};

use harness::{App, ConnectError, Socket, TestApp, TestUser};

harness::cases! {
    crate logging_suite, dir "06-logging",
    step_1 with attacks on "/chat" judged by attack_outcome: [
        an_attempt_on_root_logs_every_field,
        an_attempt_on_chat_is_logged_before_authentication,
        an_attempt_says_whether_a_token_came,
        a_disconnect_logs_its_reason_and_duration,
        a_refused_attempt_leaves_one_line_and_no_disconnect,
        each_attempt_is_one_line,
        root_is_anonymous_and_chat_knows_its_user,
        an_accepted_socket_logs_no_token,
        a_refused_handshake_logs_no_token,
        a_failed_login_logs_no_password,
        a_debug_log_holds_no_token,
        a_quote_in_the_user_agent_cannot_forge_a_line,
        a_line_break_in_a_user_name_cannot_forge_a_line,
    ],
}

/// The user agent the suite's clients announce.
const AGENT: &str = "workbook-suite/1.0 (lesson 06)";

/// Where the chapter explains what a failure here means.
const CHAPTER: &str = "see book/src/06-logging.md";

/// A field of a log line, at the top level or under `fields` (tracing's JSON
/// format puts an event's fields there unless it is told to flatten them).
fn field<'a>(line: &'a Value, name: &str) -> &'a Value {
    line.get("fields")
        .and_then(|fields| fields.get(name))
        .or_else(|| line.get(name))
        .unwrap_or(&Value::Null)
}

fn is_event(line: &Value, event: &str) -> bool {
    field(line, "event") == event
}

/// The lines of one kind, in the order they were written.
fn events(server: &TestApp, event: &str) -> Vec<Value> {
    server
        .logs()
        .into_iter()
        .filter(|line| is_event(line, event))
        .collect()
}

/// Waits until the server has logged a line that `wanted` accepts.
async fn line_where(server: &TestApp, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    harness::wait(&format!("the server to log {what} ({CHAPTER})"), async {
        loop {
            if let Some(line) = server.logs().into_iter().find(|line| wanted(line)) {
                return line;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
}

/// The one attempt line for `namespace`, failing if there is none or more.
fn the_attempt(server: &TestApp, namespace: &str) -> Value {
    let attempts: Vec<Value> = events(server, "connection_attempt")
        .into_iter()
        .filter(|line| field(line, "namespace") == namespace)
        .collect();
    assert_eq!(
        attempts.len(),
        1,
        "one handshake on {namespace:?} should leave exactly one line with \
         event \"connection_attempt\" and namespace {namespace:?} ({CHAPTER}), got {attempts:#?}\n\
         every line: {:#?}",
        server.logs()
    );
    attempts.into_iter().next().unwrap()
}

/// The disconnect line of `socket_id`, once it is written.
async fn the_disconnect(server: &TestApp, socket_id: &Value) -> Value {
    line_where(
        server,
        &format!("the disconnect of socket {socket_id}"),
        |line| is_event(line, "disconnect") && field(line, "socketId") == socket_id,
    )
    .await
}

/// The contract's fields of a line, for a snapshot (the crate's name in
/// `target` differs between the starter and the solution).
fn contract_fields(line: &Value, names: &[&str]) -> Value {
    names
        .iter()
        .map(|name| (name.to_string(), field(line, name).clone()))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

const ATTEMPT_FIELDS: &[&str] = &[
    "event",
    "namespace",
    "socketId",
    "ip",
    "userAgent",
    "timestamp",
    "auth",
];
const DISCONNECT_FIELDS: &[&str] = &["event", "namespace", "socketId", "reason", "durationMs"];

/// Checks that `line` carries an RFC 3339 `timestamp` (read by the `time`
/// crate) between `from` and now, a second of slack each side for clock
/// rounding.
fn assert_timestamp(line: &Value, from: OffsetDateTime) {
    let timestamp = field(line, "timestamp");
    let parsed = timestamp
        .as_str()
        .and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok());
    let Some(at) = parsed else {
        panic!("`timestamp` should be an RFC 3339 date-time, got {timestamp} in {line}");
    };
    let slack = time::Duration::SECOND;
    assert!(
        at >= from - slack && at <= OffsetDateTime::now_utc() + slack,
        "`timestamp` should be the time of the attempt, got {timestamp} in {line}"
    );
}

/// Fails if any line holds `secret`, or any part of it when it is a JWT (a
/// line that holds a token's signature alone still lets nobody in, but its
/// claims alone say who the user is, and a line that has one part of a
/// token was written by code that had the token in hand).
fn assert_never_logged(server: &TestApp, what: &str, secret: &str) {
    let mut pieces = vec![secret];
    if secret.matches('.').count() == 2 {
        pieces.extend(secret.split('.').filter(|part| part.len() >= 8));
    }
    for line in server.logs() {
        let text = line.to_string();
        if let Some(piece) = pieces.iter().find(|piece| text.contains(**piece)) {
            let prefix: String = piece.chars().take(10).collect();
            panic!(
                "the log holds {what} ({prefix}…); a log is read by more people than a \
                 secret is meant for ({CHAPTER}). The line: {text}"
            );
        }
    }
}

/// No line mentions an `Authorization` header or a bearer credential.
fn assert_no_authorization(server: &TestApp) {
    for line in server.logs() {
        let text = line.to_string();
        let lower = text.to_lowercase();
        for word in ["authorization", "bearer"] {
            assert!(
                !lower.contains(word),
                "the log mentions {word:?}: headers that carry credentials stay out of it \
                 ({CHAPTER}). The line: {text}"
            );
        }
    }
}

async fn connect_chat(server: &TestApp, user: &TestUser) -> Socket {
    server
        .socket("/chat")
        .header("User-Agent", AGENT)
        .auth(json!({ "token": user.token }))
        .connect_ok()
        .await
}

/// The attempt line's socket id, which every later line of that socket repeats.
fn socket_id(line: &Value) -> Value {
    let id = field(line, "socketId").clone();
    assert!(
        id.as_str().is_some_and(|id| !id.is_empty()),
        "`socketId` should be the socket's id, a non-empty string, got {id} in {line}"
    );
    id
}

async fn an_attempt_on_root_logs_every_field(app: App) {
    let server = TestApp::spawn(&app).await;
    let from = OffsetDateTime::now_utc();
    let socket = server
        .socket("/")
        .header("User-Agent", AGENT)
        .connect_ok()
        .await;
    let line = the_attempt(&server, "/");
    socket_id(&line);
    assert_timestamp(&line, from);
    assert_eq!(field(&line, "ip"), "127.0.0.1", "the client's IP: {line}");
    assert_eq!(
        field(&line, "userAgent"),
        AGENT,
        "the User-Agent header: {line}"
    );
    assert_json_snapshot!(contract_fields(&line, ATTEMPT_FIELDS), {
        ".socketId" => "[socket id]",
        ".timestamp" => "[RFC 3339]",
    });
    socket.disconnect().await;
}

/// The middleware on `/chat` runs before authentication: a handshake the
/// authentication refuses is in the log too.
async fn an_attempt_on_chat_is_logged_before_authentication(app: App) {
    let server = TestApp::spawn(&app).await;
    let from = OffsetDateTime::now_utc();
    let refusal = server
        .socket("/chat")
        .header("User-Agent", AGENT)
        .auth(json!({ "token": "not-a-jwt" }))
        .connect_err()
        .await;
    assert_eq!(refusal.message, "Invalid token");
    let line = the_attempt(&server, "/chat");
    socket_id(&line);
    assert_timestamp(&line, from);
    assert_json_snapshot!(contract_fields(&line, ATTEMPT_FIELDS), {
        ".socketId" => "[socket id]",
        ".timestamp" => "[RFC 3339]",
    });
}

/// `auth` is `"provided"` when `auth.token` holds anything but nothing:
/// missing, `null` and `""` are none, as everywhere in the workbook.
async fn an_attempt_says_whether_a_token_came(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let handshakes = [
        ("no auth", None),
        ("auth without a token", Some(json!({ "user": "ada" }))),
        ("null token", Some(json!({ "token": null }))),
        ("empty token", Some(json!({ "token": "" }))),
        ("number token", Some(json!({ "token": 42 }))),
        ("garbage token", Some(json!({ "token": "garbage" }))),
        ("valid token", Some(json!({ "token": ada.token }))),
    ];
    let mut seen = serde_json::Map::new();
    for (name, auth) in handshakes {
        // `/` lets everyone in, so each handshake ends in a connected socket
        // and its line is written before the client hears back.
        let mut socket = server.socket("/");
        if let Some(auth) = auth {
            socket = socket.auth(auth);
        }
        let socket = socket.connect_ok().await;
        let attempts = events(&server, "connection_attempt");
        let line = attempts.last().expect("an attempt line");
        seen.insert(name.to_owned(), field(line, "auth").clone());
        socket.disconnect().await;
    }
    assert_eq!(
        events(&server, "connection_attempt").len(),
        7,
        "seven handshakes, seven attempt lines"
    );
    assert_json_snapshot!(Value::Object(seen));
    assert_never_logged(&server, "ada's token", &ada.token);
}

async fn a_disconnect_logs_its_reason_and_duration(app: App) {
    /// How long the client keeps the socket: the shortest `durationMs` the
    /// server may report.
    const HOLD: Duration = Duration::from_millis(200);
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let started = Instant::now();
    let socket = connect_chat(&server, &ada).await;
    let id = socket_id(&the_attempt(&server, "/chat"));
    tokio::time::sleep(HOLD).await;
    socket.disconnect().await;
    let line = the_disconnect(&server, &id).await;
    let elapsed = started.elapsed().as_millis() as u64;

    let duration = field(&line, "durationMs");
    let Some(ms) = duration.as_u64() else {
        panic!("`durationMs` should be a whole number of milliseconds, got {duration} in {line}");
    };
    assert!(
        ms >= HOLD.as_millis() as u64 && ms <= elapsed,
        "`durationMs` should count from the attempt to the disconnect: the client held the socket \
         {HOLD:?} within {elapsed} ms, the line says {ms} ({CHAPTER})"
    );
    assert_json_snapshot!(contract_fields(&line, DISCONNECT_FIELDS), {
        ".socketId" => "[socket id]",
        ".durationMs" => "[milliseconds]",
    });
}

/// A refused socket was never connected: it has an attempt line and no
/// disconnect line. The accepted socket after it proves the log is caught up.
async fn a_refused_attempt_leaves_one_line_and_no_disconnect(app: App) {
    let server = TestApp::spawn(&app).await;
    let refusal = server.socket("/chat").connect_err().await;
    assert_eq!(refusal.message, "Authentication required");
    let refused = socket_id(&the_attempt(&server, "/chat"));

    let ada = server.user("ada").await;
    let socket = connect_chat(&server, &ada).await;
    let attempts = events(&server, "connection_attempt");
    let accepted = socket_id(attempts.last().expect("the second attempt"));
    socket.disconnect().await;
    the_disconnect(&server, &accepted).await;

    let disconnects = events(&server, "disconnect");
    assert!(
        disconnects
            .iter()
            .all(|line| field(line, "socketId") != &refused),
        "a refused socket never connected, so it has no disconnect line ({CHAPTER}): {disconnects:#?}"
    );
    assert_eq!(
        disconnects.len(),
        1,
        "one accepted socket, one disconnect: {disconnects:#?}"
    );
}

/// Two namespaces, two sockets each: every handshake is one attempt line
/// under its own namespace, every socket one disconnect line.
async fn each_attempt_is_one_line(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let sockets = [
        server.socket("/").connect_ok().await,
        server.socket("/").connect_ok().await,
        connect_chat(&server, &ada).await,
        connect_chat(&server, &ada).await,
    ];
    let attempts = events(&server, "connection_attempt");
    let namespaces: Vec<&Value> = attempts
        .iter()
        .map(|line| field(line, "namespace"))
        .collect();
    assert_eq!(
        namespaces,
        [&json!("/"), &json!("/"), &json!("/chat"), &json!("/chat")],
        "one line per attempt, with the namespace's path ({CHAPTER})"
    );
    let ids: Vec<Value> = attempts.iter().map(socket_id).collect();
    assert!(
        ids[0] != ids[1] && ids[2] != ids[3],
        "each socket has its own id: {ids:?}"
    );
    for socket in &sockets {
        socket.disconnect().await;
    }
    for (id, namespace) in ids.iter().zip(["/", "/", "/chat", "/chat"]) {
        let line = the_disconnect(&server, id).await;
        assert_eq!(field(&line, "namespace"), namespace, "{line}");
    }
    assert_eq!(events(&server, "disconnect").len(), 4);
}

async fn root_is_anonymous_and_chat_knows_its_user(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let root = server.socket("/").connect_ok().await;
    let chat = connect_chat(&server, &ada).await;
    let seen = json!({
        "root": root.ack("whoami", json!({})).await,
        "chat": chat.ack("whoami", json!({})).await,
    });
    assert_eq!(seen["chat"]["id"], json!(ada.id), "{seen}");
    assert_json_snapshot!(seen, { ".chat.id" => "[user id]" });
}

/// A socket that connects with a token, in `auth` and in the query string,
/// with an `Authorization` header too, and then disconnects: no line holds
/// the token, the password, the hash, or the header.
async fn an_accepted_socket_logs_no_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = server
        .socket("/chat")
        .address(format!("{}?token={}", server.url("/socket.io/"), ada.token))
        .header("User-Agent", AGENT)
        .header("Authorization", &format!("Bearer {}", ada.token))
        .auth(json!({ "token": ada.token }))
        .connect_ok()
        .await;
    let root = server.connect(&ada).await;
    let id = socket_id(&the_attempt(&server, "/chat"));
    socket.ack("whoami", json!({})).await;
    socket.disconnect().await;
    root.disconnect().await;
    the_disconnect(&server, &id).await;

    let hash = stored_hash(&server, "ada").await;
    assert_never_logged(&server, "ada's token", &ada.token);
    assert_never_logged(&server, "ada's password", TestUser::PASSWORD);
    assert_never_logged(&server, "ada's bcrypt hash", &hash);
    assert_no_authorization(&server);
}

/// Refused handshakes: an expired token, a tampered one, one signed with
/// another secret, and a genuine token for a user who is gone.
async fn a_refused_handshake_logs_no_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let claims = Claims {
        id: ada.id.clone(),
        name: "ada".to_owned(),
        role: Role::User,
        iat: now() - 7200,
        exp: now() - 3600,
    };
    let expired = server.ctx.jwt.sign(&claims);
    let mut parts: Vec<String> = ada.token.split('.').map(str::to_owned).collect();
    parts[2] = parts[2].chars().rev().collect();
    let tampered = parts.join(".");
    let foreign = workbook::jwt::Jwt::new(
        b"another-secret-that-is-at-least-32-bytes",
        Duration::from_secs(60),
    );
    let ghost = Claims {
        id: "65f0c0ffee0000000000dead".to_owned(),
        iat: now(),
        exp: now() + 3600,
        ..claims.clone()
    };
    let other_secret = foreign.sign(&ghost);
    let gone = server.ctx.jwt.sign(&ghost);

    let mut refusals = Vec::new();
    for token in [&expired, &tampered, &other_secret, &gone] {
        let refusal = server
            .socket("/chat")
            .header("Authorization", &format!("Bearer {token}"))
            .auth(json!({ "token": token }))
            .connect_err()
            .await;
        refusals.push(refusal.message);
    }
    assert_eq!(
        refusals,
        [
            "Token expired",
            "Invalid token",
            "Invalid token",
            "User not found"
        ]
    );
    assert_eq!(events(&server, "connection_attempt").len(), 4);
    for (what, token) in [
        ("an expired token", &expired),
        ("a tampered token", &tampered),
        ("a token signed with another secret", &other_secret),
        ("a token for a user who is gone", &gone),
    ] {
        assert_never_logged(&server, what, token);
    }
    assert_no_authorization(&server);
}

/// Failed logins (a wrong password, an unknown user) and a successful one
/// leave no password and no hash in the log.
async fn a_failed_login_logs_no_password(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let wrong = "wrong horse battery staple";
    let attempts = [
        json!({ "username": "ada", "password": wrong }),
        json!({ "username": "nobody", "password": wrong }),
        json!({ "username": "ada", "password": "x".repeat(100) }),
    ];
    for body in &attempts {
        let (status, answer) = server.post("/auth/login", body, None).await;
        assert_eq!(status, 400, "{answer}");
    }
    let hash = stored_hash(&server, "ada").await;
    let refusal = server
        .socket("/chat")
        .auth(json!({ "token": wrong }))
        .connect_err()
        .await;
    assert_eq!(refusal.message, "Invalid token");

    assert_never_logged(&server, "a wrong password", wrong);
    assert_never_logged(&server, "ada's password", TestUser::PASSWORD);
    assert_never_logged(&server, "an over-long password", &"x".repeat(100));
    assert_never_logged(&server, "ada's bcrypt hash", &hash);
    assert_never_logged(&server, "ada's token", &ada.token);
}

/// An operator chasing a bug turns on `RUST_LOG=debug`. At that level
/// socketioxide and engineioxide would log every packet, the handshake's
/// `auth` with its token included, so the server keeps them at `info` unless
/// `RUST_LOG` names them itself. A directive for another crate whose name
/// starts the same (`socketioxide_redis`) does not count as naming them.
async fn a_debug_log_holds_no_token(app: App) {
    for wanted in ["debug", "debug,socketioxide_redis=info"] {
        let server = TestApp::spawn_with(&app, &[("RUST_LOG", wanted)]).await;
        let ada = server.user("ada").await;
        let socket = connect_chat(&server, &ada).await;
        // The test's log holds the first server's lines too: this socket's
        // attempt is the last one.
        let attempts = events(&server, "connection_attempt");
        let id = socket_id(attempts.last().expect("an attempt line"));
        socket.ack("whoami", json!({})).await;
        socket.disconnect().await;
        the_disconnect(&server, &id).await;
        assert!(
            server.logs().iter().any(|line| line["level"] == "DEBUG"),
            "RUST_LOG={wanted} should keep debug lines"
        );
        assert_never_logged(
            &server,
            &format!("ada's token, at RUST_LOG={wanted}"),
            &ada.token,
        );
    }
}

/// A user agent that tries to close the JSON string and add fields of its
/// own. The encoder escapes it: one line, the value exactly as sent.
async fn a_quote_in_the_user_agent_cannot_forge_a_line(app: App) {
    let server = TestApp::spawn(&app).await;
    let forged = r#"x", "event": "disconnect", "auth": "provided", "ip": "10.0.0.1\"}"#;
    let socket = server
        .socket("/")
        .header("User-Agent", forged)
        .connect_ok()
        .await;
    let line = the_attempt(&server, "/");
    assert_eq!(
        field(&line, "userAgent"),
        forged,
        "the user agent should be logged exactly as sent, one field of one line ({CHAPTER}): {line}"
    );
    assert_eq!(field(&line, "auth"), "none", "{line}");
    assert_eq!(field(&line, "ip"), "127.0.0.1", "{line}");
    assert!(
        events(&server, "disconnect").is_empty(),
        "no disconnect yet, whatever the user agent says"
    );
    socket.disconnect().await;
}

/// A user whose name holds a line break and a quote (the register route
/// would refuse it; the store does not care). `/chat` logs the name of the
/// user it let in, escaped like any value.
async fn a_line_break_in_a_user_name_cannot_forge_a_line(app: App) {
    let server = TestApp::spawn(&app).await;
    let name = "eve\n{\"event\":\"disconnect\",\"socketId\":\"x\"}\r\n\"";
    let eve = server
        .ctx
        .users
        .create(NewUser {
            username: name.to_owned(),
            email: "eve@example.com".to_owned(),
            password_hash: "not-a-hash".to_owned(),
            role: Role::User,
        })
        .await
        .expect("the store takes any name");
    let token = server.ctx.jwt.issue(&eve);
    let socket = server.connect_with("/chat", &token).await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(me["name"], json!(name));
    let connected = line_where(&server, "the user eve's name", |line| {
        field(line, "user") == name
    })
    .await;
    assert!(
        events(&server, "disconnect").is_empty(),
        "a line break in a name must not start a line of its own: {:#?}",
        server.logs()
    );
    assert_eq!(field(&connected, "userId"), &json!(eve.id));
    socket.disconnect().await;
}

/// The stored bcrypt hash of `username`.
async fn stored_hash(server: &TestApp, username: &str) -> String {
    let user = server
        .ctx
        .users
        .find_by_username(username)
        .await
        .expect("the store")
        .expect("the user exists");
    assert!(user.password_hash.starts_with("$2"), "a bcrypt hash");
    user.password_hash
}

/// Each shared attack on `/chat`: the refusal, and the attempt line it left
/// (`auth` says whether a token came). No attack's token, nor anything
/// longer than a line should be, reaches the log.
fn attack_outcome(result: Result<Socket, ConnectError>) -> BoxFuture<'static, Value> {
    Box::pin(async move {
        let seen = harness::attacks::outcome(result).await;
        let lines = harness::logs::lines();
        let attempts: Vec<&Value> = lines
            .iter()
            .filter(|line| is_event(line, "connection_attempt"))
            .collect();
        assert_eq!(
            attempts.len(),
            1,
            "one handshake, one attempt line ({CHAPTER}): {lines:#?}"
        );
        for line in &lines {
            let text = line.to_string();
            // Every JWT starts with a base64url `{"typ":` or `{"alg":`.
            assert!(
                !text.contains("eyJ0eXAi") && !text.contains("eyJhbGci"),
                "a token reached the log ({CHAPTER}): {text}"
            );
            assert!(
                text.len() < 4096,
                "a {} byte log line: is the handshake's `auth` in it? ({CHAPTER})",
                text.len()
            );
        }
        json!({
            "outcome": seen,
            "logged": contract_fields(attempts[0], &["event", "namespace", "auth"]),
        })
    })
}
