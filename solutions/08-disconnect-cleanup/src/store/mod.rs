//! What outlives a socket: friendships and when each user was last seen. In
//! memory by default, in MongoDB's `friendships` and `presence` collections
//! when `MONGODB_URI` is set; the suite runs the same cases against each.
//!
//! Whether someone is online is not stored: it is a fact about connections
//! open to this process ([`crate::presence`]), and a copy in a database
//! would say "online" forever after a crash. When they were last seen is
//! history, and history belongs in the store.

mod memory;
#[cfg(feature = "mongodb")]
mod mongo;

use workbook::Context;
use workbook::db::Result;

use memory::MemoryStore;
#[cfg(feature = "mongodb")]
use mongo::MongoStore;

/// The store. Cloning is cheap and every clone sees the same records.
#[derive(Clone, Debug)]
pub struct Store(Backend);

#[derive(Clone, Debug)]
enum Backend {
    Memory(MemoryStore),
    #[cfg(feature = "mongodb")]
    Mongo(MongoStore),
}

impl Store {
    /// The server's database when it has one (`MONGODB_URI`), creating the
    /// indexes the queries below rely on; memory otherwise.
    pub async fn open(ctx: &Context) -> Result<Self> {
        #[cfg(feature = "mongodb")]
        if let Some(db) = &ctx.db {
            return Ok(Store(Backend::Mongo(MongoStore::new(db).await?)));
        }
        #[cfg(not(feature = "mongodb"))]
        let _ = ctx; // Without the driver, a server given MONGODB_URI refuses to start.
        Ok(Store(Backend::Memory(MemoryStore::default())))
    }

    /// Makes `a` and `b` friends of each other. Doing it twice changes nothing.
    pub async fn befriend(&self, a: &str, b: &str) -> Result<()> {
        match &self.0 {
            Backend::Memory(store) => {
                store.befriend(a, b);
                Ok(())
            }
            #[cfg(feature = "mongodb")]
            Backend::Mongo(store) => store.befriend(a, b).await,
        }
    }

    /// The ids of `user_id`'s friends.
    pub async fn friends_of(&self, user_id: &str) -> Result<Vec<String>> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.friends_of(user_id)),
            #[cfg(feature = "mongodb")]
            Backend::Mongo(store) => store.friends_of(user_id).await,
        }
    }

    /// Records when `user_id` was last seen, in milliseconds since 1970.
    pub async fn set_last_seen(&self, user_id: &str, at_ms: i64) -> Result<()> {
        match &self.0 {
            Backend::Memory(store) => {
                store.set_last_seen(user_id, at_ms);
                Ok(())
            }
            #[cfg(feature = "mongodb")]
            Backend::Mongo(store) => store.set_last_seen(user_id, at_ms).await,
        }
    }

    /// When `user_id` was last seen, if they ever went offline.
    pub async fn last_seen(&self, user_id: &str) -> Result<Option<i64>> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.last_seen(user_id)),
            #[cfg(feature = "mongodb")]
            Backend::Mongo(store) => store.last_seen(user_id).await,
        }
    }
}
