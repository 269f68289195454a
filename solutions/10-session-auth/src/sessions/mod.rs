//! Sessions: who is logged in, on which browser, until when.
//!
//! A session is a record on the server; the browser holds only its id, in
//! a cookie. The id means nothing by itself: it works while the store
//! remembers it, so deleting the record ends the session at once (the
//! difference from a JWT, which stays valid until it expires). The store
//! keeps the SHA-256 digest of the id, never the id: a leaked database or
//! backup then holds nothing that logs anyone in.
//!
//! In memory by default, in MongoDB's `sessions` collection when
//! `MONGODB_URI` is set; the suite runs the same cases against both.

mod memory;
#[cfg(feature = "mongodb")]
mod mongo;

use std::time::Duration;

use sha2::{Digest, Sha256};

use workbook::Context;
use workbook::db::{Result, now_ms};

use crate::session_id::SessionId;
use memory::MemorySessions;
#[cfg(feature = "mongodb")]
use mongo::MongoSessions;

/// The session store. Cloning is cheap and every clone sees the same sessions.
#[derive(Clone)]
pub struct Sessions {
    store: Store,
    ttl: Duration,
}

#[derive(Clone)]
enum Store {
    Memory(MemorySessions),
    #[cfg(feature = "mongodb")]
    Mongo(MongoSessions),
}

/// Where a session is found: the digest of its id. It is no secret (nobody
/// can turn it back into the id), so it may name the session's room and
/// appear in logs, where the id itself must never go.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionKey(String);

impl SessionKey {
    pub fn of(id: &SessionId) -> Self {
        let digest = Sha256::digest(id.expose().as_bytes());
        SessionKey(crate::session_id::hex(&digest))
    }

    /// The room that holds every socket this session authenticated.
    pub fn room(&self) -> String {
        format!("session:{}", self.0)
    }

    /// The first characters of the key: enough to follow one session
    /// through a log.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

/// What the store keeps for one session.
#[derive(Clone, Debug)]
struct Record {
    user_id: String,
    /// Milliseconds since the Unix epoch.
    expires_at: i64,
}

impl Sessions {
    /// The `sessions` collection of the server's database when it has one
    /// (`MONGODB_URI`), creating its indexes; memory otherwise.
    pub async fn open(ctx: &Context, ttl: Duration) -> Result<Self> {
        #[cfg(feature = "mongodb")]
        if let Some(db) = &ctx.db {
            let store = Store::Mongo(MongoSessions::new(db).await?);
            return Ok(Self { store, ttl });
        }
        #[cfg(not(feature = "mongodb"))]
        let _ = ctx; // Without the driver, a server given MONGODB_URI refuses to start.
        let store = Store::Memory(MemorySessions::default());
        Ok(Self { store, ttl })
    }

    /// How long a session lasts; the cookie's `Max-Age` says the same.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Stores a new session for `user_id` under a fresh random id, and
    /// returns the id: the only copy, for the cookie.
    pub async fn create(&self, user_id: &str) -> Result<SessionId> {
        let id = SessionId::generate();
        let record = Record {
            user_id: user_id.to_owned(),
            expires_at: now_ms() + i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX / 2),
        };
        let key = SessionKey::of(&id);
        match &self.store {
            Store::Memory(store) => store.insert(key, record),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.insert(key, record).await?,
        }
        Ok(id)
    }

    /// The id of the user whose session `key` is, or `None` for a session
    /// that does not exist (any more) or has expired.
    pub async fn user_of(&self, key: &SessionKey) -> Result<Option<String>> {
        let record = match &self.store {
            Store::Memory(store) => store.get(key),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.get(key).await?,
        };
        Ok(record
            .filter(|record| record.expires_at > now_ms())
            .map(|record| record.user_id))
    }

    /// Ends the session `key`; returns whether there was one.
    pub async fn delete(&self, key: &SessionKey) -> Result<bool> {
        match &self.store {
            Store::Memory(store) => Ok(store.remove(key)),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.remove(key).await,
        }
    }
}
