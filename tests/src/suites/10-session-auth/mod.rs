//! Lesson 10, session cookies (contract §10): `POST /session/login` sets an
//! `HttpOnly`, `SameSite=Lax` cookie; the handshake is authenticated by that
//! cookie and nothing else; `Origin` is checked against `ALLOWED_ORIGINS`;
//! logout ends the session and closes exactly the sockets it opened.
//!
//! The shared JWT attacks do not apply (no token authenticates here); the
//! hostile cases are the cookie's own: a page on another site riding the
//! victim's cookie, forged, old and rotated ids, ids smuggled in `auth` or
//! the query string, and a `GET` that tries to log out.
//!
//! A [`Browser`] is one cookie jar: it logs in, keeps the cookie, and opens
//! sockets that carry it with the `Origin` of the page that opens them.

use std::time::Duration;

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use harness::transcript::{record, shorten};
use harness::{App, SocketBuilder, TestApp, TestUser};

harness::cases! {
    crate session_auth_suite, dir "10-session-auth",
    step_1: [
        login_refuses_bad_credentials_alike_and_sets_no_cookie,
        login_with_an_array_body_is_a_400_and_sets_no_cookie,
    ],
    step_2: [
        login_sets_an_http_only_same_site_cookie,
        the_cookie_is_secure_with_cookie_secure,
    ],
    step_3: [
        the_cookie_authenticates_the_socket_with_or_without_origin,
        no_cookie_or_a_forged_one_is_not_authenticated,
        only_the_cookie_authenticates,
        allowed_origins_replaces_the_default,
        a_get_never_ends_a_session,
        an_expired_session_is_not_authenticated,
        a_deleted_users_session_is_not_authenticated,
    ],
    step_4: [
        a_page_on_another_origin_cannot_ride_the_cookie,
        session_ids_are_long_random_and_new_at_every_login,
        login_again_ends_the_old_session_and_its_sockets,
        logout_ends_the_session_and_closes_its_sockets,
        logout_leaves_the_users_other_sessions_alone,
        session_ids_never_reach_the_log,
    ],
}

/// How long a test listens to be sure an event does not come.
const QUIET: Duration = Duration::from_millis(300);

/// An HTTP answer: status, JSON body, and the `Set-Cookie` header if any.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
    set_cookie: Option<String>,
}

impl Answer {
    /// The session id the `Set-Cookie` header hands out.
    fn session_id(&self) -> Option<String> {
        let cookie = self.set_cookie.as_deref()?;
        let (pair, _) = cookie.split_once(';').unwrap_or((cookie, ""));
        let (name, value) = pair.split_once('=')?;
        (name.trim() == "sid" && !value.is_empty()).then(|| value.trim().to_owned())
    }

    /// The answer for a snapshot: the `Set-Cookie` header as what it says
    /// (its attributes in any order and case), the session id replaced.
    fn shown(&self) -> Value {
        let cookie = self.set_cookie.as_deref().map(|cookie| {
            let mut parts = cookie.split(';').map(str::trim);
            let (name, value) = parts
                .next()
                .unwrap_or("")
                .split_once('=')
                .unwrap_or(("", ""));
            let mut seen = json!({
                "name": name,
                "value": if value.is_empty() { "" } else { "[session id]" },
                "HttpOnly": false,
                "Secure": false,
            });
            for attribute in parts {
                let (key, value) = attribute.split_once('=').unwrap_or((attribute, ""));
                match key.to_ascii_lowercase().as_str() {
                    "httponly" => seen["HttpOnly"] = json!(true),
                    "secure" => seen["Secure"] = json!(true),
                    "samesite" => seen["SameSite"] = json!(value.to_ascii_lowercase()),
                    "path" => seen["Path"] = json!(value),
                    "max-age" if value == "0" => seen["Max-Age"] = json!(0),
                    _ => {}
                }
            }
            seen
        });
        json!({ "status": self.status, "body": self.body, "setCookie": cookie })
    }
}

/// One browser: a cookie jar for the server, and the origin of the page
/// that talks to it (the server's own, unless said otherwise).
#[derive(Clone)]
struct Browser<'a> {
    server: &'a TestApp,
    origin: Option<String>,
    /// The value of the `sid` cookie, once logged in.
    sid: Option<String>,
}

impl<'a> Browser<'a> {
    /// A browser on a page of the server's own origin.
    fn new(server: &'a TestApp) -> Self {
        Browser {
            server,
            origin: Some(own_origin(server)),
            sid: None,
        }
    }

    /// The same cookie jar, on a page of `origin` (`None`: no `Origin`
    /// header, as a non-browser client sends).
    fn on(&self, origin: Option<&str>) -> Self {
        Browser {
            origin: origin.map(str::to_owned),
            ..self.clone()
        }
    }

    /// Logs in as `user` and keeps the cookie the server sets.
    async fn login(&mut self, user: &TestUser) -> Answer {
        let body = json!({ "username": user.name, "password": TestUser::PASSWORD });
        let answer = self.send("POST", "/session/login", Some(body)).await;
        assert_eq!(
            answer.status, 200,
            "POST /session/login as {} should succeed: {answer:?}",
            user.name
        );
        let id = answer.session_id().unwrap_or_else(|| {
            panic!(
                "POST /session/login should set the cookie `sid`, got Set-Cookie {:?}",
                answer.set_cookie
            )
        });
        self.sid = Some(id);
        answer
    }

    async fn logout(&mut self) -> Answer {
        let answer = self.send("POST", "/session/logout", None).await;
        self.sid = None;
        answer
    }

    /// A request with this browser's cookie and `Origin`.
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let url = self.server.url(path);
        let mut request = match method {
            "GET" => http().get(url),
            _ => http().post(url),
        };
        let mut said = format!("→ {method} {path}");
        if let Some(origin) = &self.origin {
            request = request.header("Origin", origin);
            said.push_str(&format!(" Origin: {origin}"));
        }
        if let Some(sid) = &self.sid {
            request = request.header("Cookie", format!("sid={sid}"));
            said.push_str(&format!(" Cookie: sid={}", shorten(sid)));
        }
        if let Some(body) = &body {
            request = request.json(body);
            said.push_str(&format!(" {}", harness::transcript::show(body)));
        }
        record("http", said);
        let what = format!("the answer to {method} {path}");
        let response = match harness::wait(&what, request.send()).await {
            Ok(response) => response,
            Err(e) => {
                // A server that hit `todo!()` drops the connection: give
                // `wait` a moment to report that panic rather than this.
                harness::wait(&what, tokio::time::sleep(Duration::from_millis(100))).await;
                panic!("{method} {path} failed: {e}")
            }
        };
        let status = response.status().as_u16();
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        let answer = Answer {
            status,
            body,
            set_cookie,
        };
        let mut heard = format!("← {status} {}", harness::transcript::show(&answer.body));
        if let Some(cookie) = &answer.set_cookie {
            let shown = match answer.session_id() {
                Some(id) => cookie.replace(&id, &shorten(&id)),
                None => cookie.clone(),
            };
            heard.push_str(&format!(" Set-Cookie: {shown}"));
        }
        record("http", heard);
        answer
    }

    /// A socket opened by this browser's page: the cookie goes with the
    /// handshake, as a browser sends it, and so does the page's `Origin`.
    fn socket(&self) -> SocketBuilder {
        let mut socket = self.server.socket("/");
        if let Some(sid) = &self.sid {
            socket = socket.header("Cookie", &format!("sid={sid}"));
        }
        if let Some(origin) = &self.origin {
            socket = socket.header("Origin", origin);
        }
        socket
    }
}

/// One HTTP client for every browser of every test: making one takes
/// longer than a request. No connection is kept between requests, so none
/// outlives the test (and the runtime) that opened it.
fn http() -> &'static reqwest::Client {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    HTTP.get_or_init(|| {
        reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("an HTTP client")
    })
}

/// `http://127.0.0.1:<port>`: the origin of the server's own pages.
fn own_origin(server: &TestApp) -> String {
    format!("http://{}", server.addr)
}

/// A browser logged in as a new user `name`.
async fn logged_in<'a>(server: &'a TestApp, name: &str) -> (TestUser, Browser<'a>) {
    let user = server.user(name).await;
    let mut browser = Browser::new(server);
    browser.login(&user).await;
    (user, browser)
}

/// The refusal message of a handshake that must be refused.
async fn refused(socket: SocketBuilder) -> String {
    socket.connect_err().await.message
}

async fn login_sets_an_http_only_same_site_cookie(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let answer = Browser::new(&server).login(&ada).await;
    let cookie = answer.set_cookie.clone().unwrap_or_default();
    let attributes: Vec<String> = cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for wanted in ["httponly", "samesite=lax", "path=/"] {
        assert!(
            attributes.iter().any(|a| a == wanted),
            "the session cookie should have `{wanted}`: {cookie}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a == "secure"),
        "without COOKIE_SECURE=1 the cookie is not `Secure` (the test server speaks HTTP): {cookie}"
    );
    let id = answer.session_id().unwrap();
    assert!(
        !answer.body.to_string().contains(&id),
        "the session id belongs in the cookie only, not in the body a script can read"
    );
    assert_json_snapshot!(answer.shown(), { ".body.user.id" => "[user id]" });
}

async fn the_cookie_is_secure_with_cookie_secure(app: App) {
    let server = TestApp::spawn_with(&app, &[("COOKIE_SECURE", "1")]).await;
    let ada = server.user("ada").await;
    // With COOKIE_SECURE=1 the server's own origin is https://.
    let mut browser = Browser::new(&server).on(Some(&format!("https://{}", server.addr)));
    let answer = browser.login(&ada).await;
    let cookie = answer.set_cookie.clone().unwrap_or_default();
    assert!(
        cookie
            .split(';')
            .any(|a| a.trim().eq_ignore_ascii_case("secure")),
        "with COOKIE_SECURE=1 the session cookie should be `Secure`: {cookie}"
    );
    assert_json_snapshot!(answer.shown(), { ".body.user.id" => "[user id]" });
}

/// An unknown user and a wrong password get the same answer, and neither
/// gets a cookie.
async fn login_refuses_bad_credentials_alike_and_sets_no_cookie(app: App) {
    let server = TestApp::spawn(&app).await;
    server.user("ada").await;
    let browser = Browser::new(&server);
    let wrong_password = browser
        .send(
            "POST",
            "/session/login",
            Some(json!({ "username": "ada", "password": "not her password" })),
        )
        .await;
    let unknown_user = browser
        .send(
            "POST",
            "/session/login",
            Some(json!({ "username": "nobody", "password": TestUser::PASSWORD })),
        )
        .await;
    assert_eq!(
        wrong_password.shown(),
        unknown_user.shown(),
        "a wrong password and an unknown user should look the same"
    );
    assert_eq!(
        unknown_user.set_cookie, None,
        "a failed login sets no cookie"
    );
    assert_json_snapshot!(unknown_user.shown());
}

/// serde fills a struct from a JSON array, field by field in order:
/// `["ada", "<her password>"]` would log ada in. The form is an object or
/// a 400, and no cookie either way.
async fn login_with_an_array_body_is_a_400_and_sets_no_cookie(app: App) {
    let server = TestApp::spawn(&app).await;
    server.user("ada").await;
    let browser = Browser::new(&server);
    let answer = browser
        .send(
            "POST",
            "/session/login",
            Some(json!(["ada", TestUser::PASSWORD])),
        )
        .await;
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(answer.body["message"].is_string(), "{answer:?}");
    assert_eq!(answer.set_cookie, None, "a refused login sets no cookie");
}

/// At least 128 random bits, and a new id at every login, even when the
/// browser already had one.
async fn session_ids_are_long_random_and_new_at_every_login(app: App) {
    let server = TestApp::spawn(&app).await;
    let ada = server.user("ada").await;
    let mut browser = Browser::new(&server);
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(browser.login(&ada).await.session_id().unwrap());
    }
    ids.push(
        Browser::new(&server)
            .login(&ada)
            .await
            .session_id()
            .unwrap(),
    );
    for id in &ids {
        let bits = if id.bytes().all(|b| b.is_ascii_hexdigit()) {
            id.len() * 4
        } else {
            id.len() * 6
        };
        assert!(
            bits >= 128,
            "a session id should carry at least 128 random bits; {id:?} carries at most {bits}"
        );
    }
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        ids.len(),
        "every login, even from a browser that has a session, gets a new id: {ids:?}"
    );
}

/// From the server's own page, and with no `Origin` at all: that is not
/// a browser page, so not the attack the check is for, and the cookie
/// decides.
async fn the_cookie_authenticates_the_socket_with_or_without_origin(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, browser) = logged_in(&server, "ada").await;
    let own_page = browser.socket().connect_ok().await;
    let me = own_page.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(ada.id), "whoami should name ada: {me}");
    let no_origin = browser.on(None).socket().connect_ok().await;
    let me_again = no_origin.ack("whoami", json!({})).await;
    assert_eq!(me_again, me, "without Origin, the cookie still decides");
    assert_json_snapshot!(me, { ".id" => "[user id]" });
}

/// No cookie, and ids nobody was given: random ones of the right shape,
/// junk, and the right id under another cookie name.
async fn no_cookie_or_a_forged_one_is_not_authenticated(app: App) {
    let server = TestApp::spawn(&app).await;
    let (_, browser) = logged_in(&server, "ada").await;
    let real = browser.sid.clone().unwrap();
    let mut seen = serde_json::Map::new();
    let cookieless = Browser::new(&server);
    seen.insert(
        "no cookie".to_owned(),
        json!(refused(cookieless.socket()).await),
    );
    seen.insert(
        "no cookie, no origin".to_owned(),
        json!(refused(cookieless.on(None).socket()).await),
    );
    let forged = [
        (
            "64 random hex digits",
            format!("sid={}", "0123456789abcdef".repeat(4)),
        ),
        ("the real id, last digit changed", {
            let mut id = real.clone();
            let last = if id.ends_with('0') { "1" } else { "0" };
            id.replace_range(id.len() - 1.., last);
            format!("sid={id}")
        }),
        (
            "the real id, upper case",
            format!("sid={}", real.to_uppercase()),
        ),
        ("junk", "sid=../../etc/passwd".to_owned()),
        ("empty", "sid=".to_owned()),
        ("the real id as another cookie", format!("session={real}")),
    ];
    for (what, cookie) in forged {
        let socket = server
            .socket("/")
            .header("Cookie", &cookie)
            .header("Origin", &own_origin(&server));
        seen.insert(what.to_owned(), json!(refused(socket).await));
    }
    assert_json_snapshot!(seen);
    // The real one still works: nothing above harmed it.
    browser.socket().connect_ok().await;
}

/// Lesson 02's way in does not open this lesson's door, and a session id
/// must come from the cookie, which page scripts can neither read nor
/// write (`HttpOnly`): one in `auth` or the URL is ignored.
async fn only_the_cookie_authenticates(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, browser) = logged_in(&server, "ada").await;
    let sid = browser.sid.clone().unwrap();
    let cookieless = Browser::new(&server);
    let jwt = cookieless.socket().auth(json!({ "token": ada.token }));
    let in_auth = cookieless
        .socket()
        .auth(json!({ "sid": sid, "session": sid, "sessionId": sid, "token": sid }));
    // Not `?sid=`: Engine.IO reads that parameter as its own session id.
    let in_query = cookieless.socket().address(format!(
        "{}?session={sid}&sessionId={sid}",
        server.url("/socket.io/")
    ));
    let seen = json!({
        "a valid JWT in auth": refused(jwt).await,
        "the session id in auth": refused(in_auth).await,
        "the session id in the query": refused(in_query).await,
    });
    assert_json_snapshot!(seen);
}

/// Cross-site WebSocket hijacking: ada is logged in; a page on another
/// site opens a socket to the server, and her browser attaches her cookie.
/// The `Origin` it cannot hide gets it refused. The routes that change a
/// session check `Origin` too: that page can neither log her out nor log
/// her browser into the attacker's account. Her session is fine after all.
async fn a_page_on_another_origin_cannot_ride_the_cookie(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, browser) = logged_in(&server, "ada").await;
    let port = server.addr.port();
    let pages = [
        ("another site", "https://evil.example".to_owned()),
        (
            "another host, same port",
            format!("http://localhost:{port}"),
        ),
        (
            "another port",
            format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        ),
        ("https instead of http", format!("https://127.0.0.1:{port}")),
        ("a sandboxed page", "null".to_owned()),
    ];
    let mut seen = serde_json::Map::new();
    for (what, origin) in pages {
        let refusal = refused(browser.on(Some(&origin)).socket()).await;
        seen.insert(what.to_owned(), json!(refusal));
    }
    let evil = browser.on(Some("https://evil.example"));
    let body = json!({ "username": ada.name, "password": TestUser::PASSWORD });
    let login = evil.send("POST", "/session/login", Some(body)).await;
    assert_eq!(login.set_cookie, None, "no cookie for another site's page");
    seen.insert("its login".to_owned(), login.shown());
    let logout = evil.send("POST", "/session/logout", None).await;
    seen.insert("its logout".to_owned(), logout.shown());
    assert_json_snapshot!(seen);
    let socket = browser.socket().connect_ok().await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(
        me["id"],
        json!(ada.id),
        "ada's own page still gets in: {me}"
    );
}

async fn allowed_origins_replaces_the_default(app: App) {
    let allowed = "https://app.example, http://admin.example:8080/";
    let server = TestApp::spawn_with(&app, &[("ALLOWED_ORIGINS", allowed)]).await;
    let ada = server.user("ada").await;
    let mut browser = Browser::new(&server).on(Some("https://app.example"));
    browser.login(&ada).await;
    let mut seen = serde_json::Map::new();
    for origin in [
        "https://app.example",
        "http://admin.example:8080",
        "https://evil.example",
        "https://app.example.evil.example",
        "http://app.example",
    ] {
        let outcome = match browser.on(Some(origin)).socket().connect().await {
            Ok(socket) => {
                socket.disconnect().await;
                json!("accepted")
            }
            Err(e) => json!({ "refused": e.message }),
        };
        seen.insert(origin.to_owned(), outcome);
    }
    let own = own_origin(&server);
    let outcome = match browser.on(Some(&own)).socket().connect().await {
        Ok(_) => json!("accepted"),
        Err(e) => json!({ "refused": e.message }),
    };
    seen.insert("the server's own origin, not listed".to_owned(), outcome);
    assert_json_snapshot!(seen);
}

/// Logging in from a browser that has a session replaces it: the old id
/// stops working and its sockets are closed (no session fixation).
async fn login_again_ends_the_old_session_and_its_sockets(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, mut browser) = logged_in(&server, "ada").await;
    let old = browser.clone();
    let old_socket = old.socket().connect_ok().await;
    browser.login(&ada).await;
    assert_ne!(browser.sid, old.sid, "a login gets a new id");

    let told = old_socket.next("forceDisconnect").await;
    old_socket.next("disconnect").await;
    let seen = json!({
        "the old socket was told": told,
        "the old id": refused(old.socket()).await,
    });
    assert_json_snapshot!(seen);
    let socket = browser.socket().connect_ok().await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(ada.id), "the new id works: {me}");
}

async fn logout_ends_the_session_and_closes_its_sockets(app: App) {
    let server = TestApp::spawn(&app).await;
    let (_, mut browser) = logged_in(&server, "ada").await;
    let before = browser.clone();
    let (tab_1, tab_2) = (
        browser.socket().connect_ok().await,
        browser.socket().connect_ok().await,
    );
    let answer = browser.logout().await;
    assert_eq!(answer.status, 200, "logout: {answer:?}");
    for tab in [&tab_1, &tab_2] {
        let told = tab.next("forceDisconnect").await;
        assert_eq!(told, json!({ "reason": "Logged out" }));
        tab.next("disconnect").await;
    }
    let seen = json!({
        "logout": answer.shown(),
        "the logged-out id": refused(before.socket()).await,
        "logout again, no cookie": browser.logout().await.shown(),
    });
    assert_json_snapshot!(seen);
}

/// Ada on two browsers, Bob on a third: ada's logout on one ends that
/// session only.
async fn logout_leaves_the_users_other_sessions_alone(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, mut laptop) = logged_in(&server, "ada").await;
    let mut phone = Browser::new(&server);
    phone.login(&ada).await;
    let (_, bobs) = logged_in(&server, "bob").await;
    let on_laptop = laptop.socket().connect_ok().await;
    let on_phone = phone.socket().connect_ok().await;
    let bob_socket = bobs.socket().connect_ok().await;

    laptop.logout().await;
    on_laptop.next("disconnect").await;
    let me = on_phone.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(ada.id), "ada's phone stays connected: {me}");
    let bob = bob_socket.ack("whoami", json!({})).await;
    assert_eq!(bob["name"], json!("bob"), "bob stays connected: {bob}");
    on_phone.assert_silent("forceDisconnect", QUIET).await;
    phone.socket().connect_ok().await;
}

/// `GET /session/logout` (an `<img src>` on any page could send it) ends
/// nothing.
async fn a_get_never_ends_a_session(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, browser) = logged_in(&server, "ada").await;
    let socket = browser.socket().connect_ok().await;
    let answer = browser.send("GET", "/session/logout", None).await;
    assert!(
        !(200..300).contains(&answer.status) && answer.set_cookie.is_none(),
        "GET /session/logout must not log out: {answer:?}"
    );
    socket.assert_silent("forceDisconnect", QUIET).await;
    let me = socket.ack("whoami", json!({})).await;
    assert_eq!(me["id"], json!(ada.id), "{me}");
    browser.socket().connect_ok().await;
}

async fn an_expired_session_is_not_authenticated(app: App) {
    let server = TestApp::spawn_with(&app, &[("SESSION_TTL_SECS", "1")]).await;
    let (_, browser) = logged_in(&server, "ada").await;
    // The one sleep of the suite: a session's lifetime is counted in
    // seconds, and this one must run out.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_json_snapshot!(refused(browser.socket()).await);
}

async fn a_deleted_users_session_is_not_authenticated(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, browser) = logged_in(&server, "ada").await;
    assert!(server.ctx.users.delete(&ada.id).await.unwrap());
    assert_json_snapshot!(refused(browser.socket()).await);
}

/// The id is a password in all but name: it appears in no log line, from
/// login to logout, whatever happened in between.
async fn session_ids_never_reach_the_log(app: App) {
    let server = TestApp::spawn(&app).await;
    let (ada, mut browser) = logged_in(&server, "ada").await;
    let first = browser.sid.clone().unwrap();
    let socket = browser.socket().connect_ok().await;
    socket.ack("whoami", json!({})).await;
    let _ = browser
        .on(Some("https://evil.example"))
        .socket()
        .connect()
        .await;
    browser.login(&ada).await;
    let second = browser.sid.clone().unwrap();
    browser.logout().await;
    let _ = Browser {
        sid: Some(second.clone()),
        ..Browser::new(&server)
    }
    .socket()
    .connect()
    .await;

    let logs = server.logs();
    assert!(!logs.is_empty(), "the server should log something");
    for line in &logs {
        let text = line.to_string();
        for id in [&first, &second] {
            assert!(
                !text.contains(id.as_str()),
                "a session id reached the log: {text}"
            );
        }
    }
}
