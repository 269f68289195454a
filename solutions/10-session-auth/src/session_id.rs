//! The session id: the one secret a logged-in browser holds.

/// A session id, as it travels in the cookie. Anyone who has it *is* the
/// user until the session ends, so it is handled like a password: it is
/// never logged (its `Debug` says `<redacted>`, and it has no `Display`),
/// and the store keeps only its digest ([`crate::sessions::SessionKey`]).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl SessionId {
    // EXERCISE: generate
    // ANCHOR: generate
    /// A fresh id: 256 bits from a cryptographically secure generator
    /// (`rand::random` uses `rand::rng()`, a CSPRNG seeded by the operating
    /// system), written as 64 hex digits.
    ///
    /// Guessing is the attack: with 2^256 possible ids and even billions of
    /// live sessions, an attacker trying a million ids a second would wait
    /// far longer than the universe has existed. A counter, a timestamp or
    /// a hash of the username would be guessed in minutes. OWASP asks for
    /// at least 64 bits of entropy; 128 is the usual floor, 256 costs nothing.
    pub fn generate() -> Self {
        let bytes: [u8; 32] = rand::random();
        SessionId(hex(&bytes))
    }
    // ANCHOR_END: generate
    // EXERCISE_END: generate

    /// The id in a cookie value, if it looks like one of ours: 32 to 128
    /// characters, letters, digits, `-` or `_` (hex or URL-safe base64).
    /// Anything else is nobody's session, and is not worth a look-up.
    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = (32..=128).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| SessionId(text.to_owned()))
    }

    /// The id itself, for the one place it belongs: the `Set-Cookie`
    /// header. The name says it: every call is a place where it could leak.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(<redacted>)")
    }
}

/// `bytes` as lowercase hex, two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
