//! Verdicts that cannot be wrong in the four ways issue 21 found: stale
//! (reused after the environment changed), borrowed from another copy of
//! the workbook sharing the target dir, a skip counted as a pass, or given
//! by a grader swapped through a `[patch]`.
//!
//! Each runs the real `xtask` in a copy of the workbook (see `support`).

use std::path::Path;

use support::*;

mod support;

/// Every variable the harness and the suites read (`env::var("X")` or
/// `var_os("X")` anywhere in `tests/src`), found by reading the sources,
/// so that a new one cannot be forgotten.
fn variables_the_suites_read() -> Vec<String> {
    let mut names = Vec::new();
    let harness = source_root().join("tests/src");
    let mut files = Vec::new();
    walk(&harness, &harness, &mut files);
    for file in files.iter().filter(|f| f.ends_with(".rs")) {
        let text = std::fs::read_to_string(harness.join(file)).expect("read the harness");
        for call in ["var(\"", "var_os(\""] {
            for (at, _) in text.match_indices(call) {
                let rest = &text[at + call.len()..];
                let name = &rest[..rest.find('"').expect("a closing quote")];
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
        }
    }
    names.sort();
    names
}

/// A value for `name` that differs from the caller's, and for the harness's
/// own root something that still finds the snapshots.
fn another_value(copy: &Path, name: &str) -> String {
    if name == "HARNESS_ROOT" {
        return copy.display().to_string();
    }
    "1".to_owned()
}

/// `check` reuses a verdict only when the binary and everything a suite
/// reads are as they were: each variable, changed in turn, makes a fresh
/// run.
#[test]
fn a_changed_variable_is_never_unchanged_since_the_last_check() {
    let (_lock, copy) = pristine();
    record_manifest(copy);
    solution_code(copy);
    let (code, first) = xtask(copy, &["check", "01"], &[]);
    assert_eq!(code, 0, "the solution passes:\n{first}");
    let (_, again) = xtask(copy, &["check", "01"], &[]);
    assert!(
        again.contains("unchanged since the last check"),
        "nothing changed, so the verdict is reused:\n{again}"
    );
    let names = variables_the_suites_read();
    for must in [
        "REDIS_URL",
        "REQUIRE_REDIS",
        "HARNESS_TRANSCRIPT",
        "MONGODB_URI",
    ] {
        assert!(
            names.iter().any(|n| n == must),
            "{must} not found in {names:?}"
        );
    }
    for name in &names {
        let value = another_value(copy, name);
        let (_, out) = xtask(copy, &["check", "01"], &[(name, &value)]);
        assert!(
            !out.contains("unchanged since the last check"),
            "{name}={value} reused the verdict of a run without it:\n{out}"
        );
    }
}
