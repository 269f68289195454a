//! The handshake: who is this socket? Three answers, not two.
//!
//! A server with public pages lets visitors in without an account, so "no
//! token" is not a reason to refuse. What it must never do is guess: a
//! token that does not verify is refused outright, and a socket the server
//! cannot vouch for is anonymous, never "whoever the token says".

use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::Context;

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

// EXERCISE: authenticate
/// Connect middleware for `/`: lets every socket in except one with an
/// invalid token. Read the token with [`token_from`] (`auth.unwrap_or_default()`
/// first); no token → `Ok(())`, anonymous. Verify it with `ctx.jwt.verify`:
/// expired → anonymous, invalid → [`AuthError::Invalid`]. Load the user
/// from `ctx.users.find_by_id`: found → insert `user.public()` and
/// [`TokenExpiry`](crate::expiry::TokenExpiry)`(claims.exp)` into
/// `socket.extensions`; not found → anonymous; a store error → log it
/// (never the token) and refuse with [`AuthError::Unavailable`].
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), AuthError> {
    todo!("anonymous, authenticated or refused (chapter 12, \"Who is this\")")
}
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
