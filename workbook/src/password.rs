//! Password hashing with bcrypt.
//!
//! bcrypt is slow on purpose, so hashing runs on tokio's blocking pool
//! instead of stalling the task that serves other sockets. bcrypt also reads
//! only the first 72 bytes of a password: two passwords that share those 72
//! bytes would hash alike, so longer passwords are refused, never truncated.

use std::sync::OnceLock;

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

/// Whether `password` matches `hash`. With no hash (an unknown user) it still
/// spends the time of one bcrypt check, so response times do not reveal
/// which usernames exist.
pub async fn verify(password: &str, hash: Option<&str>) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let password = password.to_owned();
    let (hash, known) = match hash {
        Some(hash) => (hash.to_owned(), true),
        None => (decoy_hash().to_owned(), false),
    };
    let matches =
        tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
            .await
            .unwrap_or(false);
    matches && known
}

/// A hash to check unknown users against, made once at the default cost.
/// Its password does not matter: a match against it is never accepted.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| bcrypt::hash("decoy", 10).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let hash = hash("correct horse", 4).await.unwrap();
        assert!(hash.starts_with("$2"), "{hash}");
        assert!(verify("correct horse", Some(&hash)).await);
        assert!(!verify("wrong horse", Some(&hash)).await);
        assert!(!verify("correct horse", None).await);
    }

    #[tokio::test]
    async fn passwords_over_72_bytes_are_refused_not_truncated() {
        let long = "a".repeat(73);
        assert!(matches!(hash(&long, 4).await, Err(PasswordError::TooLong)));
        let hash = hash(&long[..72], 4).await.unwrap();
        assert!(!verify(&long, Some(&hash)).await);
    }
}
