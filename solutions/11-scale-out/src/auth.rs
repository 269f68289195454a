//! Authentication, as in lesson 02: the token from `auth.token`, verified
//! with the shared `ctx.jwt`, and the user it names loaded from the store.
//! Nothing here changes with a second server: the token is checked by its
//! signature, which every server can do with the same `JWT_SECRET`.

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{Extension, SocketRef, State, TryData};
use workbook::Context;
use workbook::jwt::TokenError;
use workbook::users::{PublicUser, Role};

/// Why a handshake was refused; the `Display` text is the client's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Required,
    Invalid,
    Expired,
    UserNotFound,
    Unavailable,
    AdminRequired,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::Required => "Authentication required",
            Refusal::Invalid => "Invalid token",
            Refusal::Expired => "Token expired",
            Refusal::UserNotFound => "User not found",
            Refusal::Unavailable => "Authentication failed",
            Refusal::AdminRequired => "Admin access required",
        })
    }
}

/// Attaches the user (`{id, name, role}`) to the socket.
pub async fn authenticate<A: Adapter>(
    socket: SocketRef<A>,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    let auth = auth.unwrap_or_default();
    let token = match auth.get("token") {
        None | Some(Value::Null) => return Err(Refusal::Required),
        Some(Value::String(token)) if token.is_empty() => return Err(Refusal::Required),
        Some(Value::String(token)) => token,
        Some(_) => return Err(Refusal::Invalid),
    };
    let claims = ctx.jwt.verify(token).map_err(|e| match e {
        TokenError::Expired => Refusal::Expired,
        TokenError::Invalid => Refusal::Invalid,
    })?;
    let user = match ctx.users.find_by_id(&claims.id).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err(Refusal::UserNotFound),
        Err(e) => {
            tracing::error!(user_id = %claims.id, error = %e, "cannot load the user");
            return Err(Refusal::Unavailable);
        }
    };
    socket.extensions.insert(user.public());
    Ok(())
}

/// `/admin`'s second lock, as in lesson 05: the store's role, not the token's.
pub async fn require_admin(Extension(user): Extension<PublicUser>) -> Result<(), Refusal> {
    match user.role {
        Role::Admin => Ok(()),
        Role::User => Err(Refusal::AdminRequired),
    }
}
