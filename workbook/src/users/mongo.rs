use mongodb::bson::{doc, oid::ObjectId};
use mongodb::options::IndexOptions;
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};

use super::{NewUser, Role, StoreError, User};
use crate::db::is_duplicate_key;

/// Users in the `users` collection, unique on `username` and on `email`.
#[derive(Clone, Debug)]
pub struct MongoUsers {
    users: Collection<UserDocument>,
}

/// The stored shape. Every field is required, because a unique index lets
/// any number of documents *without* the field through.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserDocument {
    #[serde(rename = "_id")]
    id: ObjectId,
    username: String,
    email: String,
    password_hash: String,
    role: Role,
}

impl From<UserDocument> for User {
    fn from(doc: UserDocument) -> Self {
        User {
            id: doc.id.to_hex(),
            username: doc.username,
            email: doc.email,
            password_hash: doc.password_hash,
            role: doc.role,
        }
    }
}

impl MongoUsers {
    pub(super) async fn new(db: &mongodb::Database) -> Result<Self, StoreError> {
        let users = db.collection::<UserDocument>("users");
        let unique = |field: &str| {
            IndexModel::builder()
                .keys(doc! { field: 1 })
                .options(IndexOptions::builder().unique(true).build())
                .build()
        };
        users
            .create_indexes([unique("username"), unique("email")])
            .await?;
        Ok(Self { users })
    }

    pub(super) async fn create(&self, new: NewUser) -> Result<User, StoreError> {
        let doc = UserDocument {
            id: ObjectId::new(),
            username: new.username,
            email: new.email,
            password_hash: new.password_hash,
            role: new.role,
        };
        match self.users.insert_one(&doc).await {
            Ok(_) => Ok(doc.into()),
            Err(e) if is_duplicate_key(&e) => Err(StoreError::Duplicate),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) async fn find_by_id(&self, id: &str) -> Result<Option<User>, StoreError> {
        let Ok(id) = ObjectId::parse_str(id) else {
            return Ok(None);
        };
        Ok(self
            .users
            .find_one(doc! { "_id": id })
            .await?
            .map(User::from))
    }

    pub(super) async fn find_by_username(
        &self,
        username: &str,
    ) -> Result<Option<User>, StoreError> {
        let found = self.users.find_one(doc! { "username": username }).await?;
        Ok(found.map(User::from))
    }

    pub(super) async fn set_role(&self, id: &str, role: Role) -> Result<bool, StoreError> {
        let Ok(id) = ObjectId::parse_str(id) else {
            return Ok(false);
        };
        let role = mongodb::bson::to_bson(&role).expect("a role is a string");
        let result = self
            .users
            .update_one(doc! { "_id": id }, doc! { "$set": { "role": role } })
            .await?;
        Ok(result.matched_count == 1)
    }

    pub(super) async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        let Ok(id) = ObjectId::parse_str(id) else {
            return Ok(false);
        };
        let result = self.users.delete_one(doc! { "_id": id }).await?;
        Ok(result.deleted_count == 1)
    }
}
