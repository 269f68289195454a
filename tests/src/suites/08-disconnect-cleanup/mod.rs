//! Lesson 08, disconnect cleanup (contract §08): each user's sockets are
//! tracked; a socket that leaves is announced to the other members of its
//! rooms; a user whose last socket left is offline only once
//! `GRACE_PERIOD_MS` has passed with no socket coming back, and then their
//! friends hear it. The grace period is shortened here (see [`GRACE`]);
//! no case waits longer than one grace period plus [`QUIET`].

use std::time::{Duration, Instant};

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use harness::clock::now_ms;
use harness::{App, Socket, TestApp, TestUser, rooms};

harness::cases! {
    crate disconnect_cleanup_suite, dir "08-disconnect-cleanup",
    step_1 with attacks on "/": [
        presence_counts_each_device,
        presence_of_an_unknown_user_is_not_found,
        join_room_acks_ok_and_refuses_bad_payloads,
        join_room_refuses_a_name_over_64_characters,
        the_51st_room_is_refused_and_rejoining_is_fine,
        an_array_payload_is_refused,
        befriending_checks_token_target_and_self,
    ],
    step_2: [
        leaving_tells_the_other_members_of_each_room,
    ],
    step_3: [
        a_user_room_is_never_joinable,
        a_handshake_dropped_halfway_leaves_no_one_online,
        last_seen_survives_going_offline_twice,
        befriending_is_mutual_and_idempotent,
        offline_after_the_grace_period_tells_the_friends_only,
        a_reconnect_within_the_grace_period_emits_nothing,
        a_stale_timer_never_fires,
        a_second_device_keeps_the_user_online,
        tracked_users_return_to_zero_after_churn,
        shutting_down_with_timers_pending_does_not_panic,
        friends_and_last_seen_outlive_the_server,
    ],
}

/// The grace period most cases run with.
const GRACE: Duration = Duration::from_millis(400);

/// A longer grace period, for the cases where a client must reconnect
/// inside it: a reconnect is a whole handshake, slow on a busy machine.
const LONG_GRACE: Duration = Duration::from_millis(1000);

/// How long a case listens, past a deadline, to be sure an event does not come.
const QUIET: Duration = Duration::from_millis(250);

async fn spawn(app: &App, grace: Duration) -> TestApp {
    let ms = grace.as_millis().to_string();
    TestApp::spawn_with(app, &[("GRACE_PERIOD_MS", &ms)]).await
}

/// `a` befriends `b` over HTTP.
async fn befriend(server: &TestApp, a: &TestUser, b: &TestUser) {
    let path = format!("/api/friends/{}", b.id);
    let (status, body) = server.post(&path, &json!({}), Some(&a.token)).await;
    assert_eq!(
        (status, &body),
        (200, &json!({ "status": "ok" })),
        "{} befriending {}",
        a.name,
        b.name
    );
}

async fn presence(server: &TestApp, user: &TestUser) -> Value {
    let (status, body) = server
        .get(&format!("/api/presence/{}", user.id), None)
        .await;
    assert_eq!(status, 200, "presence of {}: {body}", user.name);
    body
}

async fn tracked_users(server: &TestApp) -> u64 {
    let (status, body) = server.get("/stats", None).await;
    assert_eq!(status, 200, "/stats: {body}");
    body["trackedUsers"]
        .as_u64()
        .unwrap_or_else(|| panic!("/stats should say trackedUsers: {body}"))
}

/// Waits until `/stats` says `n`: the server handles a disconnect a moment
/// after the client has sent it.
async fn until_tracked(server: &TestApp, n: u64) {
    let what = format!("/stats to say trackedUsers {n}");
    harness::wait(&what, async {
        while tracked_users(server).await != n {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

/// Waits until the server has handled the leave of `user`'s last socket
/// (`/api/presence` counts no socket), and returns the moment the test saw
/// it, in milliseconds since 1970. A client's `disconnect()` returns once
/// the close is sent, before the server has run its disconnect handler: a
/// case that reconnects at once would otherwise race the old socket, and
/// the new one could arrive first, so that no grace period ever starts.
async fn until_left(server: &TestApp, user: &TestUser) -> u64 {
    let what = format!("the server to see {}'s last socket leave", user.name);
    harness::wait(&what, async {
        while presence(server, user).await["sockets"] != json!(0) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    now_ms()
}

/// Listens for [`QUIET`], then checks that `socket` has received `event`
/// exactly `n` times in all.
async fn heard_exactly(socket: &Socket, event: &str, n: usize) {
    tokio::time::sleep(QUIET).await;
    let heard = socket.all(event);
    assert_eq!(
        heard.len(),
        n,
        "expected {n} {event:?} in all, got {heard:?}"
    );
}

async fn presence_counts_each_device(app: App) {
    let server = spawn(&app, GRACE).await;
    let ada = server.user("ada").await;
    let _laptop = server.connect(&ada).await;
    let _phone = server.connect(&ada).await;
    let seen = presence(&server, &ada).await;
    assert_eq!(seen["userId"], json!(ada.id), "{seen}");
    assert_json_snapshot!(seen, { ".userId" => "[ada's id]" });
    assert_eq!(tracked_users(&server).await, 1, "one user, two sockets");
}

async fn presence_of_an_unknown_user_is_not_found(app: App) {
    let server = spawn(&app, GRACE).await;
    let unknown = server
        .get("/api/presence/64b7f0c2a1b2c3d4e5f60718", None)
        .await;
    let malformed = server.get("/api/presence/not-an-id", None).await;
    assert_json_snapshot!(json!({ "unknown": unknown, "malformed": malformed }));
}

/// `join-room` answers ok, refuses someone's private `user:` room (a
/// friend's notices go there) and payloads of the wrong shape.
async fn join_room_acks_ok_and_refuses_bad_payloads(app: App) {
    let server = spawn(&app, GRACE).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let socket = server.connect(&ada).await;
    let answers = json!({
        "lobby": socket.ack("join-room", json!({ "room": "lobby" })).await,
        "bob's room": socket.ack("join-room", json!({ "room": format!("user:{}", bob.id) })).await,
        "42": socket.ack("join-room", json!(42)).await,
        "{}": socket.ack("join-room", json!({})).await,
        "{room: 7}": socket.ack("join-room", json!({ "room": 7 })).await,
        "{room: \"\"}": socket.ack("join-room", json!({ "room": "" })).await,
    });
    assert_json_snapshot!(answers);
}

/// A room name is 1 to 64 characters, counted as characters, not bytes.
async fn join_room_refuses_a_name_over_64_characters(app: App) {
    let server = spawn(&app, GRACE).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    assert_json_snapshot!(rooms::name_lengths(&socket, &rooms::AROUND_THE_LIMIT).await);
}

/// Fifty rooms, then the 51st is refused; joining one of the fifty again is
/// fine (it costs nothing). The socket's own `user:` room does not count.
async fn the_51st_room_is_refused_and_rejoining_is_fine(app: App) {
    let server = spawn(&app, GRACE).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    assert_json_snapshot!(rooms::past_the_limit(&socket, "room-51").await);
}

/// `user:<id>` rooms carry `friend-offline`. Eve tries ada's room, her own,
/// and a made-up one, then ada's friend bob goes offline: eve hears nothing.
async fn a_user_room_is_never_joinable(app: App) {
    let server = spawn(&app, GRACE).await;
    let (ada, bob, eve) = (
        server.user("ada").await,
        server.user("bob").await,
        server.user("eve").await,
    );
    befriend(&server, &ada, &bob).await;
    let ada_socket = server.connect(&ada).await;
    let eve_socket = server.connect(&eve).await;
    let tried = [
        ("ada's room", &*ada.id),
        ("her own", &*eve.id),
        ("user:", ""),
    ];
    let answers = rooms::user_rooms(&eve_socket, &tried).await;
    server.connect(&bob).await.disconnect().await;
    ada_socket.next("friend-offline").await;
    eve_socket.assert_silent("friend-offline", QUIET).await;
    assert_json_snapshot!(answers);
}

/// serde would read `["lobby"]` as `{room: "lobby"}`: the contract wants an
/// object.
async fn an_array_payload_is_refused(app: App) {
    let server = spawn(&app, GRACE).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    let ack = socket.ack("join-room", json!(["lobby"])).await;
    assert_eq!(ack, json!({ "error": "Invalid payload" }));
}

/// A client sends CONNECT with a valid token and hangs up while the server
/// is still looking its user up. The middleware chain still runs to its
/// end (the user is tracked), but socketioxide then drops the socket
/// without running its disconnect handler. What the socket holds must be
/// released with the socket itself: once the grace period is over, ada is
/// offline (her `lastSeen` set) and `/stats` tracks nobody.
async fn a_handshake_dropped_halfway_leaves_no_one_online(app: App) {
    let grace = GRACE.as_millis().to_string();
    let (server, gate) = TestApp::spawn_gated(&app, &[("GRACE_PERIOD_MS", &grace)]).await;
    let ada = server.user("ada").await;
    gate.hold();
    let auth = json!({ "token": ada.token });
    let session = harness::polling::begin(&server.url("/"), "/", &auth).await;
    harness::wait("the handshake's user lookup to wait", gate.waiting()).await;
    session.close().await;
    gate.release();

    let what = "ada to be offline with a lastSeen (her half-open socket released)";
    let seen = harness::wait(what, async {
        loop {
            let seen = presence(&server, &ada).await;
            if seen["lastSeen"].is_i64() && seen["status"] == json!("offline") {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(seen["sockets"], json!(0), "{seen}");
    until_tracked(&server, 0).await;
}

/// Ada goes offline, comes back, and goes offline again: her second
/// `lastSeen` replaces the first and reads back as a number (a store that
/// wrote one type and read another answered 500 here).
async fn last_seen_survives_going_offline_twice(app: App) {
    let server = spawn(&app, GRACE).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    befriend(&server, &ada, &bob).await;
    let bob_socket = server.connect(&bob).await;
    server.connect(&ada).await.disconnect().await;
    let first = bob_socket.next("friend-offline").await;
    server.connect(&ada).await.disconnect().await;
    let second = bob_socket.next("friend-offline").await;
    assert!(
        second["lastSeen"].as_i64() > first["lastSeen"].as_i64(),
        "{first} then {second}"
    );
    let seen = presence(&server, &ada).await;
    assert_eq!(seen["lastSeen"], second["lastSeen"], "{seen}");
}

/// Ada's laptop is in `lobby` and `games`; bob is in both, carol in
/// `lobby`, ada's phone in `lobby`. The laptop leaves: bob hears it for
/// both rooms, carol and the phone for `lobby` only, and nobody for ada's
/// own `user:` room.
async fn leaving_tells_the_other_members_of_each_room(app: App) {
    let server = spawn(&app, GRACE).await;
    let (ada, bob, carol) = (
        server.user("ada").await,
        server.user("bob").await,
        server.user("carol").await,
    );
    let laptop = server.connect(&ada).await;
    let phone = server.connect(&ada).await;
    let bob_socket = server.connect(&bob).await;
    let carol_socket = server.connect(&carol).await;
    for (socket, rooms) in [
        (&laptop, &["lobby", "games"][..]),
        (&bob_socket, &["lobby", "games"]),
        (&carol_socket, &["lobby"]),
        (&phone, &["lobby"]),
    ] {
        for room in rooms {
            let ack = socket.ack("join-room", json!({ "room": room })).await;
            assert_eq!(ack, json!({ "status": "ok" }), "joining {room}");
        }
    }
    laptop.disconnect().await;

    let mut bob_heard = vec![
        bob_socket.next("user-leaving").await,
        bob_socket.next("user-leaving").await,
    ];
    bob_heard.sort_by_key(|notice| notice["room"].to_string());
    let carol_heard = carol_socket.next("user-leaving").await;
    let phone_heard = phone.next("user-leaving").await;
    tokio::time::sleep(QUIET).await;
    for (who, socket, count) in [
        ("bob", &bob_socket, 2),
        ("carol", &carol_socket, 1),
        ("ada's phone", &phone, 1),
    ] {
        let heard = socket.all("user-leaving");
        assert_eq!(heard.len(), count, "{who} heard {heard:?}");
    }
    assert_eq!(bob_heard[0]["userId"], json!(ada.id));
    assert_json_snapshot!(json!({
        "bob": bob_heard,
        "carol": carol_heard,
        "ada's phone": phone_heard,
    }), { ".**.userId" => "[ada's id]" });
}

/// Ada befriends bob (twice: nothing changes). Bob then leaves and ada,
/// who never befriended anyone from bob's side, hears it: the friendship
/// goes both ways.
async fn befriending_is_mutual_and_idempotent(app: App) {
    let server = spawn(&app, GRACE).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    befriend(&server, &ada, &bob).await;
    befriend(&server, &ada, &bob).await;
    let ada_socket = server.connect(&ada).await;
    let bob_socket = server.connect(&bob).await;
    bob_socket.disconnect().await;
    let notice = ada_socket.next("friend-offline").await;
    assert_eq!(notice["userId"], json!(bob.id), "{notice}");
}

async fn befriending_checks_token_target_and_self(app: App) {
    let server = spawn(&app, GRACE).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let bob_path = format!("/api/friends/{}", bob.id);
    let answers = json!({
        "no token": server.post(&bob_path, &json!({}), None).await,
        "bad token": server.post(&bob_path, &json!({}), Some("not-a-token")).await,
        "unknown user": server.post("/api/friends/64b7f0c2a1b2c3d4e5f60718", &json!({}), Some(&ada.token)).await,
        "malformed id": server.post("/api/friends/nobody", &json!({}), Some(&ada.token)).await,
        "self": server.post(&format!("/api/friends/{}", ada.id), &json!({}), Some(&ada.token)).await,
    });
    assert_json_snapshot!(answers);
}

/// Ada leaves; after the grace period bob, her friend, gets
/// `friend-offline` with the moment she left, and her presence says
/// offline with the same `lastSeen`. Carol, connected but no friend of
/// hers, hears nothing.
async fn offline_after_the_grace_period_tells_the_friends_only(app: App) {
    let server = spawn(&app, GRACE).await;
    let (ada, bob, carol) = (
        server.user("ada").await,
        server.user("bob").await,
        server.user("carol").await,
    );
    befriend(&server, &bob, &ada).await;
    let bob_socket = server.connect(&bob).await;
    let carol_socket = server.connect(&carol).await;
    let ada_socket = server.connect(&ada).await;

    let (left, left_ms) = (Instant::now(), now_ms());
    ada_socket.disconnect().await;
    let seen_leaving_ms = until_left(&server, &ada).await;
    let notice = bob_socket.next("friend-offline").await;
    let waited = left.elapsed();
    assert!(
        waited >= GRACE,
        "friend-offline came {waited:?} after ada left: the grace period is {GRACE:?}"
    );
    assert_eq!(notice["userId"], json!(ada.id), "{notice}");
    let last_seen = notice["lastSeen"].as_u64().unwrap_or_else(|| {
        panic!("lastSeen should be milliseconds since 1970, like Date.now(): {notice}")
    });
    // Between the moment ada began to leave and the moment the test saw
    // the server handle it (plus a little slack for a busy machine): a
    // lastSeen taken when the timer fires is a whole grace period later.
    let latest = seen_leaving_ms + (GRACE / 4).as_millis() as u64;
    assert!(
        (left_ms..=latest).contains(&last_seen),
        "lastSeen should be when ada's last socket left ({left_ms} to {seen_leaving_ms}), \
         not when the grace period ended; got {last_seen}"
    );
    let seen = presence(&server, &ada).await;
    assert_eq!(seen["lastSeen"], json!(last_seen), "{seen}");
    carol_socket.assert_silent("friend-offline", QUIET).await;
    assert_json_snapshot!(json!({ "friend-offline": notice, "presence": seen }), {
        ".*.userId" => "[ada's id]",
        ".*.lastSeen" => "[ms]",
    });
}

/// A page reload: ada's socket closes, the server starts her grace period,
/// and a new socket opens inside it. Nobody hears anything, and she is
/// online all along: the reconnect cancelled the pending "offline".
async fn a_reconnect_within_the_grace_period_emits_nothing(app: App) {
    let server = spawn(&app, LONG_GRACE).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    befriend(&server, &ada, &bob).await;
    let bob_socket = server.connect(&bob).await;
    let before = server.connect(&ada).await;
    let left = Instant::now();
    before.disconnect().await;
    // The grace period has started: only a reconnect can cancel it now.
    until_left(&server, &ada).await;
    let _after = server.connect(&ada).await;
    let reconnected = left.elapsed();
    assert!(
        reconnected < LONG_GRACE,
        "the reconnect took {reconnected:?}, longer than the grace period: the machine is too busy for this case"
    );
    bob_socket
        .assert_silent("friend-offline", LONG_GRACE - reconnected + QUIET)
        .await;
    let seen = presence(&server, &ada).await;
    assert_json_snapshot!(seen, { ".userId" => "[ada's id]" });
}

/// Ada leaves, comes back, and leaves again. The first leave's timer is
/// stale when it wakes: bob hears exactly one `friend-offline`, at the
/// second leave's deadline, not the first's.
async fn a_stale_timer_never_fires(app: App) {
    let server = spawn(&app, LONG_GRACE).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    befriend(&server, &ada, &bob).await;
    let bob_socket = server.connect(&bob).await;

    let first = server.connect(&ada).await;
    let first_left = Instant::now();
    first.disconnect().await;
    // The first timer is running before the reconnect.
    until_left(&server, &ada).await;
    let second = server.connect(&ada).await;
    let reconnected = first_left.elapsed();
    assert!(
        reconnected < LONG_GRACE / 2,
        "the reconnect took {reconnected:?}: the machine is too busy for this case"
    );
    // Not a wait for anything: the two leaves must be far enough apart for
    // the first deadline to fall clearly before the second.
    tokio::time::sleep(LONG_GRACE / 3).await;
    let (second_left, second_left_ms) = (Instant::now(), now_ms());
    second.disconnect().await;

    let notice = bob_socket.next("friend-offline").await;
    let waited = second_left.elapsed();
    assert!(
        waited >= LONG_GRACE,
        "friend-offline came {waited:?} after the second leave, before its grace period ({LONG_GRACE:?}) was over: \
         was it the first leave's timer?"
    );
    assert!(
        notice["lastSeen"].as_u64() >= Some(second_left_ms),
        "lastSeen should be the second leave: {notice}"
    );
    heard_exactly(&bob_socket, "friend-offline", 1).await;
}

/// Ada has a laptop and a phone. The laptop leaves: she is still online,
/// and bob hears nothing. Then the phone leaves too, and bob hears it.
async fn a_second_device_keeps_the_user_online(app: App) {
    let server = spawn(&app, GRACE).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    befriend(&server, &ada, &bob).await;
    let bob_socket = server.connect(&bob).await;
    let laptop = server.connect(&ada).await;
    let phone = server.connect(&ada).await;

    laptop.disconnect().await;
    bob_socket
        .assert_silent("friend-offline", GRACE + QUIET)
        .await;
    let seen = presence(&server, &ada).await;
    assert_json_snapshot!(seen, { ".userId" => "[ada's id]" });

    phone.disconnect().await;
    let notice = bob_socket.next("friend-offline").await;
    assert_eq!(notice["userId"], json!(ada.id), "{notice}");
}

/// Three users connect and leave over and over, with one or two devices
/// each. The table counts only who is connected; each user's friend hears
/// them go offline after their last leave (earlier rounds may be heard too
/// on a slow machine, when a round outlasts the grace period); and once
/// everyone has left, the table is empty.
async fn tracked_users_return_to_zero_after_churn(app: App) {
    const USERS: usize = 3;
    const ROUNDS: usize = 3;
    let server = spawn(&app, GRACE).await;
    let watcher = server.user("watcher").await;
    let mut users = Vec::new();
    for i in 0..USERS {
        let user = server.user(&format!("user{i}")).await;
        befriend(&server, &watcher, &user).await;
        users.push(user);
    }
    let watcher_socket = server.connect(&watcher).await;

    let mut during = Vec::new();
    let mut last_left = 0;
    for round in 0..ROUNDS {
        let mut sockets = Vec::new();
        for (i, user) in users.iter().enumerate() {
            sockets.push(server.connect(user).await);
            if (i + round) % 2 == 0 {
                sockets.push(server.connect(user).await);
            }
        }
        during.push(tracked_users(&server).await);
        last_left = now_ms();
        for socket in &sockets {
            socket.disconnect().await;
        }
    }
    assert!(
        during.iter().all(|&n| n == USERS as u64 + 1),
        "with {USERS} users and the watcher connected, /stats said {during:?}"
    );

    // Each user's last friend-offline: the one whose lastSeen is after the
    // last round began to leave.
    let mut gone: Vec<Value> = Vec::new();
    while gone.len() < USERS {
        let notice = watcher_socket.next("friend-offline").await;
        if notice["lastSeen"].as_u64() >= Some(last_left) && !gone.contains(&notice["userId"]) {
            gone.push(notice["userId"].clone());
        }
    }
    assert_eq!(tracked_users(&server).await, 1, "only the watcher is left");
    watcher_socket.disconnect().await;
    until_tracked(&server, 0).await;
}

/// Ada leaves, and the server stops before her grace period is over. Her
/// timer wakes up after the server is gone (with MongoDB, after the test
/// has dropped the server's database): whatever it does then, it must not
/// panic.
async fn shutting_down_with_timers_pending_does_not_panic(app: App) {
    let server = spawn(&app, GRACE).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    befriend(&server, &ada, &bob).await;
    let bob_socket = server.connect(&bob).await;
    let ada_socket = server.connect(&ada).await;
    for socket in [&bob_socket, &ada_socket] {
        socket.ack("join-room", json!({ "room": "lobby" })).await;
    }
    ada_socket.disconnect().await;
    // Bob hearing it means the server has handled the leave: the timer runs.
    bob_socket.next("user-leaving").await;
    drop(server);

    // Watches the server's threads for a panic until the timer has long
    // fired (`harness::wait` checks every few milliseconds).
    harness::wait(
        "ada's grace period to pass after the shutdown",
        tokio::time::sleep(GRACE + QUIET),
    )
    .await;
}

/// With MongoDB, a second server on the same database knows the
/// friendship and ada's `lastSeen`. (In memory there is nothing to keep:
/// the case only checks that the first server recorded them.)
async fn friends_and_last_seen_outlive_the_server(app: App) {
    let first = spawn(&app, GRACE).await;
    let (ada, bob) = (first.user("ada").await, first.user("bob").await);
    befriend(&first, &ada, &bob).await;
    let bob_socket = first.connect(&bob).await;
    first.connect(&ada).await.disconnect().await;
    let notice = bob_socket.next("friend-offline").await;
    let before = presence(&first, &ada).await;
    assert_eq!(before["lastSeen"], notice["lastSeen"], "{before}");

    #[cfg(feature = "mongodb")]
    if let Some(db) = &first.ctx.db {
        a_second_server_remembers(&app, db.name(), &ada, &bob, &notice).await;
    }
}

/// A second server on `database`: ada's `lastSeen` as `notice` said, and
/// the friendship, which tells bob when ada leaves again.
#[cfg(feature = "mongodb")]
async fn a_second_server_remembers(
    app: &App,
    database: &str,
    ada: &TestUser,
    bob: &TestUser,
    notice: &Value,
) {
    let grace = GRACE.as_millis().to_string();
    let second = TestApp::spawn_with(
        app,
        &[("GRACE_PERIOD_MS", &grace), ("MONGODB_DB", database)],
    )
    .await;
    let after = presence(&second, ada).await;
    assert_eq!(after["lastSeen"], notice["lastSeen"], "{after}");
    assert_eq!(after["status"], json!("offline"), "{after}");

    let bob_again = second.connect(bob).await;
    second.connect(ada).await.disconnect().await;
    let notice = bob_again.next("friend-offline").await;
    assert_eq!(notice["userId"], json!(ada.id), "{notice}");
}
