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
    /// Lets a request through when it has no `Origin` header, or one that is
    /// allowed; otherwise `Err(OriginNotAllowed)`.
    ///
    /// Read the header `axum::http::header::ORIGIN` and compare it, after
    /// [`normalize`], with what `self.0` allows: for `Allowed::SameOrigin`,
    /// `<scheme>://<the Host header, normalized>`; for `Allowed::List`, one
    /// of the list. An `Origin` that is not valid text is not allowed.
    #[allow(unused_variables)] // Remove this line once the body uses its arguments.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), OriginNotAllowed> {
        todo!(
            "let pages of allowed origins in, and non-browser clients (chapter 10, \"Checking Origin\")"
        )
    }
    // EXERCISE_END: check
}

/// An origin as browsers write it: lower case, without a trailing `/`.
pub fn normalize(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}
