//! Why a handshake was refused, in a shape a client program can act on.
//!
//! A message such as `Token expired` is written for people. A client that
//! must decide between refreshing its token and sending the user back to the
//! login page needs something it can match on instead: a `type` that never
//! changes when the wording does. Node's Socket.IO sends it as the error's
//! `data` field. socketioxide's `connect_error` packet holds only a message,
//! so the whole document travels inside the message, as JSON:
//!
//! ```json
//! {"message": "Token expired", "data": {"type": "TOKEN_EXPIRED"}}
//! ```

use std::fmt;

/// Every way the authentication middleware can refuse a socket. The
/// middleware returns it as its error, and socketioxide sends its
/// [`Display`](fmt::Display) text as the `connect_error` message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// No `auth.token`, or a `null` or empty one.
    AuthRequired,
    /// A bad signature, another algorithm, a malformed token, or a token
    /// that is not a string.
    InvalidToken,
    /// A genuine token past its `exp`: the client may refresh it.
    TokenExpired,
    /// A genuine token for a user who no longer exists.
    UserNotFound,
    /// The user store failed; the client may try again later.
    Unavailable,
}

impl AuthError {
    /// What a person is told.
    pub fn message(self) -> &'static str {
        match self {
            AuthError::AuthRequired => "No token provided",
            AuthError::InvalidToken => "Invalid token",
            AuthError::TokenExpired => "Token expired",
            AuthError::UserNotFound => "User not found",
            AuthError::Unavailable => "Service unavailable",
        }
    }

    // EXERCISE: kind
    /// What a program matches on: `AUTH_REQUIRED`, `INVALID_TOKEN`,
    /// `TOKEN_EXPIRED`, `USER_NOT_FOUND` (contract §03), and `UNAVAILABLE`.
    /// Clients depend on these strings, so they never change.
    pub fn kind(self) -> &'static str {
        todo!("name each variant's type (chapter 03, \"A type for every refusal\")")
    }
    // EXERCISE_END: kind
}

// EXERCISE: fmt
/// The `connect_error` message: a JSON document rather than a sentence.
/// `serde_json` writes it, so quotes in a message could never break it.
impl fmt::Display for AuthError {
    /// Writes `{"message": ..., "data": {"type": ...}}`.
    #[allow(unused_variables)] // Remove this line once the body uses `f`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!("write the JSON document (chapter 03, \"Data inside the message\")")
    }
}
// EXERCISE_END: fmt

impl std::error::Error for AuthError {}
