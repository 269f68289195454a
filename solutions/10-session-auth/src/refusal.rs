//! Every way the handshake can be refused, and the message each one sends.
//! socketioxide turns a middleware's error into the client's
//! `connect_error` with `{"message": error.to_string()}`.

/// Why a handshake was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The page that opened the socket belongs to a site that is not in
    /// `ALLOWED_ORIGINS`.
    OriginNotAllowed,
    /// No session cookie, or one whose session does not exist (any more).
    NotAuthenticated,
    /// The server could not decide (a store failed). The cause is logged
    /// for the operator; the client learns nothing about it.
    Unavailable,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::OriginNotAllowed => "Origin not allowed",
            Refusal::NotAuthenticated => "Not authenticated",
            Refusal::Unavailable => "Authentication failed",
        })
    }
}
