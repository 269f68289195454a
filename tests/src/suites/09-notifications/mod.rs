//! Lesson 09, notifications (contract §09): posts and comments over HTTP;
//! a comment on someone else's post becomes a stored notification, pushed
//! to every connected device of the author with the new unread count;
//! `mark-read` touches only the caller's own notifications.

use std::time::Duration;

use insta::assert_json_snapshot;
use serde_json::{Value, json};
use workbook::jwt::{Claims, now};
use workbook::users::Role;

use harness::clock::assert_now_ms;
use harness::{App, Socket, TestApp, TestUser};

harness::cases! {
    crate notifications_suite, dir "09-notifications",
    step_1 with attacks on "/": [
        a_new_socket_hears_its_unread_count,
        creating_a_post_answers_201_with_the_caller_as_author,
        creating_a_post_validates_token_and_title,
        listing_needs_a_valid_token,
        commenting_validates_token_post_and_text,
        self_comments_notify_no_one,
    ],
    step_2: [
        a_comment_notifies_every_device_of_the_author,
        an_offline_author_sees_the_count_on_the_next_connect,
        notifications_are_listed_newest_first,
        concurrent_comments_are_all_counted,
    ],
    step_3: [
        mark_read_touches_only_the_callers_notifications,
        mark_read_without_an_ack_still_updates_every_device,
        mark_read_refuses_bad_payloads_and_the_socket_lives_on,
        mark_read_takes_exactly_500_ids,
    ],
}

/// How long a case listens to be sure an event does not come.
const QUIET: Duration = Duration::from_millis(300);

/// An id in the right format that names nothing.
const UNKNOWN_ID: &str = "64b7f0c2a1b2c3d4e5f60718";

/// Connects as `user` and takes the `unread-count` every new socket gets,
/// so that later counts are the ones a case causes.
async fn connect(server: &TestApp, user: &TestUser) -> (Socket, u64) {
    let socket = server.connect(user).await;
    let count = count_of(&socket.next("unread-count").await);
    (socket, count)
}

fn count_of(event: &Value) -> u64 {
    event["count"]
        .as_u64()
        .unwrap_or_else(|| panic!("unread-count should be {{count: <number>}}, got {event}"))
}

/// `author` writes a post titled `title`; returns its id.
async fn post(server: &TestApp, author: &TestUser, title: &str) -> String {
    let (status, body) = server
        .post(
            "/api/posts",
            &json!({ "title": title }),
            Some(&author.token),
        )
        .await;
    assert_eq!(status, 201, "creating a post: {body}");
    body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a new post has an id: {body}"))
        .to_owned()
}

async fn comment(server: &TestApp, who: &TestUser, post_id: &str, text: &str) {
    let path = format!("/api/posts/{post_id}/comment");
    let (status, body) = server
        .post(&path, &json!({ "text": text }), Some(&who.token))
        .await;
    assert_eq!(
        (status, &body),
        (201, &json!({ "success": true })),
        "{} commenting",
        who.name
    );
}

async fn list(server: &TestApp, user: &TestUser) -> Vec<Value> {
    let (status, body) = server.get("/api/notifications", Some(&user.token)).await;
    assert_eq!(status, 200, "listing {}'s notifications: {body}", user.name);
    body.as_array()
        .unwrap_or_else(|| panic!("GET /api/notifications answers an array: {body}"))
        .clone()
}

/// `POST path` with `token` and a body that is not JSON. (The harness's
/// `post_raw` sends no token, and without one the answer is a 401 before
/// the body is read.)
async fn post_not_json(server: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let request = reqwest::Client::new()
        .post(server.url(path))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body("{text: hi}");
    let response = harness::wait(&format!("the answer to POST {path}"), request.send())
        .await
        .unwrap_or_else(|e| panic!("POST {path} failed: {e}"));
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The names of the events `socket` received, in order, leaving out
/// the ones a case does not look at.
fn names(socket: &Socket) -> Vec<String> {
    socket
        .received()
        .into_iter()
        .map(|r| r.event)
        .filter(|e| e == "notification" || e == "unread-count")
        .collect()
}

async fn a_new_socket_hears_its_unread_count(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    let count = socket.next("unread-count").await;
    assert_json_snapshot!(count);
}

/// The body names someone else as the author; the post is still ada's.
async fn creating_a_post_answers_201_with_the_caller_as_author(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (status, body) = server
        .post(
            "/api/posts",
            &json!({ "title": "Hello", "authorId": bob.id }),
            Some(&ada.token),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["authorId"], json!(ada.id), "{body}");
    assert_json_snapshot!(body, { ".id" => "[post id]", ".authorId" => "[ada's id]" });
}

async fn creating_a_post_validates_token_and_title(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let long = "x".repeat(201);
    let token = Some(ada.token.as_str());
    let answers = json!({
        "no token": server.post("/api/posts", &json!({ "title": "Hi" }), None).await,
        "bad token": server.post("/api/posts", &json!({ "title": "Hi" }), Some("nonsense")).await,
        "no title": server.post("/api/posts", &json!({}), token).await,
        "empty title": server.post("/api/posts", &json!({ "title": "" }), token).await,
        "blank title": server.post("/api/posts", &json!({ "title": "   " }), token).await,
        "number title": server.post("/api/posts", &json!({ "title": 7 }), token).await,
        "201-character title": server.post("/api/posts", &json!({ "title": long }), token).await,
        "not JSON": post_not_json(&server, "/api/posts", &ada.token).await,
    });
    assert_json_snapshot!(answers);
}

/// Ada has a laptop and a phone. Bob comments on her post: each device
/// gets the notification, then `unread-count {count: 1}`. Bob, who is
/// connected too, gets nothing.
async fn a_comment_notifies_every_device_of_the_author(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let post_id = post(&server, &ada, "My \"first\" post").await;
    let (laptop, _) = connect(&server, &ada).await;
    let (phone, _) = connect(&server, &ada).await;
    let (bob_socket, _) = connect(&server, &bob).await;

    comment(&server, &bob, &post_id, "Nice one").await;
    let mut seen = Vec::new();
    for device in [&laptop, &phone] {
        let notification = device.next("notification").await;
        let count = device.next("unread-count").await;
        assert_eq!(count, json!({ "count": 1 }), "{}", ada.name);
        assert_eq!(
            names(device),
            ["unread-count", "notification", "unread-count"],
            "the notification comes before its count"
        );
        seen.push(notification);
    }
    assert_eq!(seen[0], seen[1], "both devices get the same notification");
    let notification = &seen[0];
    assert_eq!(notification["link"], json!(format!("/posts/{post_id}")));
    assert_now_ms(
        notification["createdAt"].as_u64(),
        &format!("createdAt should be milliseconds since 1970, like Date.now(): {notification}"),
    );
    assert_json_snapshot!(notification, {
        ".id" => "[notification id]",
        ".link" => "/posts/[post id]",
        ".createdAt" => "[ms]",
    });
    bob_socket.assert_silent("notification", QUIET).await;
}

/// Ada is not connected while bob comments twice; her next socket hears
/// `unread-count {count: 2}`.
async fn an_offline_author_sees_the_count_on_the_next_connect(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let post_id = post(&server, &ada, "Away").await;
    comment(&server, &bob, &post_id, "one").await;
    comment(&server, &bob, &post_id, "two").await;
    let (_socket, count) = connect(&server, &ada).await;
    assert_eq!(count, 2, "ada's count on connecting");
}

async fn notifications_are_listed_newest_first(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    for title in ["first", "second", "third"] {
        let post_id = post(&server, &ada, title).await;
        comment(&server, &bob, &post_id, "hi").await;
    }
    let all = list(&server, &ada).await;
    let bodies: Vec<&Value> = all.iter().map(|n| &n["body"]).collect();
    assert_eq!(
        bodies,
        [
            "bob commented on \"third\"",
            "bob commented on \"second\"",
            "bob commented on \"first\"",
        ],
        "newest first"
    );
    assert!(list(&server, &bob).await.is_empty(), "bob has none");
}

/// Ada comments on her own post: nobody is notified.
async fn self_comments_notify_no_one(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let post_id = post(&server, &ada, "Mine").await;
    let (socket, _) = connect(&server, &ada).await;
    comment(&server, &ada, &post_id, "replying to myself").await;
    socket.assert_silent("notification", QUIET).await;
    assert_eq!(
        names(&socket),
        ["unread-count"],
        "only the count on connect"
    );
    assert!(list(&server, &ada).await.is_empty());
}

async fn commenting_validates_token_post_and_text(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let post_id = post(&server, &ada, "Validated").await;
    let path = format!("/api/posts/{post_id}/comment");
    let bob_token = Some(bob.token.as_str());
    let expired = server.ctx.jwt.sign(&Claims {
        id: bob.id.clone(),
        name: bob.name.clone(),
        role: Role::User,
        iat: now() - 7200,
        exp: now() - 3600,
    });
    let long = "y".repeat(2001);
    let answers = json!({
        "no token": server.post(&path, &json!({ "text": "hi" }), None).await,
        "bad token": server.post(&path, &json!({ "text": "hi" }), Some("nonsense")).await,
        "expired token": server.post(&path, &json!({ "text": "hi" }), Some(&expired)).await,
        "unknown post": server.post(&format!("/api/posts/{UNKNOWN_ID}/comment"), &json!({ "text": "hi" }), bob_token).await,
        "malformed post id": server.post("/api/posts/nope/comment", &json!({ "text": "hi" }), bob_token).await,
        "no text": server.post(&path, &json!({}), bob_token).await,
        "empty text": server.post(&path, &json!({ "text": "" }), bob_token).await,
        "blank text": server.post(&path, &json!({ "text": " \n " }), bob_token).await,
        "array text": server.post(&path, &json!({ "text": ["hi"] }), bob_token).await,
        "2001-character text": server.post(&path, &json!({ "text": long }), bob_token).await,
        "not JSON": post_not_json(&server, &path, &bob.token).await,
    });
    assert_json_snapshot!(answers);
    assert!(
        list(&server, &ada).await.is_empty(),
        "no refused comment may notify"
    );
}

/// Ada has two notifications, carol one. Ada marks one of hers, carol's
/// and a made-up id read: only hers changes. Both of ada's devices hear
/// the new count; carol's count is untouched.
async fn mark_read_touches_only_the_callers_notifications(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob, carol) = (
        server.user("ada").await,
        server.user("bob").await,
        server.user("carol").await,
    );
    let ada_post = post(&server, &ada, "Ada's").await;
    let carol_post = post(&server, &carol, "Carol's").await;
    comment(&server, &bob, &ada_post, "one").await;
    comment(&server, &bob, &ada_post, "two").await;
    comment(&server, &bob, &carol_post, "three").await;
    let ada_ids: Vec<Value> = list(&server, &ada)
        .await
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    let carol_id = list(&server, &carol).await[0]["id"].clone();

    let (laptop, before) = connect(&server, &ada).await;
    let (phone, _) = connect(&server, &ada).await;
    assert_eq!(before, 2);
    let ack = laptop
        .ack(
            "mark-read",
            json!([ada_ids[0], carol_id, UNKNOWN_ID, "not-an-id"]),
        )
        .await;
    assert_eq!(ack, json!({ "status": "ok" }));
    for device in [&laptop, &phone] {
        assert_eq!(device.next("unread-count").await, json!({ "count": 1 }));
    }

    let ada_now: Vec<(Value, Value)> = list(&server, &ada)
        .await
        .iter()
        .map(|n| (n["id"].clone(), n["read"].clone()))
        .collect();
    assert_eq!(
        ada_now,
        [
            (ada_ids[0].clone(), json!(true)),
            (ada_ids[1].clone(), json!(false))
        ]
    );
    let carol_now = list(&server, &carol).await;
    assert_eq!(
        carol_now[0]["read"],
        json!(false),
        "carol's stays unread: {carol_now:?}"
    );
    let (_carol_socket, carol_count) = connect(&server, &carol).await;
    assert_eq!(carol_count, 1, "carol's count");
}

/// A client that asks for no acknowledgement is still served.
async fn mark_read_without_an_ack_still_updates_every_device(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let post_id = post(&server, &ada, "Acks").await;
    comment(&server, &bob, &post_id, "hi").await;
    let id = list(&server, &ada).await[0]["id"].clone();
    let (laptop, _) = connect(&server, &ada).await;
    let (phone, _) = connect(&server, &ada).await;
    laptop.emit("mark-read", json!([id])).await;
    for device in [&laptop, &phone] {
        assert_eq!(device.next("unread-count").await, json!({ "count": 0 }));
    }
}

async fn mark_read_refuses_bad_payloads_and_the_socket_lives_on(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let post_id = post(&server, &ada, "Payloads").await;
    comment(&server, &bob, &post_id, "hi").await;
    let (socket, _) = connect(&server, &ada).await;
    let too_many: Vec<String> = (0..501).map(|i| format!("{i:024x}")).collect();
    let answers = json!({
        "\"all\"": socket.ack("mark-read", json!("all")).await,
        "42": socket.ack("mark-read", json!(42)).await,
        "{ids: [...]}": socket.ack("mark-read", json!({ "ids": [] })).await,
        "[1, 2]": socket.ack("mark-read", json!([1, 2])).await,
        "501 ids": socket.ack("mark-read", json!(too_many)).await,
    });
    assert_json_snapshot!(answers);
    tokio::time::sleep(QUIET).await;
    assert_eq!(
        names(&socket),
        ["unread-count"],
        "no count for a refused payload"
    );
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(
        me["name"],
        json!("ada"),
        "the socket should still answer: {me}"
    );
    assert_eq!(list(&server, &ada).await[0]["read"], json!(false));
}

/// Ten comments at once: ten notifications stored, and the last count
/// ada's socket hears is 10.
async fn concurrent_comments_are_all_counted(app: App) {
    const N: usize = 10;
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let post_id = post(&server, &ada, "Busy").await;
    let (socket, _) = connect(&server, &ada).await;
    let texts: Vec<String> = (0..N).map(|i| format!("comment {i}")).collect();
    futures_util::future::join_all(texts.iter().map(|t| comment(&server, &bob, &post_id, t))).await;

    let mut counts = Vec::new();
    for _ in 0..N {
        socket.next("notification").await;
        counts.push(count_of(&socket.next("unread-count").await));
    }
    assert!(
        counts.contains(&(N as u64)),
        "some count must say {N}: {counts:?}"
    );
    assert_eq!(list(&server, &ada).await.len(), N);
    let (_again, count) = connect(&server, &ada).await;
    assert_eq!(count, N as u64);
}

async fn listing_needs_a_valid_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let answers = json!({
        "no token": server.get("/api/notifications", None).await,
        "bad token": server.get("/api/notifications", Some("nonsense")).await,
    });
    assert_json_snapshot!(answers);
}

/// The limit includes its maximum: 500 ids are one request (ada's own
/// among them is marked read), 501 are refused (see the case above).
async fn mark_read_takes_exactly_500_ids(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let post_id = post(&server, &ada, "Boundary").await;
    comment(&server, &bob, &post_id, "hi").await;
    let id = list(&server, &ada).await[0]["id"].clone();
    let (socket, before) = connect(&server, &ada).await;
    assert_eq!(before, 1);
    let mut ids: Vec<Value> = (1..500).map(|i| json!(format!("{i:024x}"))).collect();
    ids.push(id);
    let ack = socket.ack("mark-read", json!(ids)).await;
    assert_eq!(
        ack,
        json!({ "status": "ok" }),
        "500 ids are the most one mark-read takes, and they are allowed"
    );
    assert_eq!(socket.next("unread-count").await, json!({ "count": 0 }));
}
