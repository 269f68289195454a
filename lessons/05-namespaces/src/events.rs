//! What each namespace does once its guards have said yes, and the one
//! guard of `/`, which is not a guard at all: it only logs.

use std::convert::Infallible;

use serde_json::Value;
use socketioxide::extract::{AckSender, Extension, SocketRef, State};
use workbook::users::PublicUser;

use crate::admin;
use crate::devices::Devices;

/// `/`'s middleware: one log line per attempt, and never a refusal.
/// Anyone may connect to `/`, with or without a token; it is not read.
pub async fn log_attempt(socket: SocketRef) -> Result<(), Infallible> {
    tracing::info!(namespace = "/", socket_id = %socket.id, "connection attempt");
    Ok(())
}

/// The events of an anonymous socket (`/` and `/public`): `whoami` answers
/// `null`, because nobody proved who they are. It registers and never
/// refuses; it is a middleware only so that the handler is in place before
/// socketioxide confirms the connection (lesson 02).
pub async fn register_anonymous(socket: SocketRef) -> Result<(), Infallible> {
    socket.on("whoami", async |ack: AckSender| {
        let _ = ack.send(&Value::Null);
    });
    Ok(())
}

/// The last middleware of `/chat`: nothing after it can refuse, so this is
/// where the socket joins its user's room (in this namespace: rooms belong
/// to one namespace) and starts counting as one of the user's devices.
pub async fn register_member(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    State(devices): State<Devices>,
) -> Result<(), Infallible> {
    settle(&socket, &user, &devices);
    Ok(())
}

/// The last middleware of `/admin`: a member's setup, and the admin events.
pub async fn register_admin(
    socket: SocketRef,
    Extension(user): Extension<PublicUser>,
    State(devices): State<Devices>,
) -> Result<(), Infallible> {
    settle(&socket, &user, &devices);
    socket.on("disconnect-user", admin::on_disconnect_user);
    socket.on("online-users", admin::online_users);
    Ok(())
}

fn settle(socket: &SocketRef, user: &PublicUser, devices: &Devices) {
    socket.join(format!("user:{}", user.id));
    socket.extensions.insert(devices.connect(user));
    socket.on("whoami", whoami);
}

/// `whoami` → ack `{id, name, role}`, the user as the store knows it.
pub async fn whoami(Extension(user): Extension<PublicUser>, ack: AckSender) {
    let _ = ack.send(&user);
}

/// Runs once a socket is in: a log line with the namespace and the user's
/// id when there is one (never a token).
pub async fn on_connect(socket: SocketRef) {
    let user_id = socket.extensions.get::<PublicUser>().map(|user| user.id);
    tracing::info!(namespace = socket.ns(), socket_id = %socket.id, ?user_id, "connected");
}
