//! Starting a lesson's server: what `main.rs` and the test harness share.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::config::{Config, StoreConfig};
use crate::jwt::Jwt;
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
    pub db: Option<mongodb::Database>,
}

impl axum::extract::FromRef<Context> for Jwt {
    fn from_ref(ctx: &Context) -> Jwt {
        ctx.jwt.clone()
    }
}

impl Context {
    /// Opens the store and creates the admin account if one is configured.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        let (users, db) = match &config.store {
            StoreConfig::Memory => (Users::memory(), None),
            StoreConfig::Mongo { uri, database } => {
                let db = db::connect(uri, database)
                    .await
                    .map_err(|e| anyhow::anyhow!("MONGODB_URI: cannot reach MongoDB: {e}"))?;
                (Users::mongo(&db).await?, Some(db))
            }
        };
        let jwt = Jwt::new(config.jwt_secret.as_bytes(), config.jwt_ttl);
        let ctx = Self {
            config: Arc::new(config),
            users,
            jwt,
            db,
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
pub async fn serve(
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

/// The whole life of a lesson's server: configuration from the environment,
/// the store, the lesson's `app`, `listening on ...`, and a clean stop on
/// SIGINT or SIGTERM. Every failure ends in one sentence on stderr.
pub async fn run<F, Fut>(app: F) -> ExitCode
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = anyhow::Result<Router>>,
{
    init_tracing();
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
    if config.jwt_secret_is_default {
        tracing::warn!(
            "JWT_SECRET is not set: using the public development secret; anyone can forge tokens for this server"
        );
    }
    let port = config.port;
    let router = app(Context::new(config).await?).await?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|e| anyhow::anyhow!("PORT: cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener, router, shutdown_signal()).await?;
    Ok(())
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

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
