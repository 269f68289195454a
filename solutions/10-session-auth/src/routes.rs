//! `POST /session/login` and `POST /session/logout`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;
use socketioxide::SocketIo;
use workbook::auth::Login;
use workbook::http::{ApiError, JsonBody};

use crate::SessionAuth;
use crate::sessions::SessionKey;

/// What the routes need: the session side, and the Socket.IO server to
/// reach the sockets of a session that ends.
#[derive(Clone)]
pub struct Web {
    pub auth: SessionAuth,
    pub io: SocketIo,
}

pub fn routes(web: Web) -> Router {
    // `post` only: a `GET /session/logout` is a 405. A GET must never change
    // anything, or an `<img src=".../session/logout">` on any page would
    // log its visitors out (and `SameSite=Lax` sends cookies with
    // top-level GET navigations).
    Router::new()
        .route("/session/login", post(login))
        .route("/session/logout", post(logout))
        .with_state(web)
}

/// The same `Origin` rule as the handshake, for the two routes that change
/// a session: a form or a script on another site cannot log a browser in
/// (into the attacker's account) or out. `403 {"message":"Origin not allowed"}`.
pub fn same_site_only(web: &Web, headers: &HeaderMap) -> Result<(), ApiError> {
    web.auth
        .origins
        .check(headers)
        .map_err(|_| ApiError::forbidden("Origin not allowed"))
}

/// A JSON answer with a `Set-Cookie` header.
pub fn with_cookie(set_cookie: String, body: Value) -> Response {
    ([(SET_COOKIE, set_cookie)], Json(body)).into_response()
}

// EXERCISE: login
// ANCHOR: login
/// `POST /session/login {username, password}` → `200 {message, user}` and
/// a `Set-Cookie` with a brand-new session id.
///
/// New at every login, even for a browser that already has a session:
/// the session it had (whoever's it was) ends here. Keeping an id across
/// a login is session fixation: an attacker who planted a known id in the
/// victim's browser (through a subdomain, a shared computer, a link on a
/// careless site) would find it logged in as the victim.
async fn login(
    State(web): State<Web>,
    headers: HeaderMap,
    JsonBody(form): JsonBody<Login>,
) -> Result<Response, ApiError> {
    same_site_only(&web, &headers)?;
    let user = workbook::auth::check_credentials(&web.auth.ctx, &form).await?;
    if let Some(old) = crate::cookie::session_id(&headers) {
        end_session(&web, &SessionKey::of(&old)).await?;
    }
    let sessions = &web.auth.sessions;
    let id = sessions
        .create(&user.id)
        .await
        .map_err(ApiError::internal)?;
    let set_cookie = crate::cookie::session_cookie(&id, sessions.ttl(), web.auth.secure);
    let session = SessionKey::of(&id);
    tracing::info!(user_id = %user.id, session = session.short(), "logged in");
    let body = serde_json::json!({ "message": "Login successful", "user": user.public() });
    Ok(with_cookie(set_cookie, body))
}
// ANCHOR_END: login
// EXERCISE_END: login

// EXERCISE: logout
// ANCHOR: logout
/// `POST /session/logout` → `200 {message}` and a `Set-Cookie` that clears
/// the cookie. The session ends on the server, which is what counts: a
/// copy of the cookie kept elsewhere is worth nothing from now on.
/// Logging out without a session is not an error; there is nothing to do.
async fn logout(State(web): State<Web>, headers: HeaderMap) -> Result<Response, ApiError> {
    same_site_only(&web, &headers)?;
    if let Some(id) = crate::cookie::session_id(&headers) {
        end_session(&web, &SessionKey::of(&id)).await?;
    }
    let cleared = crate::cookie::cleared_cookie(web.auth.secure);
    Ok(with_cookie(
        cleared,
        serde_json::json!({ "message": "Logged out" }),
    ))
}

/// Deletes the session, then closes every socket it authenticated (its
/// room, `session:<key>`), each told why with `forceDisconnect`. The same
/// user's other sessions, on other browsers, are other rooms and stay.
///
/// The store first: a client that reconnects at once must find the
/// session gone, not slip in between the two steps.
pub async fn end_session(web: &Web, key: &SessionKey) -> Result<(), ApiError> {
    web.auth
        .sessions
        .delete(key)
        .await
        .map_err(ApiError::internal)?;
    let sockets = web.io.within(key.room()).sockets();
    for socket in &sockets {
        let reason = serde_json::json!({ "reason": "Logged out" });
        let _ = socket.emit("forceDisconnect", &reason);
        let _ = socket.clone().disconnect();
    }
    tracing::info!(
        session = key.short(),
        sockets = sockets.len(),
        "session ended"
    );
    Ok(())
}
// ANCHOR_END: logout
// EXERCISE_END: logout
