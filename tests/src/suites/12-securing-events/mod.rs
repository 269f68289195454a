//! Lesson 12, securing events (contract §12): anonymous and authenticated
//! sockets side by side, events gated by who is asking, room-targeted
//! events checked against the socket's rooms, the sender always the
//! socket's user, every payload checked for shape and size, and sockets
//! disconnected when their token expires. The hostile handshakes are the
//! shared ones of `harness::attacks`: an invalid token is refused, an absent
//! or expired one makes the socket anonymous (`whoami` is `null`).

mod raw;

use std::time::Duration;

use futures_util::future::join_all;
use insta::assert_json_snapshot;
use serde_json::{Value, json};
use workbook::jwt::{Claims, now};
use workbook::users::Role;

use harness::clock::now_ms;
use harness::{App, Socket, TestApp, TestUser, rooms};
use raw::RawSocket;

harness::cases! {
    crate securing_events_suite, dir "12-securing-events",
    step_1 with attacks on "/": [
        anonymous_sockets_connect_and_whoami_is_null,
        whoami_answers_from_the_store_not_the_token,
        a_socket_is_disconnected_when_its_token_expires,
        no_timer_outlives_its_socket,
    ],
    step_2: [
        join_post_joins_the_post_room,
        join_post_refuses_an_anonymous_socket,
        like_post_refuses_an_anonymous_socket,
        like_post_counts_each_user_once,
        simultaneous_likes_by_one_user_count_once,
    ],
    step_3: [
        send_message_reaches_the_room_with_the_server_side_sender,
        send_message_outside_a_joined_room_is_refused,
        limits_count_characters_and_include_the_maximum,
        a_message_over_16_kib_is_invalid_even_with_valid_fields,
        token_expiry_disconnects_only_that_socket,
    ],
    step_4: [
        typing_reaches_the_others_with_the_server_side_name,
        typing_from_outside_the_room_is_ignored,
        invalid_payloads_get_an_error_and_nothing_is_broadcast,
        invalid_payloads_without_an_ack_get_an_error_event,
        an_array_in_place_of_an_object_is_invalid,
        a_flood_of_invalid_payloads_leaves_the_socket_working,
    ],
}

/// How long a test listens to be sure an event does not come.
const QUIET: Duration = Duration::from_millis(300);

const INVALID: &str = "Invalid payload";
const NOT_A_MEMBER: &str = "Not a member of this room";

/// Connects with no token at all.
async fn anonymous(server: &TestApp) -> Socket {
    server.socket("/").connect_ok().await
}

/// Joins `post:<post>` and checks both answers: the ack and `joined-post`.
async fn join(socket: &Socket, post: &str) {
    let ack = socket.ack("join-post", json!({ "postId": post })).await;
    assert_eq!(ack, json!({ "status": "ok" }), "join-post {post}");
    let joined = socket.next("joined-post").await;
    assert_eq!(joined, json!({ "postId": post }), "joined-post");
}

/// A token for `user` that expires `secs` seconds from now.
fn token_expiring_in(server: &TestApp, user: &TestUser, secs: u64) -> (String, u64) {
    let exp = now() + secs;
    let token = server.ctx.jwt.sign(&Claims {
        id: user.id.clone(),
        name: user.name.clone(),
        role: Role::User,
        iat: now(),
        exp,
    });
    (token, exp)
}

/// Waits until `GET /stats` counts `n` expiry timers. socketioxide drops a
/// socket a moment after its client leaves, so the count is waited for,
/// not read once.
async fn timers_become(server: &TestApp, n: u64) {
    let what = format!("GET /stats to count {n} expiry timers");
    harness::wait(&what, async {
        loop {
            let (status, stats) = server.get("/stats", None).await;
            assert_eq!(status, 200, "GET /stats: {stats}");
            if stats["expiryTimers"] == json!(n) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

// ---------------------------------------------------------------------------
// Who is this?

/// No token is no reason to refuse: the socket is anonymous.
async fn anonymous_sockets_connect_and_whoami_is_null(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let visitor = anonymous(&server).await;
    let member = server.connect(&ada).await;
    let answers = json!({
        "anonymous": visitor.ack("whoami", json!({})).await,
        "ada": member.ack("whoami", json!({})).await,
    });
    assert_eq!(answers["ada"]["id"], json!(ada.id), "{answers}");
    assert_json_snapshot!(answers, { ".ada.id" => "[ada's id]" });
}

/// A validly signed token whose claims say "mallory, admin" for ada's id:
/// whoami reports what the store says about that id.
async fn whoami_answers_from_the_store_not_the_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let token = server.ctx.jwt.sign(&Claims {
        id: ada.id.clone(),
        name: "mallory".to_owned(),
        role: Role::Admin,
        iat: now(),
        exp: now() + 3600,
    });
    let socket = server.connect_with("/", &token).await;
    let me = socket.ack("whoami", Value::Null).await;
    assert_eq!(me["id"], json!(ada.id), "whoami should name ada: {me}");
    assert_json_snapshot!(me, { ".id" => "[ada's id]" });
}

// ---------------------------------------------------------------------------
// join-post

/// With and without an ack: `joined-post {postId}`, and the socket is in
/// the room (a like there reaches it).
async fn join_post_joins_the_post_room(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);

    ada_socket
        .emit("join-post", json!({ "postId": "42" }))
        .await;
    let joined = ada_socket.next("joined-post").await;
    join(&bob_socket, "42").await;
    assert_json_snapshot!(joined);

    bob_socket.ack("like-post", json!({ "postId": "42" })).await;
    let update = ada_socket.next("like-update").await;
    assert_eq!(update, json!({ "likeCount": 1 }), "ada is in post:42");
}

/// The error event of the contract, the same answer as an ack, and no room
/// joined either way.
async fn join_post_refuses_an_anonymous_socket(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let visitor = RawSocket::connect(&server, None).await;
    visitor.emit("join-post", json!({ "postId": "42" })).await;
    let error = visitor.next("error").await;

    let acked = anonymous(&server).await;
    let ack = acked.ack("join-post", json!({ "postId": "42" })).await;
    assert_json_snapshot!(json!({ "error event": error, "ack": ack }));

    let ada_socket = server.connect(&ada).await;
    join(&ada_socket, "42").await;
    ada_socket.ack("like-post", json!({ "postId": "42" })).await;
    ada_socket.next("like-update").await;
    acked.assert_silent("like-update", QUIET).await;
    assert!(
        visitor.all("like-update").is_empty() && visitor.all("joined-post").is_empty(),
        "an anonymous socket joined post:42"
    );
    visitor.disconnect().await;
}

// ---------------------------------------------------------------------------
// typing

/// Ada says she is "bob" in the payload; bob sees "ada". Ada, the sender,
/// gets no copy.
async fn typing_reaches_the_others_with_the_server_side_name(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    join(&ada_socket, "7").await;
    join(&bob_socket, "7").await;

    let forged = json!({ "postId": "7", "isTyping": true, "userName": "bob" });
    ada_socket.emit("typing", forged).await;
    let typing = bob_socket.next("user-typing").await;
    assert_json_snapshot!(typing);
    let stopped = ada_socket
        .ack("typing", json!({ "postId": "7", "isTyping": false }))
        .await;
    assert_eq!(stopped, json!({ "status": "ok" }));
    let typing = bob_socket.next("user-typing").await;
    assert_eq!(
        typing,
        json!({ "userName": "ada", "isTyping": false }),
        "{typing}"
    );
    ada_socket.assert_silent("user-typing", QUIET).await;
}

/// Carol is logged in but never joined post 7; the visitor is anonymous.
/// Neither reaches the room, and neither gets an error event (acks, when
/// asked for, say why).
async fn typing_from_outside_the_room_is_ignored(app: App) {
    let server = TestApp::spawn(&app).await;
    let (bob, carol) = (server.user("bob").await, server.user("carol").await);
    let bob_socket = server.connect(&bob).await;
    join(&bob_socket, "7").await;
    let carol_socket = RawSocket::connect(&server, Some(json!({ "token": carol.token }))).await;
    let visitor = RawSocket::connect(&server, None).await;
    let typing = json!({ "postId": "7", "isTyping": true });
    carol_socket.emit("typing", typing.clone()).await;
    visitor.emit("typing", typing.clone()).await;

    let carol_acked = server.connect(&carol).await;
    let anonymous_acked = anonymous(&server).await;
    let acks = json!({
        "carol": carol_acked.ack("typing", typing.clone()).await,
        "anonymous": anonymous_acked.ack("typing", typing).await,
    });
    assert_json_snapshot!(acks);
    bob_socket.assert_silent("user-typing", QUIET).await;
    assert!(
        carol_socket.all("error").is_empty() && visitor.all("error").is_empty(),
        "typing from outside the room is ignored, without an error event"
    );
    carol_socket.disconnect().await;
    visitor.disconnect().await;
}

// ---------------------------------------------------------------------------
// like-post

/// The error event, the same answer as an ack, and nothing stored: ada's
/// like afterwards is the first.
async fn like_post_refuses_an_anonymous_socket(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let visitor = RawSocket::connect(&server, None).await;
    visitor.emit("like-post", json!({ "postId": "9" })).await;
    let error = visitor.next("error").await;
    let acked = anonymous(&server).await;
    let ack = acked.ack("like-post", json!({ "postId": "9" })).await;
    assert_json_snapshot!(json!({ "error event": error, "ack": ack }));

    let ada_socket = server.connect(&ada).await;
    join(&ada_socket, "9").await;
    let liked = ada_socket.ack("like-post", json!({ "postId": "9" })).await;
    assert_eq!(liked["likeCount"], json!(1), "{liked}");
    visitor.disconnect().await;
}

/// Likes are stored once per user, whichever device they come from, and
/// outlive the socket that made them. The room hears every count.
async fn like_post_counts_each_user_once(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let watcher = server.connect(&bob).await;
    join(&watcher, "p1").await;

    let mut counts = Vec::new();
    for _ in 0..2 {
        let phone = server.connect(&ada).await;
        let ack = phone.ack("like-post", json!({ "postId": "p1" })).await;
        counts.push(json!({ "ada's ack": ack, "room": watcher.next("like-update").await }));
        phone.disconnect().await;
    }
    let ack = watcher.ack("like-post", json!({ "postId": "p1" })).await;
    counts.push(json!({ "bob's ack": ack, "room": watcher.next("like-update").await }));
    let other_post = watcher.ack("like-post", json!({ "postId": "p2" })).await;
    counts.push(json!({ "bob likes p2": other_post }));
    assert_json_snapshot!(counts);

    #[cfg(feature = "mongodb")]
    if let Some(db) = &server.ctx.db {
        let stored = db
            .collection::<mongodb::bson::Document>("likes")
            .count_documents(mongodb::bson::doc! { "postId": "p1" })
            .await
            .expect("counting the likes collection");
        assert_eq!(
            stored, 2,
            "with MongoDB, each like is a document in `likes`"
        );
    }
}

/// Twenty likes at once from two of ada's devices count once. (The likes
/// go without acks: `rust_socketio` numbers a client's acks at random below
/// 1,000 and loses one when two numbers collide.)
async fn simultaneous_likes_by_one_user_count_once(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (phone, laptop) = (server.connect(&ada).await, server.connect(&ada).await);
    join(&phone, "hot").await;
    join(&laptop, "hot").await;
    let like = json!({ "postId": "hot" });
    join_all((0..20).map(|i| {
        let socket = if i % 2 == 0 { &phone } else { &laptop };
        socket.emit("like-post", like.clone())
    }))
    .await;
    for _ in 0..20 {
        let update = phone.next("like-update").await;
        assert_eq!(update, json!({ "likeCount": 1 }), "ada's likes count once");
    }
    let bob_socket = server.connect(&bob).await;
    let ack = bob_socket.ack("like-post", like).await;
    assert_eq!(ack, json!({ "status": "ok", "likeCount": 2 }), "{ack}");
}

// ---------------------------------------------------------------------------
// send-message

/// Ada claims to be bob in the payload; the message still says ada.
async fn send_message_reaches_the_room_with_the_server_side_sender(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    join(&ada_socket, "1").await;
    join(&bob_socket, "1").await;
    let forged = json!({
        "room": "post:1", "text": "hello", "sender": "bob", "senderId": bob.id,
        "userId": bob.id, "userName": "bob",
    });
    let ack = ada_socket.ack("send-message", forged).await;
    assert_eq!(ack, json!({ "status": "ok" }));

    let message = rooms::the_message_heard(&ada_socket, &bob_socket, &ada.id).await;
    assert_json_snapshot!(message, {
        ".senderId" => "[ada's id]",
        ".timestamp" => "[timestamp]",
    });
}

/// Into a room never joined, another post's room, someone's user room, or
/// from an anonymous socket: refused, and nothing is sent.
async fn send_message_outside_a_joined_room_is_refused(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    join(&bob_socket, "1").await;
    join(&ada_socket, "2").await;
    let visitor = anonymous(&server).await;
    let raw = RawSocket::connect(&server, Some(json!({ "token": ada.token }))).await;

    let message = |room: &str| json!({ "room": room, "text": "let me in" });
    raw.emit("send-message", message("post:1")).await;
    let answers = json!({
        "ada, post:1 (never joined)": ada_socket.ack("send-message", message("post:1")).await,
        "ada, lobby": ada_socket.ack("send-message", message("lobby")).await,
        "ada, bob's user room": ada_socket.ack("send-message", message(&format!("user:{}", bob.id))).await,
        "anonymous, post:1": visitor.ack("send-message", message("post:1")).await,
        "anonymous, post:2": visitor.ack("send-message", message("post:2")).await,
        "no ack asked: error event": raw.next("error").await,
    });
    assert_json_snapshot!(answers);
    for (who, answer) in answers.as_object().expect("an object") {
        let expected = match who.as_str() {
            "no ack asked: error event" => json!({ "message": NOT_A_MEMBER }),
            _ => json!({ "error": NOT_A_MEMBER }),
        };
        assert_eq!(answer, &expected, "{who}");
    }
    bob_socket.assert_silent("new-message", QUIET).await;
    assert!(
        ada_socket
            .received()
            .iter()
            .all(|r| r.event != "new-message")
    );
    raw.disconnect().await;
}

// ---------------------------------------------------------------------------
// Payloads

/// Payloads of the wrong shape, for every event: each is answered with
/// `Invalid payload`, nothing reaches bob, who is in the room, and ada's
/// socket keeps working.
async fn invalid_payloads_get_an_error_and_nothing_is_broadcast(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    join(&ada_socket, "1").await;
    join(&bob_socket, "1").await;

    let cases: Vec<(&str, Value)> = vec![
        ("join-post", json!(42)),
        ("join-post", Value::Null),
        ("join-post", json!("1")),
        ("join-post", json!({})),
        ("join-post", json!({ "postId": 1 })),
        ("join-post", json!({ "postId": "" })),
        ("join-post", json!({ "postId": ["1"] })),
        ("typing", json!({ "postId": "1" })),
        ("typing", json!({ "postId": "1", "isTyping": "yes" })),
        ("typing", json!({ "isTyping": true })),
        ("like-post", json!({})),
        ("like-post", json!({ "postId": { "$gt": "" } })),
        ("like-post", json!({ "postId": null })),
        ("send-message", json!("hi")),
        ("send-message", json!({ "room": "post:1" })),
        ("send-message", json!({ "room": "post:1", "text": 5 })),
        ("send-message", json!({ "room": "post:1", "text": "" })),
        ("send-message", json!({ "room": 1, "text": "hi" })),
        ("send-message", json!({ "room": ["post:1"], "text": "hi" })),
    ];
    let mut answers = Vec::new();
    for (event, payload) in cases {
        let ack = ada_socket.ack(event, payload.clone()).await;
        answers.push(json!({ "event": event, "payload": payload, "ack": ack }));
    }
    assert_json_snapshot!(answers);
    for answer in &answers {
        assert_eq!(answer["ack"], json!({ "error": INVALID }), "{answer}");
    }
    for event in ["new-message", "user-typing", "like-update"] {
        bob_socket.assert_silent(event, Duration::ZERO).await;
    }
    bob_socket.assert_silent("new-message", QUIET).await;
    let me = ada_socket.ack("whoami", json!({})).await;
    assert_eq!(
        me["name"],
        json!("ada"),
        "the socket should still answer: {me}"
    );
}

/// serde fills a struct from a JSON array, field by field in order:
/// `["post:1", "hi"]` would read as `{room: "post:1", text: "hi"}`. No
/// client of the contract sends that, so every event refuses it: `Invalid
/// payload`, no room joined, nothing stored, nothing reaching bob.
async fn an_array_in_place_of_an_object_is_invalid(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    join(&ada_socket, "1").await;
    join(&bob_socket, "1").await;

    let cases: Vec<(&str, Value)> = vec![
        ("send-message", json!(["post:1", "in field order"])),
        ("join-post", json!(["2"])),
        ("like-post", json!(["1"])),
        ("typing", json!(["1", true])),
    ];
    let mut answers = Vec::new();
    for (event, payload) in cases {
        let ack = ada_socket.ack(event, payload.clone()).await;
        answers.push(json!({ "event": event, "payload": payload, "ack": ack }));
    }
    assert_json_snapshot!(answers);
    for answer in &answers {
        assert_eq!(answer["ack"], json!({ "error": INVALID }), "{answer}");
    }
    let into_post_2 = json!({ "room": "post:2", "text": "joined?" });
    let ack = ada_socket.ack("send-message", into_post_2).await;
    assert_eq!(
        ack,
        json!({ "error": NOT_A_MEMBER }),
        "join-post [\"2\"] should join nothing"
    );
    for event in ["new-message", "user-typing", "like-update"] {
        bob_socket.assert_silent(event, Duration::ZERO).await;
    }
    bob_socket.assert_silent("new-message", QUIET).await;
    assert!(
        ada_socket.all("joined-post").len() == 1,
        "only the first join-post should answer joined-post"
    );
}

/// A client that asked for no ack hears `error {message:"Invalid payload"}`.
async fn invalid_payloads_without_an_ack_get_an_error_event(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = RawSocket::connect(&server, Some(json!({ "token": ada.token }))).await;
    let events = [
        ("join-post", json!({ "postId": 7 })),
        ("typing", json!({ "postId": "7", "isTyping": "maybe" })),
        ("like-post", json!({ "post": "7" })),
        ("send-message", json!({ "room": "post:7" })),
    ];
    let mut errors = Vec::new();
    for (event, payload) in events {
        socket.emit(event, payload).await;
        errors.push(json!({ "event": event, "error": socket.next("error").await }));
    }
    assert_json_snapshot!(errors);
    socket.disconnect().await;
}

/// `text` up to 1,000 characters, ids up to 64: the limits themselves are
/// allowed, one more is not, and characters are counted, not bytes.
async fn limits_count_characters_and_include_the_maximum(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    let id_64 = "p".repeat(64);
    let room_64 = format!("post:{id_64}");
    join(&ada_socket, &id_64).await;
    join(&bob_socket, &id_64).await;

    let text = |s: String| json!({ "room": room_64, "text": s });
    let answers = json!({
        "postId of 64": ada_socket.ack("like-post", json!({ "postId": id_64 })).await,
        "postId of 65": ada_socket.ack("join-post", json!({ "postId": "p".repeat(65) })).await,
        "text of 1000": ada_socket.ack("send-message", text("a".repeat(1000))).await,
        "text of 1000 é (2000 bytes)": ada_socket.ack("send-message", text("é".repeat(1000))).await,
        "text of 1001": ada_socket.ack("send-message", text("a".repeat(1001))).await,
        "text of 1001 é": ada_socket.ack("send-message", text("é".repeat(1001))).await,
    });
    assert_json_snapshot!(answers);
    let first = bob_socket.next("new-message").await;
    let second = bob_socket.next("new-message").await;
    assert_eq!(first["text"], json!("a".repeat(1000)));
    assert_eq!(second["text"], json!("é".repeat(1000)));
    tokio::time::sleep(QUIET).await;
    let delivered = bob_socket.all("new-message").len();
    assert_eq!(
        delivered, 2,
        "only the two messages within the limit reach the room"
    );
}

/// 16 KiB for the whole message, fields no type reads included: valid
/// fields do not make an oversized message acceptable.
async fn a_message_over_16_kib_is_invalid_even_with_valid_fields(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    join(&ada_socket, "1").await;
    join(&bob_socket, "1").await;
    let padded =
        |bytes: usize| json!({ "room": "post:1", "text": "hi", "padding": "x".repeat(bytes) });
    let answers = json!({
        "15,000 bytes of padding": ada_socket.ack("send-message", padded(15_000)).await,
        "17,000 bytes of padding": ada_socket.ack("send-message", padded(17_000)).await,
        "like-post with 100,000 bytes": ada_socket
            .ack("like-post", json!({ "postId": "1", "padding": "x".repeat(100_000) }))
            .await,
    });
    assert_json_snapshot!(answers);
    bob_socket.next("new-message").await;
    bob_socket.assert_silent("like-update", QUIET).await;
    let delivered = bob_socket.all("new-message").len();
    assert_eq!(
        delivered, 1,
        "only the message under 16 KiB reaches the room"
    );
}

/// Three hundred bad events without acks (wrong shapes, 20 KB messages,
/// gated events) and the socket still answers at once.
async fn a_flood_of_invalid_payloads_leaves_the_socket_working(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    join(&ada_socket, "1").await;
    join(&bob_socket, "1").await;
    let big = "x".repeat(20_000);
    for i in 0..100 {
        ada_socket.emit("send-message", json!({ "room": i })).await;
        ada_socket
            .emit(
                "typing",
                json!({ "postId": "1", "isTyping": true, "padding": big }),
            )
            .await;
        ada_socket
            .emit("send-message", json!({ "room": "post:2", "text": "no" }))
            .await;
    }
    let ack = ada_socket
        .ack(
            "send-message",
            json!({ "room": "post:1", "text": "still here" }),
        )
        .await;
    assert_eq!(ack, json!({ "status": "ok" }));
    let message = bob_socket.next("new-message").await;
    assert_eq!(message["text"], json!("still here"));
    assert!(
        bob_socket
            .received()
            .iter()
            .all(|r| r.event != "user-typing"),
        "an oversized typing event was relayed"
    );
}

// ---------------------------------------------------------------------------
// Token expiry

/// A token that expires two seconds from now (at least one full second,
/// since `exp` counts whole seconds): the socket works until then,
/// then hears `forceDisconnect {reason:"Token expired"}` and is
/// disconnected, not before `exp`.
async fn a_socket_is_disconnected_when_its_token_expires(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let (token, exp) = token_expiring_in(&server, &ada, 2);
    let socket = server.connect_with("/", &token).await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(me["name"], json!("ada"), "{me}");

    let forced = socket.next("forceDisconnect").await;
    let at = now_ms();
    socket.next("disconnect").await;
    assert!(
        at >= exp * 1000,
        "forceDisconnect came {} ms before the token expired",
        exp * 1000 - at
    );
    assert_json_snapshot!(forced);
}

/// Ada's short-lived socket goes; her other device and bob stay, and the
/// room still works.
async fn token_expiry_disconnects_only_that_socket(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (laptop, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    join(&laptop, "1").await;
    join(&bob_socket, "1").await;
    let (token, _) = token_expiring_in(&server, &ada, 2);
    let short = server.connect_with("/", &token).await;
    join(&short, "1").await;
    timers_become(&server, 3).await;

    short.next("forceDisconnect").await;
    short.next("disconnect").await;
    timers_become(&server, 2).await;
    let ack = laptop
        .ack(
            "send-message",
            json!({ "room": "post:1", "text": "still in" }),
        )
        .await;
    assert_eq!(ack, json!({ "status": "ok" }));
    assert_eq!(
        bob_socket.next("new-message").await["text"],
        json!("still in")
    );
    for socket in [&laptop, &bob_socket] {
        assert!(
            socket
                .received()
                .iter()
                .all(|r| r.event != "forceDisconnect")
        );
    }
}

/// One timer per authenticated socket, none for anonymous ones, and each
/// timer ends with its socket: a socket that leaves an hour before its
/// token expires leaves no timer behind.
async fn no_timer_outlives_its_socket(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let sockets = vec![
        server.connect(&ada).await,
        server.connect(&ada).await,
        server.connect(&bob).await,
        anonymous(&server).await,
        anonymous(&server).await,
    ];
    timers_become(&server, 3).await;
    for socket in &sockets {
        socket.disconnect().await;
    }
    timers_become(&server, 0).await;

    for _ in 0..20 {
        server.connect(&ada).await.disconnect().await;
    }
    timers_become(&server, 0).await;
}
