//! Authentication, as in lesson 02: the token from `auth.token`, verified
//! with the shared `ctx.jwt` (HS256 only, no leeway), and the user it names
//! loaded from the store.

use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::Context;
use workbook::jwt::TokenError;

/// Why a handshake was refused; the text is the client's `connect_error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    Required,
    Invalid,
    Expired,
    UserNotFound,
    /// The store failed: the cause goes to the log, not to the client.
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

/// Puts the socket's [`PublicUser`](workbook::users::PublicUser) in its
/// extensions. It joins no room and tracks nothing: that is the last
/// middleware's job ([`crate::events::register`]), once nothing can refuse.
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), AuthError> {
    let auth = auth.unwrap_or_default();
    let token = match auth.get("token") {
        None | Some(Value::Null) => return Err(AuthError::Required),
        Some(Value::String(token)) if token.is_empty() => return Err(AuthError::Required),
        Some(Value::String(token)) => token,
        Some(_) => return Err(AuthError::Invalid),
    };
    let claims = ctx.jwt.verify(token).map_err(|e| match e {
        TokenError::Expired => AuthError::Expired,
        TokenError::Invalid => AuthError::Invalid,
    })?;
    match ctx.users.find_by_id(&claims.id).await {
        Ok(Some(user)) => {
            socket.extensions.insert(user.public());
            Ok(())
        }
        Ok(None) => Err(AuthError::UserNotFound),
        Err(e) => {
            tracing::error!(user_id = %claims.id, error = %e, "cannot load the user");
            Err(AuthError::Unavailable)
        }
    }
}
