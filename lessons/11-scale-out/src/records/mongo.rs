use mongodb::bson::{DateTime, doc};
use mongodb::options::UpdateOptions;
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};

use super::{Notification, Post};

/// The three collections. Ids are stored as strings, the same hex strings
/// the clients see.
#[derive(Clone)]
pub(super) struct MongoRecords {
    posts: Collection<PostDocument>,
    notifications: Collection<NotificationDocument>,
    last_seen: Collection<LastSeenDocument>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostDocument {
    #[serde(rename = "_id")]
    id: String,
    title: String,
    author_id: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NotificationDocument {
    #[serde(rename = "_id")]
    id: String,
    user_id: String,
    #[serde(rename = "type")]
    kind: String,
    title: String,
    body: String,
    link: String,
    read: bool,
    created_at: DateTime,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LastSeenDocument {
    /// The user's id.
    #[serde(rename = "_id")]
    user_id: String,
    last_seen: DateTime,
}

impl MongoRecords {
    pub(super) async fn new(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        let notifications = db.collection::<NotificationDocument>("notifications");
        // The unread count asks for one user's unread notifications.
        let unread = IndexModel::builder()
            .keys(doc! { "userId": 1, "read": 1 })
            .build();
        notifications.create_index(unread).await?;
        Ok(Self {
            posts: db.collection("posts"),
            notifications,
            last_seen: db.collection("last_seen"),
        })
    }

    pub(super) async fn insert_post(&self, post: &Post) -> mongodb::error::Result<()> {
        let doc = PostDocument {
            id: post.id.clone(),
            title: post.title.clone(),
            author_id: post.author_id.clone(),
        };
        self.posts.insert_one(doc).await?;
        Ok(())
    }

    pub(super) async fn find_post(&self, id: &str) -> mongodb::error::Result<Option<Post>> {
        let doc = self.posts.find_one(doc! { "_id": id }).await?;
        Ok(doc.map(|doc| Post {
            id: doc.id,
            title: doc.title,
            author_id: doc.author_id,
        }))
    }

    pub(super) async fn insert_notification(
        &self,
        n: &Notification,
        created_at: DateTime,
    ) -> mongodb::error::Result<()> {
        let doc = NotificationDocument {
            id: n.id.clone(),
            user_id: n.user_id.clone(),
            kind: n.kind.clone(),
            title: n.title.clone(),
            body: n.body.clone(),
            link: n.link.clone(),
            read: n.read,
            created_at,
        };
        self.notifications.insert_one(doc).await?;
        Ok(())
    }

    pub(super) async fn unread_count(&self, user_id: &str) -> mongodb::error::Result<u64> {
        self.notifications
            .count_documents(doc! { "userId": user_id, "read": false })
            .await
    }

    /// One update for all of them, restricted to the user's own.
    pub(super) async fn mark_read(
        &self,
        user_id: &str,
        ids: &[String],
    ) -> mongodb::error::Result<()> {
        let filter = doc! { "userId": user_id, "_id": { "$in": ids } };
        self.notifications
            .update_many(filter, doc! { "$set": { "read": true } })
            .await?;
        Ok(())
    }

    pub(super) async fn set_last_seen(
        &self,
        user_id: &str,
        at: DateTime,
    ) -> mongodb::error::Result<()> {
        self.last_seen
            .update_one(doc! { "_id": user_id }, doc! { "$set": { "lastSeen": at } })
            .with_options(UpdateOptions::builder().upsert(true).build())
            .await?;
        Ok(())
    }

    pub(super) async fn last_seen(&self, user_id: &str) -> mongodb::error::Result<Option<i64>> {
        let doc = self.last_seen.find_one(doc! { "_id": user_id }).await?;
        Ok(doc.map(|doc| doc.last_seen.timestamp_millis()))
    }
}
