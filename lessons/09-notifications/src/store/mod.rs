//! Posts, comments and notifications: in memory by default, in MongoDB's
//! `posts`, `comments` and `notifications` collections when `MONGODB_URI`
//! is set. Both answer the same questions and the suite runs the same
//! cases against each.
//!
//! Every question about notifications is asked for one user, and the
//! user is always part of the question: "mark these ids read" is "mark
//! those of these ids that belong to this user read". A store that took ids
//! alone would let anyone mark anyone's notifications.

mod memory;
mod mongo;

use serde::Serialize;

use memory::MemoryStore;
use mongo::MongoStore;

/// The most notifications `GET /api/notifications` returns, newest first.
pub const LIST_LIMIT: usize = 100;

/// A post: `{id, title, authorId}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    pub id: String,
    pub title: String,
    pub author_id: String,
}

/// What a notification says, before the store gives it an id and a time.
#[derive(Clone, Debug)]
pub struct NewNotification {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
}

/// A stored notification, in the shape clients receive:
/// `{id, type, title, body, link, read, createdAt}` (`createdAt` in
/// milliseconds since 1970, like `Date.now()`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub read: bool,
    pub created_at: i64,
}

/// The store. Cloning is cheap and every clone sees the same records.
#[derive(Clone, Debug)]
pub struct Store(Backend);

#[derive(Clone, Debug)]
enum Backend {
    Memory(MemoryStore),
    Mongo(MongoStore),
}

pub type Result<T> = std::result::Result<T, mongodb::error::Error>;

impl Store {
    pub fn memory() -> Self {
        Store(Backend::Memory(MemoryStore::default()))
    }

    /// Uses `db`, creating the indexes the queries below rely on.
    pub async fn mongo(db: &mongodb::Database) -> Result<Self> {
        Ok(Store(Backend::Mongo(MongoStore::new(db).await?)))
    }

    pub async fn create_post(&self, author_id: &str, title: &str) -> Result<Post> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.create_post(author_id, title)),
            Backend::Mongo(store) => store.create_post(author_id, title).await,
        }
    }

    /// `None` for an unknown id, a malformed one included.
    pub async fn find_post(&self, id: &str) -> Result<Option<Post>> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.find_post(id)),
            Backend::Mongo(store) => store.find_post(id).await,
        }
    }

    pub async fn add_comment(&self, post_id: &str, author_id: &str, text: &str) -> Result<()> {
        match &self.0 {
            Backend::Memory(store) => {
                store.add_comment(post_id, author_id, text);
                Ok(())
            }
            Backend::Mongo(store) => store.add_comment(post_id, author_id, text).await,
        }
    }

    /// Stores an unread notification for `user_id` and returns it.
    pub async fn add_notification(
        &self,
        user_id: &str,
        new: NewNotification,
    ) -> Result<Notification> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.add_notification(user_id, new)),
            Backend::Mongo(store) => store.add_notification(user_id, new).await,
        }
    }

    pub async fn unread_count(&self, user_id: &str) -> Result<u64> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.unread_count(user_id)),
            Backend::Mongo(store) => store.unread_count(user_id).await,
        }
    }

    /// Marks read those of `ids` that are `user_id`'s notifications; other
    /// ids (someone else's, unknown, malformed) are ignored.
    pub async fn mark_read(&self, user_id: &str, ids: &[String]) -> Result<()> {
        match &self.0 {
            Backend::Memory(store) => {
                store.mark_read(user_id, ids);
                Ok(())
            }
            Backend::Mongo(store) => store.mark_read(user_id, ids).await,
        }
    }

    /// `user_id`'s notifications, newest first, at most [`LIST_LIMIT`].
    pub async fn notifications(&self, user_id: &str) -> Result<Vec<Notification>> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.notifications(user_id)),
            Backend::Mongo(store) => store.notifications(user_id).await,
        }
    }
}

/// A fresh id in MongoDB's ObjectId format, so ids look the same in both stores.
fn new_id() -> String {
    mongodb::bson::oid::ObjectId::new().to_hex()
}

/// Milliseconds since the Unix epoch, as JavaScript's `Date.now()`.
fn now_ms() -> i64 {
    mongodb::bson::DateTime::now().timestamp_millis()
}
