//! Bans: which accounts may not connect. They outlive every socket (a ban
//! holds until an administrator lifts it, restarts included when MongoDB
//! keeps them), so they live in a store: in memory by default, in MongoDB's
//! `bans` collection when `MONGODB_URI` is set. Both answer the same three
//! questions, and the suite runs the same cases against each.

mod memory;
#[cfg(feature = "mongodb")]
mod mongo;

use workbook::Context;
use workbook::db::Result;

use memory::MemoryBans;
#[cfg(feature = "mongodb")]
use mongo::MongoBans;

/// The ban store. Cloning is cheap and every clone sees the same bans.
#[derive(Clone, Debug)]
pub struct Bans(Store);

#[derive(Clone, Debug)]
enum Store {
    Memory(MemoryBans),
    #[cfg(feature = "mongodb")]
    Mongo(MongoBans),
}

impl Bans {
    /// The `bans` collection of the server's database when it has one
    /// (`MONGODB_URI`), creating its index; memory otherwise.
    pub async fn open(ctx: &Context) -> Result<Self> {
        #[cfg(feature = "mongodb")]
        if let Some(db) = &ctx.db {
            return Ok(Bans(Store::Mongo(MongoBans::new(db).await?)));
        }
        #[cfg(not(feature = "mongodb"))]
        let _ = ctx; // Without the driver, a server given MONGODB_URI refuses to start.
        Ok(Bans(Store::Memory(MemoryBans::default())))
    }

    /// Bans `user_id`. Banning a banned user changes nothing.
    pub async fn ban(&self, user_id: &str) -> Result<()> {
        match &self.0 {
            Store::Memory(store) => {
                store.ban(user_id);
                Ok(())
            }
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.ban(user_id).await,
        }
    }

    /// Lifts the ban on `user_id`, if there is one.
    pub async fn unban(&self, user_id: &str) -> Result<()> {
        match &self.0 {
            Store::Memory(store) => {
                store.unban(user_id);
                Ok(())
            }
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.unban(user_id).await,
        }
    }

    pub async fn is_banned(&self, user_id: &str) -> Result<bool> {
        match &self.0 {
            Store::Memory(store) => Ok(store.is_banned(user_id)),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.is_banned(user_id).await,
        }
    }
}
