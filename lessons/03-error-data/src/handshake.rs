//! The authentication middleware: lesson 02's checks, each failure now a
//! typed [`AuthError`].

use serde_json::Value;
use socketioxide::extract::{AckSender, SocketRef, State, TryData};
use workbook::Context;
use workbook::jwt::TokenError;
use workbook::users::PublicUser;

use crate::rejection::AuthError;

/// Lets a socket in only with a genuine, unexpired token for a user who
/// still exists, and keeps that user (never the token's claims) on the
/// socket for the event handlers.
pub async fn authenticate(
    socket: SocketRef,
    TryData(auth): TryData<Value>,
    State(ctx): State<Context>,
) -> Result<(), AuthError> {
    let token = token_of(auth.ok())?;
    let claims = ctx.jwt.verify(token.as_str()).map_err(|e| match e {
        TokenError::Expired => AuthError::TokenExpired,
        TokenError::Invalid => AuthError::InvalidToken,
    })?;
    let user = match ctx.users.find_by_id(&claims.id).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err(AuthError::UserNotFound),
        Err(e) => {
            tracing::error!(cause = %e, "loading a socket's user failed");
            return Err(AuthError::Unavailable);
        }
    };
    // Joined here, not in `on_connect`: socketioxide starts the connect
    // handler as a task of its own after telling the client it is
    // connected, so a message sent to the room at once could miss it.
    socket.join(format!("user:{}", user.id));
    socket.extensions.insert(user.public());
    Ok(())
}

/// The handshake's `auth.token`, and nothing else: not the query string,
/// which ends up in access logs. Missing, `null` and `""` mean no token;
/// any other type than a string is a bad one.
fn token_of(auth: Option<Value>) -> Result<String, AuthError> {
    match auth.as_ref().and_then(|auth| auth.get("token")) {
        None | Some(Value::Null) => Err(AuthError::AuthRequired),
        Some(Value::String(token)) if token.is_empty() => Err(AuthError::AuthRequired),
        Some(Value::String(token)) => Ok(token.clone()),
        Some(_) => Err(AuthError::InvalidToken),
    }
}

/// A middleware that registers the socket's events; it never refuses. It
/// runs after [`authenticate`] and before the client hears it is connected,
/// so a client that emits at once finds its handlers in place (chapter 02,
/// "Why in a middleware, and not the connect handler").
pub async fn register(socket: SocketRef) -> Result<(), std::convert::Infallible> {
    socket.on("whoami", whoami);
    Ok(())
}

/// Runs once the client has been told it is connected.
pub async fn on_connect(socket: SocketRef) {
    if let Some(user) = socket.extensions.get::<PublicUser>() {
        tracing::info!(socket = %socket.id, user = %user.id, "connected");
    }
}

/// Answers with the user the middleware stored, `{id, name, role}`.
async fn whoami(socket: SocketRef, ack: AckSender) {
    let user = socket.extensions.get::<PublicUser>();
    let _ = ack.send(&user);
}
