//! Lesson 02's authentication, given (`workbook::handshake`): every socket
//! belongs to a user, whose name the chat messages carry.

use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::Context;
use workbook::handshake::{self, AuthError};

/// Connect middleware for `/`: the token's user, loaded from the store,
/// attached to the socket for the handlers (`Extension<PublicUser>`). Only
/// the public shape: a password hash has no business on a socket.
pub async fn authenticate(
    socket: SocketRef,
    State(ctx): State<Context>,
    TryData(auth): TryData<Value>,
) -> Result<(), AuthError> {
    let user = handshake::authenticate(&ctx, &auth.unwrap_or_default()).await?;
    socket.extensions.insert(user.public());
    Ok(())
}
