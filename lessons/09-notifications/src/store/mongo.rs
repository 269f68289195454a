use futures_util::TryStreamExt;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{DateTime, doc};
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};

use super::{LIST_LIMIT, NewNotification, Notification, Post};

/// `posts` (found by `_id`), `comments` (indexed by post), and
/// `notifications`, indexed for the two questions asked of them: "how many
/// of this user's are unread" and "this user's, newest first".
#[derive(Clone, Debug)]
pub(super) struct MongoStore {
    posts: Collection<PostDocument>,
    comments: Collection<CommentDocument>,
    notifications: Collection<NotificationDocument>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostDocument {
    #[serde(rename = "_id")]
    id: ObjectId,
    title: String,
    author_id: String,
}

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
    id: ObjectId,
    user_id: String,
    #[serde(rename = "type")]
    kind: String,
    title: String,
    body: String,
    link: String,
    #[serde(deserialize_with = "boolean")]
    read: bool,
    created_at: DateTime,
}

/// `true` or `false`, or 1 or 0: the wire-compatible test server stores a
/// boolean written by `$set` as an integer. MongoDB itself keeps `true`.
fn boolean<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Bool(bool),
        Int(i64),
    }
    Ok(match Stored::deserialize(deserializer)? {
        Stored::Bool(value) => value,
        Stored::Int(value) => value != 0,
    })
}

impl From<PostDocument> for Post {
    fn from(doc: PostDocument) -> Post {
        Post {
            id: doc.id.to_hex(),
            title: doc.title,
            author_id: doc.author_id,
        }
    }
}

impl From<NotificationDocument> for Notification {
    fn from(doc: NotificationDocument) -> Notification {
        Notification {
            id: doc.id.to_hex(),
            kind: doc.kind,
            title: doc.title,
            body: doc.body,
            link: doc.link,
            read: doc.read,
            created_at: doc.created_at.timestamp_millis(),
        }
    }
}

fn index(keys: mongodb::bson::Document) -> IndexModel {
    IndexModel::builder().keys(keys).build()
}

impl MongoStore {
    pub(super) async fn new(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        let posts = db.collection("posts");
        let comments = db.collection::<CommentDocument>("comments");
        comments
            .create_index(index(doc! { "postId": 1, "createdAt": 1 }))
            .await?;
        let notifications = db.collection::<NotificationDocument>("notifications");
        notifications
            .create_index(index(doc! { "userId": 1, "read": 1 }))
            .await?;
        notifications
            .create_index(index(doc! { "userId": 1, "createdAt": -1 }))
            .await?;
        Ok(Self {
            posts,
            comments,
            notifications,
        })
    }

    pub(super) async fn create_post(
        &self,
        author_id: &str,
        title: &str,
    ) -> mongodb::error::Result<Post> {
        let doc = PostDocument {
            id: ObjectId::new(),
            title: title.to_owned(),
            author_id: author_id.to_owned(),
        };
        let post = Post {
            id: doc.id.to_hex(),
            title: doc.title.clone(),
            author_id: doc.author_id.clone(),
        };
        self.posts.insert_one(doc).await?;
        Ok(post)
    }

    pub(super) async fn find_post(&self, id: &str) -> mongodb::error::Result<Option<Post>> {
        let Ok(id) = ObjectId::parse_str(id) else {
            return Ok(None);
        };
        let found = self.posts.find_one(doc! { "_id": id }).await?;
        Ok(found.map(Post::from))
    }

    pub(super) async fn add_comment(
        &self,
        post_id: &str,
        author_id: &str,
        text: &str,
    ) -> mongodb::error::Result<()> {
        let doc = CommentDocument {
            post_id: post_id.to_owned(),
            author_id: author_id.to_owned(),
            text: text.to_owned(),
            created_at: DateTime::now(),
        };
        self.comments.insert_one(doc).await?;
        Ok(())
    }

    pub(super) async fn add_notification(
        &self,
        user_id: &str,
        new: NewNotification,
    ) -> mongodb::error::Result<Notification> {
        let doc = NotificationDocument {
            id: ObjectId::new(),
            user_id: user_id.to_owned(),
            kind: new.kind,
            title: new.title,
            body: new.body,
            link: new.link,
            read: false,
            created_at: DateTime::now(),
        };
        let notification = Notification {
            id: doc.id.to_hex(),
            kind: doc.kind.clone(),
            title: doc.title.clone(),
            body: doc.body.clone(),
            link: doc.link.clone(),
            read: false,
            created_at: doc.created_at.timestamp_millis(),
        };
        self.notifications.insert_one(doc).await?;
        Ok(notification)
    }

    pub(super) async fn unread_count(&self, user_id: &str) -> mongodb::error::Result<u64> {
        self.notifications
            .count_documents(doc! { "userId": user_id, "read": false })
            .await
    }

    /// The filter names the user as well as the ids: an id of someone
    /// else's notification matches nothing.
    pub(super) async fn mark_read(
        &self,
        user_id: &str,
        ids: &[String],
    ) -> mongodb::error::Result<()> {
        let ids: Vec<ObjectId> = ids
            .iter()
            .filter_map(|id| ObjectId::parse_str(id).ok())
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        self.notifications
            .update_many(
                doc! { "userId": user_id, "_id": { "$in": ids } },
                doc! { "$set": { "read": true } },
            )
            .await?;
        Ok(())
    }

    pub(super) async fn notifications(
        &self,
        user_id: &str,
    ) -> mongodb::error::Result<Vec<Notification>> {
        let found: Vec<NotificationDocument> = self
            .notifications
            .find(doc! { "userId": user_id })
            .sort(doc! { "createdAt": -1, "_id": -1 })
            .limit(LIST_LIMIT as i64)
            .await?
            .try_collect()
            .await?;
        Ok(found.into_iter().map(Notification::from).collect())
    }
}
