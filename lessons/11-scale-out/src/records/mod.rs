//! What the server stores: posts, their comments, notifications and when
//! each user was last seen. With two servers, each must see what the other wrote, so with
//! `REDIS_URL` these live in MongoDB (the server refuses to start without
//! it); alone, in memory will do. The suite runs the same cases on both.

mod memory;
#[cfg(feature = "mongodb")]
mod mongo;

use serde::Serialize;
use workbook::Context;
use workbook::db::{Result, new_id, now_ms, rfc3339};

use memory::MemoryRecords;
#[cfg(feature = "mongodb")]
use mongo::MongoRecords;

/// The store. Cloning is cheap and every clone sees the same records.
#[derive(Clone)]
pub struct Records(Store);

#[derive(Clone)]
enum Store {
    Memory(MemoryRecords),
    #[cfg(feature = "mongodb")]
    Mongo(MongoRecords),
}

/// A post: `{id, title, authorId}`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    pub id: String,
    pub title: String,
    pub author_id: String,
}

/// A notification as its user's devices receive it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub read: bool,
    /// RFC 3339, as JavaScript's `Date` would send it.
    pub created_at: String,
    #[serde(skip)]
    pub user_id: String,
}

/// A notification about to be stored; the store gives it its id and time.
pub struct NewNotification {
    pub user_id: String,
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub link: String,
}

impl Records {
    /// The `posts`, `comments`, `notifications` and `last_seen` collections
    /// of the server's database when it has one (`MONGODB_URI`), creating
    /// the indexes their queries need; memory otherwise.
    pub async fn open(ctx: &Context) -> Result<Self> {
        #[cfg(feature = "mongodb")]
        if let Some(db) = &ctx.db {
            return Ok(Records(Store::Mongo(MongoRecords::new(db).await?)));
        }
        #[cfg(not(feature = "mongodb"))]
        let _ = ctx; // Without the driver, a server given MONGODB_URI refuses to start.
        Ok(Records(Store::Memory(MemoryRecords::default())))
    }

    pub async fn create_post(&self, title: &str, author_id: &str) -> Result<Post> {
        let post = Post {
            id: new_id(),
            title: title.to_owned(),
            author_id: author_id.to_owned(),
        };
        match &self.0 {
            Store::Memory(store) => store.insert_post(post.clone()),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.insert_post(&post).await?,
        }
        Ok(post)
    }

    pub async fn find_post(&self, id: &str) -> Result<Option<Post>> {
        match &self.0 {
            Store::Memory(store) => Ok(store.find_post(id)),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.find_post(id).await,
        }
    }

    /// Keeps a comment on `post_id`, as lesson 09 does: who wrote it, what,
    /// and when. Nothing in this lesson reads comments back yet, but a
    /// comment that only notified someone and was then lost would be a
    /// strange thing for a forum to do.
    pub async fn add_comment(&self, post_id: &str, author_id: &str, text: &str) -> Result<()> {
        let at_ms = now_ms();
        match &self.0 {
            Store::Memory(store) => {
                store.add_comment(post_id, author_id, text, at_ms);
                Ok(())
            }
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.add_comment(post_id, author_id, text, at_ms).await,
        }
    }

    pub async fn add_notification(&self, new: NewNotification) -> Result<Notification> {
        let created_ms = now_ms();
        let notification = Notification {
            id: new_id(),
            kind: new.kind.to_owned(),
            title: new.title,
            body: new.body,
            link: new.link,
            read: false,
            created_at: rfc3339(created_ms),
            user_id: new.user_id,
        };
        match &self.0 {
            Store::Memory(store) => store.insert_notification(notification.clone()),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.insert_notification(&notification, created_ms).await?,
        }
        Ok(notification)
    }

    pub async fn unread_count(&self, user_id: &str) -> Result<u64> {
        match &self.0 {
            Store::Memory(store) => Ok(store.unread_count(user_id)),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.unread_count(user_id).await,
        }
    }

    /// Marks those of `ids` that are `user_id`'s own notifications read;
    /// other ids are ignored.
    pub async fn mark_read(&self, user_id: &str, ids: &[String]) -> Result<()> {
        match &self.0 {
            Store::Memory(store) => {
                store.mark_read(user_id, ids);
                Ok(())
            }
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.mark_read(user_id, ids).await,
        }
    }

    /// Records that `user_id` was last seen at `at_ms` (milliseconds since
    /// 1970). A time older than the one stored changes nothing: two servers
    /// that each saw the user's last socket go may both write, in any
    /// order, and the later moment stays.
    pub async fn set_last_seen(&self, user_id: &str, at_ms: i64) -> Result<()> {
        match &self.0 {
            Store::Memory(store) => {
                store.set_last_seen(user_id, at_ms);
                Ok(())
            }
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.set_last_seen(user_id, at_ms).await,
        }
    }

    /// When `user_id` was last seen, RFC 3339; `None` if never.
    pub async fn last_seen(&self, user_id: &str) -> Result<Option<String>> {
        let ms = match &self.0 {
            Store::Memory(store) => store.last_seen(user_id),
            #[cfg(feature = "mongodb")]
            Store::Mongo(store) => store.last_seen(user_id).await?,
        };
        Ok(ms.map(rfc3339))
    }
}
