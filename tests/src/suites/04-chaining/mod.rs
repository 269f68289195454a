//! Lesson 04, chaining (contract §04): on `/`, logging, then
//! authentication as in 02, then authorization (a banned user is refused),
//! then at most `MAX_CONNECTIONS_PER_IP` connected sockets per client
//! address; the first refusal wins. Administrators ban and unban over HTTP.
//! The hostile handshakes are the shared ones of `harness::attacks`.
//!
//! Clients come from several loopback addresses (127.0.0.1, .2, .3) through
//! `source_ip`'s relay, so that "another IP" is a real one.

use std::net::IpAddr;
use std::time::Duration;

use futures_util::future::join_all;
use insta::assert_json_snapshot;
use serde_json::{Value, json};
use workbook::jwt::{Claims, now};
use workbook::users::Role;

use harness::{App, ConnectError, Socket, TestApp, TestUser, polling, source_ip};

harness::cases! {
    crate chaining_suite, dir "04-chaining",
    step_1: [
        bad_limits_stop_the_server,
        ban_and_unban_answer_404_for_an_unknown_user,
        a_deleted_admins_token_gets_401,
    ],
    step_2: [
        refuses_a_banned_user,
        a_ban_store_that_cannot_answer_keeps_the_door_shut,
        a_banned_admin_cannot_unban_themselves,
    ],
    step_3 with attacks on "/": [
        accepts_a_valid_token,
        a_banned_user_from_a_full_ip_gets_account_suspended,
        an_invalid_token_from_a_full_ip_gets_invalid_token,
        logging_sees_every_attempt_refused_or_not,
        refuses_the_sixth_socket_from_one_ip,
        counts_each_ip_apart,
        a_forwarded_header_does_not_change_the_ip,
        twenty_simultaneous_handshakes_give_exactly_five_sockets,
        a_refused_attempt_takes_no_slot,
        a_disconnect_frees_its_slot,
        a_thousand_connect_disconnect_cycles_leave_the_table_empty,
        ban_sends_force_disconnect_then_disconnects,
        unban_lets_the_user_back_in,
        ban_and_unban_are_idempotent,
        admin_routes_need_a_valid_token,
        admin_routes_need_an_admin_in_the_store,
        a_banned_admin_cannot_ban_another_admin,
    ],
}

/// Where the chapter explains what a failure here means.
const CHAPTER: &str = "see book/src/04-chaining.md";

const SUSPENDED: &str = "Account suspended";
const TOO_MANY: &str = "Too many connections from this IP";

/// A client address: 127.0.0.1 directly, any other loopback address
/// through a relay bound to it.
struct Origin {
    url: String,
}

impl Origin {
    async fn new(server: &TestApp, ip: &str) -> Origin {
        let ip: IpAddr = ip.parse().expect("an IP address");
        if ip == IpAddr::from([127, 0, 0, 1]) {
            return Origin {
                url: server.url("/"),
            };
        }
        let relay = source_ip::forward_from(server.addr, ip).await;
        Origin {
            url: format!("http://{relay}/"),
        }
    }

    /// A handshake on `/` from this address with `token` (none if `None`).
    async fn try_connect(
        &self,
        server: &TestApp,
        token: Option<&str>,
    ) -> Result<Socket, ConnectError> {
        self.try_connect_with(server, token, &[]).await
    }

    async fn try_connect_with(
        &self,
        server: &TestApp,
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Socket, ConnectError> {
        let mut socket = server.socket("/").address(self.url.clone());
        if let Some(token) = token {
            socket = socket.auth(json!({ "token": token }));
        }
        for (name, value) in headers {
            socket = socket.header(name, value);
        }
        socket.connect().await
    }

    async fn connect(&self, server: &TestApp, user: &TestUser) -> Socket {
        match self.try_connect(server, Some(&user.token)).await {
            Ok(socket) => socket,
            Err(refusal) => panic!(
                "{} should have been let in, got connect_error {:?}",
                user.name, refusal.message
            ),
        }
    }

    /// The refusal's message; fails if the server lets the socket in. A
    /// bare long-polling client (`polling.rs`): refusals are many here, and
    /// it costs a fraction of `rust_socketio`'s handshake.
    async fn refusal(&self, token: Option<&str>) -> String {
        let auth = token.map(|token| json!({ "token": token }));
        polling::refusal(&self.url, "/", auth.as_ref()).await
    }
}

/// `POST /api/admin/users/{id}/{action}` as `by`: status and body.
async fn admin_post(server: &TestApp, action: &str, id: &str, by: Option<&str>) -> (u16, Value) {
    let path = format!("/api/admin/users/{id}/{action}");
    server.post(&path, &json!({}), by).await
}

/// Bans `user` as `by`, insisting on `200 {status:"ok"}`.
async fn ban(server: &TestApp, user: &TestUser, by: &TestUser) {
    let answer = admin_post(server, "ban", &user.id, Some(&by.token)).await;
    assert_eq!(
        answer,
        (200, json!({ "status": "ok" })),
        "banning {} as an administrator ({CHAPTER}, \"Banning\")",
        user.name
    );
}

async fn unban(server: &TestApp, user: &TestUser, by: &TestUser) {
    let answer = admin_post(server, "unban", &user.id, Some(&by.token)).await;
    assert_eq!(
        answer,
        (200, json!({ "status": "ok" })),
        "unbanning {}",
        user.name
    );
}

/// `GET /api/admin/stats` as `by`.
async fn stats(server: &TestApp, by: &TestUser) -> Value {
    let (status, body) = server.get("/api/admin/stats", Some(&by.token)).await;
    assert_eq!(
        status, 200,
        "GET /api/admin/stats as an administrator: {body}"
    );
    body
}

/// Waits until the table of connections per address is `expected`. The
/// server learns of a disconnect a moment after the client sends it, so
/// the table catches up shortly after; it must get there.
async fn table_becomes(server: &TestApp, by: &TestUser, expected: Value) {
    let mut last = Value::Null;
    let reached = tokio::time::timeout(harness::timeout(), async {
        loop {
            last = stats(server, by).await["connectionsByIp"].clone();
            if last == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        reached.is_ok(),
        "connectionsByIp should come to be {expected}, it stays at {last}: each socket's slot \
         must be given back when the socket goes, a refused attempt must take none, and an \
         address with no sockets must leave the table ({CHAPTER}, \"A limit that holds\")"
    );
}

/// Claims for `id` that expire in an hour.
fn claims_for(id: &str, role: Role) -> Claims {
    Claims {
        id: id.to_owned(),
        name: "ghost".to_owned(),
        role,
        iat: now(),
        exp: now() + 3600,
    }
}

async fn accepts_a_valid_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let here = Origin::new(&server, "127.0.0.1").await;
    let socket = here.connect(&server, &ada).await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(ada.id), "whoami should name ada: {me}");
    assert_json_snapshot!(me, { ".id" => "[user id]" });
}

async fn refuses_a_banned_user(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    ban(&server, &ada, &root).await;
    let here = Origin::new(&server, "127.0.0.1").await;
    let refusal = here.refusal(Some(&ada.token)).await;
    assert_eq!(
        refusal, SUSPENDED,
        "a banned user ({CHAPTER}, \"Authorization\")"
    );
    assert_json_snapshot!(refusal);
}

/// The ban store fails while `authorize` asks it: the handshake is
/// refused (`Authentication failed`, as 03 answers when the user store is
/// down), never let in. With MongoDB only: a `bans` document whose
/// `bannedAt` is not a date makes the store's read fail, as a database gone
/// away would. In memory the store cannot fail, and the case has nothing to
/// check.
async fn a_ban_store_that_cannot_answer_keeps_the_door_shut(app: App) {
    let server = TestApp::spawn(&app).await;
    #[cfg(feature = "mongodb")]
    if let Some(db) = &server.ctx.db {
        let ada = server.user("ada").await;
        db.collection::<mongodb::bson::Document>("bans")
            .insert_one(mongodb::bson::doc! { "userId": &ada.id, "bannedAt": "not a date" })
            .await
            .expect("MongoDB answers");
        let here = Origin::new(&server, "127.0.0.1").await;
        let refusal = here.refusal(Some(&ada.token)).await;
        assert_eq!(
            refusal, "Authentication failed",
            "a ban store that cannot answer must keep the door shut ({CHAPTER}, \"Authorization\")"
        );
    }
    #[cfg(not(feature = "mongodb"))]
    let _ = server; // In memory the store cannot fail: nothing to check.
}

/// The address is full, and the user is banned: the ban is the answer.
/// With the limit before authorization, the client would be told to come
/// back later, and would, forever.
async fn a_banned_user_from_a_full_ip_gets_account_suspended(app: App) {
    let server = TestApp::spawn_with(&app, &[("MAX_CONNECTIONS_PER_IP", "1")]).await;
    let root = server.admin("root").await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    ban(&server, &ada, &root).await;
    let here = Origin::new(&server, "127.0.0.1").await;
    let _bob = here.connect(&server, &bob).await;
    assert_eq!(
        here.refusal(Some(&bob.token)).await,
        TOO_MANY,
        "with MAX_CONNECTIONS_PER_IP=1 and one socket, 127.0.0.1 is full"
    );
    let refusal = here.refusal(Some(&ada.token)).await;
    assert_eq!(
        refusal, SUSPENDED,
        "a banned user from a full address: authorization must run before the per-IP limit \
         ({CHAPTER}, \"The order is the design\")"
    );
    assert_json_snapshot!(refusal);
}

/// Authentication runs before the limit: a bad token from a full address
/// is told what is wrong with it.
async fn an_invalid_token_from_a_full_ip_gets_invalid_token(app: App) {
    let server = TestApp::spawn_with(&app, &[("MAX_CONNECTIONS_PER_IP", "1")]).await;
    let bob = server.user("bob").await;
    let here = Origin::new(&server, "127.0.0.1").await;
    let _bob = here.connect(&server, &bob).await;
    let expired = server.ctx.jwt.sign(&Claims {
        iat: now() - 7200,
        exp: now() - 3600,
        ..claims_for(&bob.id, Role::User)
    });
    let mut refusals = Vec::new();
    for token in [Some("not-a-jwt"), None, Some(expired.as_str())] {
        refusals.push(here.refusal(token).await);
    }
    assert_eq!(
        refusals[0], "Invalid token",
        "an invalid token from a full address: authentication must run before the per-IP \
         limit ({CHAPTER}, \"The order is the design\")"
    );
    assert_json_snapshot!(refusals);
}

/// The logger runs first: it counts every attempt, whichever guard refuses
/// it, and the accepted ones too.
async fn logging_sees_every_attempt_refused_or_not(app: App) {
    let server = TestApp::spawn_with(&app, &[("MAX_CONNECTIONS_PER_IP", "1")]).await;
    let root = server.admin("root").await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    ban(&server, &bob, &root).await;
    assert_eq!(stats(&server, &root).await["attempts"], json!(0));

    let here = Origin::new(&server, "127.0.0.1").await;
    let _ada = here.connect(&server, &ada).await;
    let mut refusals = Vec::new();
    for token in [
        None,
        Some("not-a-jwt"),
        Some(bob.token.as_str()),
        Some(ada.token.as_str()),
    ] {
        refusals.push(here.refusal(token).await);
    }
    assert_json_snapshot!(refusals);
    let attempts = stats(&server, &root).await["attempts"].clone();
    assert_eq!(
        attempts,
        json!(5),
        "one accepted attempt and four refused by authentication, authorization and the \
         limit: the logging middleware must run first to see them all ({CHAPTER}, \
         \"Logging goes first\")"
    );
}

async fn refuses_the_sixth_socket_from_one_ip(app: App) {
    let server = TestApp::spawn(&app).await;
    let root = server.admin("root").await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let here = Origin::new(&server, "127.0.0.1").await;
    let mut sockets = Vec::new();
    for _ in 0..5 {
        sockets.push(here.connect(&server, &ada).await);
    }
    let sixth = here.refusal(Some(&ada.token)).await;
    assert_eq!(sixth, TOO_MANY, "the default MAX_CONNECTIONS_PER_IP is 5");
    // The limit is per address, not per user.
    assert_eq!(here.refusal(Some(&bob.token)).await, TOO_MANY);
    assert_json_snapshot!(stats(&server, &root).await);
}

async fn counts_each_ip_apart(app: App) {
    let server = TestApp::spawn_with(&app, &[("MAX_CONNECTIONS_PER_IP", "2")]).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let (one, two) = (
        Origin::new(&server, "127.0.0.1").await,
        Origin::new(&server, "127.0.0.2").await,
    );
    let _held = [
        one.connect(&server, &ada).await,
        one.connect(&server, &ada).await,
    ];
    assert_eq!(one.refusal(Some(&ada.token)).await, TOO_MANY);
    let _there = [
        two.connect(&server, &ada).await,
        two.connect(&server, &ada).await,
    ];
    assert_eq!(two.refusal(Some(&ada.token)).await, TOO_MANY);
    assert_json_snapshot!(stats(&server, &root).await["connectionsByIp"]);
}

/// A header is text the client writes. The address the limit counts is the
/// connection's: a header neither frees a full address nor fills another.
async fn a_forwarded_header_does_not_change_the_ip(app: App) {
    let server = TestApp::spawn_with(&app, &[("MAX_CONNECTIONS_PER_IP", "2")]).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let (one, two) = (
        Origin::new(&server, "127.0.0.1").await,
        Origin::new(&server, "127.0.0.2").await,
    );
    let _held = [
        one.connect(&server, &ada).await,
        one.connect(&server, &ada).await,
    ];
    for header in [
        ("X-Forwarded-For", "10.9.8.7"),
        ("X-Real-IP", "10.9.8.7"),
        ("Forwarded", "for=10.9.8.7"),
    ] {
        let result = one
            .try_connect_with(&server, Some(&ada.token), &[header])
            .await;
        match result {
            Err(refusal) => assert_eq!(refusal.message, TOO_MANY, "with {header:?}"),
            Ok(_) => panic!(
                "127.0.0.1 is full, yet a handshake from it with {header:?} was let in: the \
                 address must be the connection's, never a header ({CHAPTER}, \"Who is asking\")"
            ),
        }
    }
    // From 127.0.0.2, claiming to be the full 127.0.0.1: still 127.0.0.2.
    let _there = two
        .try_connect_with(
            &server,
            Some(&ada.token),
            &[("X-Forwarded-For", "127.0.0.1")],
        )
        .await
        .unwrap_or_else(|refusal| {
            panic!(
                "127.0.0.2 has room, but it was refused ({:?}): was it counted as the address \
                 in its X-Forwarded-For header? ({CHAPTER}, \"Who is asking\")",
                refusal.message
            )
        });
    assert_json_snapshot!(stats(&server, &root).await["connectionsByIp"]);
}

/// Twenty handshakes from one address at once, with the default room for
/// five: exactly five get in, whatever the interleaving. Twice, to show
/// the first burst's slots all came back. (Bare long-polling clients, which
/// open twenty connections at once far faster than `rust_socketio`.)
async fn twenty_simultaneous_handshakes_give_exactly_five_sockets(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let three = Origin::new(&server, "127.0.0.3").await;
    let (http, auth) = (reqwest::Client::new(), json!({ "token": ada.token }));
    for burst in 1..=2 {
        let handshakes = (0..20).map(|_| polling::connect(&http, &three.url, "/", Some(&auth)));
        let mut sessions = Vec::new();
        let mut refusals = Vec::new();
        for result in join_all(handshakes).await {
            match result {
                Ok(session) => sessions.push(session),
                Err(refusal) => refusals.push(refusal),
            }
        }
        assert_eq!(
            sessions.len(),
            5,
            "burst {burst}: 20 simultaneous handshakes from one address should let exactly 5 \
             in; check and count under one lock ({CHAPTER}, \"A limit that holds\")"
        );
        assert!(refusals.iter().all(|m| m == TOO_MANY), "{refusals:?}");
        assert_eq!(
            stats(&server, &root).await["connectionsByIp"],
            json!({ "127.0.0.3": 5 })
        );
        join_all(sessions.into_iter().map(polling::Session::close)).await;
        table_becomes(&server, &root, json!({})).await;
    }
}

/// Attempts refused by authentication, by authorization and by the limit
/// itself leave the count where it was.
async fn a_refused_attempt_takes_no_slot(app: App) {
    let server = TestApp::spawn_with(&app, &[("MAX_CONNECTIONS_PER_IP", "2")]).await;
    let root = server.admin("root").await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    ban(&server, &bob, &root).await;
    let here = Origin::new(&server, "127.0.0.1").await;
    let first = here.connect(&server, &ada).await;
    for _ in 0..3 {
        for token in [None, Some("not-a-jwt"), Some(bob.token.as_str())] {
            here.refusal(token).await;
        }
    }
    table_becomes(&server, &root, json!({ "127.0.0.1": 1 })).await;
    let _second = here.connect(&server, &ada).await;
    for _ in 0..3 {
        assert_eq!(here.refusal(Some(&ada.token)).await, TOO_MANY);
    }
    table_becomes(&server, &root, json!({ "127.0.0.1": 2 })).await;
    first.disconnect().await;
    table_becomes(&server, &root, json!({ "127.0.0.1": 1 })).await;
    let _third = here.connect(&server, &ada).await;
    assert_eq!(here.refusal(Some(&ada.token)).await, TOO_MANY);
}

async fn a_disconnect_frees_its_slot(app: App) {
    let server = TestApp::spawn_with(&app, &[("MAX_CONNECTIONS_PER_IP", "2")]).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let two = Origin::new(&server, "127.0.0.2").await;
    let first = two.connect(&server, &ada).await;
    let _second = two.connect(&server, &ada).await;
    assert_eq!(two.refusal(Some(&ada.token)).await, TOO_MANY);
    first.disconnect().await;
    table_becomes(&server, &root, json!({ "127.0.0.2": 1 })).await;
    let _again = two.connect(&server, &ada).await;
}

/// A thousand connect/disconnect cycles from two addresses at once, with
/// more clients than an address has room for, so that refusals happen
/// too. When it is over, nobody is connected and the table is empty. (Bare
/// long-polling clients, a connection per cycle: see `polling.rs`.)
async fn a_thousand_connect_disconnect_cycles_leave_the_table_empty(app: App) {
    const CYCLES: usize = 1000;
    const CLIENTS_PER_ADDRESS: usize = 4;
    let server = TestApp::spawn_with(&app, &[("MAX_CONNECTIONS_PER_IP", "3")]).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let origins = [
        Origin::new(&server, "127.0.0.1").await,
        Origin::new(&server, "127.0.0.2").await,
    ];
    let auth = json!({ "token": ada.token });
    let clients = origins.iter().flat_map(|origin| {
        (0..CLIENTS_PER_ADDRESS).map(|_| async {
            let http = reqwest::Client::new();
            let mut accepted = 0;
            for _ in 0..CYCLES / (2 * CLIENTS_PER_ADDRESS) {
                match polling::connect(&http, &origin.url, "/", Some(&auth)).await {
                    Ok(session) => {
                        session.close().await;
                        accepted += 1;
                    }
                    Err(refusal) => assert_eq!(refusal, TOO_MANY),
                }
            }
            accepted
        })
    });
    let accepted: usize = join_all(clients).await.into_iter().sum();
    assert!(accepted > 0, "no cycle got a socket");
    table_becomes(&server, &root, json!({})).await;
}

/// `MAX_CONNECTIONS_PER_IP` must be a whole number of at least 1; anything
/// else stops the server with a message naming the variable.
async fn bad_limits_stop_the_server(app: App) {
    for value in ["0", "many", "-1"] {
        let app = app.clone();
        // A thread of its own: the start is meant to fail, with a panic the
        // harness must not take for this test's server crashing.
        let started = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                drop(TestApp::spawn_with(&app, &[("MAX_CONNECTIONS_PER_IP", value)]).await);
            });
        })
        .join();
        let message = match started {
            Ok(()) => panic!("the server started with MAX_CONNECTIONS_PER_IP={value}"),
            Err(panic) => panic.downcast_ref::<String>().cloned().unwrap_or_default(),
        };
        assert!(
            message.contains("MAX_CONNECTIONS_PER_IP: "),
            "MAX_CONNECTIONS_PER_IP={value} should stop the server with a message naming the \
             variable, got: {message}"
        );
    }
}

/// Ada has two sockets, Bob one. Banning Ada tells each of her sockets
/// why, then disconnects it; Bob is untouched, Ada's slots are free, and
/// she cannot come back.
async fn ban_sends_force_disconnect_then_disconnects(app: App) {
    let server = TestApp::spawn(&app).await;
    let root = server.admin("root").await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (one, two) = (
        Origin::new(&server, "127.0.0.1").await,
        Origin::new(&server, "127.0.0.2").await,
    );
    let ada_sockets = [
        one.connect(&server, &ada).await,
        two.connect(&server, &ada).await,
    ];
    let bob_socket = two.connect(&server, &bob).await;
    table_becomes(&server, &root, json!({ "127.0.0.1": 1, "127.0.0.2": 2 })).await;

    ban(&server, &ada, &root).await;
    for socket in &ada_sockets {
        let reason = socket.next("forceDisconnect").await;
        assert_eq!(
            reason,
            json!({ "reason": SUSPENDED }),
            "{CHAPTER}, \"Banning\""
        );
        socket.next("disconnect").await;
        let events: Vec<String> = socket.received().into_iter().map(|r| r.event).collect();
        assert_eq!(
            events,
            ["forceDisconnect", "disconnect"],
            "the reason first, then the disconnect: after it nothing reaches the client"
        );
    }
    let me = bob_socket.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(bob.id), "bob is still connected");
    assert!(
        bob_socket.all("forceDisconnect").is_empty(),
        "only ada's sockets are told to go"
    );
    table_becomes(&server, &root, json!({ "127.0.0.2": 1 })).await;
    assert_eq!(one.refusal(Some(&ada.token)).await, SUSPENDED);

    #[cfg(feature = "mongodb")]
    if let Some(db) = &server.ctx.db {
        let ban = db
            .collection::<mongodb::bson::Document>("bans")
            .find_one(mongodb::bson::doc! { "userId": &ada.id })
            .await
            .expect("MongoDB answers");
        assert!(
            ban.is_some(),
            "with MongoDB, the ban is a document in `bans`"
        );
    }
    let snapshot: Vec<_> = ada_sockets[0].received();
    assert_json_snapshot!(snapshot);
}

async fn unban_lets_the_user_back_in(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let here = Origin::new(&server, "127.0.0.1").await;
    ban(&server, &ada, &root).await;
    assert_eq!(here.refusal(Some(&ada.token)).await, SUSPENDED);
    unban(&server, &ada, &root).await;
    let socket = here.connect(&server, &ada).await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(ada.id));
    #[cfg(feature = "mongodb")]
    if let Some(db) = &server.ctx.db {
        let bans = db
            .collection::<mongodb::bson::Document>("bans")
            .count_documents(mongodb::bson::doc! { "userId": &ada.id })
            .await
            .expect("MongoDB answers");
        assert_eq!(
            bans, 0,
            "with MongoDB, unbanning removes the ban's document"
        );
    }
}

async fn ban_and_unban_are_idempotent(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let here = Origin::new(&server, "127.0.0.1").await;
    ban(&server, &ada, &root).await;
    ban(&server, &ada, &root).await;
    assert_eq!(here.refusal(Some(&ada.token)).await, SUSPENDED);
    unban(&server, &ada, &root).await;
    unban(&server, &ada, &root).await;
    here.connect(&server, &ada).await.disconnect().await;
}

/// Every admin route answers 401 to a request without a valid token.
async fn admin_routes_need_a_valid_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let expired = server.ctx.jwt.sign(&Claims {
        iat: now() - 7200,
        exp: now() - 3600,
        ..claims_for(&root.id, Role::Admin)
    });
    let mut answers = Vec::new();
    for token in [None, Some("not-a-jwt"), Some(expired.as_str())] {
        let ban = admin_post(&server, "ban", &ada.id, token).await;
        let unban = admin_post(&server, "unban", &ada.id, token).await;
        let stats = server.get("/api/admin/stats", token).await;
        for (status, body) in [&ban, &unban, &stats] {
            assert_eq!(*status, 401, "{body}");
        }
        answers.push(json!({ "ban": ban, "unban": unban, "stats": stats }));
    }
    // None of it banned anyone.
    Origin::new(&server, "127.0.0.1")
        .await
        .connect(&server, &ada)
        .await;
    assert_json_snapshot!(answers);
}

/// 403 for anyone the store does not know as an administrator: a user's
/// own token, and a token the server signed whose claims say `admin`. The
/// role is checked before the target, so a 403 comes even for a user who
/// does not exist.
async fn admin_routes_need_an_admin_in_the_store(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let promoted = server.ctx.jwt.sign(&Claims {
        name: "ada".to_owned(),
        ..claims_for(&ada.id, Role::Admin)
    });
    let mut answers = Vec::new();
    for token in [ada.token.as_str(), promoted.as_str()] {
        let ban = admin_post(&server, "ban", &bob.id, Some(token)).await;
        let unban = admin_post(&server, "unban", &bob.id, Some(token)).await;
        let unknown = admin_post(&server, "ban", "000000000000000000000000", Some(token)).await;
        let stats = server.get("/api/admin/stats", Some(token)).await;
        for (status, body) in [&ban, &unban, &unknown, &stats] {
            assert_eq!(
                *status, 403,
                "{body}: the role comes from the store, and is checked before the target \
                 ({CHAPTER}, \"Banning\")"
            );
        }
        answers.push(json!({ "ban": ban, "unban": unban, "unknown": unknown, "stats": stats }));
    }
    let here = Origin::new(&server, "127.0.0.1").await;
    here.connect(&server, &bob).await.disconnect().await;
    assert_json_snapshot!(answers);
}

async fn ban_and_unban_answer_404_for_an_unknown_user(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let deleted = server.ctx.users.delete(&ada.id).await.expect("the store");
    assert!(deleted, "ada should have been in the store");
    let mut answers = Vec::new();
    for id in ["000000000000000000000000", "nobody", ada.id.as_str()] {
        for action in ["ban", "unban"] {
            let answer = admin_post(&server, action, id, Some(&root.token)).await;
            assert_eq!(answer.0, 404, "{action} {id}: {}", answer.1);
            answers.push(answer);
        }
    }
    assert_json_snapshot!(answers);
}

/// Root bans carol, another administrator. Carol's token still verifies
/// and the store still says `admin`, so only a route that also asks the
/// bans turns her away: a banned admin who could unban themselves would
/// not stay banned for long.
async fn a_banned_admin_cannot_unban_themselves(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, carol) = (server.admin("root").await, server.admin("carol").await);
    ban(&server, &carol, &root).await;
    let mut answers = Vec::new();
    for action in ["unban", "ban"] {
        let answer = admin_post(&server, action, &carol.id, Some(&carol.token)).await;
        assert_eq!(
            answer,
            (403, json!({ "message": SUSPENDED })),
            "{action} by a banned administrator: the routes check the caller's ban in the \
             store on every request, not only the role ({CHAPTER}, \"Banning\")"
        );
        answers.push(answer);
    }
    let (status, body) = server.get("/api/admin/stats", Some(&carol.token)).await;
    assert_eq!((status, &body), (403, &json!({ "message": SUSPENDED })));
    answers.push((status, body));
    let here = Origin::new(&server, "127.0.0.1").await;
    assert_eq!(
        here.refusal(Some(&carol.token)).await,
        SUSPENDED,
        "carol is still banned"
    );
    assert_json_snapshot!(answers);
}

/// Carol, banned, tries to ban root and ada: nobody is banned, and root
/// can still act (and lift carol's ban).
async fn a_banned_admin_cannot_ban_another_admin(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, carol) = (server.admin("root").await, server.admin("carol").await);
    let ada = server.user("ada").await;
    ban(&server, &carol, &root).await;
    for user in [&root, &ada] {
        let answer = admin_post(&server, "ban", &user.id, Some(&carol.token)).await;
        assert_eq!(
            answer,
            (403, json!({ "message": SUSPENDED })),
            "a banned administrator banning {} ({CHAPTER}, \"Banning\")",
            user.name
        );
    }
    let here = Origin::new(&server, "127.0.0.1").await;
    here.connect(&server, &root).await.disconnect().await;
    here.connect(&server, &ada).await.disconnect().await;
    unban(&server, &carol, &root).await;
    // Unbanned, carol is an administrator again.
    unban(&server, &ada, &carol).await;
}

/// A token for an account that was deleted names nobody: like a bad
/// token, it authenticates no one, so 401, as the handshake says
/// `User not found`.
async fn a_deleted_admins_token_gets_401(app: App) {
    let server = TestApp::spawn(&app).await;
    let (gone, ada) = (server.admin("gone").await, server.user("ada").await);
    assert!(server.ctx.users.delete(&gone.id).await.expect("the store"));
    let mut answers = Vec::new();
    for action in ["ban", "unban"] {
        let answer = admin_post(&server, action, &ada.id, Some(&gone.token)).await;
        assert_eq!(
            answer.0, 401,
            "{action} by a deleted administrator: {}",
            answer.1
        );
        answers.push(answer);
    }
    assert_json_snapshot!(answers);
}
