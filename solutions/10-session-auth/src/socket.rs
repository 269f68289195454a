//! The socket side: the handshake is authenticated by the session cookie
//! the browser sends with it, and by nothing else.

use std::convert::Infallible;

use socketioxide::extract::{AckSender, Extension, SocketRef, State};
use workbook::users::PublicUser;

use crate::SessionAuth;
use crate::refusal::Refusal;
use crate::sessions::SessionKey;

// EXERCISE: authenticate
// ANCHOR: authenticate
/// The connection middleware. In this order:
///
/// 1. the `Origin` check, first: a foreign page is refused whatever it
///    carries, and learns nothing about its victim's session;
/// 2. the session id from the `Cookie` header of the handshake request
///    (`socket.req_parts()`), never from `auth` or the query string, which
///    a page's script writes: the cookie is the one thing the browser adds
///    by itself, out of reach of any script;
/// 3. the session, then its user, from the stores.
///
/// The user and the session's key go on the socket; `register` joins
/// their rooms.
pub async fn authenticate(
    socket: SocketRef,
    State(auth): State<SessionAuth>,
) -> Result<(), Refusal> {
    let headers = &socket.req_parts().headers;
    auth.origins.check(headers).map_err(|_| {
        tracing::warn!(socket_id = %socket.id, origin = ?headers.get("origin"), "foreign origin refused");
        Refusal::OriginNotAllowed
    })?;
    let id = crate::cookie::session_id(headers).ok_or(Refusal::NotAuthenticated)?;
    let key = SessionKey::of(&id);
    let user_id = match auth.sessions.user_of(&key).await {
        Ok(Some(user_id)) => user_id,
        Ok(None) => return Err(Refusal::NotAuthenticated),
        Err(e) => {
            tracing::error!(session = key.short(), error = %e, "cannot read the sessions");
            return Err(Refusal::Unavailable);
        }
    };
    let user = match auth.ctx.users.find_by_id(&user_id).await {
        Ok(Some(user)) => user,
        // The session outlived its account: nobody to let in.
        Ok(None) => return Err(Refusal::NotAuthenticated),
        Err(e) => {
            tracing::error!(%user_id, error = %e, "cannot load the user");
            return Err(Refusal::Unavailable);
        }
    };
    socket.extensions.insert(user.public());
    socket.extensions.insert(key);
    Ok(())
}
// ANCHOR_END: authenticate
// EXERCISE_END: authenticate

// ANCHOR: register
/// The last middleware: joins `user:<id>` and the session's own room, which
/// logout empties, and registers the events. (In a middleware, not the
/// connect handler, for the reason lesson 02 gives.)
pub async fn register(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    Extension(key): Extension<SessionKey>,
) -> Result<(), Infallible> {
    socket.join(format!("user:{}", user.id));
    socket.join(key.room());
    socket.on("whoami", whoami);
    Ok(())
}
// ANCHOR_END: register

/// `whoami` → ack `{id, name, role}`.
async fn whoami(Extension(user): Extension<PublicUser>, ack: AckSender) {
    let _ = ack.send(&user);
}

/// A log line per connection, with the user's id and the session's short
/// key: enough to follow it, nothing that logs anyone in.
pub async fn on_connect(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    Extension(key): Extension<SessionKey>,
) {
    tracing::info!(user_id = %user.id, session = key.short(), socket_id = %socket.id, "connected");
}
