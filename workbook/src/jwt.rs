//! Access tokens: HS256 JWTs carrying `{id, name, role, iat, exp}`.
//!
//! Verification pins the algorithm. A token names its own algorithm in its
//! header, and a verifier that believes it can be told `none` (no signature
//! at all) or tricked into using the wrong kind of key. Expiry is checked
//! with no leeway: the server that issues the tokens is the one that checks
//! them, so there is no clock skew to forgive.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::users::{Role, User};

pub mod hmac_only;

/// The claims of an access token. Deserialising into this struct is part of
/// verification: a correctly signed token without `id`, `name` or `role` is
/// rejected as invalid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// Issued at, in seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, in seconds since the Unix epoch.
    pub exp: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token expired")]
    Expired,
    /// Bad signature, another algorithm, malformed, or missing claims. The
    /// cases are not told apart: that would only help an attacker.
    #[error("invalid token")]
    Invalid,
}

/// Issues and verifies access tokens with one secret.
#[derive(Clone)]
pub struct Jwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl Jwt {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        // Every server makes its `Jwt` before it signs or verifies a token.
        hmac_only::install();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    /// A token for `user`, valid for the configured lifetime.
    pub fn issue(&self, user: &User) -> String {
        let iat = now();
        self.sign(&Claims {
            id: user.id.clone(),
            name: user.username.clone(),
            role: user.role,
            iat,
            exp: iat + self.ttl.as_secs(),
        })
    }

    /// Signs any claims with HS256. Tests use it to make expired tokens.
    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .expect("HS256 signing with an HMAC key cannot fail")
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => Ok(data.claims),
            Err(e) if *e.kind() == ErrorKind::ExpiredSignature => Err(TokenError::Expired),
            Err(_) => Err(TokenError::Invalid),
        }
    }

    /// The key verification uses, for code that decodes tokens itself.
    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a-test-secret-that-is-32-bytes-long!";

    fn user() -> User {
        User {
            id: "65f0c0ffee0000000000beef".into(),
            username: "ada".into(),
            email: "ada@example.com".into(),
            password_hash: String::new(),
            role: Role::User,
        }
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let jwt = Jwt::new(SECRET, Duration::from_secs(60));
        let claims = jwt.verify(&jwt.issue(&user())).unwrap();
        assert_eq!(
            (claims.id.as_str(), claims.name.as_str()),
            ("65f0c0ffee0000000000beef", "ada")
        );
        assert_eq!(claims.role, Role::User);
        assert_eq!(claims.exp - claims.iat, 60);
    }

    #[test]
    fn expired_and_foreign_tokens_are_told_apart() {
        let jwt = Jwt::new(SECRET, Duration::from_secs(60));
        let past = Claims {
            id: "x".into(),
            name: "x".into(),
            role: Role::User,
            iat: 1,
            exp: 2,
        };
        assert_eq!(jwt.verify(&jwt.sign(&past)), Err(TokenError::Expired));

        let other = Jwt::new(
            b"another-secret-that-is-32-bytes-long",
            Duration::from_secs(60),
        );
        assert_eq!(jwt.verify(&other.issue(&user())), Err(TokenError::Invalid));
        assert_eq!(jwt.verify("not.a.token"), Err(TokenError::Invalid));
    }

    #[test]
    fn other_algorithms_are_refused_even_with_the_right_secret() {
        let jwt = Jwt::new(SECRET, Duration::from_secs(60));
        let claims = Claims {
            id: "x".into(),
            name: "x".into(),
            role: Role::User,
            iat: now(),
            exp: now() + 60,
        };
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert_eq!(jwt.verify(&hs512), Err(TokenError::Invalid));
    }
}
