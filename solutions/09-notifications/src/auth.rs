//! Authentication, as in lesson 02, given (`workbook::handshake`): the
//! token from `auth.token`, verified with `ctx.jwt`, and the user it names
//! loaded from the store.

use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::Context;
use workbook::handshake::{self, AuthError};

/// Puts the socket's [`PublicUser`](workbook::users::PublicUser) in its
/// extensions. It joins no room and tracks nothing: that is the last
/// middleware's job ([`crate::events::register`]), once nothing can refuse.
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), AuthError> {
    let user = handshake::authenticate(&ctx, &auth.unwrap_or_default()).await?;
    socket.extensions.insert(user.public());
    Ok(())
}
