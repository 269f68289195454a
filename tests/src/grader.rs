//! What the harness tells the grader, beside libtest's text: how each test
//! ended, in one JSON line per test, appended to the file the grader names
//! in `HARNESS_REPORT`.
//!
//! libtest's plain output is made for people, and says nothing of a test
//! that was skipped: a skipped test "passes", and a grader reading only
//! that would count a test that never ran as a pass. So every test run
//! through [`crate::run`] ends with a line
//! `{"test", "status": "passed"|"failed"|"skipped", "message", "place",
//! "transcript", "need", "how"}`; the last line about a test is the one
//! that counts.

use std::collections::HashSet;
use std::io::Write as _;
use std::sync::Mutex;

/// The tests that called [`skip`], so that their last line says so.
static SKIPPED: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// How a test ended, for [`finished`].
pub(crate) struct Ending<'a> {
    pub failed: bool,
    /// The panic's message and where it was raised.
    pub message: Option<&'a str>,
    pub place: Option<&'a str>,
    pub transcript: Option<&'a str>,
}

/// Writes `test`'s last line.
pub(crate) fn finished(test: &str, ending: &Ending) {
    let skipped = SKIPPED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .is_some_and(|s| s.contains(test));
    let status = match (ending.failed, skipped) {
        (true, _) => "failed",
        (false, true) => "skipped",
        (false, false) => "passed",
    };
    let mut line = serde_json::json!({ "test": test, "status": status });
    for (key, value) in [
        ("message", ending.message),
        ("place", ending.place),
        ("transcript", ending.transcript),
    ] {
        if let Some(value) = value {
            line[key] = value.into();
        }
    }
    if status != "skipped" {
        write_line(test, &line);
    }
}

fn write_line(test: &str, line: &serde_json::Value) {
    let Some(path) = std::env::var_os("HARNESS_REPORT").filter(|p| !p.is_empty()) else {
        return;
    };
    // One `write` of a whole line to a file opened for appending: lines
    // from tests running side by side do not interleave.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(format!("{line}\n").as_bytes()));
    if let Err(e) = written {
        panic!("cannot tell the grader how {test} ended: {e}");
    }
}

/// Skips the test `test`, which needs `need` (e.g. `Redis`) that this
/// machine does not provide; `how` says how to provide it. Says so on
/// stderr, and to the grader.
pub fn skip(test: &str, need: &str, how: &str) {
    eprintln!("SKIPPED {test}: needs {need} ({how})");
    let line = serde_json::json!({
        "test": test,
        "status": "skipped",
        "need": need,
        "how": how,
    });
    SKIPPED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashSet::new)
        .insert(test.to_owned());
    write_line(test, &line);
}
