//! The user store: who can log in, and what the server knows about them.
//!
//! Two back ends sit behind one type. [`Users::Memory`] needs nothing
//! installed and is what a learner gets by default; `Users::Mongo` is used
//! when `MONGODB_URI` is set (and the build has the driver, see
//! [`crate::db`]). Both are tested by the same test body, so a lesson
//! behaves the same whichever one it runs on.

mod gate;
mod memory;
#[cfg(feature = "mongodb")]
mod mongo;

use serde::{Deserialize, Serialize};

pub use gate::LookupGate;
pub use memory::MemoryUsers;
#[cfg(feature = "mongodb")]
pub use mongo::MongoUsers;

/// What a user may do. Tokens carry it as `"user"` or `"admin"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

/// A stored user. `password_hash` is a bcrypt hash, never the password;
/// it is deliberately left out of [`PublicUser`], the only shape sent to
/// clients, and out of `Debug` output, which ends up in logs and panics.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
}

/// A user as clients may see it: `{id, name, role}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicUser {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl User {
    pub fn public(&self) -> PublicUser {
        PublicUser {
            id: self.id.clone(),
            name: self.username.clone(),
            role: self.role,
        }
    }
}

/// A user about to be stored; the store gives it its id.
#[derive(Clone)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Username and email are each unique.
    #[error("username or email already exists")]
    Duplicate,
    /// The database failed, or could not be reached.
    #[error("database error: {0}")]
    Database(Box<dyn std::error::Error + Send + Sync>),
}

#[cfg(feature = "mongodb")]
impl From<mongodb::error::Error> for StoreError {
    fn from(error: mongodb::error::Error) -> Self {
        StoreError::Database(Box::new(error))
    }
}

/// The user store. Cloning is cheap and every clone sees the same users.
#[derive(Clone, Debug)]
pub enum Users {
    Memory(MemoryUsers),
    #[cfg(feature = "mongodb")]
    Mongo(MongoUsers),
    /// A store whose database is down: see [`Users::unreachable`].
    Unreachable,
    /// Another store whose `find_by_id` waits at a [`LookupGate`]: for
    /// tests of a handshake cut off while the lookup awaits.
    Gated(Box<Users>, LookupGate),
}

impl Users {
    pub fn memory() -> Self {
        Users::Memory(MemoryUsers::default())
    }

    /// A store whose database is down: every call fails with
    /// [`StoreError::Database`]. For tests of what a server answers then
    /// (`Authentication failed`, or lesson 03's `Service unavailable`).
    pub fn unreachable() -> Self {
        Users::Unreachable
    }

    /// Uses `db`, creating the unique indexes the store relies on.
    #[cfg(feature = "mongodb")]
    pub async fn mongo(db: &mongodb::Database) -> Result<Self, StoreError> {
        Ok(Users::Mongo(MongoUsers::new(db).await?))
    }

    /// `inner`, with every `find_by_id` passing `gate` first (tests only).
    pub fn gated(inner: Users, gate: LookupGate) -> Self {
        Users::Gated(Box::new(inner), gate)
    }

    pub async fn create(&self, user: NewUser) -> Result<User, StoreError> {
        match self {
            Users::Memory(store) => store.create(user),
            #[cfg(feature = "mongodb")]
            Users::Mongo(store) => store.create(user).await,
            Users::Unreachable => Err(StoreError::unreachable()),
            Users::Gated(inner, _) => Box::pin(inner.create(user)).await,
        }
    }

    /// `None` for an unknown id, including one that is not even well formed:
    /// ids arrive from tokens and URLs, and a bad one is simply nobody.
    pub async fn find_by_id(&self, id: &str) -> Result<Option<User>, StoreError> {
        match self {
            Users::Memory(store) => Ok(store.find_by_id(id)),
            #[cfg(feature = "mongodb")]
            Users::Mongo(store) => store.find_by_id(id).await,
            Users::Unreachable => Err(StoreError::unreachable()),
            Users::Gated(inner, gate) => {
                gate.pass().await;
                Box::pin(inner.find_by_id(id)).await
            }
        }
    }

    pub async fn find_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        match self {
            Users::Memory(store) => Ok(store.find_by_username(username)),
            #[cfg(feature = "mongodb")]
            Users::Mongo(store) => store.find_by_username(username).await,
            Users::Unreachable => Err(StoreError::unreachable()),
            Users::Gated(inner, _) => Box::pin(inner.find_by_username(username)).await,
        }
    }

    /// Gives the user `id` a new role; returns whether such a user exists.
    /// Servers that read the role from the store on every handshake (lesson
    /// 05's `/admin`) see the change at once; a token still says the old role.
    pub async fn set_role(&self, id: &str, role: Role) -> Result<bool, StoreError> {
        match self {
            Users::Memory(store) => Ok(store.set_role(id, role)),
            #[cfg(feature = "mongodb")]
            Users::Mongo(store) => store.set_role(id, role).await,
            Users::Unreachable => Err(StoreError::unreachable()),
            Users::Gated(inner, _) => Box::pin(inner.set_role(id, role)).await,
        }
    }

    /// Returns whether a user was deleted.
    pub async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        match self {
            Users::Memory(store) => Ok(store.delete(id)),
            #[cfg(feature = "mongodb")]
            Users::Mongo(store) => store.delete(id).await,
            Users::Unreachable => Err(StoreError::unreachable()),
            Users::Gated(inner, _) => Box::pin(inner.delete(id)).await,
        }
    }
}

// Written by hand rather than derived: a derived `Debug` prints every field,
// and a `{user:?}` in a log line or an error message would publish the hash,
// which an attacker can attack offline.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password_hash", &Redacted)
            .field("role", &self.role)
            .finish()
    }
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password_hash", &Redacted)
            .field("role", &self.role)
            .finish()
    }
}

/// What `Debug` prints in place of a password hash.
struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl StoreError {
    /// What [`Users::Unreachable`] answers: what a driver says of a
    /// database that refuses every connection.
    fn unreachable() -> Self {
        StoreError::Database("the database cannot be reached".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_holds_no_password_hash() {
        let hash = "$2b$04$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01";
        let user = User {
            id: crate::db::new_id(),
            username: "ada".to_owned(),
            email: "ada@example.com".to_owned(),
            password_hash: hash.to_owned(),
            role: Role::User,
        };
        let new = NewUser {
            username: user.username.clone(),
            email: user.email.clone(),
            password_hash: hash.to_owned(),
            role: Role::User,
        };
        for shown in [
            format!("{user:?}"),
            format!("{new:?}"),
            format!("{user:#?}"),
        ] {
            assert!(!shown.contains("$2"), "a hash in Debug output: {shown}");
            assert!(shown.contains("ada"), "the rest is still shown: {shown}");
        }
    }
}
