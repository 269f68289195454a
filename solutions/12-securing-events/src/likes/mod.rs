//! Likes: which user liked which post. They outlive every socket (a like
//! stays after its author leaves), so they live in a store: in memory by
//! default, in MongoDB's `likes` collection when `MONGODB_URI` is set. Both
//! answer the same question, and the suite runs the same cases on each.

mod memory;
mod mongo;

use memory::MemoryLikes;
use mongo::MongoLikes;

/// The like store. Cloning is cheap and every clone sees the same likes.
#[derive(Clone, Debug)]
pub struct Likes(Store);

#[derive(Clone, Debug)]
enum Store {
    Memory(MemoryLikes),
    Mongo(MongoLikes),
}

impl Likes {
    pub fn memory() -> Self {
        Likes(Store::Memory(MemoryLikes::default()))
    }

    /// Uses the `likes` collection of `db`, creating its index.
    pub async fn mongo(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        Ok(Likes(Store::Mongo(MongoLikes::new(db).await?)))
    }

    /// Records that `user_id` likes `post_id`, and returns the post's like
    /// count. A second like by the same user changes nothing, even when two
    /// arrive at the same moment.
    pub async fn like(&self, post_id: &str, user_id: &str) -> mongodb::error::Result<u64> {
        match &self.0 {
            Store::Memory(store) => Ok(store.like(post_id, user_id)),
            Store::Mongo(store) => store.like(post_id, user_id).await,
        }
    }
}
