//! The conversation of one test: every HTTP request and answer, every
//! handshake, event, ack and disconnect of every client, and the server's
//! own log lines, in order, with the time since the test started.
//!
//! Nothing in a suite records anything: the harness's HTTP helpers and its
//! Socket.IO client write here as they go. When a test fails, the last
//! lines are printed under the failure (all of them with
//! `HARNESS_TRANSCRIPT=all`), so a learner sees the step where their server's
//! answer differed from what the test expected, without reading the suite.
//!
//! Secrets never appear whole: tokens, passwords and `Authorization`
//! values are cut to a recognisable prefix before they are stored.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;

use crate::threads::current_test;

/// How many lines a failure shows unless `HARNESS_TRANSCRIPT=all`.
const SHOWN: usize = 40;

struct Transcript {
    started: Instant,
    lines: Vec<String>,
}

static TRANSCRIPTS: Mutex<Option<HashMap<String, Transcript>>> = Mutex::new(None);

/// Starts `test`'s transcript afresh.
pub(crate) fn begin(test: &str) {
    let mut all = TRANSCRIPTS.lock().unwrap_or_else(|e| e.into_inner());
    all.get_or_insert_with(HashMap::new).insert(
        test.to_owned(),
        Transcript {
            started: Instant::now(),
            lines: Vec::new(),
        },
    );
}

/// Adds a line said by `who` (`http`, `ada#1 /chat`, `server`, `test`) to
/// the transcript of the test running on this thread.
pub fn record(who: &str, what: impl AsRef<str>) {
    let test = current_test();
    let mut all = TRANSCRIPTS.lock().unwrap_or_else(|e| e.into_inner());
    let Some(transcript) = all.as_mut().and_then(|all| all.get_mut(&test)) else {
        return;
    };
    let at = transcript.started.elapsed().as_secs_f64();
    transcript
        .lines
        .push(format!("{at:7.3}s [{who}] {}", what.as_ref()));
}

/// `test`'s transcript as a failure shows it, or `None` when it is empty.
pub(crate) fn rendered(test: &str) -> Option<String> {
    let all = TRANSCRIPTS.lock().unwrap_or_else(|e| e.into_inner());
    let lines = &all.as_ref()?.get(test)?.lines;
    if lines.is_empty() {
        return None;
    }
    let everything = std::env::var("HARNESS_TRANSCRIPT").is_ok_and(|v| v == "all");
    let skip = if everything {
        0
    } else {
        lines.len().saturating_sub(SHOWN)
    };
    let heading = if skip == 0 {
        format!("--- the conversation ({} lines) ---", lines.len())
    } else {
        format!(
            "--- the conversation (last {SHOWN} of {} lines; HARNESS_TRANSCRIPT=all or --verbose shows all) ---",
            lines.len()
        )
    };
    let body: Vec<&str> = lines[skip..].iter().map(String::as_str).collect();
    Some(format!(
        "{heading}\n{}\n--- end of the conversation ---",
        body.join("\n")
    ))
}

/// Keys whose string values are secrets.
const SECRET_KEYS: &[&str] = &[
    "token",
    "refreshToken",
    "refresh_token",
    "password",
    "authorization",
    "Authorization",
];

/// `value` as one line of JSON with every secret shortened.
pub fn show(value: &Value) -> String {
    let shown = redact(value.clone());
    let text = shown.to_string();
    // A 100 KB payload is not worth reading in full.
    if text.len() > 300 {
        format!("{}… ({} bytes)", cut(&text, 300), text.len())
    } else {
        text
    }
}

fn redact(value: Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| {
                    let value = match value {
                        Value::String(text) if SECRET_KEYS.contains(&key.as_str()) => {
                            Value::String(shorten(&text))
                        }
                        other => redact(other),
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        Value::String(text) if looks_like_a_jwt(&text) => Value::String(shorten(&text)),
        other => other,
    }
}

/// A secret cut to a prefix one can recognise and not use.
pub fn shorten(secret: &str) -> String {
    if secret.chars().count() <= 4 {
        return "…".repeat(secret.len().min(1));
    }
    let keep = (secret.chars().count() / 4).clamp(1, 10);
    format!("{}…", cut(secret, keep))
}

/// Cuts `text` after `n` characters, on a character boundary.
fn cut(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

fn looks_like_a_jwt(text: &str) -> bool {
    text.starts_with("eyJ") && text.matches('.').count() == 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_cut_to_a_prefix() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjEyMyJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        let shown = show(&json!({
            "username": "ada",
            "password": "correct horse battery staple",
            "auth": { "token": jwt },
            "nested": [jwt],
            "refreshToken": "0123456789abcdef0123456789abcdef",
        }));
        assert!(!shown.contains("correct horse battery staple"), "{shown}");
        assert!(!shown.contains(jwt), "{shown}");
        assert!(
            !shown.contains("0123456789abcdef0123456789abcdef"),
            "{shown}"
        );
        assert!(
            shown.contains("\"ada\"") && shown.contains("eyJhbGciOi…"),
            "{shown}"
        );
    }
}
