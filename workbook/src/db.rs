//! MongoDB: the connection, and the one error check every collection needs.
//!
//! The driver is this crate's `mongodb` feature (see its `Cargo.toml`).
//! Without it, a server given `MONGODB_URI` refuses to start, with
//! [`NO_DRIVER`] as its reason, rather than quietly keeping users in memory.

/// Why a build without the driver cannot use `MONGODB_URI`, and what to do.
#[cfg(not(feature = "mongodb"))]
pub const NO_DRIVER: &str = "MONGODB_URI is set, but this build has no MongoDB driver. \
    `cargo xtask check` and `cargo xtask serve` build it when MONGODB_URI is set; \
    with cargo itself, add `--features workbook/mongodb`";

#[cfg(feature = "mongodb")]
pub use driver::{connect, drop_database, is_duplicate_key};

/// Without the driver no server could have made a database: says why not.
#[cfg(not(feature = "mongodb"))]
pub async fn drop_database(_uri: &str, _name: &str) -> anyhow::Result<()> {
    anyhow::bail!(NO_DRIVER)
}

#[cfg(feature = "mongodb")]
mod driver {
    use std::time::Duration;

    use mongodb::error::{ErrorKind, WriteFailure};
    use mongodb::options::ClientOptions;

    /// MongoDB's error code for a write that breaks a unique index. Match the
    /// code, never the message: servers word it differently.
    const DUPLICATE_KEY: i32 = 11000;

    /// Connects and pings, so that a wrong `MONGODB_URI` fails at start-up with
    /// the driver's explanation rather than at the first request.
    pub async fn connect(uri: &str, database: &str) -> mongodb::error::Result<mongodb::Database> {
        let mut options = ClientOptions::parse(uri).await?;
        // The driver's default waits 30 s for a server; a learner should not.
        options.server_selection_timeout = Some(Duration::from_secs(5));
        options.app_name = Some("socketio-workbook".into());
        let db = mongodb::Client::with_options(options)?.database(database);
        db.run_command(mongodb::bson::doc! { "ping": 1 }).await?;
        Ok(db)
    }

    /// Drops the database `name`: the test harness's clean-up after a test.
    pub async fn drop_database(uri: &str, name: &str) -> anyhow::Result<()> {
        let db = connect(uri, name).await?;
        tokio::time::timeout(Duration::from_secs(5), db.drop()).await??;
        Ok(())
    }

    /// Whether `error` is a unique-index violation, however the server reports it.
    pub fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
        match &*error.kind {
            ErrorKind::Write(WriteFailure::WriteError(e)) => e.code == DUPLICATE_KEY,
            ErrorKind::Command(e) => e.code == DUPLICATE_KEY,
            ErrorKind::InsertMany(e) => e
                .write_errors
                .iter()
                .flatten()
                .any(|e| e.code == DUPLICATE_KEY),
            _ => false,
        }
    }
}
