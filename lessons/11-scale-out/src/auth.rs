//! Authentication, as in lesson 02 and given (`workbook::handshake`): the
//! token from `auth.token`, verified with `ctx.jwt`, and the user it names
//! loaded from the store.
//! Nothing here changes with a second server: the token is checked by its
//! signature, which every server can do with the same `JWT_SECRET`.

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{Extension, SocketRef, State, TryData};
use workbook::Context;
use workbook::handshake::{self, AuthError};
use workbook::users::{PublicUser, Role};

/// Why a handshake was refused; `#[error]` (thiserror) writes the client's
/// message. Authentication's refusals keep [`AuthError`]'s own words
/// (`transparent`), written once in `workbook::handshake`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("Admin access required")]
    AdminRequired,
}

/// Attaches the user (`{id, name, role}`) to the socket.
pub async fn authenticate<A: Adapter>(
    socket: SocketRef<A>,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    let user = handshake::authenticate(&ctx, &auth.unwrap_or_default()).await?;
    socket.extensions.insert(user.public());
    Ok(())
}

/// `/admin`'s second lock, as in lesson 05: the store's role, not the token's.
pub async fn require_admin(Extension(user): Extension<PublicUser>) -> Result<(), Refusal> {
    match user.role {
        Role::Admin => Ok(()),
        Role::User => Err(Refusal::AdminRequired),
    }
}
