//! The session cookie: how the browser is told to hold the id, and how the
//! id comes back.

use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

use crate::session_id::SessionId;

/// The cookie's name. Short and generic: a name like `myapp_session` tells
/// a passer-by which framework to attack.
pub const SESSION_COOKIE: &str = "sid";

// EXERCISE: cookie
// ANCHOR: cookie
/// The `Set-Cookie` value that hands the browser its session id:
///
/// - `HttpOnly`: page scripts cannot read it (`document.cookie` does not
///   show it), so a cross-site scripting bug cannot send it elsewhere;
/// - `SameSite=Lax`: the browser leaves it off requests that other sites
///   start, except top-level navigations with `GET`; a form on another
///   site that posts here arrives without it;
/// - `Path=/`: sent with every request to this server, the Socket.IO
///   handshake at `/socket.io/` included;
/// - `Max-Age`: the browser forgets it when the session expires anyway;
/// - `Secure` (with `COOKIE_SECURE=1`): sent over HTTPS only, so nobody on
///   the network path reads it. Off by default only because the lesson's
///   server speaks plain HTTP on 127.0.0.1; behind HTTPS, always on.
pub fn session_cookie(id: &SessionId, ttl: Duration, secure: bool) -> String {
    let mut cookie = format!(
        "{SESSION_COOKIE}={}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}",
        id.expose(),
        ttl.as_secs()
    );
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}
// ANCHOR_END: cookie
// EXERCISE_END: cookie

/// The `Set-Cookie` value that makes the browser drop the cookie: the same
/// name, path and attributes, no value, and `Max-Age=0`.
pub fn cleared_cookie(secure: bool) -> String {
    let mut cookie = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

// ANCHOR: read
/// The session id in the request's `Cookie` header(s), if any. A header
/// holds `name=value` pairs separated by `;`; another cookie named like
/// ours with a value that cannot be an id is skipped.
pub fn session_id(headers: &HeaderMap) -> Option<SessionId> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == SESSION_COOKIE)
        .find_map(|(_, value)| SessionId::parse(value.trim()))
}
// ANCHOR_END: read
