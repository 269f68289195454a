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
/// The `Set-Cookie` value that hands the browser its session id:
/// `sid=<id>` ([`SESSION_COOKIE`], `id.expose()`), then the attributes
/// `HttpOnly`, `SameSite=Lax`, `Path=/`, `Max-Age=<ttl in seconds>`, and
/// `Secure` when `secure` is true, each after a `; `.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub fn session_cookie(id: &SessionId, ttl: Duration, secure: bool) -> String {
    todo!("write the session cookie and its attributes (chapter 10, \"The cookie\")")
}
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
