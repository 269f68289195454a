use mongodb::bson::{DateTime, doc};
use mongodb::options::IndexOptions;
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};
use workbook::db::is_duplicate_key;

/// Likes in the `likes` collection, one document per user and post, unique
/// on `{postId, userId}`. The index serves the count by `postId` too.
#[derive(Clone, Debug)]
pub(super) struct MongoLikes {
    likes: Collection<LikeDocument>,
}

/// The stored shape. Both keys are required: a unique index lets any
/// number of documents without its fields through.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LikeDocument {
    post_id: String,
    user_id: String,
    liked_at: DateTime,
}

impl MongoLikes {
    pub(super) async fn new(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        let likes = db.collection::<LikeDocument>("likes");
        let once_per_user = IndexModel::builder()
            .keys(doc! { "postId": 1, "userId": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build();
        likes.create_index(once_per_user).await?;
        Ok(Self { likes })
    }

    /// Inserts the like; the unique index turns a second like by the same
    /// user into a duplicate-key error, which means "already liked". No
    /// read-then-write, so two likes at once cannot both count.
    pub(super) async fn like(&self, post_id: &str, user_id: &str) -> mongodb::error::Result<u64> {
        let like = LikeDocument {
            post_id: post_id.to_owned(),
            user_id: user_id.to_owned(),
            liked_at: DateTime::now(),
        };
        match self.likes.insert_one(like).await {
            Ok(_) => {}
            Err(e) if is_duplicate_key(&e) => {}
            Err(e) => return Err(e),
        }
        self.likes.count_documents(doc! { "postId": post_id }).await
    }
}
