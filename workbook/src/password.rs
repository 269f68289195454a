//! Password hashing with bcrypt.
//!
//! bcrypt is slow on purpose, so hashing runs on tokio's blocking pool
//! instead of stalling the task that serves other sockets. bcrypt also reads
//! only the first 72 bytes of a password: two passwords that share those 72
//! bytes would hash alike, so longer passwords are refused, never truncated.

use std::sync::Arc;

pub const MAX_PASSWORD_BYTES: usize = 72;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password must be at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("hashing failed: {0}")]
    Hash(String),
}

pub async fn hash(password: &str, cost: u32) -> Result<String, PasswordError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong);
    }
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || bcrypt::hash(password, cost))
        .await
        .map_err(|e| PasswordError::Hash(e.to_string()))?
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches `hash`. With no hash (an unknown user) it
/// checks the password against `decoy` instead and answers no: the work, and
/// so the time, is the same as for a known user with a wrong password, and
/// response times do not reveal which usernames exist.
pub async fn verify(password: &str, hash: Option<&str>, decoy: &Decoy) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let password = password.to_owned();
    let (hash, known) = match hash {
        Some(hash) => (Arc::from(hash), true),
        None => (decoy.0.clone(), false),
    };
    let matches =
        tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
            .await
            .unwrap_or(false);
    matches && known
}

/// The hash an unknown user's password is checked against. It must have
/// the server's `BCRYPT_COST`: bcrypt's time grows with the cost, so a
/// decoy of another cost would make unknown users answer faster or slower
/// than known ones. Its password does not matter: a match is never accepted.
///
/// Made once, when the server starts ([`crate::Context::new`]), and on the
/// blocking pool like every hash: a cost-12 hash takes a quarter of a second.
#[derive(Clone)]
pub struct Decoy(Arc<str>);

impl Decoy {
    pub async fn new(cost: u32) -> Result<Self, PasswordError> {
        Ok(Decoy(hash("no user has this password", cost).await?.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let decoy = Decoy::new(4).await.unwrap();
        let hash = hash("correct horse", 4).await.unwrap();
        assert!(hash.starts_with("$2"), "{hash}");
        assert!(verify("correct horse", Some(&hash), &decoy).await);
        assert!(!verify("wrong horse", Some(&hash), &decoy).await);
        assert!(!verify("correct horse", None, &decoy).await);
        assert!(!verify("no user has this password", None, &decoy).await);
    }

    #[tokio::test]
    async fn the_decoy_has_the_configured_cost() {
        for cost in [4, 5] {
            let decoy = Decoy::new(cost).await.unwrap();
            assert!(
                decoy.0.starts_with(&format!("$2b${cost:02}$")),
                "{}",
                decoy.0
            );
        }
    }

    #[tokio::test]
    async fn passwords_over_72_bytes_are_refused_not_truncated() {
        let long = "a".repeat(73);
        assert!(matches!(hash(&long, 4).await, Err(PasswordError::TooLong)));
        let hash = hash(&long[..72], 4).await.unwrap();
        let decoy = Decoy::new(4).await.unwrap();
        assert!(!verify(&long, Some(&hash), &decoy).await);
    }
}
