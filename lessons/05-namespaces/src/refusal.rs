//! Every way a namespace's guards can refuse a handshake. The `Display`
//! text is the client's `connect_error` message, so it is part of the
//! contract.

use workbook::handshake::AuthError;

/// Why a handshake was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No token at all.
    Required,
    /// Bad signature, another algorithm, malformed, missing claims, or a
    /// token that is not a string.
    Invalid,
    /// A genuine token past its `exp`.
    Expired,
    /// A genuine token for an account that no longer exists.
    UserNotFound,
    /// The store failed. The cause is logged; the client learns nothing.
    Unavailable,
    /// `/admin`: a real user, but not an administrator.
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
