//! Starting a lesson's server: what `main.rs` and the test harness share.

use std::future::Future;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};

use crate::config::{Config, StoreConfig};
use crate::jwt::Jwt;
use crate::password::Decoy;
use crate::users::{Role, Users};
use crate::{auth, db};

/// Once a shutdown signal arrives, open connections get this long to finish.
/// Upgraded WebSocket connections never finish by themselves.
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// Everything a lesson's app is built from. Cloning is cheap.
#[derive(Clone)]
pub struct Context {
    pub config: Arc<Config>,
    pub users: Users,
    pub jwt: Jwt,
    /// The database when `MONGODB_URI` is set, for a lesson's own collections.
    #[cfg(feature = "mongodb")]
    pub db: Option<mongodb::Database>,
    /// What a login for an unknown user is checked against, at `BCRYPT_COST`.
    pub decoy: Decoy,
}

impl axum::extract::FromRef<Context> for Jwt {
    fn from_ref(ctx: &Context) -> Jwt {
        ctx.jwt.clone()
    }
}

impl Context {
    /// Opens the store, makes the decoy hash for unknown users' logins, and
    /// creates the admin account if one is configured.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        #[cfg(feature = "mongodb")]
        let (users, db) = match &config.store {
            StoreConfig::Memory => (Users::memory(), None),
            StoreConfig::Mongo { uri, database } => {
                let db = db::connect(uri, database)
                    .await
                    .context("MONGODB_URI: cannot reach MongoDB")?;
                (Users::mongo(&db).await?, Some(db))
            }
        };
        #[cfg(not(feature = "mongodb"))]
        let users = match &config.store {
            StoreConfig::Memory => Users::memory(),
            StoreConfig::Mongo { .. } => anyhow::bail!(db::NO_DRIVER),
        };
        let jwt = Jwt::new(config.jwt_secret.as_bytes(), config.jwt_ttl);
        // Before serving, so the first unknown user's login costs no more
        // than the next one's.
        let decoy = Decoy::new(config.bcrypt_cost)
            .await
            .context("BCRYPT_COST: cannot make the decoy hash")?;
        let ctx = Self {
            config: Arc::new(config),
            users,
            jwt,
            #[cfg(feature = "mongodb")]
            db,
            decoy,
        };
        ctx.seed_admin().await?;
        Ok(ctx)
    }

    async fn seed_admin(&self) -> anyhow::Result<()> {
        let Some(password) = self.config.admin_password.clone() else {
            return Ok(());
        };
        let username = self.config.admin_username.clone();
        if self.users.find_by_username(&username).await?.is_some() {
            return Ok(());
        }
        let form = auth::Registration {
            email: format!("{username}@localhost.localdomain"),
            username,
            password,
        };
        auth::create_user(self, form, Role::Admin)
            .await
            .map_err(|e| {
                anyhow::anyhow!("ADMIN_PASSWORD: cannot create the admin: {}", e.message)
            })?;
        Ok(())
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then gives open
/// connections [`DRAIN_TIME`] to close. Serving with connect info lets
/// middleware read the client's address.
async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stopping = Arc::new(Notify::new());
    let signal = {
        let stopping = stopping.clone();
        async move {
            shutdown.await;
            stopping.notify_one();
        }
    };
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    tokio::select! {
        result = server => result,
        _ = async { stopping.notified().await; tokio::time::sleep(DRAIN_TIME).await } => Ok(()),
    }
}

/// A lesson's server, listening. It serves until [`Server::stop`] or until
/// it is dropped.
pub struct Server {
    /// Where it listens: `HOST:PORT` (`127.0.0.1` unless `HOST` says
    /// otherwise), the port chosen by the system when `PORT` is 0 (as the
    /// tests ask).
    pub addr: SocketAddr,
    /// The context the lesson's app was built from: its store and tokens.
    pub ctx: Context,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Stops accepting, lets open connections drain, and waits for the end.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .context("the server task failed")?
            .context("serving")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The one way a lesson's server starts, for `main` (through [`run`]),
/// `cargo xtask serve` (which runs `main`) and the test harness alike:
/// the context from `config` (store, tokens, the admin account), the
/// lesson's `app` built on it, and a listener on `HOST:PORT`.
pub async fn start<F, Fut>(config: Config, app: F) -> anyhow::Result<Server>
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = anyhow::Result<Router>>,
{
    let (host, port) = (config.host, config.port);
    if config.jwt_secret_is_default {
        tracing::warn!(
            "JWT_SECRET is not set: using the public development secret; anyone can forge tokens for this server"
        );
    }
    let ctx = Context::new(config).await?;
    let router = app(ctx.clone())
        .await
        .context("the lesson's `app` returned an error")?
        // Sockets must not keep hyper's read buffer alive: see `detach_request`.
        .layer(axum::middleware::map_request(crate::socket::detach_request));
    let listener = TcpListener::bind((host, port)).await.with_context(|| {
        format!(
            "HOST, PORT: cannot listen on {}",
            SocketAddr::new(host, port)
        )
    })?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, router, async {
        let _ = stopped.await;
    }));
    Ok(Server {
        addr,
        ctx,
        stop: Some(stop),
        task,
    })
}

/// How a lesson's server writes its log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Logs {
    /// Lines for a person, on stderr: every lesson but 06.
    Text,
    /// One JSON object per line on stdout, the event's fields at the top
    /// level, for a log pipeline to read (lesson 06).
    Json,
}

/// The whole life of a lesson's server: configuration from the environment,
/// [`start`], `listening on ...`, and a clean stop on SIGINT or SIGTERM.
/// Every failure ends in one sentence on stderr.
pub async fn run<F, Fut>(app: F) -> ExitCode
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = anyhow::Result<Router>>,
{
    run_with(app, Logs::Text).await
}

/// [`run`], with the log written as `logs` says.
pub async fn run_with<F, Fut>(app: F, logs: Logs) -> ExitCode
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = anyhow::Result<Router>>,
{
    init_tracing(logs);
    match try_run(app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn try_run<F, Fut>(app: F) -> anyhow::Result<()>
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = anyhow::Result<Router>>,
{
    let config = Config::from_env()?;
    // `cargo xtask serve` only: the servers under test never serve the page.
    let playground = crate::playground::from_env()?;
    let with_playground = playground.is_some();
    let server = start(config, |ctx| async move {
        let router = app(ctx).await?;
        // The lesson's router whole, as the fallback: `merge` would drop
        // the fallback that its Socket.IO layer answers on.
        Ok(match playground {
            Some(page) => page.fallback_service(router),
            None => router,
        })
    })
    .await?;
    println!("listening on http://{}", server.addr);
    if with_playground {
        println!(
            "playground on http://{}{}",
            server.addr,
            crate::playground::PATH
        );
    }
    shutdown_signal().await;
    server.stop().await
}

fn init_tracing(logs: Logs) {
    let wanted = std::env::var("RUST_LOG").unwrap_or_default();
    let subscriber = tracing_subscriber::fmt().with_env_filter(log_filter(&wanted));
    match logs {
        // Colours only for a person at a terminal: `serve 02 2>log` should
        // write text, not escape codes.
        Logs::Text => subscriber
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr)
            .init(),
        Logs::Json => subscriber
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_writer(std::io::stdout)
            .init(),
    }
}

// ANCHOR: log_filter
/// The filter for `RUST_LOG` (`wanted`), or `info` when it is unset or
/// cannot be read. At `debug`, socketioxide and engineioxide log every packet
/// they receive, the handshake's `auth.token` included: they stay at `info`
/// unless a directive in `RUST_LOG` names one of them itself. The test
/// harness filters its capture through this too.
pub fn log_filter(wanted: &str) -> tracing_subscriber::EnvFilter {
    use tracing_subscriber::EnvFilter;
    let mut filter = EnvFilter::try_new(wanted).unwrap_or_else(|_| EnvFilter::new("info"));
    if wanted.trim().is_empty() {
        filter = EnvFilter::new("info");
    }
    for engine in ["socketioxide", "engineioxide"] {
        if !directive_targets(wanted).any(|target| target == engine) {
            filter =
                filter.add_directive(format!("{engine}=info").parse().expect("a valid directive"));
        }
    }
    filter
}

/// The target each directive of `RUST_LOG` names, if it names one:
/// `socketioxide` in `socketioxide=debug`, `socketioxide_redis` in
/// `socketioxide_redis=info`, none in a bare level such as `debug`.
/// Compared whole: a substring test would take `socketioxide_redis` (or
/// any target that merely contains the name) for socketioxide itself.
fn directive_targets(wanted: &str) -> impl Iterator<Item = &str> {
    wanted.split(',').filter_map(|directive| {
        // `target[span{field=value}]=level`: the target ends at `[` or `=`.
        let target = directive.split(['[', '=']).next()?.trim();
        let is_level = target
            .parse::<tracing::level_filters::LevelFilter>()
            .is_ok();
        (!target.is_empty() && !is_level).then_some(target)
    })
}
// ANCHOR_END: log_filter

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the filter for `wanted` caps `engine` at `info`.
    fn capped(wanted: &str, engine: &str) -> bool {
        log_filter(wanted)
            .to_string()
            .split(',')
            .any(|directive| directive == format!("{engine}=info"))
    }

    #[test]
    fn the_engines_stay_at_info_unless_named_exactly() {
        for wanted in [
            "",
            "debug",
            "trace",
            "debug,socketioxide_redis=info",
            "mysocketioxide=debug",
        ] {
            assert!(capped(wanted, "socketioxide"), "RUST_LOG={wanted}");
            assert!(capped(wanted, "engineioxide"), "RUST_LOG={wanted}");
        }
        assert!(!capped("debug,socketioxide=debug", "socketioxide"));
        assert!(capped("debug,socketioxide=debug", "engineioxide"));
        assert!(!capped("engineioxide[handshake]=trace", "engineioxide"));
    }

    /// Without the driver, `MONGODB_URI` is refused with the way to build
    /// it, not quietly ignored for the memory store.
    #[cfg(not(feature = "mongodb"))]
    #[tokio::test]
    async fn a_build_without_the_driver_refuses_mongodb_uri() {
        let vars = [
            ("MONGODB_URI", "mongodb://127.0.0.1:27017"),
            ("BCRYPT_COST", "4"),
        ];
        let config = Config::from_vars(vars.map(|(k, v)| (k.to_owned(), v.to_owned())))
            .expect("a valid configuration");
        let error = Context::new(config).await.err().expect("no context");
        assert_eq!(error.to_string(), db::NO_DRIVER);
    }
}
