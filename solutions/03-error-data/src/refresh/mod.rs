//! Refresh tokens: long-lived, opaque, single use, and grouped in families.
//!
//! An access token is checked by signature alone, so it cannot be taken
//! back; that is why it lives an hour at most. A refresh token is the
//! opposite: a random string that means nothing by itself and works only
//! while the store remembers it, so the server can end a session at any
//! time. The store keeps a SHA-256 hash, never the token: a leaked
//! database then holds nothing that logs anyone in.
//!
//! Each token is redeemed once and replaced by a new one (rotation). That
//! alone does not stop a thief: whoever redeems a copied token first gets
//! a fresh chain of their own, and the other holder is merely refused. So
//! every token descends from one login, its *family*, and the store
//! remembers only the family's newest token. When an older one comes back,
//! someone holds a copy and the server cannot tell who: it revokes the
//! whole family, and both sides must log in again. A family also ends
//! `REFRESH_MAX_SECS` after its login, however often it rotated.

mod memory;
#[cfg(feature = "mongodb")]
mod mongo;

use std::time::Duration;

use rand::RngCore;
use sha2::{Digest, Sha256};

use workbook::Context;
use workbook::db::{Result, now_ms};

use memory::MemoryFamilies;
#[cfg(feature = "mongodb")]
use mongo::MongoFamilies;

/// The refresh-token store, in memory or in MongoDB. Cloning is cheap and
/// every clone sees the same families.
#[derive(Clone)]
pub struct RefreshTokens {
    store: Store,
    /// How long one token works: `REFRESH_TTL_SECS`.
    ttl: Duration,
    /// How long a family lives from its login: `REFRESH_MAX_SECS`.
    max: Duration,
}

#[derive(Clone)]
enum Store {
    Memory(MemoryFamilies),
    #[cfg(feature = "mongodb")]
    Mongo(MongoFamilies),
}

/// What the store keeps for one family, under the hash of its id.
#[derive(Clone, Debug)]
struct Family {
    user_id: String,
    /// The hash of the family's newest token, the only one that works.
    current: String,
    /// When that token stops working: `ttl` after it was issued, never
    /// after `ends_at`. Past it the whole family is useless (every older
    /// token is spent), so the store may forget it. Milliseconds since the
    /// Unix epoch, as `ends_at`.
    expires_at: i64,
    /// `max` after the login.
    ends_at: i64,
}

/// What a successful refresh gives: whose session it is, and its new token.
#[derive(Debug)]
pub struct Rotated {
    pub user_id: String,
    pub token: String,
}

impl RefreshTokens {
    /// The `refresh_tokens` collection of the server's database when it has
    /// one (`MONGODB_URI`); memory otherwise.
    pub async fn open(ctx: &Context, ttl: Duration, max: Duration) -> Result<Self> {
        #[cfg(feature = "mongodb")]
        if let Some(db) = &ctx.db {
            let store = Store::Mongo(MongoFamilies::new(db).await?);
            return Ok(Self { store, ttl, max });
        }
        #[cfg(not(feature = "mongodb"))]
        let _ = ctx; // Without the driver, a server given MONGODB_URI refuses to start.
        let store = Store::Memory(MemoryFamilies::default());
        Ok(Self { store, ttl, max })
    }

    // ANCHOR: login
    /// Starts a family for `user_id` (a login) and returns its first token.
    pub async fn login(&self, user_id: &str) -> Result<String> {
        let family_id = random_hex::<16>();
        let token = new_token(&family_id);
        let now = now_ms();
        let ends_at = now.saturating_add(millis(self.max));
        let family = Family {
            user_id: user_id.to_owned(),
            current: hash(&token),
            expires_at: now.saturating_add(millis(self.ttl)).min(ends_at),
            ends_at,
        };
        let key = hash(&family_id);
        match &self.store {
            Store::Memory(store) => store.insert(key, family),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.insert(key, family).await?,
        }
        Ok(token)
    }
    // ANCHOR_END: login

    // ANCHOR: rotate
    /// Spends `token` and returns the next token of its family, or `None`
    /// when it is unknown, expired, revoked or spent. A spent token (one
    /// that is not the family's newest) revokes the family.
    pub async fn rotate(&self, token: &str) -> Result<Option<Rotated>> {
        let Some(family_id) = family_of(token) else {
            return Ok(None);
        };
        let key = hash(family_id);
        let Some(family) = self.get(&key).await? else {
            return Ok(None); // never issued, logged out, revoked or forgotten
        };
        let presented = hash(token);
        if family.current != presented {
            // Someone holds a copy: the thief, or the owner after the thief.
            tracing::warn!(user = %family.user_id, "a spent refresh token came back; family revoked");
            self.remove(&key).await?;
            return Ok(None);
        }
        let now = now_ms();
        if family.expires_at <= now {
            self.remove(&key).await?;
            return Ok(None);
        }

        let token = new_token(family_id);
        let next = Family {
            current: hash(&token),
            expires_at: now.saturating_add(millis(self.ttl)).min(family.ends_at),
            ..family.clone()
        };
        // Compare and swap: only a request that still finds `presented` as
        // the newest token moves the family on. Of two requests racing with
        // one token, the second finds it spent, which is reuse as well.
        let swapped = match &self.store {
            Store::Memory(store) => store.replace(&key, &presented, next),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.replace(&key, &presented, next).await?,
        };
        if !swapped {
            self.remove(&key).await?;
            return Ok(None);
        }
        Ok(Some(Rotated {
            user_id: family.user_id,
            token,
        }))
    }
    // ANCHOR_END: rotate

    // ANCHOR: revoke
    /// Ends the family `token` belongs to (a logout). Any token of the
    /// family will do, and an unknown one is no error: the caller learns
    /// nothing about which tokens exist.
    pub async fn revoke(&self, token: &str) -> Result<()> {
        match family_of(token) {
            Some(family_id) => self.remove(&hash(family_id)).await,
            None => Ok(()),
        }
    }
    // ANCHOR_END: revoke

    async fn get(&self, key: &str) -> Result<Option<Family>> {
        match &self.store {
            Store::Memory(store) => Ok(store.get(key)),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.get(key).await,
        }
    }

    async fn remove(&self, key: &str) -> Result<()> {
        match &self.store {
            Store::Memory(store) => store.remove(key),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.remove(key).await?,
        }
        Ok(())
    }
}

/// A token is `<family id>.<secret>`: 16 random bytes that name the
/// family, then 32 that make the token unguessable. The family id is no
/// secret by itself and logs nobody in; it lets the server find the family
/// of a token it no longer stores.
fn new_token(family_id: &str) -> String {
    format!("{family_id}.{}", random_hex::<32>())
}

/// The family id at the front of `token`, if it has the shape of one.
fn family_of(token: &str) -> Option<&str> {
    let (family_id, secret) = token.split_once('.')?;
    let well_formed =
        |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_hexdigit());
    (well_formed(family_id, 32) && well_formed(secret, 64)).then_some(family_id)
}

/// The key a token or a family is stored under. A fast hash is enough
/// here, unlike for passwords: the token has 256 random bits, so there is
/// nothing to guess.
fn hash(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logins are the only writes that add a family, and each one first
    /// forgets the families that can no longer be used: the table holds
    /// live sessions only, however many logins came before.
    #[test]
    fn the_memory_store_forgets_dead_families_as_it_writes() {
        let store = MemoryFamilies::default();
        let family = |expires_at| Family {
            user_id: "ada".to_owned(),
            current: "hash".to_owned(),
            expires_at,
            ends_at: expires_at,
        };
        let now = now_ms();
        store.insert("dead".to_owned(), family(now - 1));
        assert_eq!(store.len(), 1, "nothing is pruned before the next write");
        store.insert("live".to_owned(), family(now + 60_000));
        store.insert("another".to_owned(), family(now + 60_000));
        assert_eq!(store.len(), 2, "the dead family went when another came");
        assert!(store.get("dead").is_none());
    }

    #[test]
    fn only_well_formed_tokens_name_a_family() {
        let token = new_token(&random_hex::<16>());
        assert_eq!(family_of(&token), Some(&token[..32]));
        for bad in ["", "not-a-refresh-token", ".", &token[1..], &token[..96]] {
            assert_eq!(family_of(bad), None, "{bad:?}");
        }
    }
}
