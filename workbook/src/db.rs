//! MongoDB: the connection, and the one error check every collection needs.
//!
//! The driver is this crate's `mongodb` feature (see its `Cargo.toml`).
//! Without it, a server given `MONGODB_URI` refuses to start, with
//! [`NO_DRIVER`] as its reason, rather than quietly keeping users in memory.

/// Why a build without the driver cannot use `MONGODB_URI`, and what to do.
#[cfg(not(feature = "mongodb"))]
pub const NO_DRIVER: &str = "MONGODB_URI is set, but this build has no MongoDB driver. \
    `cargo xtask check` and `cargo xtask serve` build it when MONGODB_URI is set; \
    with cargo itself, add `--features mongodb`";

#[cfg(feature = "mongodb")]
pub use driver::{connect, drop_database, is_duplicate_key};

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// What a lesson's store answers: a value, or why the database failed.
pub type Result<T> = std::result::Result<T, Error>;

/// Why a store's database failed: the driver's error. A lesson's store
/// returns it from every method, in memory too, so that its callers read
/// the same whichever store a server runs on.
#[cfg(feature = "mongodb")]
pub use mongodb::error::Error;

/// Why a store's database failed. Without the driver there is no database
/// to fail: this type has no values, and a store in memory never fails.
#[cfg(not(feature = "mongodb"))]
#[derive(Debug)]
pub enum Error {}

#[cfg(not(feature = "mongodb"))]
impl std::fmt::Display for Error {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {}
    }
}

#[cfg(not(feature = "mongodb"))]
impl std::error::Error for Error {}

/// A fresh id in MongoDB's ObjectId format, 24 hex digits: the time in
/// seconds, 5 bytes drawn once per process, and a count. Ids look the same
/// in both stores, and two servers that share a database never make the
/// same one. Ids are names, not secrets: tokens carry them and clients see
/// them.
pub fn new_id() -> String {
    static PROCESS: OnceLock<[u8; 5]> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let process = PROCESS.get_or_init(|| {
        let mut bytes = [0; 5];
        // Without the system's random source, this process's ids may meet
        // another's: a duplicate key error, never a mixed-up record.
        let _ = getrandom::getrandom(&mut bytes);
        bytes
    });
    let seconds = (now_ms() / 1000) as u32;
    let count = NEXT.fetch_add(1, Ordering::Relaxed) & 0xff_ffff;
    let process: String = process.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{seconds:08x}{process}{count:06x}")
}

/// Milliseconds since 1970, as JavaScript's `Date.now()`.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
}

/// `ms` (since 1970) in RFC 3339, as JavaScript's `Date` sends a time
/// (`2026-12-06T15:04:05.123Z`); empty for a time out of range.
pub fn rfc3339(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_default()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_object_ids_and_never_repeat() {
        let (a, b) = (new_id(), new_id());
        for id in [&a, &b] {
            assert_eq!(id.len(), 24, "{id}");
            assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        }
        assert_ne!(a, b);
        // One process: the same 5 random bytes after the time.
        assert_eq!(a[8..18], b[8..18]);
    }

    #[test]
    fn times_read_as_javascript_writes_them() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_796_571_394_235), "2026-12-06T15:36:34.235Z");
    }
}
