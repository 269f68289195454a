//! Which web pages may open a socket with our users' cookies.
//!
//! A browser attaches a site's cookies to every request it sends there,
//! whichever page started it. A WebSocket is not covered by the same-origin
//! policy: any page, on any site, may open one to our server, and the
//! browser sends our cookie along. Cross-site WebSocket hijacking is that
//! page using the victim's session. What the page cannot forge is the
//! `Origin` header: the browser writes it, naming the page's own site. So
//! the handshake checks it.

use axum::http::HeaderMap;
use workbook::Config;

/// The `Origin`s that may open sockets: the server's own, or the list in
/// `ALLOWED_ORIGINS`. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct AllowedOrigins(pub Allowed);

#[derive(Clone, Debug)]
pub enum Allowed {
    /// The default: the origin the request was addressed to, `http://` (or
    /// `https://` with `COOKIE_SECURE=1`) and its `Host` header.
    SameOrigin { scheme: &'static str },
    /// `ALLOWED_ORIGINS`, each as `scheme://host[:port]`, in lower case.
    List(std::sync::Arc<[String]>),
}

/// The handshake came from a page of a site that is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OriginNotAllowed;

impl AllowedOrigins {
    /// Reads `ALLOWED_ORIGINS` (comma-separated); unset, only the server's
    /// own origin. A value that is not an origin stops the server, and so
    /// does `*`: with cookies, "every site" is the attack itself.
    pub fn from_config(config: &Config, secure: bool) -> anyhow::Result<Self> {
        let raw: String = config.knob("ALLOWED_ORIGINS", String::new())?;
        if raw.trim().is_empty() {
            let scheme = if secure { "https" } else { "http" };
            return Ok(AllowedOrigins(Allowed::SameOrigin { scheme }));
        }
        let mut list = Vec::new();
        for origin in raw.split(',').map(normalize).filter(|o| !o.is_empty()) {
            if origin == "*" {
                anyhow::bail!(
                    "ALLOWED_ORIGINS: \"*\" would let every site open sockets with your users' cookies; list the origins"
                );
            }
            let authority = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            if !authority.is_some_and(|a| !a.is_empty() && !a.contains('/')) {
                anyhow::bail!(
                    "ALLOWED_ORIGINS: {origin:?} is not an origin such as https://app.example.com"
                );
            }
            list.push(origin);
        }
        Ok(AllowedOrigins(Allowed::List(list.into())))
    }

    // EXERCISE: check
    // ANCHOR: check
    /// Lets a request through when it has no `Origin` header, or one that is
    /// allowed.
    ///
    /// No `Origin` means no browser page started the request: a command-line
    /// or server-side client, which holds no victim's cookie and can write
    /// any header it likes anyway. Refusing it would stop no attack. Every
    /// browser sends `Origin` on a WebSocket handshake and on a cross-site
    /// request, so the attack always carries one.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), OriginNotAllowed> {
        let Some(origin) = headers.get(axum::http::header::ORIGIN) else {
            return Ok(());
        };
        let origin = normalize(origin.to_str().map_err(|_| OriginNotAllowed)?);
        let allowed = match &self.0 {
            Allowed::SameOrigin { scheme } => headers
                .get(axum::http::header::HOST)
                .and_then(|host| host.to_str().ok())
                .is_some_and(|host| origin == format!("{scheme}://{}", normalize(host))),
            Allowed::List(list) => list.contains(&origin),
        };
        if allowed {
            Ok(())
        } else {
            Err(OriginNotAllowed)
        }
    }
    // ANCHOR_END: check
    // EXERCISE_END: check
}

/// An origin as browsers write it: lower case, without a trailing `/`.
pub fn normalize(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}
