//! The server's own `tracing` output, caught per test.
//!
//! Tests in one binary run side by side, so their servers' log lines must
//! not mix. Each test's server runs on threads named after the test (see
//! [`crate::run`]), and libtest names the test's own thread after it too: a
//! line is filed under the name of the thread that wrote it, and goes into
//! the test's [transcript](crate::transcript) as well.
//!
//! What is kept is chosen as a real server chooses it
//! ([`workbook::server::log_filter`]), from `RUST_LOG`: the test binary's
//! own, or the one a test gives its server in its settings
//! (`TestApp::spawn_with(&app, &[("RUST_LOG", "debug")])`), which holds for
//! that test's lines only.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, Once, RwLock};

use serde_json::Value;
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Metadata, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Filter, Layer as _, SubscriberExt};

use crate::threads::current_test;
use crate::transcript;

static LINES: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);

/// The filters tests set with `RUST_LOG` in their settings, by test.
static FILTERS: RwLock<Option<HashMap<String, Arc<EnvFilter>>>> = RwLock::new(None);

/// Installs the capturing subscriber, once per test binary.
pub(crate) fn capture() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let wanted = std::env::var("RUST_LOG").unwrap_or_default();
        let layer = tracing_subscriber::fmt::layer()
            .json()
            .with_writer(Capture)
            .with_filter(PerTest {
                default: workbook::server::log_filter(&wanted),
            });
        let subscriber = tracing_subscriber::registry().with(layer);
        // Another subscriber may already be set (a test that set its own):
        // then that one sees the lines, and this capture stays empty.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// Keeps the current test's lines as `RUST_LOG=wanted` would on a real
/// server, until the test ends.
pub(crate) fn filter_this_test(wanted: &str) {
    let filter = Arc::new(workbook::server::log_filter(wanted));
    let mut filters = FILTERS.write().unwrap_or_else(|e| e.into_inner());
    filters
        .get_or_insert_with(HashMap::new)
        .insert(current_test(), filter);
    drop(filters);
    // tracing remembers the most verbose level any filter wants: ask again.
    tracing::callsite::rebuild_interest_cache();
}

/// The filter `test` set, if any.
fn filter_of(test: &str) -> Option<Arc<EnvFilter>> {
    let filters = FILTERS.read().unwrap_or_else(|e| e.into_inner());
    filters.as_ref()?.get(test).cloned()
}

/// The test binary's filter, or the running test's own.
struct PerTest {
    default: EnvFilter,
}

impl<S: Subscriber> Filter<S> for PerTest {
    fn enabled(&self, meta: &Metadata<'_>, cx: &Context<'_, S>) -> bool {
        let any_own = FILTERS
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|filters| !filters.is_empty());
        match any_own.then(|| filter_of(&current_test())).flatten() {
            Some(own) => Filter::<S>::enabled(own.as_ref(), meta, cx),
            None => Filter::<S>::enabled(&self.default, meta, cx),
        }
    }

    /// Whether a call site logs depends on which test runs it: ask each time.
    fn callsite_enabled(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    /// The most verbose level of any filter in force, so that call sites
    /// below all of them cost nothing.
    fn max_level_hint(&self) -> Option<LevelFilter> {
        let filters = FILTERS.read().unwrap_or_else(|e| e.into_inner());
        let own = filters.iter().flat_map(|all| all.values());
        let mut most = Filter::<S>::max_level_hint(&self.default)?;
        for filter in own {
            most = most.max(Filter::<S>::max_level_hint(filter.as_ref())?);
        }
        Some(most)
    }
}

/// The current test's lines, parsed.
pub fn lines() -> Vec<Value> {
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

/// Drops the filter `test` set, once it has ended.
pub(crate) fn end(test: &str) {
    let mut filters = FILTERS.write().unwrap_or_else(|e| e.into_inner());
    let removed = filters.as_mut().and_then(|all| all.remove(test));
    drop(filters);
    if removed.is_some() {
        tracing::callsite::rebuild_interest_cache();
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
