//! The server's own `tracing` output, caught per test.
//!
//! Tests in one binary run side by side, so their servers' log lines must
//! not mix. Each test's server runs on threads named after the test (see
//! [`crate::run`]), and libtest names the test's own thread after it too: a
//! line is filed under the name of the thread that wrote it, and goes into
//! the test's [transcript](crate::transcript) as well.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, Once};

use serde_json::Value;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::transcript::{self, current_test};

static LINES: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);

/// Installs the capturing subscriber, once per test binary. `RUST_LOG`
/// chooses what is kept, as for a real server (default `info`).
pub(crate) fn capture() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(Capture)
            .finish();
        // Another subscriber may already be set (a test that set its own):
        // then that one sees the lines, and this capture stays empty.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// The current test's lines, parsed.
pub(crate) fn lines() -> Vec<Value> {
    raw(&current_test())
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// The lines `test` logged, as written.
fn raw(test: &str) -> Vec<String> {
    let lines = LINES.lock().unwrap_or_else(|e| e.into_inner());
    lines
        .as_ref()
        .and_then(|all| all.get(test))
        .cloned()
        .unwrap_or_default()
}

/// Forgets `test`'s lines, so a test name run twice starts clean.
pub(crate) fn clear(test: &str) {
    let mut lines = LINES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(all) = lines.as_mut() {
        all.remove(test);
    }
}

/// One record as a reader wants it: `LEVEL target: message key=value ...`.
fn render(line: &str) -> String {
    let Ok(Value::Object(record)) = serde_json::from_str::<Value>(line) else {
        return line.to_owned();
    };
    let text = |key: &str| record.get(key).and_then(Value::as_str).unwrap_or("");
    let mut out = format!("{:>5} {}:", text("level"), text("target"));
    if let Some(Value::Object(fields)) = record.get("fields") {
        if let Some(message) = fields.get("message").and_then(Value::as_str) {
            out.push(' ');
            out.push_str(message);
        }
        for (key, value) in fields.iter().filter(|(key, _)| *key != "message") {
            match value {
                Value::String(text) => out.push_str(&format!(" {key}={text}")),
                other => out.push_str(&format!(" {key}={other}")),
            }
        }
    }
    out
}

struct Capture;

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line(Vec::new())
    }
}

/// One record: the JSON formatter writes it whole, then drops the writer.
struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let text = text.trim_end();
        if text.is_empty() {
            return;
        }
        transcript::record("server", render(text));
        let mut lines = LINES.lock().unwrap_or_else(|e| e.into_inner());
        lines
            .get_or_insert_with(HashMap::new)
            .entry(current_test())
            .or_default()
            .push(text.to_owned());
    }
}
