//! Spawning a lesson's server for one test, zero2prod style: port 0, a fresh
//! store, and a handle that knows how to reach it.

use std::any::Any;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use futures_util::future::BoxFuture;
use serde_json::Value;
use workbook::users::{LookupGate, NewUser, Role, Users};
use workbook::{Config, Context, Server};

use crate::socket::{Clients, Socket, SocketBuilder};
use crate::transcript;

/// The secret every test server signs with; tests use it to forge tokens.
pub const TEST_JWT_SECRET: &str = "harness-test-secret-at-least-32-bytes";

type AppFn = dyn Fn(Context) -> BoxFuture<'static, anyhow::Result<Router>> + Send + Sync;

/// The crate under test: its `app` function, and whatever else a lesson's
/// suite needs from it (lesson 03's client, say), kept as [`App::extra`].
#[derive(Clone)]
pub struct App {
    app: Arc<AppFn>,
    extra: Option<Arc<dyn Any + Send + Sync>>,
}

impl App {
    pub fn new<F, Fut>(app: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<Router>> + Send + 'static,
    {
        App {
            app: Arc::new(move |ctx| Box::pin(app(ctx))),
            extra: None,
        }
    }

    /// Adds something more from the crate under test.
    pub fn with_extra<T: Any + Send + Sync>(mut self, extra: T) -> Self {
        self.extra = Some(Arc::new(extra));
        self
    }

    /// The same app, built from a context that `change` altered first:
    /// `app.with_context(|ctx| ctx.users = Users::unreachable())` is a
    /// server whose user store is down. [`TestApp::ctx`] stays the
    /// unaltered one.
    pub fn with_context<F>(&self, change: F) -> App
    where
        F: Fn(&mut Context) + Send + Sync + 'static,
    {
        let app = self.app.clone();
        App {
            app: Arc::new(move |mut ctx| {
                change(&mut ctx);
                app(ctx)
            }),
            extra: self.extra.clone(),
        }
    }

    /// What [`App::with_extra`] added; a suite that needs it and finds none
    /// was wired wrongly in the suite's lines of the crate's `src/lib.rs`.
    pub fn extra<T: Any + Send + Sync>(&self) -> &T {
        self.extra
            .as_deref()
            .and_then(|extra| extra.downcast_ref())
            .expect("this suite needs more from the crate: see the suite's lines in its src/lib.rs")
    }
}

/// A running lesson server. It stops when this is dropped, and drops its
/// MongoDB database too unless the test failed (a failing test's data is
/// kept to look at).
pub struct TestApp {
    pub addr: SocketAddr,
    /// The server's own context: its store and its token signer.
    pub ctx: Context,
    _server: Server,
    http: reqwest::Client,
    /// Who each token belongs to, so the transcript can say "ada#1".
    clients: Clients,
    database: Option<(String, String)>,
    /// The runtime of a server started by [`TestApp::spawn_beside`].
    runtime: Option<tokio::runtime::Runtime>,
}

impl TestApp {
    pub async fn spawn(app: &App) -> TestApp {
        Self::spawn_with(app, &[]).await
    }

    /// Spawns with extra environment variables, such as a lesson's knobs.
    /// With `MONGODB_URI` set, every server gets a database of its own.
    pub async fn spawn_with(app: &App, vars: &[(&str, &str)]) -> TestApp {
        Self::start(app, vars, None).await
    }

    /// Like [`TestApp::spawn_with`], on a user store whose lookups the test
    /// can hold at the returned gate (a handshake cut off mid-lookup).
    pub async fn spawn_gated(app: &App, vars: &[(&str, &str)]) -> (TestApp, LookupGate) {
        let gate = LookupGate::default();
        (Self::start(app, vars, Some(gate.clone())).await, gate)
    }

    async fn start(app: &App, vars: &[(&str, &str)], gate: Option<LookupGate>) -> TestApp {
        let database = std::env::var("MONGODB_URI")
            .ok()
            .map(|uri| (uri, unique_database_name()));
        let config = test_config(database.as_ref(), vars);
        let with_gate = |mut ctx: Context| {
            if let Some(gate) = gate {
                ctx.users = Users::gated(ctx.users, gate);
            }
            (app.app)(ctx)
        };
        let server = match workbook::start(config, with_gate).await {
            Ok(server) => server,
            Err(e) => {
                // No TestApp will own the database the context made.
                if let Some((uri, name)) = database {
                    let _ = std::thread::spawn(move || drop_database(&uri, &name)).join();
                }
                panic!("the lesson's server failed to start: {e:#}")
            }
        };
        TestApp {
            addr: server.addr,
            ctx: server.ctx.clone(),
            _server: server,
            http: reqwest::Client::new(),
            clients: Clients::default(),
            database,
            runtime: None,
        }
    }

    /// A second server of `app` beside this one, for scale-out tests: the
    /// same MongoDB database (so both see the same users and records), a
    /// port of its own, and `vars`. It runs on a runtime of its own, so
    /// dropping it stops it the way a crash would: every connection it
    /// holds (sockets, Redis, MongoDB) closes at once, without a goodbye.
    /// The database stays until this server, the first, is dropped.
    pub async fn spawn_beside(&self, app: &App, vars: &[(&str, &str)]) -> TestApp {
        let config = test_config(self.database.as_ref(), vars);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(format!(
                "{}{}",
                crate::threads::SERVER_THREAD,
                crate::threads::current_test()
            ))
            .enable_all()
            .build()
            .expect("build a tokio runtime");
        let start = {
            let app = app.app.clone();
            runtime.spawn(async move { workbook::start(config, |ctx| app(ctx)).await })
        };
        let server = crate::wait("the second server to start", start)
            .await
            .expect("the second server's start-up task")
            .unwrap_or_else(|e| panic!("the lesson's second server failed to start: {e:#}"));
        TestApp {
            addr: server.addr,
            ctx: server.ctx.clone(),
            _server: server,
            http: self.http.clone(),
            clients: self.clients.clone(),
            database: None,
            runtime: Some(runtime),
        }
    }
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Starts describing a Socket.IO connection to `namespace`.
    pub fn socket(&self, namespace: &str) -> SocketBuilder {
        SocketBuilder::new(self.url("/"), namespace, self.clients.clone())
    }

    /// `user`'s socket on `/`, connected: where most cases start. The test
    /// fails with the server's reason if it refuses.
    pub async fn connect(&self, user: &TestUser) -> Socket {
        self.connect_with("/", &user.token).await
    }

    /// A socket on `namespace` whose handshake carries `{token}`, connected.
    pub async fn connect_with(&self, namespace: &str, token: &str) -> Socket {
        self.socket(namespace)
            .auth(serde_json::json!({ "token": token }))
            .connect_ok()
            .await
    }

    /// `GET path`, returning the status and the JSON body.
    pub async fn get(&self, path: &str, bearer: Option<&str>) -> (u16, Value) {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        self.send(&format!("GET {path}"), request, None, bearer)
            .await
    }

    /// `POST path` with a JSON body, returning the status and the JSON body.
    pub async fn post(&self, path: &str, body: &Value, bearer: Option<&str>) -> (u16, Value) {
        let mut request = self.http.post(self.url(path)).json(body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        self.send(&format!("POST {path}"), request, Some(body), bearer)
            .await
    }

    /// `POST path` with a raw body, for malformed-request tests.
    pub async fn post_raw(&self, path: &str, body: &'static str) -> (u16, Value) {
        let request = self
            .http
            .post(self.url(path))
            .body(body)
            .header("content-type", "application/json");
        let shown = Value::String(body.to_owned());
        self.send(&format!("POST {path}"), request, Some(&shown), None)
            .await
    }

    /// Sends `request` (`what` is its method and path), writing it and its
    /// answer in the test's transcript.
    async fn send(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
        body: Option<&Value>,
        bearer: Option<&str>,
    ) -> (u16, Value) {
        let mut said = format!("→ {what}");
        if let Some(token) = bearer {
            said.push_str(&format!(
                " Authorization: Bearer {}",
                transcript::shorten(token)
            ));
        }
        if let Some(body) = body {
            said.push_str(&format!(" {}", transcript::show(body)));
        }
        transcript::record("http", said);
        let waiting = format!("the answer to {what}");
        let response = match crate::wait(&waiting, request.send()).await {
            Ok(response) => response,
            Err(e) => {
                // A server that hit `todo!()` drops the connection: give
                // `wait` a moment to report that panic rather than this.
                crate::wait(&waiting, tokio::time::sleep(Duration::from_millis(100))).await;
                panic!("{what} failed: {e}")
            }
        };
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        transcript::record("http", format!("← {status} {}", transcript::show(&body)));
        (status, body)
    }

    /// Registers `username` with a fixed password and logs in.
    pub async fn user(&self, username: &str) -> TestUser {
        let body = serde_json::json!({
            "username": username,
            "email": format!("{username}@example.com"),
            "password": TestUser::PASSWORD,
        });
        let (status, created) = self.post("/auth/register", &body, None).await;
        assert_eq!(status, 201, "registering {username}: {created}");
        let login = serde_json::json!({ "username": username, "password": TestUser::PASSWORD });
        let (status, answer) = self.post("/auth/login", &login, None).await;
        assert_eq!(status, 200, "logging in as {username}: {answer}");
        let user = TestUser {
            id: created["id"]
                .as_str()
                .expect("registration returns an id")
                .to_owned(),
            name: username.to_owned(),
            token: answer["token"]
                .as_str()
                .expect("login returns a token")
                .to_owned(),
        };
        self.clients.name_token(&user.token, &user.name);
        user
    }

    /// An administrator, put straight into the store (as `ADMIN_PASSWORD`
    /// does at start-up: no route makes one), with a token the server signed.
    pub async fn admin(&self, username: &str) -> TestUser {
        let user = self
            .ctx
            .users
            .create(NewUser {
                username: username.to_owned(),
                email: format!("{username}@example.com"),
                password_hash: "no password: this account logs in by token only".to_owned(),
                role: Role::Admin,
            })
            .await
            .expect("the store");
        let admin = TestUser {
            token: self.ctx.jwt.issue(&user),
            id: user.id,
            name: username.to_owned(),
        };
        self.clients.name_token(&admin.token, &admin.name);
        admin
    }

    /// Every line the server logged so far in this test, as JSON objects
    /// (`tracing`'s JSON format: `level`, `target`, `fields`, ...).
    pub fn logs(&self) -> Vec<Value> {
        crate::logs::lines()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Ends every task of the server at once: no draining, no goodbye.
            runtime.shutdown_background();
        }
        let Some((uri, name)) = self.database.take() else {
            return;
        };
        if std::thread::panicking() {
            println!("the test failed: its MongoDB database {name} is kept to look at");
            return;
        }
        // Drop is synchronous and may run inside any runtime, even a
        // single-threaded one that is busy running this very drop: a thread
        // of its own, with a client of its own, cannot deadlock on it.
        let dropped = std::thread::spawn(move || drop_database(&uri, &name)).join();
        if let Ok(Err(e)) = dropped {
            eprintln!("note: could not drop a test database: {e:#}");
        }
    }
}

fn drop_database(uri: &str, name: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(workbook::db::drop_database(uri, name))
}

/// A registered, logged-in user.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: String,
    pub name: String,
    pub token: String,
}

impl TestUser {
    pub const PASSWORD: &'static str = "correct horse battery staple";
}

/// A MongoDB database name no other test, run or process has used. The
/// process id alone is not enough: a failed test's database is kept to be
/// looked at, and ids come round again on a long-lived server.
pub fn unique_database_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    static STARTED: OnceLock<u128> = OnceLock::new();
    let started = STARTED.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_millis())
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("workbook_test_{}_{started}_{n}", std::process::id())
}

/// A test server's settings: port 0, the test secret, a fast bcrypt, the
/// given database when there is one, and `vars`, which win.
fn test_config(database: Option<&(String, String)>, vars: &[(&str, &str)]) -> Config {
    let mut all = vec![
        ("PORT".to_owned(), "0".to_owned()),
        ("JWT_SECRET".to_owned(), TEST_JWT_SECRET.to_owned()),
        ("BCRYPT_COST".to_owned(), "4".to_owned()),
    ];
    if let Some((uri, name)) = database {
        all.push(("MONGODB_URI".to_owned(), uri.clone()));
        all.push(("MONGODB_DB".to_owned(), name.clone()));
    }
    // A variable in `vars` replaces the default, even with an empty value,
    // which unsets it (`("MONGODB_URI", "")`: no MongoDB for this server).
    all.retain(|(name, _)| !vars.iter().any(|(var, _)| var == name));
    all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));

    crate::logs::capture();
    if let Some((_, wanted)) = all.iter().find(|(name, _)| name == "RUST_LOG") {
        crate::logs::filter_this_test(wanted);
    }
    Config::from_vars(all).unwrap_or_else(|e| panic!("test configuration: {e}"))
}
