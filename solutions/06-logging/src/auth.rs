//! Lesson 02's authentication, given (`workbook::handshake`): `/chat` checks
//! the token after the logging middleware has written the attempt down.

use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::Context;
use workbook::handshake::{self, AuthError};

/// Connect middleware for `/chat`: the token's user, loaded from the store,
/// attached to the socket for the handlers (`Extension<PublicUser>`). Only
/// its public part: the socket lives as long as the connection, and a
/// password hash has no business there.
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), AuthError> {
    let user = handshake::authenticate(&ctx, &auth.unwrap_or_default()).await?;
    socket.extensions.insert(user.public());
    Ok(())
}
