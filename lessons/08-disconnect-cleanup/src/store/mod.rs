//! What outlives a socket: friendships and when each user was last seen. In
//! memory by default, in MongoDB's `friendships` and `presence` collections
//! when `MONGODB_URI` is set; the suite runs the same cases against each.
//!
//! Whether someone is online is not stored: it is a fact about connections
//! open to this process ([`crate::presence`]), and a copy in a database
//! would say "online" forever after a crash. When they were last seen is
//! history, and history belongs in the store.

mod memory;
mod mongo;

use memory::MemoryStore;
use mongo::MongoStore;

/// The store. Cloning is cheap and every clone sees the same records.
#[derive(Clone, Debug)]
pub struct Store(Backend);

#[derive(Clone, Debug)]
enum Backend {
    Memory(MemoryStore),
    Mongo(MongoStore),
}

impl Store {
    pub fn memory() -> Self {
        Store(Backend::Memory(MemoryStore::default()))
    }

    /// Uses `db`, creating the indexes the queries below rely on.
    pub async fn mongo(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        Ok(Store(Backend::Mongo(MongoStore::new(db).await?)))
    }

    /// Makes `a` and `b` friends of each other. Doing it twice changes nothing.
    pub async fn befriend(&self, a: &str, b: &str) -> mongodb::error::Result<()> {
        match &self.0 {
            Backend::Memory(store) => {
                store.befriend(a, b);
                Ok(())
            }
            Backend::Mongo(store) => store.befriend(a, b).await,
        }
    }

    /// The ids of `user_id`'s friends.
    pub async fn friends_of(&self, user_id: &str) -> mongodb::error::Result<Vec<String>> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.friends_of(user_id)),
            Backend::Mongo(store) => store.friends_of(user_id).await,
        }
    }

    /// Records when `user_id` was last seen, in milliseconds since 1970.
    pub async fn set_last_seen(&self, user_id: &str, at_ms: i64) -> mongodb::error::Result<()> {
        match &self.0 {
            Backend::Memory(store) => {
                store.set_last_seen(user_id, at_ms);
                Ok(())
            }
            Backend::Mongo(store) => store.set_last_seen(user_id, at_ms).await,
        }
    }

    /// When `user_id` was last seen, if they ever went offline.
    pub async fn last_seen(&self, user_id: &str) -> mongodb::error::Result<Option<i64>> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.last_seen(user_id)),
            Backend::Mongo(store) => store.last_seen(user_id).await,
        }
    }
}
