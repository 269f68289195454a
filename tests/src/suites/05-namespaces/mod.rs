//! Lesson 05, namespaces (contract §05): `/` logs and lets anyone in, `/chat`
//! authenticates as in 02, `/admin` authenticates and then wants the admin
//! role (from the store), `/public` has no guard, and any other namespace
//! is refused. On `/admin`, `online-users` lists each connected user once
//! with all their sockets, and `disconnect-user` reaches every socket of a
//! user in every namespace. The hostile handshakes of `harness::attacks` run
//! against `/chat`.

use std::time::Duration;

use futures_util::future::join_all;
use insta::assert_json_snapshot;
use serde_json::{Value, json};
use workbook::jwt::{Claims, now};
use workbook::users::Role;

use harness::{App, Socket, TestApp, admin, polling};

harness::cases! {
    crate namespaces_suite, dir "05-namespaces",
    step_1: [
        root_lets_anyone_in_and_whoami_is_null,
        public_lets_anyone_in_and_whoami_is_null,
        any_other_namespace_is_invalid,
        admin_authenticates_before_it_checks_the_role,
    ],
    step_2: [admin_refuses_a_user_with_a_valid_token],
    step_3 with attacks on "/chat": [
        chat_answers_whoami_with_the_user,
        admin_accepts_an_admin,
        admin_takes_the_role_from_the_store_not_the_token,
        a_demoted_admin_is_refused_on_the_next_handshake,
        chat_sockets_cannot_use_admin_events,
    ],
    step_4: [
        online_users_has_one_row_per_user_counting_every_device,
        online_users_forgets_a_user_whose_last_socket_left,
        churn_leaves_no_one_online,
        a_demoted_admin_cannot_disconnect_users_from_an_open_socket,
        a_demoted_admin_cannot_list_online_users_from_an_open_socket,
        a_deleted_admin_cannot_act_from_an_open_socket,
    ],
    step_5: [
        disconnect_user_reaches_every_socket_in_every_namespace,
        disconnect_user_answers_zero_for_an_offline_user,
        disconnect_user_refuses_an_invalid_payload,
        an_admin_can_disconnect_themselves,
        disconnect_user_refuses_an_array_payload,
    ],
}

/// Where the chapter explains what a failure here means.
const CHAPTER: &str = "see book/src/05-namespaces.md";

const BY_ADMIN: &str = "Disconnected by an administrator";

/// How long a test listens to be sure an event does not come.
const QUIET: Duration = Duration::from_millis(300);

/// The refusal's message for a handshake on `namespace` with `auth`. A
/// bare long-polling client (`polling.rs`), which costs a fraction of
/// `rust_socketio`'s handshake.
async fn refusal(server: &TestApp, namespace: &str, auth: Option<Value>) -> String {
    polling::refusal(&server.url("/"), namespace, auth.as_ref()).await
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

/// `online-users`, asked on `admin`.
async fn online(admin: &Socket) -> Value {
    admin.ack("online-users", json!({})).await
}

/// The `online-users` rows as `(name, sockets)` pairs, in the order given.
fn rows(online: &Value) -> Vec<(String, u64)> {
    online
        .as_array()
        .unwrap_or_else(|| panic!("online-users should answer an array, got {online}"))
        .iter()
        .map(|row| {
            let name = row["name"].as_str().unwrap_or_default().to_owned();
            (name, row["sockets"].as_u64().unwrap_or_default())
        })
        .collect()
}

/// Waits until `online-users` says `expected` (names and socket counts). A
/// socket that left is forgotten a moment after the client closes it.
async fn online_becomes(admin: &Socket, expected: &[(&str, u64)]) {
    let expected: Vec<(String, u64)> = expected.iter().map(|(n, s)| (n.to_string(), *s)).collect();
    let mut last = Vec::new();
    let reached = tokio::time::timeout(harness::timeout(), async {
        loop {
            last = rows(&online(admin).await);
            if last == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        reached.is_ok(),
        "online-users should come to be {expected:?} (name, sockets), it stays at {last:?}: a \
         user's row counts every socket they have and goes with the last one ({CHAPTER}, \
         \"One user, many devices\")"
    );
}

/// `/` and `/public`: with no `auth`, with a token that is not one, and
/// with a genuine token, the socket is in and `whoami` is `null`.
async fn anonymous_door(app: App, namespace: &str) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let mut seen = Vec::new();
    for auth in [
        None,
        Some(json!({ "token": "not-a-jwt" })),
        Some(json!({ "token": ada.token })),
    ] {
        let mut socket = server.socket(namespace);
        if let Some(auth) = auth {
            socket = socket.auth(auth);
        }
        let socket = socket.connect().await.unwrap_or_else(|refusal| {
            panic!(
                "{namespace} lets anyone in, but refused with {:?} ({CHAPTER}, \"Four doors\")",
                refusal.message
            )
        });
        seen.push(socket.ack("whoami", json!({})).await);
        socket.disconnect().await;
    }
    assert_eq!(
        seen,
        [Value::Null, Value::Null, Value::Null],
        "{namespace}'s whoami"
    );
}

async fn root_lets_anyone_in_and_whoami_is_null(app: App) {
    anonymous_door(app, "/").await;
}

async fn public_lets_anyone_in_and_whoami_is_null(app: App) {
    anonymous_door(app, "/public").await;
}

async fn chat_answers_whoami_with_the_user(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let me = server
        .connect_with("/chat", &ada.token)
        .await
        .ack("whoami", json!({}))
        .await;
    assert_eq!(
        me["id"],
        json!(ada.id),
        "whoami on /chat should name ada: {me}"
    );
    assert_json_snapshot!(me, { ".id" => "[user id]" });
}

async fn admin_accepts_an_admin(app: App) {
    let server = TestApp::spawn(&app).await;
    let root = server.admin("root").await;
    let me = server
        .connect_with("/admin", &root.token)
        .await
        .ack("whoami", json!({}))
        .await;
    assert_eq!(me["role"], json!("admin"), "{me}");
    assert_json_snapshot!(me, { ".id" => "[user id]" });
}

async fn admin_refuses_a_user_with_a_valid_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let message = refusal(&server, "/admin", Some(json!({ "token": ada.token }))).await;
    assert_eq!(
        message, "Admin access required",
        "{CHAPTER}, \"The admin lock\""
    );
    assert_json_snapshot!(message);
}

/// Who the client is comes first, what they may do second: a client with
/// no valid token hears authentication's answer, not the role's.
async fn admin_authenticates_before_it_checks_the_role(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, gone) = (server.user("ada").await, server.admin("gone").await);
    assert!(server.ctx.users.delete(&gone.id).await.expect("the store"));
    let expired = server.ctx.jwt.sign(&Claims {
        iat: now() - 7200,
        exp: now() - 3600,
        ..claims_for(&ada.id, Role::Admin)
    });
    let mut messages = Vec::new();
    for auth in [
        None,
        Some(json!({ "token": "" })),
        Some(json!({ "token": "not-a-jwt" })),
        Some(json!({ "token": expired })),
        Some(json!({ "token": gone.token })),
    ] {
        messages.push(refusal(&server, "/admin", auth).await);
    }
    assert!(
        !messages.iter().any(|m| m == "Admin access required"),
        "{messages:?}: on /admin, authentication runs before the role check ({CHAPTER}, \
         \"The admin lock\")"
    );
    assert_json_snapshot!(messages);
}

/// Tokens the server signed itself, with a role claim that disagrees with
/// the store: the store wins both ways.
async fn admin_takes_the_role_from_the_store_not_the_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let promoted = server.ctx.jwt.sign(&claims_for(&ada.id, Role::Admin));
    let message = refusal(&server, "/admin", Some(json!({ "token": promoted }))).await;
    assert_eq!(
        message, "Admin access required",
        "a token claiming `admin` for a user: the role must come from the store, not the \
         token ({CHAPTER}, \"The admin lock\")"
    );
    let demoted = server.ctx.jwt.sign(&claims_for(&root.id, Role::User));
    let me = server
        .connect_with("/admin", &demoted)
        .await
        .ack("whoami", json!({}))
        .await;
    assert_eq!(
        me["role"],
        json!("admin"),
        "the store says root is an admin: {me}"
    );
}

/// Root is an admin, then the store says otherwise. Root's token, signed
/// while root was an admin, still verifies: only a server that asks the
/// store on every handshake notices.
async fn a_demoted_admin_is_refused_on_the_next_handshake(app: App) {
    let server = TestApp::spawn(&app).await;
    let root = server.admin("root").await;
    server
        .connect_with("/admin", &root.token)
        .await
        .disconnect()
        .await;
    let demoted = server.ctx.users.set_role(&root.id, Role::User).await;
    assert!(demoted.expect("the store"), "root is in the store");
    let message = refusal(&server, "/admin", Some(json!({ "token": root.token }))).await;
    assert_eq!(
        message, "Admin access required",
        "root's role is now `user` in the store, and the token still says `admin`: the \
         role must be read from the store at each handshake ({CHAPTER}, \"The admin lock\")"
    );
}

async fn any_other_namespace_is_invalid(app: App) {
    let server = TestApp::spawn(&app).await;
    let root = server.admin("root").await;
    let mut messages = Vec::new();
    for namespace in ["/secret", "/admin/", "/Admin", "/chat/x", "/public/admin"] {
        let message = refusal(&server, namespace, Some(json!({ "token": root.token }))).await;
        assert_eq!(
            message, "Invalid namespace",
            "{namespace} was never registered ({CHAPTER}, \"Doors that do not exist\")"
        );
        messages.push(json!([namespace, message]));
    }
    assert_json_snapshot!(messages);
}

/// Ada on three devices, root in `/admin` and in `/chat`, and anonymous
/// sockets that are nobody's: one row per user, every device counted.
async fn online_users_has_one_row_per_user_counting_every_device(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let _bob = server.user("bob").await;
    let console = server.connect_with("/admin", &root.token).await;
    let _devices = [
        server.connect_with("/chat", &ada.token).await,
        server.connect_with("/chat", &ada.token).await,
        server.connect_with("/chat", &ada.token).await,
        server.connect_with("/chat", &root.token).await,
        server.connect_with("/", &ada.token).await,
        server.connect_with("/public", &ada.token).await,
    ];
    let answer = online(&console).await;
    assert_eq!(
        rows(&answer),
        [("ada".to_owned(), 3), ("root".to_owned(), 2)],
        "{answer}: one row per user, counting their sockets in /chat and /admin ({CHAPTER}, \
         \"One user, many devices\")"
    );
    let ids: Vec<&str> = answer
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row["userId"].as_str())
        .collect();
    assert_eq!(ids, [ada.id.as_str(), root.id.as_str()]);
    assert_json_snapshot!(answer, { "[].userId" => "[user id]" });
}

async fn online_users_forgets_a_user_whose_last_socket_left(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let console = server.connect_with("/admin", &root.token).await;
    let phone = server.connect_with("/chat", &ada.token).await;
    let laptop = server.connect_with("/chat", &ada.token).await;
    online_becomes(&console, &[("ada", 2), ("root", 1)]).await;
    phone.disconnect().await;
    online_becomes(&console, &[("ada", 1), ("root", 1)]).await;
    laptop.disconnect().await;
    online_becomes(&console, &[("root", 1)]).await;
}

/// Carol, an administrator, has a socket in `/admin` and two in `/chat`,
/// and an anonymous one in `/`. Root disconnects her: the three sockets
/// that are hers hear why and go; everybody else stays.
async fn disconnect_user_reaches_every_socket_in_every_namespace(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, carol) = (server.admin("root").await, server.admin("carol").await);
    let ada = server.user("ada").await;
    let console = server.connect_with("/admin", &root.token).await;
    let carols = [
        server.connect_with("/admin", &carol.token).await,
        server.connect_with("/chat", &carol.token).await,
        server.connect_with("/chat", &carol.token).await,
    ];
    let anonymous = server.connect_with("/", &carol.token).await;
    let ada_socket = server.connect_with("/chat", &ada.token).await;

    let answer = console
        .ack("disconnect-user", json!({ "userId": carol.id }))
        .await;
    assert_eq!(
        answer,
        json!({ "status": "ok", "disconnected": 3 }),
        "carol has a socket in /admin and two in /chat: a room belongs to one namespace, so \
         look in every one ({CHAPTER}, \"Reaching every device\")"
    );
    for socket in &carols {
        let reason = socket.next("forceDisconnect").await;
        assert_eq!(reason, json!({ "reason": BY_ADMIN }));
        socket.next("disconnect").await;
        let events: Vec<String> = socket.received().into_iter().map(|r| r.event).collect();
        assert_eq!(
            events,
            ["forceDisconnect", "disconnect"],
            "the reason first"
        );
    }
    for socket in [&console, &anonymous, &ada_socket] {
        socket.ack("whoami", json!({})).await;
        assert!(
            socket.all("forceDisconnect").is_empty(),
            "only carol's sockets are told to go"
        );
    }
    online_becomes(&console, &[("ada", 1), ("root", 1)]).await;
    assert_json_snapshot!(answer);
}

async fn disconnect_user_answers_zero_for_an_offline_user(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, bob) = (server.admin("root").await, server.user("bob").await);
    let console = server.connect_with("/admin", &root.token).await;
    let mut answers = Vec::new();
    for id in [bob.id.as_str(), "000000000000000000000000", ""] {
        answers.push(
            console
                .ack("disconnect-user", json!({ "userId": id }))
                .await,
        );
    }
    assert_json_snapshot!(answers);
}

async fn disconnect_user_refuses_an_invalid_payload(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let console = server.connect_with("/admin", &root.token).await;
    let ada_socket = server.connect_with("/chat", &ada.token).await;
    let mut answers = Vec::new();
    for payload in [
        json!(42),
        json!("x"),
        json!({}),
        json!({ "userId": 5 }),
        json!({ "user": ada.id }),
    ] {
        answers.push(console.ack("disconnect-user", payload).await);
    }
    assert!(
        answers
            .iter()
            .all(|a| *a == json!({ "error": "Invalid payload" })),
        "{answers:?}"
    );
    // Nothing happened to ada, and the console still works.
    ada_socket.ack("whoami", json!({})).await;
    assert!(
        ada_socket.received().is_empty(),
        "{:?}",
        ada_socket.received()
    );
    online_becomes(&console, &[("ada", 1), ("root", 1)]).await;
    assert_json_snapshot!(answers);
}

/// A member emits the admin events on `/chat`: there is no handler for
/// them there, so nobody is disconnected.
async fn chat_sockets_cannot_use_admin_events(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let ada_socket = server.connect_with("/chat", &ada.token).await;
    let bob_socket = server.connect_with("/chat", &bob.token).await;
    ada_socket
        .emit("disconnect-user", json!({ "userId": bob.id }))
        .await;
    ada_socket.emit("online-users", json!({})).await;
    bob_socket.assert_silent("forceDisconnect", QUIET).await;
    let me = bob_socket.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(bob.id), "bob is still connected: {me}");
    assert!(
        ada_socket.received().is_empty(),
        "the admin events do not exist on /chat: {:?}",
        ada_socket.received()
    );
}

/// Root disconnects root: the console is one of the sockets, and the
/// answer still arrives before it goes.
async fn an_admin_can_disconnect_themselves(app: App) {
    let server = TestApp::spawn(&app).await;
    let root = server.admin("root").await;
    let console = server.connect_with("/admin", &root.token).await;
    let chat = server.connect_with("/chat", &root.token).await;
    // socketioxide marks a socket connected just after the client hears it
    // is, and an emit in between is lost; one round trip settles it.
    chat.ack("whoami", json!({})).await;
    let answer = console
        .ack("disconnect-user", json!({ "userId": root.id }))
        .await;
    assert_eq!(
        answer,
        json!({ "status": "ok", "disconnected": 2 }),
        "answer first, then disconnect ({CHAPTER}, \"Reaching every device\")"
    );
    for socket in [&console, &chat] {
        assert_eq!(
            socket.next("forceDisconnect").await,
            json!({ "reason": BY_ADMIN })
        );
        socket.next("disconnect").await;
    }
}

/// Three hundred sockets come and go in `/chat` and `/admin`, six clients
/// at a time (bare long-polling clients, a connection per cycle: see
/// `polling.rs`); at the end only the console that asks is online.
async fn churn_leaves_no_one_online(app: App) {
    const CYCLES: usize = 300;
    const CLIENTS: usize = 6;
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let base = server.url("/");
    let clients = (0..CLIENTS).map(|client| {
        let (base, root, ada) = (&base, &root, &ada);
        async move {
            let http = reqwest::Client::new();
            for cycle in 0..CYCLES / CLIENTS {
                let (namespace, user) = match (client + cycle) % 3 {
                    0 => ("/admin", root),
                    1 => ("/chat", root),
                    _ => ("/chat", ada),
                };
                let auth = json!({ "token": user.token });
                match polling::connect(&http, base, namespace, Some(&auth)).await {
                    Ok(session) => session.close().await,
                    Err(refusal) => panic!("{} on {namespace}: {refusal}", user.name),
                }
            }
        }
    });
    join_all(clients).await;
    let console = server.connect_with("/admin", &root.token).await;
    online_becomes(&console, &[("root", 1)]).await;
}

/// Root's `/admin` socket is open; the store makes root a user. Root's
/// next event is refused, nothing is done, and the console is closed:
/// the handshake's check was true when it ran, and no longer is.
async fn a_demoted_admin_cannot_disconnect_users_from_an_open_socket(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let console = server.connect_with("/admin", &root.token).await;
    let ada_socket = server.connect_with("/chat", &ada.token).await;
    online_becomes(&console, &[("ada", 1), ("root", 1)]).await;
    let chapter = format!("{CHAPTER}, \"Every event asks again\"");
    let answer = admin::a_demoted_admin_tries_to_disconnect(
        &server,
        (&root, &console),
        (&ada, &ada_socket),
        &chapter,
    )
    .await;
    // The console is gone for good: a fresh one as root is refused.
    let message = refusal(&server, "/admin", Some(json!({ "token": root.token }))).await;
    assert_eq!(message, "Admin access required");
    assert_json_snapshot!(answer);
}

async fn a_demoted_admin_cannot_list_online_users_from_an_open_socket(app: App) {
    let server = TestApp::spawn(&app).await;
    let root = server.admin("root").await;
    let console = server.connect_with("/admin", &root.token).await;
    online_becomes(&console, &[("root", 1)]).await;
    let demoted = server.ctx.users.set_role(&root.id, Role::User).await;
    assert!(demoted.expect("the store"), "root is in the store");
    let answer = online(&console).await;
    assert_eq!(
        answer,
        json!({ "error": "Admin access required" }),
        "online-users from a demoted administrator's open socket ({CHAPTER}, \"Every event \
         asks again\")"
    );
    console.next("disconnect").await;
    assert_json_snapshot!(answer);
}

/// An account deleted while its `/admin` socket is open is no
/// administrator either.
async fn a_deleted_admin_cannot_act_from_an_open_socket(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let console = server.connect_with("/admin", &root.token).await;
    let ada_socket = server.connect_with("/chat", &ada.token).await;
    online_becomes(&console, &[("ada", 1), ("root", 1)]).await;
    assert!(server.ctx.users.delete(&root.id).await.expect("the store"));
    let answer = console
        .ack("disconnect-user", json!({ "userId": ada.id }))
        .await;
    assert_eq!(
        answer,
        json!({ "error": "Admin access required" }),
        "root's account is gone ({CHAPTER}, \"Every event asks again\")"
    );
    console.next("disconnect").await;
    let me = ada_socket.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(ada.id), "ada is still connected: {me}");
    assert!(ada_socket.all("forceDisconnect").is_empty());
}

/// serde would read `["<id>"]` as `{userId: "<id>"}`, field by field: a
/// payload is an object, or it is invalid.
async fn disconnect_user_refuses_an_array_payload(app: App) {
    let server = TestApp::spawn(&app).await;
    let (root, ada) = (server.admin("root").await, server.user("ada").await);
    let console = server.connect_with("/admin", &root.token).await;
    let ada_socket = server.connect_with("/chat", &ada.token).await;
    online_becomes(&console, &[("ada", 1), ("root", 1)]).await;
    let answer = console.ack("disconnect-user", json!([ada.id])).await;
    assert_eq!(
        answer,
        json!({ "error": "Invalid payload" }),
        "an array is not an object: `TryData<Object<DisconnectUser>>` ({CHAPTER}, \
         \"Reaching every device\")"
    );
    ada_socket.assert_silent("forceDisconnect", QUIET).await;
    online_becomes(&console, &[("ada", 1), ("root", 1)]).await;
    assert_json_snapshot!(answer);
}
