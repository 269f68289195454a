//! The handshake: who is this socket? Three answers, not two.
//!
//! A server with public pages lets visitors in without an account, so "no
//! token" is not a reason to refuse. What it must never do is guess: a
//! token that does not verify is refused outright, and a socket the server
//! cannot vouch for is anonymous, never "whoever the token says".

use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::Context;

// ANCHOR: errors
/// Why a handshake was refused. The text is what the client's
/// `connect_error` carries, so it is part of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// A token that is not one of ours: bad signature, another algorithm,
    /// malformed, missing claims, or not even a string. The cases are not
    /// told apart: the difference would only help an attacker.
    Invalid,
    /// The store could not answer. Nothing about the client is wrong.
    Unavailable,
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AuthError::Invalid => "Authentication error",
            AuthError::Unavailable => "Authentication failed",
        })
    }
}
// ANCHOR_END: errors

// EXERCISE: authenticate
// ANCHOR: authenticate
/// Connect middleware for `/`. It lets every socket in except one with an
/// invalid token, and attaches what the server knows:
///
/// - a valid token for a user in the store: the user's [`PublicUser`] and
///   the token's [`TokenExpiry`], in `socket.extensions`;
/// - no token, an expired one, or one whose user is gone: nothing. The
///   socket is anonymous, and handlers see `MaybeExtension<PublicUser>` as
///   `None`.
///
/// An expired token is not an attack: it is a visitor whose login ran out,
/// who may still read. A token that fails its signature is an attack, or a
/// bug, and gets `Authentication error`.
///
/// [`PublicUser`]: workbook::users::PublicUser
/// [`TokenExpiry`]: crate::expiry::TokenExpiry
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), AuthError> {
    use workbook::jwt::TokenError;

    let auth = auth.unwrap_or_default();
    let Some(token) = token_from(&auth)? else {
        return Ok(()); // no token: anonymous
    };
    // Verified, never merely decoded: HS256 only, `exp` with no leeway.
    let claims = match ctx.jwt.verify(token) {
        Ok(claims) => claims,
        Err(TokenError::Expired) => return Ok(()), // anonymous
        Err(TokenError::Invalid) => return Err(AuthError::Invalid),
    };
    match ctx.users.find_by_id(&claims.id).await {
        Ok(Some(user)) => {
            socket.extensions.insert(user.public());
            socket
                .extensions
                .insert(crate::expiry::TokenExpiry(claims.exp));
            Ok(())
        }
        // A genuine token for an account that is gone proves nothing about
        // who is here now: anonymous, like an expired one.
        Ok(None) => Ok(()),
        Err(e) => {
            // The cause for the operator, never the token.
            tracing::error!(user_id = %claims.id, error = %e, "cannot load the user");
            Err(AuthError::Unavailable)
        }
    }
}
// ANCHOR_END: authenticate
// EXERCISE_END: authenticate

/// The token, if the handshake brings one: `auth.token` and nowhere else
/// (a URL's query string ends up in logs). Missing, `null` and `""` mean
/// no token; any other value that is not a string is an invalid one.
pub fn token_from(auth: &Value) -> Result<Option<&str>, AuthError> {
    match auth.get("token") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(token)) if token.is_empty() => Ok(None),
        Some(Value::String(token)) => Ok(Some(token)),
        Some(_) => Err(AuthError::Invalid),
    }
}
