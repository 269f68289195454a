//! Middleware 2, authentication, as in lesson 02 and given
//! (`workbook::handshake`): the token from `auth.token`, verified with
//! `ctx.jwt`, and the user it names loaded from the store.

use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::{Context, handshake};

use crate::refusal::Refusal;

/// Attaches the user to the socket (`socket.extensions`), where the next
/// middleware and the handlers read it with `Extension<PublicUser>`. Only
/// the public shape `{id, name, role}`: the password hash has no business
/// living on a socket for hours.
///
/// It joins no room and registers no handler: a later middleware may still
/// refuse, and a refused socket must leave nothing behind. socketioxide
/// would take a refused socket out of its rooms, but the lesson's own
/// tables are the lesson's to keep clean, so everything that outlives the
/// handshake happens at the end of the chain.
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    let user = handshake::authenticate(&ctx, &auth.unwrap_or_default()).await?;
    socket.extensions.insert(user.public());
    Ok(())
}
