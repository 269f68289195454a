//! Every way a namespace's guards can refuse a handshake. The `Display`
//! text is the client's `connect_error` message, so it is part of the
//! contract.

use workbook::handshake::AuthError;

/// Why a handshake was refused; `#[error]` (thiserror) writes the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Authentication's refusals, with [`AuthError`]'s own words
    /// (`transparent`): written once, in `workbook::handshake`. A store that
    /// fails is `Refusal::Auth(AuthError::Unavailable)`: the cause is
    /// logged, the client learns nothing.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// `/admin`: a real user, but not an administrator.
    #[error("Admin access required")]
    AdminRequired,
}
