//! Every way the chain can refuse a handshake, and the message each one
//! sends. socketioxide turns a middleware's error into the client's
//! `connect_error` with `{"message": error.to_string()}`, so the `Display`
//! text below is part of the contract.

use workbook::handshake::AuthError;

// ANCHOR: refusal
/// Why a handshake was refused. One type for the whole chain: each
/// middleware returns the variants that are its business, and whichever
/// refuses first is the answer the client gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Authentication: no token at all.
    Required,
    /// Authentication: bad signature, another algorithm, malformed, missing
    /// claims, or a token that is not a string.
    Invalid,
    /// Authentication: a genuine token past its `exp`.
    Expired,
    /// Authentication: a genuine token for an account that no longer exists.
    UserNotFound,
    /// The server could not decide (a store failed). The cause is logged
    /// for the operator; the client learns nothing about it.
    Unavailable,
    /// Authorization: the account is banned.
    Suspended,
    /// Per-IP limit: this address already holds its share of sockets.
    TooManyConnections,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::Required => "Authentication required",
            Refusal::Invalid => "Invalid token",
            Refusal::Expired => "Token expired",
            Refusal::UserNotFound => "User not found",
            Refusal::Unavailable => "Authentication failed",
            Refusal::Suspended => "Account suspended",
            Refusal::TooManyConnections => "Too many connections from this IP",
        })
    }
}
// ANCHOR_END: refusal

/// Authentication's refusals ([`workbook::handshake`]), as this chain's.
impl From<AuthError> for Refusal {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Required => Refusal::Required,
            AuthError::Invalid => Refusal::Invalid,
            AuthError::Expired => Refusal::Expired,
            AuthError::UserNotFound => Refusal::UserNotFound,
            AuthError::Unavailable => Refusal::Unavailable,
        }
    }
}
