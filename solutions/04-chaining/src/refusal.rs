//! Every way the chain can refuse a handshake, and the message each one
//! sends. socketioxide turns a middleware's error into the client's
//! `connect_error` with `{"message": error.to_string()}`, so the `Display`
//! text below is part of the contract.

use workbook::handshake::AuthError;

// ANCHOR: refusal
/// Why a handshake was refused. One type for the whole chain: each
/// middleware returns the variants that are its business, and whichever
/// refuses first is the answer the client gets. `#[error]` (thiserror)
/// writes each variant's `Display`: the words the client reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Authentication's refusals, word for word: no token, a bad or expired
    /// one, an account that no longer exists, or a store that failed.
    /// `transparent` shows the inner error's own text, so those words are
    /// written once, in [`AuthError`], for every lesson that authenticates.
    /// A guard here whose store fails answers as authentication does:
    /// `Refusal::Auth(AuthError::Unavailable)`, cause logged, client told
    /// nothing more.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Authorization: the account is banned.
    #[error("Account suspended")]
    Suspended,
    /// Per-IP limit: this address already holds its share of sockets.
    #[error("Too many connections from this IP")]
    TooManyConnections,
}
// ANCHOR_END: refusal
