//! Likes: which user liked which post. They outlive every socket (a like
//! stays after its author leaves), so they live in a store: in memory by
//! default, in MongoDB's `likes` collection when `MONGODB_URI` is set. Both
//! answer the same question, and the suite runs the same cases on each.

mod memory;
#[cfg(feature = "mongodb")]
mod mongo;

use workbook::Context;
use workbook::db::Result;

use memory::MemoryLikes;
#[cfg(feature = "mongodb")]
use mongo::MongoLikes;

/// The like store. Cloning is cheap and every clone sees the same likes.
#[derive(Clone, Debug)]
pub struct Likes(Store);

#[derive(Clone, Debug)]
enum Store {
    Memory(MemoryLikes),
    #[cfg(feature = "mongodb")]
    Mongo(MongoLikes),
}

impl Likes {
    /// The `likes` collection of the server's database when it has one
    /// (`MONGODB_URI`), creating its index; memory otherwise.
    pub async fn open(ctx: &Context) -> Result<Self> {
        #[cfg(feature = "mongodb")]
        if let Some(db) = &ctx.db {
            return Ok(Likes(Store::Mongo(MongoLikes::new(db).await?)));
        }
        #[cfg(not(feature = "mongodb"))]
        let _ = ctx; // Without the driver, a server given MONGODB_URI refuses to start.
        Ok(Likes(Store::Memory(MemoryLikes::default())))
    }

    /// Records that `user_id` likes `post_id`, and returns the post's like
    /// count. A second like by the same user changes nothing, even when two
    /// arrive at the same moment.
    pub async fn like(&self, post_id: &str, user_id: &str) -> Result<u64> {
        match &self.0 {
            Store::Memory(store) => Ok(store.like(post_id, user_id)),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.like(post_id, user_id).await,
        }
    }
}
