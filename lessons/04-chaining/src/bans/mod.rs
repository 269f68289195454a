//! Bans: which accounts may not connect. They outlive every socket (a ban
//! holds until an administrator lifts it, restarts included when MongoDB
//! keeps them), so they live in a store: in memory by default, in MongoDB's
//! `bans` collection when `MONGODB_URI` is set. Both answer the same three
//! questions, and the suite runs the same cases against each.

mod memory;
mod mongo;

use memory::MemoryBans;
use mongo::MongoBans;

/// The ban store. Cloning is cheap and every clone sees the same bans.
#[derive(Clone, Debug)]
pub struct Bans(Store);

#[derive(Clone, Debug)]
enum Store {
    Memory(MemoryBans),
    Mongo(MongoBans),
}

impl Bans {
    pub fn memory() -> Self {
        Bans(Store::Memory(MemoryBans::default()))
    }

    /// Uses the `bans` collection of `db`, creating its index.
    pub async fn mongo(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        Ok(Bans(Store::Mongo(MongoBans::new(db).await?)))
    }

    /// Bans `user_id`. Banning a banned user changes nothing.
    pub async fn ban(&self, user_id: &str) -> mongodb::error::Result<()> {
        match &self.0 {
            Store::Memory(store) => {
                store.ban(user_id);
                Ok(())
            }
            Store::Mongo(store) => store.ban(user_id).await,
        }
    }

    /// Lifts the ban on `user_id`, if there is one.
    pub async fn unban(&self, user_id: &str) -> mongodb::error::Result<()> {
        match &self.0 {
            Store::Memory(store) => {
                store.unban(user_id);
                Ok(())
            }
            Store::Mongo(store) => store.unban(user_id).await,
        }
    }

    pub async fn is_banned(&self, user_id: &str) -> mongodb::error::Result<bool> {
        match &self.0 {
            Store::Memory(store) => Ok(store.is_banned(user_id)),
            Store::Mongo(store) => store.is_banned(user_id).await,
        }
    }
}
