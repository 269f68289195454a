//! The socket side: the handshake is authenticated by the session cookie
//! the browser sends with it, and by nothing else.

use std::convert::Infallible;

use socketioxide::extract::{AckSender, Extension, SocketRef, State};
use workbook::users::PublicUser;

use crate::SessionAuth;
use crate::refusal::Refusal;
use crate::sessions::SessionKey;

// EXERCISE: authenticate
/// The connection middleware, in this order:
///
/// 1. `auth.origins.check(..)` on the handshake request's headers
///    (`socket.req_parts().headers`): refuse with
///    [`Refusal::OriginNotAllowed`];
/// 2. the session id from the cookie (`crate::cookie::session_id`), and
///    nothing else: none → [`Refusal::NotAuthenticated`];
/// 3. the session's user id (`auth.sessions.user_of(&SessionKey::of(&id))`),
///    then the user (`auth.ctx.users.find_by_id`): either missing →
///    [`Refusal::NotAuthenticated`]; a store error is logged and →
///    [`Refusal::Unavailable`].
///
/// Then insert `user.public()` and the [`SessionKey`] into
/// `socket.extensions`, where `register` finds them.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn authenticate(
    socket: SocketRef,
    State(auth): State<SessionAuth>,
) -> Result<(), Refusal> {
    todo!(
        "authenticate the handshake by its cookie, after checking Origin (chapter 10, \"The handshake\")"
    )
}
// EXERCISE_END: authenticate

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
