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
#[cfg(feature = "mongodb")]
mod mongo;

use serde::Serialize;

use workbook::Context;
pub use workbook::db::Result;
use workbook::db::{new_id, now_ms};

use memory::MemoryStore;
#[cfg(feature = "mongodb")]
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

    pub async fn create_post(&self, author_id: &str, title: &str) -> Result<Post> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.create_post(author_id, title)),
            #[cfg(feature = "mongodb")]
            Backend::Mongo(store) => store.create_post(author_id, title).await,
        }
    }

    /// `None` for an unknown id, a malformed one included.
    pub async fn find_post(&self, id: &str) -> Result<Option<Post>> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.find_post(id)),
            #[cfg(feature = "mongodb")]
            Backend::Mongo(store) => store.find_post(id).await,
        }
    }

    pub async fn add_comment(&self, post_id: &str, author_id: &str, text: &str) -> Result<()> {
        match &self.0 {
            Backend::Memory(store) => {
                store.add_comment(post_id, author_id, text);
                Ok(())
            }
            #[cfg(feature = "mongodb")]
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
            #[cfg(feature = "mongodb")]
            Backend::Mongo(store) => store.add_notification(user_id, new).await,
        }
    }

    pub async fn unread_count(&self, user_id: &str) -> Result<u64> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.unread_count(user_id)),
            #[cfg(feature = "mongodb")]
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
            #[cfg(feature = "mongodb")]
            Backend::Mongo(store) => store.mark_read(user_id, ids).await,
        }
    }

    /// `user_id`'s notifications, newest first, at most [`LIST_LIMIT`].
    pub async fn notifications(&self, user_id: &str) -> Result<Vec<Notification>> {
        match &self.0 {
            Backend::Memory(store) => Ok(store.notifications(user_id)),
            #[cfg(feature = "mongodb")]
            Backend::Mongo(store) => store.notifications(user_id).await,
        }
    }
}
