//! Authentication, as in lesson 02, for `/chat` and `/admin`: the token from
//! `auth.token`, verified with the shared `ctx.jwt` (HS256 only, no
//! leeway), and the user it names loaded from the store.

use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use workbook::Context;
use workbook::jwt::TokenError;

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
    let auth = auth.unwrap_or_default();
    let token = token_from(&auth)?.ok_or(Refusal::Required)?;
    let claims = ctx.jwt.verify(token).map_err(|e| match e {
        TokenError::Expired => Refusal::Expired,
        TokenError::Invalid => Refusal::Invalid,
    })?;
    let user = match ctx.users.find_by_id(&claims.id).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err(Refusal::UserNotFound),
        Err(e) => {
            tracing::error!(user_id = %claims.id, error = %e, "cannot load the user");
            return Err(Refusal::Unavailable);
        }
    };
    socket.extensions.insert(user.public());
    Ok(())
}

/// The token in `auth.token`, and only there. Missing, `null` and `""`
/// mean no token; any other value that is not a string is an invalid one.
fn token_from(auth: &Value) -> Result<Option<&str>, Refusal> {
    match auth.get("token") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(token)) if token.is_empty() => Ok(None),
        Some(Value::String(token)) => Ok(Some(token)),
        Some(_) => Err(Refusal::Invalid),
    }
}
