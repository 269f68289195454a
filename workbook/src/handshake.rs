//! Lesson 02's answer to "who is this socket?", for the lessons after it.
//!
//! Lesson 02 writes this check itself; from lesson 04 on it is given, and
//! each lesson's own middleware only decides what to keep on the socket.
//! One copy means a fix here (a new way to send a bad token, say) reaches
//! every lesson that authenticates the same way.

use serde_json::Value;

use crate::Context;
use crate::jwt::TokenError;
use crate::users::User;

/// Why authentication refused a handshake. socketioxide sends a refusing
/// middleware's `Display` text as the client's `connect_error` message, so
/// these words are part of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No token at all.
    #[error("Authentication required")]
    Required,
    /// Bad signature, another algorithm, malformed, missing claims, or a
    /// token that is not a string. Not told apart: that would help only an
    /// attacker.
    #[error("Invalid token")]
    Invalid,
    /// A genuine token past its `exp`.
    #[error("Token expired")]
    Expired,
    /// A genuine token for an account that no longer exists.
    #[error("User not found")]
    UserNotFound,
    /// The store failed. The cause is logged; the client learns nothing.
    #[error("Authentication failed")]
    Unavailable,
}

/// The token in `auth.token`, and only there (never the query string, which
/// ends up in logs). Missing, `null` and `""` mean no token; any other value
/// that is not a string is an invalid one.
pub fn token_from(auth: &Value) -> Result<Option<&str>, AuthError> {
    match auth.get("token") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(token)) if token.is_empty() => Ok(None),
        Some(Value::String(token)) => Ok(Some(token)),
        Some(_) => Err(AuthError::Invalid),
    }
}

/// The user whose token is in the handshake's `auth`: verified with
/// `ctx.jwt` (HS256 only, no leeway), then loaded from the store, so a
/// deleted account or a changed role is seen at once and the token's own
/// claims are never trusted for who the user is now.
pub async fn authenticate(ctx: &Context, auth: &Value) -> Result<User, AuthError> {
    let token = token_from(auth)?.ok_or(AuthError::Required)?;
    let claims = ctx.jwt.verify(token).map_err(|e| match e {
        TokenError::Expired => AuthError::Expired,
        TokenError::Invalid => AuthError::Invalid,
    })?;
    match ctx.users.find_by_id(&claims.id).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(AuthError::UserNotFound),
        Err(e) => {
            tracing::error!(user_id = %claims.id, error = %e, "cannot load the user");
            Err(AuthError::Unavailable)
        }
    }
}
