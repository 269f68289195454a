use futures_util::TryStreamExt;
use mongodb::bson::{DateTime, doc};
use mongodb::options::IndexOptions;
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};
use workbook::db::is_duplicate_key;

/// `friendships`: one document per direction, `{userId, friendId}`, unique
/// on the pair, so "ada's friends" is one indexed query on `userId`.
/// `presence`: one document per user who has gone offline, `{userId,
/// lastSeen}`, unique on `userId`, `lastSeen` in milliseconds since 1970.
#[derive(Clone, Debug)]
pub(super) struct MongoStore {
    friendships: Collection<Friendship>,
    presence: Collection<LastSeen>,
}

/// Both fields are required: a unique index lets any number of documents
/// without its fields through.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Friendship {
    user_id: String,
    friend_id: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LastSeen {
    user_id: String,
    #[serde(deserialize_with = "millis")]
    last_seen: i64,
}

/// `lastSeen` is written as a number (an `Int64` of milliseconds), which
/// every server stores as it is. A BSON date is read too (what this store
/// wrote before), but no longer written: the wire-compatible test server
/// keeps a date given to `$set` on an existing document as a string, and
/// the next read of a date then failed (`expecting DateTime`, a 500).
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

fn unique(keys: mongodb::bson::Document) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(IndexOptions::builder().unique(true).build())
        .build()
}

impl MongoStore {
    pub(super) async fn new(db: &mongodb::Database) -> mongodb::error::Result<Self> {
        let friendships = db.collection::<Friendship>("friendships");
        friendships
            .create_index(unique(doc! { "userId": 1, "friendId": 1 }))
            .await?;
        let presence = db.collection::<LastSeen>("presence");
        presence.create_index(unique(doc! { "userId": 1 })).await?;
        Ok(Self {
            friendships,
            presence,
        })
    }

    /// Two inserts, one per direction; an existing direction is a duplicate
    /// key, which means "already friends".
    pub(super) async fn befriend(&self, a: &str, b: &str) -> mongodb::error::Result<()> {
        for (user_id, friend_id) in [(a, b), (b, a)] {
            let doc = Friendship {
                user_id: user_id.to_owned(),
                friend_id: friend_id.to_owned(),
            };
            match self.friendships.insert_one(doc).await {
                Ok(_) => {}
                Err(e) if is_duplicate_key(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    pub(super) async fn friends_of(&self, user_id: &str) -> mongodb::error::Result<Vec<String>> {
        let found: Vec<Friendship> = self
            .friendships
            .find(doc! { "userId": user_id })
            .await?
            .try_collect()
            .await?;
        Ok(found.into_iter().map(|f| f.friend_id).collect())
    }

    pub(super) async fn set_last_seen(
        &self,
        user_id: &str,
        at_ms: i64,
    ) -> mongodb::error::Result<()> {
        self.presence
            .update_one(
                doc! { "userId": user_id },
                doc! { "$set": { "userId": user_id, "lastSeen": at_ms } },
            )
            .upsert(true)
            .await?;
        Ok(())
    }

    pub(super) async fn last_seen(&self, user_id: &str) -> mongodb::error::Result<Option<i64>> {
        let found = self.presence.find_one(doc! { "userId": user_id }).await?;
        Ok(found.map(|doc| doc.last_seen))
    }
}
