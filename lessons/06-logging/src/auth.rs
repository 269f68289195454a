//! Lesson 02's authentication, given: `/chat` checks the token after the
//! logging middleware has written the attempt down.

use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::Context;
use workbook::jwt::TokenError;

/// Why `/chat` refused a handshake; the text is the `connect_error` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    Required,
    Invalid,
    Expired,
    UserNotFound,
    Unavailable,
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AuthError::Required => "Authentication required",
            AuthError::Invalid => "Invalid token",
            AuthError::Expired => "Token expired",
            AuthError::UserNotFound => "User not found",
            AuthError::Unavailable => "Authentication failed",
        })
    }
}

/// The token in `auth.token`, if there is one: missing, `null` and `""` mean
/// none; any other value that is not a string is an invalid token.
pub fn token_from(auth: &Value) -> Result<Option<&str>, AuthError> {
    match auth.get("token") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(token)) if token.is_empty() => Ok(None),
        Some(Value::String(token)) => Ok(Some(token)),
        Some(_) => Err(AuthError::Invalid),
    }
}

/// Connect middleware for `/chat`: verifies the token (HS256, no leeway),
/// loads its user from the store and attaches it to the socket.
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), AuthError> {
    let auth = auth.unwrap_or_default();
    let token = token_from(&auth)?.ok_or(AuthError::Required)?;
    let claims = ctx.jwt.verify(token).map_err(|e| match e {
        TokenError::Expired => AuthError::Expired,
        TokenError::Invalid => AuthError::Invalid,
    })?;
    let user = match ctx.users.find_by_id(&claims.id).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err(AuthError::UserNotFound),
        Err(e) => {
            // The cause is for the operator; the token is for nobody.
            tracing::error!(userId = %claims.id, error = %e, "cannot load the user");
            return Err(AuthError::Unavailable);
        }
    };
    socket.extensions.insert(user);
    Ok(())
}
