//! The environment a suite binary runs in: ONE list of what it is given,
//! which is also what the cache keys a verdict on (`fresh::run_key`).
//!
//! A verdict can only be reused when nothing that decides it changed. The
//! harness and the suites read a handful of variables (a MongoDB to store
//! users in, a Redis for lesson 11, how long a wait may take, how much of a
//! conversation to print), and the learner's code may read any variable it
//! likes. So a suite gets nothing from the learner's shell but the variables
//! listed here, and the cache key hashes exactly the environment it gets: a
//! variable cannot change an outcome without changing the key.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

/// Passed on from the learner's shell when set. Every variable the harness
/// and the suites read is here (`tests/src`, checked by a test below), with
/// the few a process needs to run at all.
pub const PASSED_ON: &[&str] = &[
    // The harness and the suites.
    "MONGODB_URI",
    "REQUIRE_MONGODB",
    "REDIS_URL",
    "REQUIRE_REDIS",
    "HARNESS_TIMEOUT_MS",
    "HARNESS_TRANSCRIPT",
    "HARNESS_LOG",
    // The server's log filter, and libtest's own knobs.
    "RUST_LOG",
    "RUST_TEST_THREADS",
    "RUST_MIN_STACK",
    // What any process may need to start, load its libraries and find a
    // temporary folder.
    "PATH",
    "LD_LIBRARY_PATH",
    "DYLD_LIBRARY_PATH",
    "DYLD_FALLBACK_LIBRARY_PATH",
    "HOME",
    "TMPDIR",
    "TEMP",
    "TMP",
    "SYSTEMROOT",
];

/// Where the harness finds the workbook it grades (its suites' snapshots),
/// rather than the path compiled into a binary another copy may have built.
pub const ROOT_VAR: &str = "HARNESS_ROOT";

/// The file a run's harness reports its skipped tests to (set per run by
/// `run`; an output, so not part of what keys a verdict).
pub const REPORT_VAR: &str = "HARNESS_REPORT";

/// Whether suites print each failing test's whole conversation with the
/// server rather than its last lines (`check --verbose`).
static WHOLE_CONVERSATIONS: AtomicBool = AtomicBool::new(false);

pub fn show_whole_conversations() {
    WHOLE_CONVERSATIONS.store(true, Ordering::Relaxed);
}

/// The whole environment of a suite run in `root`, sorted by name.
///
/// insta would otherwise pass a mismatching snapshot, or write the learner's
/// output over it, when told to by `INSTA_UPDATE` (`always`, `force`,
/// `unseen`, or `auto` outside CI), `INSTA_FORCE_PASS=1`, the deprecated
/// `INSTA_FORCE_UPDATE(_SNAPSHOTS)=1`, or `behavior.force_pass` /
/// `behavior.update` in an `insta.yaml`, `.insta.yaml` or
/// `.config/insta.yaml`. No `INSTA_*` variable is passed on, and the ones
/// that matter are set explicitly: insta reads its config file only for the
/// settings whose variable is unset or empty. Nor are `RUST_TEST_NOCAPTURE`
/// (it would mix every test's output into one stream) or `CLICOLOR_FORCE`
/// (colour codes would break reading it).
pub fn suite_env(root: &Path) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = PASSED_ON
        .iter()
        .filter_map(|name| Some((OsString::from(name), std::env::var_os(name)?)))
        .collect();
    let fixed: [(&str, OsString); 8] = [
        ("INSTA_UPDATE", "no".into()),
        ("INSTA_FORCE_PASS", "0".into()),
        ("INSTA_REQUIRE_FULL_MATCH", "0".into()),
        ("INSTA_OUTPUT", "diff".into()),
        ("INSTA_GLOB_FAIL_FAST", "0".into()),
        ("INSTA_WORKSPACE_ROOT", root.into()),
        ("RUST_BACKTRACE", "0".into()),
        (ROOT_VAR, root.into()),
    ];
    for (name, value) in fixed {
        set(&mut env, name, value);
    }
    if WHOLE_CONVERSATIONS.load(Ordering::Relaxed) {
        set(&mut env, "HARNESS_TRANSCRIPT", "all".into());
    }
    env.sort();
    env
}

/// Sets `name` to `value` in `env`, keeping it sorted.
pub fn set(env: &mut Vec<(OsString, OsString)>, name: &str, value: OsString) {
    env.retain(|(n, _)| n != name);
    env.push((name.into(), value));
    env.sort();
}

/// `program`, to be run with exactly `env`.
pub fn command(program: &Path, env: &[(OsString, OsString)]) -> Command {
    let mut command = Command::new(program);
    command.env_clear().envs(env.iter().map(|(k, v)| (k, v)));
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `env::var("X")` / `var_os("X")` in the harness and the suites
    /// names a variable that is passed on (and so keys the cache).
    #[test]
    fn every_variable_the_harness_reads_is_passed_on() {
        let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/src");
        let mut missing = Vec::new();
        for entry in crate::engine::files::entries(&harness) {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            for name in read_variables(&text) {
                if !PASSED_ON.contains(&name.as_str()) && name != ROOT_VAR && name != REPORT_VAR {
                    missing.push(format!("{name} ({})", entry.path().display()));
                }
            }
        }
        assert!(missing.is_empty(), "not passed on: {missing:?}");
    }

    /// The names in `var("NAME")` and `var_os("NAME")` calls.
    fn read_variables(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        for call in ["var(\"", "var_os(\""] {
            for (at, _) in text.match_indices(call) {
                let rest = &text[at + call.len()..];
                if let Some(end) = rest.find('"') {
                    names.push(rest[..end].to_owned());
                }
            }
        }
        names
    }
}
