use mongodb::bson::{DateTime, doc};
use mongodb::options::UpdateOptions;
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};

use super::{Notification, Post};

/// The four collections. Ids are stored as strings, the same hex strings
/// the clients see.
#[derive(Clone)]
pub(super) struct MongoRecords {
    posts: Collection<PostDocument>,
    comments: Collection<CommentDocument>,
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

/// A comment, as lesson 09 stores it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommentDocument {
    post_id: String,
    author_id: String,
    text: String,
    created_at: DateTime,
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
    /// Milliseconds since 1970.
    #[serde(deserialize_with = "millis")]
    last_seen: i64,
}

/// `lastSeen` is written as a number (an `Int64` of milliseconds), which
/// every server stores as it is given. This store used to write a BSON
/// date, and the wire-compatible MongoDB used in tests keeps a date given
/// to `$set` on an existing document as a string: the user's second
/// `lastSeen` then failed to read (`expecting DateTime`, a 500 on
/// `GET /api/presence`). A date already stored is still read.
fn millis<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Millis(i64),
        Date(DateTime),
    }
    Ok(match Stored::deserialize(deserializer)? {
        Stored::Millis(ms) => ms,
        Stored::Date(date) => date.timestamp_millis(),
    })
}

impl MongoRecords {
    pub(super) async fn new(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        let notifications = db.collection::<NotificationDocument>("notifications");
        // The unread count asks for one user's unread notifications.
        let unread = IndexModel::builder()
            .keys(doc! { "userId": 1, "read": 1 })
            .build();
        notifications.create_index(unread).await?;
        let comments = db.collection::<CommentDocument>("comments");
        let by_post = IndexModel::builder()
            .keys(doc! { "postId": 1, "createdAt": 1 })
            .build();
        comments.create_index(by_post).await?;
        Ok(Self {
            posts: db.collection("posts"),
            comments,
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

    pub(super) async fn add_comment(
        &self,
        post_id: &str,
        author_id: &str,
        text: &str,
        at_ms: i64,
    ) -> mongodb::error::Result<()> {
        let doc = CommentDocument {
            post_id: post_id.to_owned(),
            author_id: author_id.to_owned(),
            text: text.to_owned(),
            created_at: DateTime::from_millis(at_ms),
        };
        self.comments.insert_one(doc).await?;
        Ok(())
    }

    pub(super) async fn insert_notification(
        &self,
        n: &Notification,
        created_ms: i64,
    ) -> mongodb::error::Result<()> {
        let doc = NotificationDocument {
            id: n.id.clone(),
            user_id: n.user_id.clone(),
            kind: n.kind.clone(),
            title: n.title.clone(),
            body: n.body.clone(),
            link: n.link.clone(),
            read: n.read,
            created_at: DateTime::from_millis(created_ms),
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

    /// `$max`: one atomic step that keeps the later of the stored time and
    /// `at_ms`, and creates the document the first time.
    pub(super) async fn set_last_seen(
        &self,
        user_id: &str,
        at_ms: i64,
    ) -> mongodb::error::Result<()> {
        self.last_seen
            .update_one(
                doc! { "_id": user_id },
                doc! { "$max": { "lastSeen": at_ms } },
            )
            .with_options(UpdateOptions::builder().upsert(true).build())
            .await?;
        Ok(())
    }

    pub(super) async fn last_seen(&self, user_id: &str) -> mongodb::error::Result<Option<i64>> {
        let doc = self.last_seen.find_one(doc! { "_id": user_id }).await?;
        Ok(doc.map(|doc| doc.last_seen))
    }
}
