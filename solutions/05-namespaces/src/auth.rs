//! Authentication, as in lesson 02 and given (`workbook::handshake`), for
//! `/chat` and `/admin`: the token from `auth.token`, verified with
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
/// The same function guards both namespaces: a middleware is a plain
/// async function, so sharing one is writing its name twice. It joins no
/// room and counts no device: on `/admin` the role check comes after it and
/// may still refuse (chapter 04: a refusal leaves nothing behind).
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    let user = handshake::authenticate(&ctx, &auth.unwrap_or_default()).await?;
    socket.extensions.insert(user.public());
    Ok(())
}
