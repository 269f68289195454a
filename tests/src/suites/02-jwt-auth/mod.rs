//! Lesson 02, JWT authentication (contract §02): the handshake's
//! `auth.token` is verified (HS256 only, `exp` checked), the user it names
//! is loaded from the store, and events take the sender from the server side.
//! The hostile handshakes are the shared ones of `harness::attacks`.

use std::time::Duration;

use insta::assert_json_snapshot;
use serde_json::{Value, json};
use workbook::jwt::{Claims, now};
use workbook::users::Role;

use harness::{App, TestApp, rooms};

harness::cases! {
    crate jwt_auth_suite, dir "02-jwt-auth",
    step_1 with attacks on "/": [
        join_room_acks_ok,
        join_room_takes_names_of_1_to_64_characters,
        the_51st_room_is_refused_and_rejoining_is_fine,
        send_message_refuses_a_room_not_joined,
        an_array_is_not_an_object,
    ],
    step_2: [
        accepts_a_valid_token,
        whoami_answers_from_the_store_not_the_token,
        invalid_payloads_get_an_error_and_the_socket_lives_on,
    ],
    step_3: [
        each_socket_joins_its_user_room,
        join_room_refuses_another_users_room,
        send_message_reaches_the_room_with_the_server_side_sender,
        send_message_skips_sockets_outside_the_room,
        send_message_takes_texts_of_at_most_1000_characters,
    ],
}

/// How long a test listens to be sure an event does not come.
const QUIET: Duration = Duration::from_millis(300);

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

async fn accepts_a_valid_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(ada.id), "whoami should name ada: {me}");
    assert_json_snapshot!(me, { ".id" => "[user id]" });
}

/// A validly signed token whose claims say "mallory, admin" for ada's id:
/// whoami reports what the store says about that id.
async fn whoami_answers_from_the_store_not_the_token(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let token = server.ctx.jwt.sign(&Claims {
        name: "mallory".to_owned(),
        role: Role::Admin,
        ..claims_for(&ada.id)
    });
    let socket = server.connect_with("/", &token).await;
    let me = socket.ack("whoami", Value::Null).await;
    assert_eq!(me["id"], json!(ada.id), "whoami should name ada: {me}");
    assert_json_snapshot!(me, { ".id" => "[user id]" });
}

/// Seen from outside: a message sent to room `user:<bob's id>` reaches Bob,
/// who never joined it himself.
async fn each_socket_joins_its_user_room(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    let room = format!("user:{}", bob.id);
    ada_socket
        .emit("send-message", json!({ "room": room, "text": "hi bob" }))
        .await;
    let message = bob_socket.next("new-message").await;
    assert_eq!(message["text"], json!("hi bob"), "{message}");
}

async fn join_room_acks_ok(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    let ack = socket.ack("join-room", json!({ "room": "lobby" })).await;
    assert_json_snapshot!(ack);
}

/// `user:<id>` rooms reach one user's devices; nobody else may join them.
async fn join_room_refuses_another_users_room(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
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
async fn send_message_reaches_the_room_with_the_server_side_sender(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    for socket in [&ada_socket, &bob_socket] {
        let ack = socket.ack("join-room", json!({ "room": "lobby" })).await;
        assert_eq!(ack, json!({ "status": "ok" }));
    }
    let forged = json!({ "room": "lobby", "text": "hello", "sender": "bob", "senderId": bob.id });
    ada_socket.emit("send-message", forged).await;

    let message = rooms::the_message_heard(&ada_socket, &bob_socket, &ada.id).await;
    assert_json_snapshot!(message, {
        ".senderId" => "[ada's id]",
        ".timestamp" => "[timestamp]",
    });
}

async fn send_message_skips_sockets_outside_the_room(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
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
async fn invalid_payloads_get_an_error_and_the_socket_lives_on(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
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

/// A room name is 1 to 64 characters, counted as characters, not bytes: a
/// name of a megabyte would otherwise stay in the server's memory (twice)
/// for as long as the socket lives.
async fn join_room_takes_names_of_1_to_64_characters(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    let mut answers = rooms::name_lengths(&socket, &rooms::AROUND_THE_LIMIT).await;
    answers.extend(rooms::name_lengths(&socket, &["empty"]).await);
    assert_json_snapshot!(answers);
}

/// 50 rooms (the socket's own `user:<id>` room aside), then `Too many
/// rooms`; joining a room the socket is already in still works.
async fn the_51st_room_is_refused_and_rejoining_is_fine(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    assert_json_snapshot!(rooms::past_the_limit(&socket, "the 51st room").await);
}

/// Seed 000's audit: "users emit events to rooms they have not joined".
/// Bob is in `lobby`; Ada, who is not, cannot speak there.
async fn send_message_refuses_a_room_not_joined(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, bob) = (server.user("ada").await, server.user("bob").await);
    let (ada_socket, bob_socket) = (server.connect(&ada).await, server.connect(&bob).await);
    assert_json_snapshot!(rooms::a_stranger_speaks(&ada_socket, &bob_socket).await);
}

/// 1000 characters is the most a message may carry; 1001 is refused and
/// nothing is sent.
async fn send_message_takes_texts_of_at_most_1000_characters(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    socket.ack("join-room", json!({ "room": "lobby" })).await;
    let too_long = socket
        .ack(
            "send-message",
            json!({ "room": "lobby", "text": "x".repeat(1001) }),
        )
        .await;
    assert_json_snapshot!(too_long);
    socket.assert_silent("new-message", QUIET).await;
    let longest = "é".repeat(1000);
    let ack = socket
        .ack("send-message", json!({ "room": "lobby", "text": longest }))
        .await;
    assert_eq!(
        ack,
        json!({ "status": "ok" }),
        "1000 characters are allowed"
    );
    let message = socket.next("new-message").await;
    assert_eq!(message["text"], json!(longest));
}

/// serde would fill `{room, text}` from `["lobby", "hi"]`, field by field;
/// a payload that should be an object must be one.
async fn an_array_is_not_an_object(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let socket = server.connect(&ada).await;
    assert_json_snapshot!(rooms::array_payloads(&socket).await);
    socket.assert_silent("new-message", QUIET).await;
}
