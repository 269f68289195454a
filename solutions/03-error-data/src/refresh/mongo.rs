use std::time::Duration;

use mongodb::bson::{DateTime, doc};
use mongodb::options::IndexOptions;
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};

use super::Grant;

/// Grants in the `refresh_tokens` collection, unique on `hash`.
#[derive(Clone)]
pub(super) struct MongoTokens {
    grants: Collection<GrantDocument>,
}

/// The stored shape. `hash` is required: a unique index lets any number of
/// documents without the field through.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrantDocument {
    hash: String,
    user_id: String,
    expires_at: DateTime,
}

impl MongoTokens {
    pub(super) async fn new(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        let grants = db.collection::<GrantDocument>("refresh_tokens");
        let unique_hash = IndexModel::builder()
            .keys(doc! { "hash": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build();
        // MongoDB deletes a grant by itself once `expiresAt` has passed.
        let expiry = IndexModel::builder()
            .keys(doc! { "expiresAt": 1 })
            .options(IndexOptions::builder().expire_after(Duration::ZERO).build())
            .build();
        grants.create_indexes([unique_hash, expiry]).await?;
        Ok(Self { grants })
    }

    pub(super) async fn insert(&self, hash: String, grant: Grant) -> mongodb::error::Result<()> {
        let doc = GrantDocument {
            hash,
            user_id: grant.user_id,
            expires_at: DateTime::from_millis(grant.expires_at),
        };
        self.grants.insert_one(doc).await?;
        Ok(())
    }

    /// Finds and deletes in one server-side operation: of two requests
    /// with the same token, only one gets the document back.
    pub(super) async fn take(&self, hash: &str) -> mongodb::error::Result<Option<Grant>> {
        let doc = self
            .grants
            .find_one_and_delete(doc! { "hash": hash })
            .await?;
        Ok(doc.map(|doc| Grant {
            user_id: doc.user_id,
            expires_at: doc.expires_at.timestamp_millis(),
        }))
    }
}
