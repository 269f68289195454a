use std::time::Duration;

use mongodb::bson::{DateTime, doc};
use mongodb::options::IndexOptions;
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};

use super::{Record, SessionKey};

/// Sessions in the `sessions` collection, one document per session, its
/// `_id` the session's key (so the lookup by key is the primary index).
#[derive(Clone)]
pub(super) struct MongoSessions {
    sessions: Collection<SessionDocument>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionDocument {
    #[serde(rename = "_id")]
    key: String,
    user_id: String,
    expires_at: DateTime,
}

impl MongoSessions {
    pub(super) async fn new(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        let sessions = db.collection::<SessionDocument>("sessions");
        // MongoDB deletes a session by itself once `expiresAt` has passed
        // (within a minute or so: reads check the time as well).
        let expiry = IndexModel::builder()
            .keys(doc! { "expiresAt": 1 })
            .options(IndexOptions::builder().expire_after(Duration::ZERO).build())
            .build();
        sessions.create_index(expiry).await?;
        Ok(Self { sessions })
    }

    pub(super) async fn insert(
        &self,
        key: SessionKey,
        record: Record,
    ) -> mongodb::error::Result<()> {
        let doc = SessionDocument {
            key: key.0,
            user_id: record.user_id,
            expires_at: DateTime::from_millis(record.expires_at),
        };
        self.sessions.insert_one(doc).await?;
        Ok(())
    }

    pub(super) async fn get(&self, key: &SessionKey) -> mongodb::error::Result<Option<Record>> {
        let doc = self.sessions.find_one(doc! { "_id": &key.0 }).await?;
        Ok(doc.map(|doc| Record {
            user_id: doc.user_id,
            expires_at: doc.expires_at.timestamp_millis(),
        }))
    }

    pub(super) async fn remove(&self, key: &SessionKey) -> mongodb::error::Result<bool> {
        let deleted = self.sessions.delete_one(doc! { "_id": &key.0 }).await?;
        Ok(deleted.deleted_count > 0)
    }
}
