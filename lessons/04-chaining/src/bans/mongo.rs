use mongodb::bson::{DateTime, doc};
use mongodb::options::IndexOptions;
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};
use workbook::db::is_duplicate_key;

/// Bans in the `bans` collection, one document per banned user, unique on
/// `userId`.
#[derive(Clone, Debug)]
pub(super) struct MongoBans {
    bans: Collection<BanDocument>,
}

/// The stored shape. `userId` is required: a unique index lets any number
/// of documents without the field through.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BanDocument {
    user_id: String,
    banned_at: DateTime,
}

impl MongoBans {
    pub(super) async fn new(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        let bans = db.collection::<BanDocument>("bans");
        let unique_user = IndexModel::builder()
            .keys(doc! { "userId": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build();
        bans.create_index(unique_user).await?;
        Ok(Self { bans })
    }

    /// Inserts the ban; the unique index turns a second ban of the same
    /// user into a duplicate-key error, which means "already banned".
    pub(super) async fn ban(&self, user_id: &str) -> mongodb::error::Result<()> {
        let doc = BanDocument {
            user_id: user_id.to_owned(),
            banned_at: DateTime::now(),
        };
        match self.bans.insert_one(doc).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn unban(&self, user_id: &str) -> mongodb::error::Result<()> {
        self.bans.delete_many(doc! { "userId": user_id }).await?;
        Ok(())
    }

    pub(super) async fn is_banned(&self, user_id: &str) -> mongodb::error::Result<bool> {
        let found = self.bans.find_one(doc! { "userId": user_id }).await?;
        Ok(found.is_some())
    }
}
