//! What the server stores: posts, notifications and when each user was
//! last seen. With two servers, each must see what the other wrote, so with
//! `REDIS_URL` these live in MongoDB (the server refuses to start without
//! it); alone, in memory will do. The suite runs the same cases on both.

mod memory;
mod mongo;

use serde::Serialize;

use memory::MemoryRecords;
use mongo::MongoRecords;

/// The store. Cloning is cheap and every clone sees the same records.
#[derive(Clone)]
pub struct Records(Store);

#[derive(Clone)]
enum Store {
    Memory(MemoryRecords),
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
    pub fn memory() -> Self {
        Records(Store::Memory(MemoryRecords::default()))
    }

    /// Uses the `posts`, `notifications` and `last_seen` collections of
    /// `db`, creating the index the unread count needs.
    pub async fn mongo(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        Ok(Records(Store::Mongo(MongoRecords::new(db).await?)))
    }

    pub async fn create_post(&self, title: &str, author_id: &str) -> mongodb::error::Result<Post> {
        let post = Post {
            id: new_id(),
            title: title.to_owned(),
            author_id: author_id.to_owned(),
        };
        match &self.0 {
            Store::Memory(store) => store.insert_post(post.clone()),
            Store::Mongo(store) => store.insert_post(&post).await?,
        }
        Ok(post)
    }

    pub async fn find_post(&self, id: &str) -> mongodb::error::Result<Option<Post>> {
        match &self.0 {
            Store::Memory(store) => Ok(store.find_post(id)),
            Store::Mongo(store) => store.find_post(id).await,
        }
    }

    pub async fn add_notification(
        &self,
        new: NewNotification,
    ) -> mongodb::error::Result<Notification> {
        let created = mongodb::bson::DateTime::now();
        let notification = Notification {
            id: new_id(),
            kind: new.kind.to_owned(),
            title: new.title,
            body: new.body,
            link: new.link,
            read: false,
            created_at: rfc3339(created.timestamp_millis()),
            user_id: new.user_id,
        };
        match &self.0 {
            Store::Memory(store) => store.insert_notification(notification.clone()),
            Store::Mongo(store) => store.insert_notification(&notification, created).await?,
        }
        Ok(notification)
    }

    pub async fn unread_count(&self, user_id: &str) -> mongodb::error::Result<u64> {
        match &self.0 {
            Store::Memory(store) => Ok(store.unread_count(user_id)),
            Store::Mongo(store) => store.unread_count(user_id).await,
        }
    }

    /// Marks those of `ids` that are `user_id`'s own notifications read;
    /// other ids are ignored.
    pub async fn mark_read(&self, user_id: &str, ids: &[String]) -> mongodb::error::Result<()> {
        match &self.0 {
            Store::Memory(store) => {
                store.mark_read(user_id, ids);
                Ok(())
            }
            Store::Mongo(store) => store.mark_read(user_id, ids).await,
        }
    }

    /// Records that `user_id` was last seen now.
    pub async fn set_last_seen(&self, user_id: &str) -> mongodb::error::Result<()> {
        let now = mongodb::bson::DateTime::now();
        match &self.0 {
            Store::Memory(store) => {
                store.set_last_seen(user_id, now.timestamp_millis());
                Ok(())
            }
            Store::Mongo(store) => store.set_last_seen(user_id, now).await,
        }
    }

    /// When `user_id` was last seen, RFC 3339; `None` if never.
    pub async fn last_seen(&self, user_id: &str) -> mongodb::error::Result<Option<String>> {
        let ms = match &self.0 {
            Store::Memory(store) => store.last_seen(user_id),
            Store::Mongo(store) => store.last_seen(user_id).await?,
        };
        Ok(ms.map(rfc3339))
    }
}

fn new_id() -> String {
    mongodb::bson::oid::ObjectId::new().to_hex()
}

fn rfc3339(ms: i64) -> String {
    mongodb::bson::DateTime::from_millis(ms)
        .try_to_rfc3339_string()
        .unwrap_or_default()
}
