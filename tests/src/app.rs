//! Spawning a lesson's server for one test, zero2prod style: port 0, a fresh
//! store, and a handle that knows how to reach it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use futures_util::future::BoxFuture;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use workbook::{Config, Context};

use crate::socket::SocketBuilder;

/// The secret every test server signs with; tests use it to forge tokens.
pub const TEST_JWT_SECRET: &str = "harness-test-secret-at-least-32-bytes";

/// A lesson's `app` function, as the suites take it.
#[derive(Clone)]
pub struct App(Arc<dyn Fn(Context) -> BoxFuture<'static, anyhow::Result<Router>> + Send + Sync>);

impl App {
    pub fn new<F, Fut>(app: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<Router>> + Send + 'static,
    {
        App(Arc::new(move |ctx| Box::pin(app(ctx))))
    }
}

/// A running lesson server. It stops when this is dropped.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The server's own context: its store and its token signer.
    pub ctx: Context,
    http: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

impl TestApp {
    pub async fn spawn(app: &App) -> TestApp {
        Self::spawn_with(app, &[]).await
    }

    /// Spawns with extra environment variables, such as a lesson's knobs.
    /// With `MONGODB_URI` set, every server gets a database of its own.
    pub async fn spawn_with(app: &App, vars: &[(&str, &str)]) -> TestApp {
        let mut all = vec![
            ("JWT_SECRET".to_owned(), TEST_JWT_SECRET.to_owned()),
            ("BCRYPT_COST".to_owned(), "4".to_owned()),
        ];
        if let Ok(uri) = std::env::var("MONGODB_URI") {
            all.push(("MONGODB_URI".to_owned(), uri));
            all.push(("MONGODB_DB".to_owned(), unique_database_name()));
        }
        all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));

        let config = Config::from_vars(all).unwrap_or_else(|e| panic!("test configuration: {e}"));
        let ctx = Context::new(config)
            .await
            .unwrap_or_else(|e| panic!("the shared context failed to start: {e:#}"));
        if let Some(db) = &ctx.db {
            crate::wait::drop_after_test(db.clone());
        }
        let router = (app.0)(ctx.clone())
            .await
            .unwrap_or_else(|e| panic!("the lesson's `app` returned an error: {e:#}"));

        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let addr = listener.local_addr().expect("a bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(workbook::serve(listener, router, async {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            ctx,
            http: reqwest::Client::new(),
            _stop: stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Starts describing a Socket.IO connection to `namespace`.
    pub fn socket(&self, namespace: &str) -> SocketBuilder {
        SocketBuilder::new(self.url("/"), namespace)
    }

    /// `GET path`, returning the status and the JSON body.
    pub async fn get(&self, path: &str, bearer: Option<&str>) -> (u16, Value) {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        self.send(&format!("GET {path}"), request).await
    }

    /// `POST path` with a JSON body, returning the status and the JSON body.
    pub async fn post(&self, path: &str, body: &Value, bearer: Option<&str>) -> (u16, Value) {
        let mut request = self.http.post(self.url(path)).json(body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        self.send(&format!("POST {path}"), request).await
    }

    /// `POST path` with a raw body, for malformed-request tests.
    pub async fn post_raw(&self, path: &str, body: &'static str) -> (u16, Value) {
        let request = self
            .http
            .post(self.url(path))
            .body(body)
            .header("content-type", "application/json");
        self.send(&format!("POST {path}"), request).await
    }

    async fn send(&self, what: &str, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = crate::wait(&format!("the answer to {what}"), request.send())
            .await
            .unwrap_or_else(|e| panic!("{what} failed: {e}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
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
        TestUser {
            id: created["id"]
                .as_str()
                .expect("registration returns an id")
                .to_owned(),
            name: username.to_owned(),
            token: answer["token"]
                .as_str()
                .expect("login returns a token")
                .to_owned(),
        }
    }
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

fn unique_database_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("workbook_test_{}_{n}", std::process::id())
}
