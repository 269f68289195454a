//! The authentication middleware: from a handshake's `auth.token` to a user
//! attached to the socket, or a refusal the client can act on.

use jsonwebtoken::DecodingKey;
use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::Context;
use workbook::jwt::Claims;

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

// EXERCISE: authenticate
/// Connect middleware for `/`: find the token ([`token_from`]), verify it
/// ([`verify`]), load the user its `id` names from `ctx.users`, join the
/// socket to the room `user:<id>`, and attach the user with
/// `socket.extensions.insert(user.public())`, where the handlers read it. Each
/// failure is an [`AuthError`]; a store error is logged (never with the
/// token) and refused as `Unavailable`.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), AuthError> {
    todo!("verify the token and attach its user (chapter 02, \"The middleware\")")
}
// EXERCISE_END: authenticate

// EXERCISE: token_from
/// The token, if the handshake's `auth` brings one in `token`, and only
/// there. Missing, `null` and `""` mean no token (`Ok(None)`); any other
/// value that is not a string is [`AuthError::Invalid`].
#[allow(unused_variables)] // Remove this line once the body uses `auth`.
pub fn token_from(auth: &Value) -> Result<Option<&str>, AuthError> {
    todo!("read auth.token (chapter 02, \"Where the token travels\")")
}
// EXERCISE_END: token_from

// EXERCISE: verify
/// The token's claims, if `key` signed it with HS256 and it has not
/// expired (no leeway). `jsonwebtoken::decode` with a `Validation` does the
/// work; an expired token is [`AuthError::Expired`], anything else wrong is
/// [`AuthError::Invalid`].
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub fn verify(token: &str, key: &DecodingKey) -> Result<Claims, AuthError> {
    todo!("verify, never just decode (chapter 02, \"Verifying a token\")")
}
// EXERCISE_END: verify
