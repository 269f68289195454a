//! Refresh tokens: long-lived, opaque, single use.
//!
//! An access token is checked by signature alone, so it cannot be taken
//! back; that is why it lives an hour at most. A refresh token is the
//! opposite: a random string that means nothing by itself and works only
//! while the store remembers it, so the server can end a session at any
//! time. The store keeps a SHA-256 hash, never the token: a leaked
//! database then holds nothing that logs anyone in. Each token is redeemed
//! once and replaced by a new one (rotation), so a stolen copy stops
//! working as soon as either party uses it.

mod memory;
mod mongo;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::RngCore;
use sha2::{Digest, Sha256};

use memory::MemoryTokens;
use mongo::MongoTokens;

/// The refresh-token store, in memory or in MongoDB. Cloning is cheap and
/// every clone sees the same tokens.
#[derive(Clone)]
pub struct RefreshTokens {
    store: Store,
    ttl: Duration,
}

#[derive(Clone)]
enum Store {
    Memory(MemoryTokens),
    Mongo(MongoTokens),
}

/// What the store keeps for one token: whose it is and until when.
#[derive(Clone, Debug)]
struct Grant {
    user_id: String,
    /// Milliseconds since the Unix epoch.
    expires_at: i64,
}

impl RefreshTokens {
    pub fn memory(ttl: Duration) -> Self {
        Self {
            store: Store::Memory(MemoryTokens::default()),
            ttl,
        }
    }

    /// Uses the `refresh_tokens` collection of `db`.
    pub async fn mongo(db: &mongodb::Database, ttl: Duration) -> mongodb::error::Result<Self> {
        Ok(Self {
            store: Store::Mongo(MongoTokens::new(db).await?),
            ttl,
        })
    }

    /// A new refresh token for `user_id`. Only its hash is stored.
    pub async fn issue(&self, user_id: &str) -> mongodb::error::Result<String> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = hex(&bytes);
        let grant = Grant {
            user_id: user_id.to_owned(),
            expires_at: now_ms() + i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX / 2),
        };
        match &self.store {
            Store::Memory(store) => store.insert(hash(&token), grant),
            Store::Mongo(store) => store.insert(hash(&token), grant).await?,
        }
        Ok(token)
    }

    /// Uses up `token`: the user it was issued to, or `None` when it is
    /// unknown, already used or expired. Taking the token out of the store
    /// is one atomic step, so two requests racing with the same token
    /// cannot both win.
    pub async fn redeem(&self, token: &str) -> mongodb::error::Result<Option<String>> {
        let key = hash(token);
        let grant = match &self.store {
            Store::Memory(store) => store.take(&key),
            Store::Mongo(store) => store.take(&key).await?,
        };
        Ok(grant
            .filter(|grant| grant.expires_at > now_ms())
            .map(|grant| grant.user_id))
    }
}

/// The key a token is stored under. A fast hash is enough here, unlike for
/// passwords: the token has 256 random bits, so there is nothing to guess.
fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(since_epoch.as_millis()).expect("a date before the year 292 million")
}
