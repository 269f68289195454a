//! MongoDB connection and the one error check every collection needs.

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
