//! Verdicts that cannot be wrong in the four ways issue 21 found: stale
//! (reused after the environment changed), borrowed from another copy of
//! the workbook sharing the target dir, a skip counted as a pass, or given
//! by a grader swapped through a `[patch]`.
//!
//! Each runs the real `xtask` in a copy of the workbook (see `support`).

use std::path::Path;

use crate::support::*;

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

/// The variables the harness reads that `xtask` sets itself, whatever the
/// shell says: where the workbook is, and where to report.
const SET_BY_THE_GRADER: &[&str] = &["HARNESS_ROOT", "HARNESS_REPORT"];

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
        // Only the last verdict is on record: put the unchanged
        // environment's back, so that the run below differs from it in
        // `name` alone.
        let (code, out) = xtask(copy, &["check", "01"], &[]);
        assert_eq!(code, 0, "the solution passes:\n{out}");
        // An empty MONGODB_URI leaves the build as it is (a set one adds
        // the driver, and a new binary is never reused anyway): the run's
        // key alone must tell the two runs apart.
        let value = if name == "MONGODB_URI" {
            ""
        } else {
            "/nonexistent"
        };
        let (code, out) = xtask(copy, &["check", "01"], &[(name, value)]);
        if SET_BY_THE_GRADER.contains(&name.as_str()) {
            assert_eq!(code, 0, "{name} from the shell is overridden:\n{out}");
            continue;
        }
        assert!(
            !out.contains("unchanged since the last check"),
            "{name} changed, yet the verdict of a run without it was reused:\n{out}"
        );
    }
}

/// Two copies of the workbook, `a` and `b`, as a learner who keeps one
/// target dir for every project has them: cargo gives their crates the same
/// names there (each crate is named after its path inside its workspace),
/// and finds one copy's build fresh for the other when the other's files
/// are older. Each copy must still be graded against its own code and its
/// own snapshots.
#[test]
fn copies_sharing_a_target_dir_grade_their_own_files() {
    let _lock = one_at_a_time();
    let home = family_home("shared-target", 254);
    let (a, b, away) = (home.join("a"), home.join("b"), home.join("b.away"));
    if away.exists() {
        std::fs::rename(&away, &b).expect("bring b back");
    }
    for copy in [&a, &b] {
        sync_copy(copy);
        record_manifest(copy);
        solution_code(copy);
    }
    let (code, out) = xtask(&b, &["check", "01"], &[]);
    assert_eq!(code, 0, "b passes:\n{out}");

    // b is gone: a's build, fresh from b's, must not look for b's files.
    std::fs::rename(&b, &away).expect("move b away");
    let (code, out) = xtask(&a, &["check", "01"], &[]);
    assert_eq!(code, 0, "a passes once b is gone:\n{out}");

    // a goes back to the starter; then b is built again, later.
    put_starter(&a);
    std::fs::rename(&away, &b).expect("bring b back");
    let lib = b.join(LESSON).join("src/lib.rs");
    let mut text = std::fs::read_to_string(&lib).expect("read b's lesson");
    text.push_str("\n// b's own edit, built after a's starter was put back\n");
    put(&lib, text.as_bytes());
    let (code, out) = xtask(&b, &["check", "01"], &[]);
    assert_eq!(code, 0, "b passes again:\n{out}");
    let (code, out) = xtask(&a, &["check", "01"], &[]);
    assert!(
        code != 0 && out.contains("failing"),
        "a's starter fails, whatever b's build says:\n{out}"
    );
}

/// The lesson's crate as handed out.
fn put_starter(copy: &Path) {
    let mut files = Vec::new();
    let lesson = source_root().join(LESSON);
    walk(&lesson, &lesson, &mut files);
    for file in files {
        let bytes = std::fs::read(lesson.join(&file)).expect("read the starter");
        put(&copy.join(LESSON).join(file), &bytes);
    }
}

const LESSON_11: &str = "lessons/11-scale-out";
const SOLUTION_11: &str = "solutions/11-scale-out";

/// Lesson 11's solution on a machine without a MongoDB (and, when
/// `redis-server` is not installed, without a Redis): its cross-server
/// tests cannot run. They are counted apart, with what they need, and the
/// lesson is not passed; the reports say so too.
#[test]
fn a_skipped_test_is_not_a_pass() {
    // The golden fixtures' copy, whose shared crates are built already.
    let (_lock, copy) = pristine();
    sync_copy_with(copy, &[LESSON_11, SOLUTION_11]);
    record_manifest_of(copy, &[("scale-out", LESSON_11)]);
    solution_code_of(copy, SOLUTION_11, LESSON_11);
    let report = copy.join(".workbook/report.json");
    let junit = copy.join(".workbook/junit.xml");
    let args = [
        "check".to_owned(),
        "11".to_owned(),
        "--report".to_owned(),
        format!("json={}", report.display()),
        "--report".to_owned(),
        format!("junit={}", junit.display()),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out) = xtask(copy, &args, &[]);
    assert_ne!(code, 0, "a lesson with skipped tests is not passed:\n{out}");
    assert!(!out.contains("passed ("), "{out}");
    // With redis-server installed, check starts one: only MongoDB is missing.
    let need = if has_redis_server() {
        "MongoDB"
    } else {
        "Redis"
    };
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("11 scale-out"))
        .unwrap_or_default();
    assert!(
        line.contains(" pass; ") && line.contains(&format!(" need {need}: ")),
        "the skipped tests are counted apart, with what they need:\n{out}"
    );
    let report = std::fs::read_to_string(report).expect("the JSON report");
    assert!(report.contains("\"verdict\": \"incomplete\""), "{report}");
    assert!(report.contains("\"status\": \"skip\""), "{report}");
    let junit = std::fs::read_to_string(junit).expect("the JUnit report");
    assert!(
        junit.contains("<skipped message=\"not run: needs "),
        "{junit}"
    );
}

fn has_redis_server() -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| dir.join("redis-server").is_file())
    })
}

/// Where cargo finds insta's sources for the workbook: a folder of the
/// registry's, to point a `[patch]` at.
fn insta_sources() -> String {
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(source_root())
        .exec()
        .expect("run cargo metadata");
    let insta = metadata
        .packages
        .iter()
        .find(|p| p.name.as_str() == "insta")
        .expect("insta is a dependency");
    let folder = insta.manifest_path.parent().expect("a manifest's folder");
    folder.to_string()
}

/// A cargo config above the workbook swaps insta for a copy of its own
/// (here the registry's very sources, as a path): however the copy
/// behaves, the lesson is TAMPERED, not graded. Both ways cargo offers:
/// `[patch.crates-io]` and `paths`.
#[test]
fn a_patched_grader_is_tampered() {
    let _lock = one_at_a_time();
    let insta = insta_sources();
    let home = family_home("patched", 253);
    let copy = home.join("workbook");
    let config = home.join(".cargo/config.toml");
    let apart = std::fs::read_to_string(&config).expect("the family's config");
    for swap in [
        format!("[patch.crates-io]\ninsta = {{ path = {insta:?} }}\n"),
        format!("paths = [{insta:?}]\n"),
    ] {
        sync_copy(&copy);
        record_manifest(&copy);
        solution_code(&copy);
        // `paths` is a top-level key: it goes before any table.
        put(&config, format!("{swap}\n{apart}").as_bytes());
        let (code, out) = xtask(&copy, &["check", "01"], &[]);
        put(&config, apart.as_bytes());
        assert_ne!(code, 0, "{swap}:\n{out}");
        assert!(
            out.contains("TAMPERED") && out.contains("the crate insta comes from"),
            "{swap} is tampering:\n{out}"
        );
    }
}
