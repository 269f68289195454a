//! The authentication middleware: from a handshake's `auth.token` to a user
//! attached to the socket, or a refusal the client can act on.

use jsonwebtoken::DecodingKey;
use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::Context;
use workbook::jwt::Claims;

// ANCHOR: errors
/// Why a handshake was refused. The text is what the client's
/// `connect_error` carries, so it is part of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// No token at all: the client should log in.
    Required,
    /// Bad signature, another algorithm, malformed, or missing claims. The
    /// cases are not told apart: the difference would only help an attacker.
    Invalid,
    /// A genuine token past its `exp`: the client may get a fresh one.
    Expired,
    /// A genuine token for an account that no longer exists.
    UserNotFound,
    /// The store could not answer. Nothing about the client is wrong, and
    /// nothing about the server's trouble is the client's business.
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
// ANCHOR_END: errors

// ANCHOR: authenticate
// EXERCISE: authenticate
/// Connect middleware for `/`. On success the socket carries its user's
/// [`PublicUser`] in `socket.extensions`, where handlers read it with
/// `Extension<PublicUser>`, and is in the room `user:<id>`, which reaches all
/// of that user's devices. Only the public shape is kept: the password hash
/// has no business living on a socket for hours.
///
/// `TryData` rather than `Data`: a handshake whose `auth` does not parse must
/// get our answer, not serde's internal message.
///
/// [`PublicUser`]: workbook::users::PublicUser
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), AuthError> {
    let auth = auth.unwrap_or_default();
    let token = token_from(&auth)?.ok_or(AuthError::Required)?;
    let claims = verify(token, ctx.jwt.decoding_key())?;

    // The token proves who the user was when it was issued; the store says
    // whether they still exist, and holds their current name and role.
    let user = match ctx.users.find_by_id(&claims.id).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err(AuthError::UserNotFound),
        Err(e) => {
            // Log the cause for the operator, never the token.
            tracing::error!(user_id = %claims.id, error = %e, "cannot load the user");
            return Err(AuthError::Unavailable);
        }
    };
    // Joining here, not in the connect handler: socketioxide confirms the
    // connection before that handler runs, so a message sent to the room at
    // once could otherwise miss this socket.
    socket.join(format!("user:{}", user.id));
    socket.extensions.insert(user.public());
    Ok(())
}
// EXERCISE_END: authenticate
// ANCHOR_END: authenticate

// ANCHOR: token_from
// EXERCISE: token_from
/// The token, if the handshake brings one. Only `auth.token` counts: a token
/// in the URL's query string is ignored, because URLs end up in logs.
/// Missing, `null` and `""` all mean "no token"; any other non-string is a
/// malformed token, not an absent one.
pub fn token_from(auth: &Value) -> Result<Option<&str>, AuthError> {
    match auth.get("token") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(token)) if token.is_empty() => Ok(None),
        Some(Value::String(token)) => Ok(Some(token)),
        Some(_) => Err(AuthError::Invalid),
    }
}
// EXERCISE_END: token_from
// ANCHOR_END: token_from

// ANCHOR: verify
// EXERCISE: verify
/// Checks the signature with HS256 and nothing else, then `exp` with no
/// leeway, then that the claims have the shape of [`Claims`].
///
/// The algorithm is pinned because a token names its own algorithm in its
/// header: a verifier that followed it could be told `none` (no signature at
/// all) or to treat a public key as an HMAC secret.
pub fn verify(token: &str, key: &DecodingKey) -> Result<Claims, AuthError> {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    // The server that issues the tokens checks them: no clock skew to forgive.
    validation.leeway = 0;
    match jsonwebtoken::decode::<Claims>(token, key, &validation) {
        Ok(data) => Ok(data.claims),
        Err(e) if *e.kind() == jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
            Err(AuthError::Expired)
        }
        Err(_) => Err(AuthError::Invalid),
    }
}
// EXERCISE_END: verify
// ANCHOR_END: verify
