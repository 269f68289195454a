use std::time::Duration;

use mongodb::bson::{DateTime, doc};
use mongodb::options::IndexOptions;
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};

use super::{Family, now_ms};

/// Families in the `refresh_tokens` collection, one document each, keyed
/// by the hash of the family id.
#[derive(Clone)]
pub(super) struct MongoFamilies {
    families: Collection<FamilyDocument>,
}

/// The stored shape. Every field is required.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FamilyDocument {
    #[serde(rename = "_id")]
    key: String,
    user_id: String,
    current: String,
    expires_at: DateTime,
    ends_at: DateTime,
}

impl FamilyDocument {
    fn new(key: String, family: Family) -> Self {
        Self {
            key,
            user_id: family.user_id,
            current: family.current,
            expires_at: DateTime::from_millis(family.expires_at),
            ends_at: DateTime::from_millis(family.ends_at),
        }
    }
}

impl MongoFamilies {
    pub(super) async fn new(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        let families = db.collection::<FamilyDocument>("refresh_tokens");
        // MongoDB deletes a family by itself, within a minute or so, once
        // `expiresAt` has passed.
        let expiry = IndexModel::builder()
            .keys(doc! { "expiresAt": 1 })
            .options(IndexOptions::builder().expire_after(Duration::ZERO).build())
            .build();
        families.create_index(expiry).await?;
        Ok(Self { families })
    }

    /// Adds a family, first deleting the families that can no longer be
    /// used, as the memory store does: the collection stays bounded even
    /// where no TTL monitor runs.
    pub(super) async fn insert(&self, key: String, family: Family) -> mongodb::error::Result<()> {
        let now = DateTime::from_millis(now_ms());
        self.families
            .delete_many(doc! { "expiresAt": { "$lte": now } })
            .await?;
        self.families
            .insert_one(FamilyDocument::new(key, family))
            .await?;
        Ok(())
    }

    pub(super) async fn get(&self, key: &str) -> mongodb::error::Result<Option<Family>> {
        let doc = self.families.find_one(doc! { "_id": key }).await?;
        Ok(doc.map(|doc| Family {
            user_id: doc.user_id,
            current: doc.current,
            expires_at: doc.expires_at.timestamp_millis(),
            ends_at: doc.ends_at.timestamp_millis(),
        }))
    }

    /// One replacement whose filter holds the check: it matches only while
    /// `current` is still the newest token, so of two requests racing with
    /// one token, exactly one changes the document. (A whole replacement,
    /// not a `$set`: some MongoDB look-alikes store a date given to `$set`
    /// as a string, which no longer reads back as a date.)
    pub(super) async fn replace(
        &self,
        key: &str,
        current: &str,
        next: Family,
    ) -> mongodb::error::Result<bool> {
        let result = self
            .families
            .replace_one(
                doc! { "_id": key, "current": current },
                FamilyDocument::new(key.to_owned(), next),
            )
            .await?;
        Ok(result.modified_count == 1)
    }

    pub(super) async fn remove(&self, key: &str) -> mongodb::error::Result<()> {
        self.families.delete_one(doc! { "_id": key }).await?;
        Ok(())
    }
}
