//! Lesson 11, scale-out (contract §11): the features of lessons 02, 05, 08
//! and 09 on one server, and then on two servers that share the socketioxide
//! Redis adapter and one MongoDB database.
//!
//! Authentication is lesson 02's, given, and its hostile handshakes are
//! lesson 02's suite's business; this one checks that it is there.
//!
//! The single-server cases run everywhere. The cross-server cases need a
//! Redis and a MongoDB: without `REDIS_URL` (or `MONGODB_URI`) they print
//! SKIPPED and pass for libtest (the grader is told, and does not count
//! them as passes: see [`harness::grader`]), unless `REQUIRE_REDIS=1` (as CI
//! sets), which turns the skip into a failure. Each of them runs server A with
//! [`TestApp::spawn_with`] and server B beside it with
//! [`TestApp::spawn_beside`] (same database, a runtime of its own, so that
//! dropping B is a crash), both on a Redis channel prefix of their own so
//! that tests running side by side do not hear each other.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use insta::assert_json_snapshot;
use serde_json::{Value, json};

use harness::{App, Socket, TestApp, TestUser, admin, rooms};

harness::cases! {
    crate scale_out_suite, dir "11-scale-out",
    step_1: [
        authentication_and_the_admin_lock,
        room_messages_reach_the_room,
        join_room_refuses_a_name_over_64_characters,
        the_51st_room_is_refused_and_rejoining_is_fine,
        send_message_refuses_a_room_not_joined,
        send_message_to_a_user_room_is_a_direct_message,
        mark_read_takes_at_most_500_ids,
        posts_and_comments_refuse_bad_requests,
        refuses_to_start_with_redis_but_without_mongodb,
        a_room_emit_from_a_reaches_sockets_on_both,
        send_message_from_outside_the_room_reaches_neither_server,
    ],
    step_2: [
        a_demoted_admin_cannot_act_from_an_open_socket,
        presence_counts_every_device_and_sets_last_seen,
        presence_counts_sockets_on_both_servers,
        last_seen_reads_back_after_a_second_time_offline,
        two_sockets_leaving_at_once_write_last_seen_once,
        sockets_on_both_servers_leaving_at_once_set_last_seen,
        last_seen_waits_for_the_last_socket_on_any_server,
        a_dead_servers_users_are_offline_within_the_bound,
    ],
    step_3: [
        a_comment_is_stored,
        a_user_room_is_never_joinable,
        unread_count_arrives_on_connect,
        a_comment_notifies_the_author_on_every_device,
        mark_read_sends_the_new_count_to_every_device,
        a_comment_through_a_notifies_the_author_on_b,
        mark_read_on_a_updates_the_count_on_b,
        array_payloads_are_refused,
        disconnect_user_reaches_every_device_and_counts_them,
        disconnect_user_on_a_disconnects_the_socket_on_b,
    ],
    step_4: [
        online_users_lists_each_user_with_their_devices,
        online_users_counts_devices_on_both_servers,
    ],
}

/// How long a test listens to be sure an event does not come.
const QUIET: Duration = Duration::from_millis(300);

/// The administrator's password on test servers (`ADMIN_PASSWORD`).
const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// How long a server waits for another that does not answer
/// (`REDIS_REQUEST_TIMEOUT_MS`): the bound on how long a dead server's
/// users can still count.
const REQUEST_TIMEOUT_MS: u64 = 1000;

// ---------------------------------------------------------------- helpers

/// `REDIS_URL`, when this machine has a Redis and a MongoDB for the
/// cross-server cases; otherwise says SKIPPED (or fails, under
/// `REQUIRE_REDIS=1`) and gives `None`.
fn redis_url(case: &str) -> Option<String> {
    let redis = std::env::var("REDIS_URL").ok().filter(|v| !v.is_empty());
    let mongo = std::env::var("MONGODB_URI").ok().filter(|v| !v.is_empty());
    let (missing, need, how) = match (&redis, &mongo) {
        (Some(_), Some(_)) => return redis,
        (None, _) => (
            "REDIS_URL",
            "Redis",
            "start one with `redis-server --port 6379 --save '' --appendonly no` \
             and set REDIS_URL=redis://127.0.0.1:6379",
        ),
        (Some(_), None) => (
            "MONGODB_URI (two servers share their records through it)",
            "MongoDB",
            "start one (see the README) and set MONGODB_URI, e.g. mongodb://127.0.0.1:27017",
        ),
    };
    assert!(
        std::env::var("REQUIRE_REDIS").as_deref() != Ok("1"),
        "REQUIRE_REDIS=1 but {missing} is not set"
    );
    harness::grader::skip(case, need, how);
    None
}

/// Two servers of `app` on one Redis and one database: A, and B beside it.
async fn two_servers(app: &App, redis: &str) -> (TestApp, TestApp) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let prefix = format!(
        "workbook-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let timeout = REQUEST_TIMEOUT_MS.to_string();
    let vars = [
        ("REDIS_URL", redis),
        ("REDIS_PREFIX", prefix.as_str()),
        ("REDIS_REQUEST_TIMEOUT_MS", timeout.as_str()),
        ("ADMIN_PASSWORD", ADMIN_PASSWORD),
    ];
    let a = TestApp::spawn_with(app, &vars).await;
    let b = a.spawn_beside(app, &vars).await;
    (a, b)
}

/// One server with an administrator account.
async fn one_server(app: &App) -> TestApp {
    TestApp::spawn_with(app, &[("ADMIN_PASSWORD", ADMIN_PASSWORD)]).await
}

/// The administrator's token, from `POST /auth/login`.
async fn admin_token(server: &TestApp) -> String {
    let login = json!({ "username": "admin", "password": ADMIN_PASSWORD });
    let (status, answer) = server.post("/auth/login", &login, None).await;
    assert_eq!(status, 200, "the administrator logs in: {answer}");
    answer["token"].as_str().expect("a token").to_owned()
}

/// Ada's socket on `/` of `server`, with its first `unread-count` taken.
async fn device(server: &TestApp, user: &TestUser) -> Socket {
    let socket = server.connect(user).await;
    socket.next("unread-count").await;
    socket
}

/// `GET /api/presence/{id}` on `server`.
async fn presence(server: &TestApp, user: &TestUser) -> Value {
    let (status, answer) = server
        .get(&format!("/api/presence/{}", user.id), None)
        .await;
    assert_eq!(status, 200, "GET /api/presence/{}: {answer}", user.name);
    answer
}

/// Asks `server` for `user`'s presence until `done` holds, within the
/// harness's time limit: a socket that closes leaves its rooms a moment
/// later, and `lastSeen` is written after that.
async fn presence_until(
    server: &TestApp,
    user: &TestUser,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    harness::wait(what, async {
        loop {
            let seen = presence(server, user).await;
            if done(&seen) {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
}

/// A redaction for `lastSeen`: `"[set]"` for a time, `null` stays `null`.
fn set_or_null() -> insta::internals::Redaction {
    insta::dynamic_redaction(|value, _| match value.as_str() {
        Some(_) => insta::internals::Content::from("[set]"),
        None => value,
    })
}

fn sockets(presence: &Value) -> u64 {
    presence["sockets"].as_u64().unwrap_or(u64::MAX)
}

/// A post by `author`, and its id.
async fn post_by(server: &TestApp, author: &TestUser, title: &str) -> String {
    let (status, post) = server
        .post(
            "/api/posts",
            &json!({ "title": title }),
            Some(&author.token),
        )
        .await;
    assert_eq!(status, 201, "POST /api/posts: {post}");
    assert_eq!(post["authorId"], json!(author.id), "{post}");
    post["id"].as_str().expect("a post id").to_owned()
}

async fn comment(server: &TestApp, by: &TestUser, post: &str, text: &str) -> (u16, Value) {
    server
        .post(
            &format!("/api/posts/{post}/comment"),
            &json!({ "text": text }),
            Some(&by.token),
        )
        .await
}

// ------------------------------------------------------- one server alone

/// Two servers that share an adapter but not their records would disagree
/// about everything: the server says so and stops.
async fn refuses_to_start_with_redis_but_without_mongodb(app: App) {
    // An empty value counts as unset; the URL is never dialled.
    let vars = [("REDIS_URL", "redis://127.0.0.1:1"), ("MONGODB_URI", "")];
    let started = AssertUnwindSafe(TestApp::spawn_with(&app, &vars))
        .catch_unwind()
        .await;
    let message = match started {
        Ok(_) => panic!("the server started with REDIS_URL and no MONGODB_URI; it should refuse"),
        Err(panic) => panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
            .unwrap_or_default(),
    };
    assert!(
        message.contains("REDIS_URL") && message.contains("MONGODB_URI"),
        "the refusal should name both REDIS_URL and MONGODB_URI: {message}"
    );
}

async fn room_messages_reach_the_room(app: App) {
    let server = one_server(&app).await;
    let (ada, bob, eve) = (
        server.user("ada").await,
        server.user("bob").await,
        server.user("eve").await,
    );
    let (ada_socket, bob_socket, eve_socket) = (
        device(&server, &ada).await,
        device(&server, &bob).await,
        device(&server, &eve).await,
    );
    for socket in [&ada_socket, &bob_socket] {
        let ack = socket.ack("join-room", json!({ "room": "lobby" })).await;
        assert_eq!(ack, json!({ "status": "ok" }));
    }
    let forged = json!({ "room": "lobby", "text": "hello", "sender": "bob" });
    let ack = ada_socket.ack("send-message", forged).await;
    assert_eq!(ack, json!({ "status": "ok" }));
    let message = bob_socket.next("new-message").await;
    assert_json_snapshot!(message, {
        ".senderId" => "[ada's id]",
        ".timestamp" => "[timestamp]",
    });
    eve_socket.assert_silent("new-message", QUIET).await;
}

/// Notifications are stored: an author who was offline sees the count when
/// they connect.
async fn unread_count_arrives_on_connect(app: App) {
    let server = one_server(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let post = post_by(&server, &ada, "Scaling out").await;
    for text in ["first", "second"] {
        let (status, answer) = comment(&server, &bob, &post, text).await;
        assert_eq!(status, 201, "{answer}");
    }
    let socket = server.connect(&ada).await;
    assert_json_snapshot!(socket.next("unread-count").await);
}

/// A comment by someone else notifies the author on each of their devices;
/// the author's own comment notifies nobody.
async fn a_comment_notifies_the_author_on_every_device(app: App) {
    let server = one_server(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (laptop, phone) = (device(&server, &ada).await, device(&server, &ada).await);
    let bob_socket = device(&server, &bob).await;
    let post = post_by(&server, &ada, "Scaling out").await;

    let (status, answer) = comment(&server, &bob, &post, "Nice one").await;
    assert_eq!((status, answer), (201, json!({ "success": true })));
    let on_laptop = laptop.next("notification").await;
    let on_phone = phone.next("notification").await;
    assert_eq!(
        on_laptop, on_phone,
        "every device gets the same notification"
    );
    let seen = json!({
        "notification": on_laptop,
        "then": laptop.next("unread-count").await,
    });
    assert_json_snapshot!(seen, {
        ".notification.id" => "[notification id]",
        ".notification.link" => "[/posts/<post id>]",
        ".notification.createdAt" => "[created at]",
    });
    assert_eq!(
        on_laptop["link"],
        json!(format!("/posts/{post}")),
        "{on_laptop}"
    );
    assert_eq!(phone.next("unread-count").await, json!({ "count": 1 }));
    bob_socket.assert_silent("notification", QUIET).await;

    let (status, _) = comment(&server, &ada, &post, "Thanks").await;
    assert_eq!(status, 201);
    tokio::time::sleep(QUIET).await;
    let notifications = laptop.all("notification").len();
    assert_eq!(notifications, 1, "ada's own comment notifies nobody");
}

/// `mark-read` marks the user's own notifications only, and every device
/// hears the new count.
async fn mark_read_sends_the_new_count_to_every_device(app: App) {
    let server = one_server(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (laptop, phone) = (device(&server, &ada).await, device(&server, &ada).await);
    let bob_socket = device(&server, &bob).await;
    let post = post_by(&server, &ada, "Scaling out").await;
    let bobs_post = post_by(&server, &bob, "Bob's post").await;
    comment(&server, &bob, &post, "one").await;
    comment(&server, &bob, &post, "two").await;
    comment(&server, &ada, &bobs_post, "for bob").await;
    let first = laptop.next("notification").await;
    laptop.next("notification").await;
    let bobs = bob_socket.next("notification").await;
    for _ in 0..2 {
        laptop.next("unread-count").await;
        phone.next("unread-count").await;
    }

    // Ada marks one of hers and bob's: only hers changes.
    let ids = json!([first["id"], bobs["id"], "not-an-id"]);
    let ack = laptop.ack("mark-read", ids).await;
    assert_eq!(ack, json!({ "status": "ok" }));
    let seen = json!({
        "laptop": laptop.next("unread-count").await,
        "phone": phone.next("unread-count").await,
    });
    assert_json_snapshot!(seen);
    let fresh = server.connect(&bob).await;
    assert_eq!(
        fresh.next("unread-count").await,
        json!({ "count": 1 }),
        "bob's notification is still unread"
    );
}

async fn posts_and_comments_refuse_bad_requests(app: App) {
    let server = one_server(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let post = post_by(&server, &ada, "Scaling out").await;
    let comment_path = format!("/api/posts/{post}/comment");
    let text = json!({ "text": "hi" });
    let status = |(status, _): (u16, Value)| status;
    let seen = json!({
        "post without a token": status(server.post("/api/posts", &json!({ "title": "t" }), None).await),
        "post with a bad token": status(server.post("/api/posts", &json!({ "title": "t" }), Some("nonsense")).await),
        "post with an empty title": status(server.post("/api/posts", &json!({ "title": "" }), Some(&ada.token)).await),
        "post without a title": status(server.post("/api/posts", &json!({}), Some(&ada.token)).await),
        "comment without a token": status(server.post(&comment_path, &text, None).await),
        "comment on an unknown post": status(comment(&server, &bob, "65f0c0ffee0000000000beef", "hi").await),
        "comment with empty text": status(comment(&server, &bob, &post, "").await),
        "comment with blank text": status(comment(&server, &bob, &post, "   ").await),
        "comment with text 7": status(server.post(&comment_path, &json!({ "text": 7 }), Some(&bob.token)).await),
        "presence of an unknown user": status(server.get("/api/presence/65f0c0ffee0000000000beef", None).await),
    });
    assert_json_snapshot!(seen);
}

/// Lesson 08's presence on one server: every device counts, and `lastSeen`
/// is set when the last one leaves.
async fn presence_counts_every_device_and_sets_last_seen(app: App) {
    let server = one_server(&app).await;
    let ada = server.user("ada").await;
    let before = presence(&server, &ada).await;
    let (laptop, phone) = (device(&server, &ada).await, device(&server, &ada).await);
    let online = presence(&server, &ada).await;

    laptop.disconnect().await;
    let one_left = presence_until(&server, &ada, "ada to have one socket left", |p| {
        sockets(p) == 1
    })
    .await;
    phone.disconnect().await;
    let offline = presence_until(&server, &ada, "ada to be offline, lastSeen set", |p| {
        sockets(p) == 0 && p["lastSeen"].is_string()
    })
    .await;
    let seen = json!({
        "before": before,
        "two devices": online,
        "one left": one_left,
        "none left": offline,
    });
    assert_json_snapshot!(seen, {
        ".*.userId" => "[ada's id]",
        ".*.lastSeen" => set_or_null(),
    });
}

async fn authentication_and_the_admin_lock(app: App) {
    let server = one_server(&app).await;
    let ada = server.user("ada").await;
    let token = admin_token(&server).await;
    let refused = server
        .socket("/admin")
        .auth(json!({ "token": ada.token }))
        .connect_err()
        .await;
    let anonymous = server.socket("/").connect_err().await;
    let admin = server.connect_with("/admin", &token).await;
    let me = admin.ack("whoami", json!({})).await;
    let nowhere = server
        .socket("/elsewhere")
        .auth(json!({ "token": token }))
        .connect_err()
        .await;
    let seen = json!({
        "no token on /": anonymous.message,
        "ada on /admin": refused.message,
        "admin on /admin, whoami": me,
        "another namespace": nowhere.message,
    });
    assert_json_snapshot!(seen, { ".*.id" => "[admin's id]" });
}

async fn online_users_lists_each_user_with_their_devices(app: App) {
    let server = one_server(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let admin = server
        .connect_with("/admin", &admin_token(&server).await)
        .await;
    let _ada_devices = (device(&server, &ada).await, device(&server, &ada).await);
    let _bob_device = device(&server, &bob).await;
    let online = admin.ack("online-users", json!(null)).await;
    assert_json_snapshot!(online, { "[].userId" => "[id]" });
}

async fn disconnect_user_reaches_every_device_and_counts_them(app: App) {
    let server = one_server(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let admin = server
        .connect_with("/admin", &admin_token(&server).await)
        .await;
    let (laptop, phone) = (device(&server, &ada).await, device(&server, &ada).await);
    let bob_socket = device(&server, &bob).await;

    let ack = admin
        .ack("disconnect-user", json!({ "userId": ada.id }))
        .await;
    let mut told = Vec::new();
    for socket in [&laptop, &phone] {
        told.push(socket.next("forceDisconnect").await);
        socket.next("disconnect").await;
    }
    let seen = json!({ "ack": ack, "each device was told": told });
    assert_json_snapshot!(seen);
    let me = bob_socket.ack("whoami", json!({})).await;
    assert_eq!(me["name"], json!("bob"), "bob stays connected: {me}");
    let invalid = admin.ack("disconnect-user", json!("ada")).await;
    assert_eq!(invalid, json!({ "error": "Invalid payload" }));
}

/// A room name is 1 to 64 characters, counted as characters, not bytes.
async fn join_room_refuses_a_name_over_64_characters(app: App) {
    let server = one_server(&app).await;
    let ada = server.user("ada").await;
    let socket = device(&server, &ada).await;
    let labels = [
        "64 characters",
        "64 two-byte characters",
        "65 characters",
        "empty",
        "500 KB",
    ];
    assert_json_snapshot!(rooms::name_lengths(&socket, &labels).await);
}

/// Fifty rooms, then the 51st is refused; joining one of the fifty again is
/// fine. The socket's own `user:` room does not count.
async fn the_51st_room_is_refused_and_rejoining_is_fine(app: App) {
    let server = one_server(&app).await;
    let ada = server.user("ada").await;
    let socket = device(&server, &ada).await;
    assert_json_snapshot!(rooms::past_the_limit(&socket, "room-51").await);
}

/// `user:<id>` rooms carry a user's notifications: eve joins none, and a
/// comment for ada reaches ada only.
async fn a_user_room_is_never_joinable(app: App) {
    let server = one_server(&app).await;
    let (ada, bob, eve) = (
        server.user("ada").await,
        server.user("bob").await,
        server.user("eve").await,
    );
    let ada_socket = device(&server, &ada).await;
    let eve_socket = device(&server, &eve).await;
    let tried = [("ada's room", &*ada.id), ("her own", &*eve.id)];
    let answers = rooms::user_rooms(&eve_socket, &tried).await;
    let post = post_by(&server, &ada, "Private").await;
    comment(&server, &bob, &post, "hello").await;
    ada_socket.next("notification").await;
    eve_socket.assert_silent("notification", QUIET).await;
    assert_json_snapshot!(answers);
}

/// Ada is in `lobby`, bob is not: bob's message to `lobby` is refused and
/// nobody in `lobby` hears it. Text is at most 1000 characters.
async fn send_message_refuses_a_room_not_joined(app: App) {
    let server = one_server(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (device(&server, &ada).await, device(&server, &bob).await);
    let ack = ada_socket
        .ack("join-room", json!({ "room": "lobby" }))
        .await;
    assert_eq!(ack, json!({ "status": "ok" }));
    let answers = json!({
        "bob, not in lobby": bob_socket.ack("send-message", json!({ "room": "lobby", "text": "let me in" })).await,
        "ada, 1000 characters": ada_socket.ack("send-message", json!({ "room": "lobby", "text": "a".repeat(1000) })).await,
        "ada, 1001 characters": ada_socket.ack("send-message", json!({ "room": "lobby", "text": "a".repeat(1001) })).await,
    });
    assert_json_snapshot!(answers);
    // Only the 1000-character message was sent: listen a moment for others.
    ada_socket.next("new-message").await;
    tokio::time::sleep(QUIET).await;
    let heard: Vec<usize> = ada_socket
        .all("new-message")
        .iter()
        .map(|message| message["text"].as_str().map_or(0, |text| text.len()))
        .collect();
    assert_eq!(heard, [1000], "the lengths of the texts ada's socket heard");
}

/// A `user:<id>` room is a direct message to that user's devices.
async fn send_message_to_a_user_room_is_a_direct_message(app: App) {
    let server = one_server(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (device(&server, &ada).await, device(&server, &bob).await);
    let to_bob = json!({ "room": format!("user:{}", bob.id), "text": "psst" });
    let ack = ada_socket.ack("send-message", to_bob).await;
    assert_eq!(ack, json!({ "status": "ok" }));
    let heard = bob_socket.next("new-message").await;
    assert_eq!(
        (&heard["text"], &heard["senderId"]),
        (&json!("psst"), &json!(ada.id)),
        "{heard}"
    );
}

/// serde would fill a struct from an array, field by field: the contract
/// wants objects.
async fn array_payloads_are_refused(app: App) {
    let server = one_server(&app).await;
    let ada = server.user("ada").await;
    let socket = device(&server, &ada).await;
    let root = server.admin("root").await;
    let admin = server.connect_with("/admin", &root.token).await;
    let answers = json!({
        "join-room": socket.ack("join-room", json!(["lobby"])).await,
        "send-message": socket.ack("send-message", json!([format!("user:{}", ada.id), "hi"])).await,
        "disconnect-user": admin.ack("disconnect-user", json!([ada.id])).await,
    });
    assert_json_snapshot!(answers);
    socket.assert_silent("new-message", QUIET).await;
}

/// As in lesson 09, one `mark-read` carries at most 500 ids.
async fn mark_read_takes_at_most_500_ids(app: App) {
    let server = one_server(&app).await;
    let ada = server.user("ada").await;
    let socket = device(&server, &ada).await;
    let ids = |n: usize| json!((0..n).map(|i| format!("id-{i}")).collect::<Vec<_>>());
    let answers = json!({
        "500 ids": socket.ack("mark-read", ids(500)).await,
        "501 ids": socket.ack("mark-read", ids(501)).await,
    });
    assert_json_snapshot!(answers);
}

/// The comment itself is kept, as lesson 09 keeps it (`comments`, with the
/// post, the author, the text and the time). With MongoDB the case reads
/// the collection; in memory there is nothing to read from outside.
async fn a_comment_is_stored(app: App) {
    let server = one_server(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let post = post_by(&server, &ada, "Kept").await;
    let (status, _) = comment(&server, &bob, &post, "  worth keeping  ").await;
    assert_eq!(status, 201);
    #[cfg(feature = "mongodb")]
    if let Some(db) = &server.ctx.db {
        let comments = db.collection::<mongodb::bson::Document>("comments");
        let found = comments
            .find_one(mongodb::bson::doc! { "postId": &post })
            .await
            .expect("the comments collection")
            .expect("the comment is stored");
        assert_eq!(found.get_str("authorId"), Ok(bob.id.as_str()), "{found}");
        assert_eq!(found.get_str("text"), Ok("worth keeping"), "{found}");
        assert!(found.get_datetime("createdAt").is_ok(), "{found}");
    }
}

// --------------------------------------------------------- two servers

/// `send-message` through A reaches the room's members on A and on B.
async fn a_room_emit_from_a_reaches_sockets_on_both(app: App) {
    let Some(redis) = redis_url("a_room_emit_from_a_reaches_sockets_on_both") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let (ada, bob, eve) = (
        a.user("ada").await,
        a.user("bob").await,
        a.user("eve").await,
    );
    let on_a = device(&a, &ada).await;
    let on_b = device(&b, &bob).await;
    let outside = device(&b, &eve).await;
    for socket in [&on_a, &on_b] {
        let ack = socket.ack("join-room", json!({ "room": "lobby" })).await;
        assert_eq!(ack, json!({ "status": "ok" }));
    }
    let ack = on_a
        .ack(
            "send-message",
            json!({ "room": "lobby", "text": "hello, both" }),
        )
        .await;
    assert_eq!(ack, json!({ "status": "ok" }));
    let here = on_a.next("new-message").await;
    let there = on_b.next("new-message").await;
    assert_eq!(here, there, "both servers deliver the same message");
    assert_json_snapshot!(there, {
        ".senderId" => "[ada's id]",
        ".timestamp" => "[timestamp]",
    });
    outside.assert_silent("new-message", QUIET).await;
}

/// Bob comments through A; ada's phone is connected to B.
async fn a_comment_through_a_notifies_the_author_on_b(app: App) {
    let Some(redis) = redis_url("a_comment_through_a_notifies_the_author_on_b") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let (ada, bob) = (a.user("ada").await, a.user("bob").await);
    let laptop = device(&a, &ada).await;
    let phone = device(&b, &ada).await;
    let post = post_by(&b, &ada, "Two servers").await;

    let (status, _) = comment(&a, &bob, &post, "Seen from A").await;
    assert_eq!(status, 201);
    let on_phone = phone.next("notification").await;
    assert_eq!(laptop.next("notification").await, on_phone);
    let seen = json!({
        "on B": on_phone,
        "then": phone.next("unread-count").await,
    });
    assert_json_snapshot!(seen, {
        ".*.id" => "[notification id]",
        ".*.link" => "[/posts/<post id>]",
        ".*.createdAt" => "[created at]",
    });
}

async fn mark_read_on_a_updates_the_count_on_b(app: App) {
    let Some(redis) = redis_url("mark_read_on_a_updates_the_count_on_b") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let (ada, bob) = (a.user("ada").await, a.user("bob").await);
    let laptop = device(&a, &ada).await;
    let phone = device(&b, &ada).await;
    let post = post_by(&a, &ada, "Two servers").await;
    comment(&b, &bob, &post, "one").await;
    comment(&b, &bob, &post, "two").await;
    let first = laptop.next("notification").await;
    for _ in 0..2 {
        phone.next("unread-count").await;
    }
    let ack = laptop.ack("mark-read", json!([first["id"]])).await;
    assert_eq!(ack, json!({ "status": "ok" }));
    assert_json_snapshot!(phone.next("unread-count").await);
}

async fn presence_counts_sockets_on_both_servers(app: App) {
    let Some(redis) = redis_url("presence_counts_sockets_on_both_servers") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let ada = a.user("ada").await;
    let _laptop = device(&a, &ada).await;
    let _phone = device(&b, &ada).await;
    let _tablet = device(&b, &ada).await;
    let seen = json!({
        "asked of A": presence(&a, &ada).await,
        "asked of B": presence(&b, &ada).await,
    });
    assert_json_snapshot!(seen, { ".*.userId" => "[ada's id]" });
}

async fn online_users_counts_devices_on_both_servers(app: App) {
    let Some(redis) = redis_url("online_users_counts_devices_on_both_servers") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let (ada, bob) = (a.user("ada").await, a.user("bob").await);
    let admin = a.connect_with("/admin", &admin_token(&a).await).await;
    let _ada_devices = (device(&a, &ada).await, device(&b, &ada).await);
    let _bob_device = device(&b, &bob).await;
    let online = admin.ack("online-users", json!(null)).await;
    assert_json_snapshot!(online, { "[].userId" => "[id]" });
}

/// The administrator is on A; ada has a socket on each server.
async fn disconnect_user_on_a_disconnects_the_socket_on_b(app: App) {
    let Some(redis) = redis_url("disconnect_user_on_a_disconnects_the_socket_on_b") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let (ada, bob) = (a.user("ada").await, a.user("bob").await);
    let admin = a.connect_with("/admin", &admin_token(&a).await).await;
    let on_a = device(&a, &ada).await;
    let on_b = device(&b, &ada).await;
    let bob_on_b = device(&b, &bob).await;

    let ack = admin
        .ack("disconnect-user", json!({ "userId": ada.id }))
        .await;
    let told_on_b = on_b.next("forceDisconnect").await;
    on_b.next("disconnect").await;
    on_a.next("forceDisconnect").await;
    on_a.next("disconnect").await;
    let seen = json!({ "ack": ack, "on B": told_on_b });
    assert_json_snapshot!(seen);
    let me = bob_on_b.ack("whoami", json!({})).await;
    assert_eq!(me["name"], json!("bob"), "bob stays connected: {me}");
    let gone = presence_until(&a, &ada, "ada to be offline everywhere", |p| {
        sockets(p) == 0
    })
    .await;
    assert_eq!(gone["status"], json!("offline"), "{gone}");
}

/// `lastSeen` is set when the user's last socket leaves, wherever it was:
/// not when the last one on one server does.
async fn last_seen_waits_for_the_last_socket_on_any_server(app: App) {
    let Some(redis) = redis_url("last_seen_waits_for_the_last_socket_on_any_server") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let ada = a.user("ada").await;
    let on_a = device(&a, &ada).await;
    let on_b = device(&b, &ada).await;

    on_a.disconnect().await;
    let still_on_b = presence_until(&a, &ada, "ada's socket on A to be gone", |p| {
        sockets(p) == 1
    })
    .await;
    // The disconnect handler on A has run by the time the count dropped;
    // give its write a moment, then make sure it wrote nothing.
    tokio::time::sleep(QUIET).await;
    let still_on_b_later = presence(&b, &ada).await;
    on_b.disconnect().await;
    let offline = presence_until(&a, &ada, "ada to be offline, lastSeen set", |p| {
        sockets(p) == 0 && p["lastSeen"].is_string()
    })
    .await;
    let seen = json!({
        "after A's socket left": still_on_b,
        "a moment later, asked of B": still_on_b_later,
        "after B's socket left": offline,
    });
    assert_json_snapshot!(seen, {
        ".*.userId" => "[ada's id]",
        ".*.lastSeen" => set_or_null(),
    });
}

/// Server B crashes while ada is connected to it: A stops counting her
/// within `REDIS_REQUEST_TIMEOUT_MS` (here 1 s) and a little more.
async fn a_dead_servers_users_are_offline_within_the_bound(app: App) {
    let Some(redis) = redis_url("a_dead_servers_users_are_offline_within_the_bound") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let ada = a.user("ada").await;
    // Connected to B when B dies (the client only sees its connection drop).
    let _on_b = device(&b, &ada).await;
    assert_eq!(sockets(&presence(&a, &ada).await), 1);

    let died = Instant::now();
    drop(b);
    let after = presence_until(&a, &ada, "A to stop counting ada's socket on B", |p| {
        sockets(p) == 0
    })
    .await;
    let bound = Duration::from_millis(2 * REQUEST_TIMEOUT_MS);
    assert!(
        died.elapsed() < bound,
        "A counted the dead server's socket for {:?}; the bound is REDIS_REQUEST_TIMEOUT_MS ({REQUEST_TIMEOUT_MS} ms) and a little more",
        died.elapsed()
    );
    assert_json_snapshot!(after, { ".userId" => "[ada's id]" });
    let fresh = a.user("bob").await;
    device(&a, &fresh).await;
}

/// Ada goes offline, comes back on both servers, and goes offline again.
/// The second `lastSeen` overwrites the first; B must still read it (the
/// wire-compatible MongoDB kept the second write as a string, and B answered
/// 500 `expecting DateTime`).
async fn last_seen_reads_back_after_a_second_time_offline(app: App) {
    let Some(redis) = redis_url("last_seen_reads_back_after_a_second_time_offline") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let ada = a.user("ada").await;
    let mut seen = Vec::new();
    for round in ["first", "second"] {
        let (on_a, on_b) = (device(&a, &ada).await, device(&b, &ada).await);
        on_a.disconnect().await;
        presence_until(&b, &ada, "ada's socket on A to be gone", |p| {
            sockets(p) == 1
        })
        .await;
        on_b.disconnect().await;
        let what = format!("ada to be offline the {round} time, lastSeen newer");
        let previous = seen.last().cloned();
        let offline = presence_until(&b, &ada, &what, |p| {
            p["lastSeen"].is_string() && previous.as_ref() != Some(&p["lastSeen"])
        })
        .await;
        seen.push(offline["lastSeen"].clone());
    }
    let on_a = presence(&a, &ada).await;
    assert_eq!(on_a["lastSeen"], seen[1], "A and B read the same: {on_a}");
}

/// Ada's sockets on `/` and `/admin` share one connection to A, and it
/// closes: both sockets leave at the same moment. Each one, leaving out
/// only itself, would count the other and neither would write `lastSeen`.
/// It is written, and once.
async fn two_sockets_leaving_at_once_write_last_seen_once(app: App) {
    let Some(redis) = redis_url("two_sockets_leaving_at_once_write_last_seen_once") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let root = a.admin("root").await;
    let auth = json!({ "token": root.token });
    let session = harness::polling::connect_all(&a.url("/"), &["/", "/admin"], &auth).await;
    presence_until(&b, &root, "root's two sockets to count", |p| {
        sockets(p) == 2
    })
    .await;
    session.close().await;
    presence_until(&b, &root, "root to be offline, lastSeen set", |p| {
        sockets(p) == 0 && p["lastSeen"].is_string()
    })
    .await;
    // Every write logs `offline`; listen a moment for a second one.
    tokio::time::sleep(QUIET).await;
    let writes = a
        .logs()
        .into_iter()
        .filter(|line| {
            line["fields"]["message"] == json!("offline")
                && line["fields"]["user_id"] == json!(root.id)
        })
        .count();
    assert_eq!(writes, 1, "lastSeen written {writes} times");
}

/// Ada's socket on A and her socket on B close together, twice (as the
/// issue's runs did): whichever server finishes last sees no socket left,
/// `lastSeen` is set each time, and B reads it back each time.
async fn sockets_on_both_servers_leaving_at_once_set_last_seen(app: App) {
    let Some(redis) = redis_url("sockets_on_both_servers_leaving_at_once_set_last_seen") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let ada = a.user("ada").await;
    let auth = json!({ "token": ada.token });
    let mut last_seen = Value::Null;
    let mut offline = Value::Null;
    for round in ["first", "second"] {
        let on_a = harness::polling::connect_all(&a.url("/"), &["/"], &auth).await;
        let on_b = harness::polling::connect_all(&b.url("/"), &["/"], &auth).await;
        presence_until(&a, &ada, "ada's two sockets to count", |p| sockets(p) == 2).await;
        futures_util::join!(on_a.close(), on_b.close());
        let what = format!("ada to be offline the {round} time, lastSeen newer");
        offline = presence_until(&b, &ada, &what, |p| {
            sockets(p) == 0 && p["lastSeen"].is_string() && p["lastSeen"] != last_seen
        })
        .await;
        last_seen = offline["lastSeen"].clone();
    }
    assert_json_snapshot!(offline, {
        ".userId" => "[ada's id]",
        ".lastSeen" => set_or_null(),
    });
}

/// Bob on B is not in `lobby`: his message is refused, and neither ada on
/// A nor carol on B, both in `lobby`, hears it.
async fn send_message_from_outside_the_room_reaches_neither_server(app: App) {
    let Some(redis) = redis_url("send_message_from_outside_the_room_reaches_neither_server") else {
        return;
    };
    let (a, b) = two_servers(&app, &redis).await;
    let (ada, bob, carol) = (
        a.user("ada").await,
        a.user("bob").await,
        a.user("carol").await,
    );
    let on_a = device(&a, &ada).await;
    let carol_on_b = device(&b, &carol).await;
    let bob_on_b = device(&b, &bob).await;
    for socket in [&on_a, &carol_on_b] {
        let ack = socket.ack("join-room", json!({ "room": "lobby" })).await;
        assert_eq!(ack, json!({ "status": "ok" }));
    }
    let ack = bob_on_b
        .ack("send-message", json!({ "room": "lobby", "text": "hi" }))
        .await;
    assert_eq!(ack, json!({ "error": "Not a member of this room" }));
    on_a.assert_silent("new-message", QUIET).await;
    carol_on_b.assert_silent("new-message", QUIET).await;
}

/// Lesson 05's per-event check holds here too: an administrator demoted
/// while their `/admin` socket is open can neither list nor disconnect
/// anyone from it; the answer is the lock's, and the console is closed.
async fn a_demoted_admin_cannot_act_from_an_open_socket(app: App) {
    let server = one_server(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let ada_socket = device(&server, &ada).await;
    let console = server.connect_with("/admin", &root.token).await;
    admin::a_demoted_admin_tries_to_disconnect(
        &server,
        (&root, &console),
        (&ada, &ada_socket),
        "see book/src/11-scale-out.md",
    )
    .await;
}
