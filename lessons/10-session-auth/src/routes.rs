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
/// `POST /session/login {username, password}` → `200 {"message": "Login
/// successful", "user": <the user's public shape>}`, with a `Set-Cookie`
/// header (`crate::cookie::session_cookie`) holding a new session id.
///
/// In this order: [`same_site_only`]; the credentials
/// (`workbook::auth::check_credentials`, whose error is the answer); if the
/// request already carries a session cookie, [`end_session`] for it; then
/// `web.auth.sessions.create(..)` (a store error is `ApiError::internal`)
/// and [`with_cookie`].
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
async fn login(
    State(web): State<Web>,
    headers: HeaderMap,
    JsonBody(form): JsonBody<Login>,
) -> Result<Response, ApiError> {
    todo!("check the password, end the old session, start a new one (chapter 10, \"Logging in\")")
}
// EXERCISE_END: login

// EXERCISE: logout
/// `POST /session/logout` → `200 {"message": "Logged out"}` with the
/// cleared cookie (`crate::cookie::cleared_cookie`), after [`same_site_only`].
/// If the request carries a session cookie, [`end_session`] for it; without
/// one there is nothing to end, and the answer is the same.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
async fn logout(State(web): State<Web>, headers: HeaderMap) -> Result<Response, ApiError> {
    todo!("end the browser's session (chapter 10, \"Logging out\")")
}

/// Ends the session `key`: deletes it from `web.auth.sessions` (a store
/// error is `ApiError::internal`), then sends each socket of its room
/// (`key.room()`, `web.io.within(..).sockets()`) `forceDisconnect
/// {"reason": "Logged out"}` and disconnects it.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn end_session(web: &Web, key: &SessionKey) -> Result<(), ApiError> {
    todo!("delete the session, then close its sockets (chapter 10, \"Logging out\")")
}
// EXERCISE_END: logout
