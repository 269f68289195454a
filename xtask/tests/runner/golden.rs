//! Golden fixtures: the real `xtask` binary grading lesson 01 (and 02, for
//! an ack) in a copy of the workbook, once per outcome a learner can reach,
//! including every way insta could be talked into passing a mismatch. The
//! copy's stdout and its three reports are insta snapshots in
//! `tests/runner/golden/<fixture>/`, with times, ids and paths filtered out.
//! A change shows as a diff: `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test -p xtask --test runner golden::`) records it;
//! read it before committing it.
//!
//! In stdout, a failing test's conversation is pinned line by line, so the
//! transcript of each kind of failure is fixed here: a refused handshake
//! (`failing`), an event that never comes (`missing-event`), a wrong ack
//! (`wrong-ack`) and an HTTP status (`http-status`).
//!
//! The copy lives at a fixed path and builds into the shared target dir, and
//! its files are rewritten only when their content changes, so cargo reuses
//! everything but the lesson crate between fixtures and between runs.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::Path;
use std::process::Command;

use crate::support::*;

/// The solution, except that it refuses with the wrong words: six
/// snapshots mismatch and nothing panics.
fn wrong_code(copy: &Path) {
    solution_code(copy);
    edit(
        copy,
        &format!("{LESSON}/src/lib.rs"),
        "Err(\"Authentication required\")",
        "Err(\"Authentication needed\")",
    );
}

/// The reports each run writes, and how each escapes the text it quotes.
const REPORTS: [(&str, &str, Format); 3] = [
    ("json", "report.json", Format::Json),
    ("junit", "junit.xml", Format::Xml),
    ("classroom", "classroom.json", Format::Json),
];

/// Runs `cargo xtask check <args>` in the copy with `env`, compares its
/// stdout and reports with the snapshots of `name`, and returns stdout
/// unfiltered.
fn run(copy: &Path, name: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let stdout = xtask_check(copy, args, env);
    let mut outputs = vec![("stdout", stdout.clone(), Format::Text)];
    for (_, file, format) in REPORTS {
        let text = std::fs::read_to_string(reports_dir(copy).join(file))
            .unwrap_or_else(|e| panic!("{name}: the {file} report was not written: {e}\n{stdout}"));
        outputs.push((file, text, format));
    }
    // Every output is compared before the first mismatch fails the test,
    // so that one run shows (and `cargo insta review` offers) all of them.
    let mismatches: Vec<_> = outputs
        .into_iter()
        .filter_map(|(file, text, format)| {
            let settings = settings(copy, name, args, format);
            let snapshot = file.replace('.', "-");
            catch_unwind(AssertUnwindSafe(|| {
                settings.bind(|| insta::assert_snapshot!(snapshot, text));
            }))
            .err()
        })
        .collect();
    if let Some(mismatch) = mismatches.into_iter().next() {
        resume_unwind(mismatch);
    }
    stdout
}

fn reports_dir(copy: &Path) -> std::path::PathBuf {
    copy.join(".workbook/golden")
}

/// `cargo xtask check <args> --fresh` in the copy, writing every report:
/// its exit code, stdout and any stderr.
fn xtask_check(copy: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .current_dir(copy)
        .arg("check")
        .args(args)
        .args(["--fresh"]);
    for (kind, file, _) in REPORTS {
        command
            .arg("--report")
            .arg(format!("{kind}={}", reports_dir(copy).join(file).display()));
    }
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("INSTA_") {
            command.env_remove(&key);
        }
    }
    // The goldens grade on the in-memory store: with MongoDB, a failing
    // test also says which database it kept, a name that changes each run.
    command
        .env_remove("MONGODB_URI")
        .env_remove("HARNESS_LOG")
        .env_remove("HARNESS_TRANSCRIPT")
        .env("CARGO_TARGET_DIR", target_dir())
        .envs(env.iter().copied());
    let output = command.output().expect("run xtask");
    let mut stdout = format!(
        "exit: {}\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stderr.trim().is_empty() {
        stdout.push_str(&format!("--- stderr ---\n{stderr}"));
    }
    stdout
}

/// How a file escapes the text it quotes.
#[derive(Clone, Copy, PartialEq)]
enum Format {
    Text,
    Json,
    Xml,
}

/// Where fixture `name`'s snapshots live, and the filters for what varies
/// from run to run: the copy's location, ids, times, the harness's line
/// numbers and the conversations (see [`conversation_filters`]).
fn settings(copy: &Path, name: &str, args: &[&str], format: Format) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("golden/{name}"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let command = ["cargo xtask check"].iter().chain(args).copied();
    settings.set_description(command.collect::<Vec<_>>().join(" "));
    settings.add_filter(&regex::escape(&copy.display().to_string()), "[workbook]");
    // A user's id, 24 hex digits (a MongoDB ObjectId, in either store).
    settings.add_filter(r"\b[0-9a-fA-F]{24}\b", "[id]");
    conversation_filters(&mut settings, format);
    // `tests/src/socket.rs:219:17`: places in the harness and the suites
    // move whenever they are edited, and say nothing about the runner.
    settings.add_filter(
        r"(tests/src/[A-Za-z0-9/_.-]*\.rs):[0-9]+(:[0-9]+)?",
        "$1:[line]",
    );
    // `, 1.8 s`: the time a run took, not a limit.
    settings.add_filter(r", [0-9.]+ s", ", [time]");
    settings.add_filter(r#""(elapsed_ms|limit_ms)": [0-9]+"#, r#""$1": [redacted]"#);
    settings.add_filter(
        r#"\b(execution_)?time(": |=)"[^"]*""#,
        r#"${1}time$2"[redacted]""#,
    );
    settings
}

/// The harness prints a failing test's conversation (what the client sent,
/// what came back, the server's log), with when each step happened. In
/// stdout each line stays, with its time and any socket id redacted. In a
/// report the conversation is inside a JSON string or XML text, perhaps cut
/// short, and is pinned by stdout: its place stays, its lines go.
fn conversation_filters(settings: &mut insta::Settings, format: Format) {
    let end = "--- end of the conversation ---";
    let within = match format {
        Format::Text => return text_conversation_filters(settings),
        Format::Json => r#"(?:[^"\\]|\\.)"#,
        Format::Xml => r#"[^"<]"#,
    };
    let redacted = "--- the conversation [redacted] ---";
    let start = r"--- the conversation \(";
    settings.add_filter(&format!("{start}{within}*?{end}"), redacted);
    // Cut short by the report's cap: up to the end of the string.
    settings.add_filter(&format!("{start}{within}*"), redacted);
}

/// `  0.042s [ada#1 /] ← event welcome {"id":"Qm9i…"}` →
/// `[t] [ada#1 /] ← event welcome {"id":"[sid]"}`; the heading's count of
/// lines goes too, since a server's log may say one line more or less.
fn text_conversation_filters(settings: &mut insta::Settings) {
    settings.add_filter(
        r"(?m)^--- the conversation \(.*$",
        "--- the conversation ---",
    );
    settings.add_filter(r"(?m)^[ \t]*[0-9]+(\.[0-9]+)?s \[", "[t] [");
    settings.add_filter(r#"("id":"|sid=|socket\.id=)[A-Za-z0-9_-]+"#, "$1[sid]");
    // A server's log line: its place among the client's lines depends on
    // which thread ran first, so stdout is compared without them, and
    // [`wrong_ack`] checks that they are shown.
    settings.add_filter(r"(?m)^\[t\] \[server\].*\n", "");
    // Lesson 01 emits `welcome` as a socket connects, and it may arrive
    // before or after the test's next step (its next handshake, or the
    // disconnect of a socket that should have been refused).
    settings.add_filter(r"(?m)^.*\] ← welcome \{.*\n", "");
}

/// The snapshots are as the workbook has them: no fixture may have written
/// one, nor left a `.snap.new` behind.
fn snapshots_untouched(copy: &Path) {
    let mut files = Vec::new();
    walk(&copy.join(SNAPSHOTS), &copy.join(SNAPSHOTS), &mut files);
    for file in files {
        assert!(file.ends_with(".snap"), "insta left {file} behind");
        let ours = std::fs::read(copy.join(SNAPSHOTS).join(&file)).expect("read a snapshot");
        let theirs = std::fs::read(source_root().join(SNAPSHOTS).join(&file)).unwrap_or_default();
        assert!(ours == theirs, "snapshot {file} was rewritten by the run");
    }
}

#[test]
fn not_started() {
    let (_lock, copy) = pristine();
    run(copy, "not-started", &[], &[]);
}

#[test]
fn panic_in_the_starter() {
    let (_lock, copy) = pristine();
    run(copy, "panic", &["01"], &[]);
}

#[test]
fn passed() {
    let (_lock, copy) = pristine();
    solution_code(copy);
    run(copy, "passed", &["01"], &[]);
}

#[test]
fn failing_test() {
    let (_lock, copy) = pristine();
    wrong_code(copy);
    run(copy, "failing", &["01"], &[]);
    snapshots_untouched(copy);
}

/// A server that never sends `welcome`: the conversation shows the
/// handshake accepted, then nothing until the test gives up.
#[test]
fn missing_event() {
    let (_lock, copy) = pristine();
    solution_code(copy);
    edit(
        copy,
        &format!("{LESSON}/src/lib.rs"),
        "    let _ = socket.emit(\"welcome\", &json!({ \"id\": socket.id }));\n",
        "    let _ = (socket, json!({}));\n",
    );
    run(
        copy,
        "missing-event",
        &["01"],
        &[("HARNESS_TIMEOUT_MS", "1000")],
    );
}

/// `GET /stats` mounted at the wrong path: the conversation shows the 404.
#[test]
fn http_status() {
    let (_lock, copy) = pristine();
    solution_code(copy);
    edit(
        copy,
        &format!("{LESSON}/src/lib.rs"),
        ".route(\"/stats\", get(stats::show))",
        ".route(\"/stat\", get(stats::show))",
    );
    run(copy, "http-status", &["01"], &[]);
}

/// Lesson 02's `whoami` acks the user's name alone instead of the user:
/// the conversation shows the emit and the ack that came back.
#[test]
fn wrong_ack() {
    let (_lock, copy) = pristine();
    solution_code_of(copy, SOLUTION_02, LESSON_02);
    edit(
        copy,
        &format!("{LESSON_02}/src/chat.rs"),
        "let _ = ack.send(&user);",
        "let _ = ack.send(&user.name);",
    );
    let stdout = run(copy, "wrong-ack", &["02"], &[]);
    assert!(
        stdout.contains("[server]  INFO jwt_auth: connected user_id="),
        "the server's own log line is part of the conversation:\n{stdout}"
    );
    // These conversations register, log in and hand a token over: no
    // secret may appear whole in what a learner or an instructor sees.
    let reports =
        REPORTS.map(|(_, file, _)| std::fs::read_to_string(reports_dir(copy).join(file)).unwrap());
    for text in std::iter::once(&stdout).chain(&reports) {
        assert_no_secret(text);
    }
}

/// The harness's password (`TestUser::PASSWORD`), its signing secret
/// (`TEST_JWT_SECRET`), and any whole JWT.
fn assert_no_secret(text: &str) {
    for secret in [
        "correct horse battery staple",
        "harness-test-secret-at-least-32-bytes",
    ] {
        assert!(
            !text.contains(secret),
            "{secret:?} appears whole in:\n{text}"
        );
    }
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    for (at, _) in text.match_indices("eyJ") {
        let token: String = text[at..]
            .chars()
            .take_while(|&c| base64url(c) || c == '.')
            .collect();
        let parts: Vec<&str> = token.split('.').collect();
        assert!(
            !(parts.len() == 3 && parts.iter().all(|p| !p.is_empty())),
            "a whole token {token} appears in:\n{text}"
        );
    }
}

#[test]
fn compile_error() {
    let (_lock, copy) = pristine();
    solution_code(copy);
    edit(
        copy,
        &format!("{LESSON}/src/lib.rs"),
        "stats.record_attempt();\n    Ok(())",
        "stats.record_attempt();\n    Ok(stats)",
    );
    run(copy, "compile-error", &["01"], &[]);
}

#[test]
fn hang_is_timed_out() {
    let (_lock, copy) = pristine();
    solution_code(copy);
    edit(
        copy,
        &format!("{LESSON}/src/lib.rs"),
        "stats.record_attempt();\n    Ok(())",
        // Blocked, not spinning: a spinning handler would take two cores
        // for the 5 s from verify's lints, which run beside these tests.
        "stats.record_attempt();\n    loop { std::thread::sleep(std::time::Duration::from_secs(1)) }",
    );
    let started = std::time::Instant::now();
    run(
        copy,
        "hang",
        &["01", "--timeout", "5"],
        &[("RUST_TEST_THREADS", "2")],
    );
    // The build takes some of this; the run itself is stopped at 5 s.
    assert!(
        started.elapsed().as_secs() < 120,
        "the hang took {:?}",
        started.elapsed()
    );
}

#[test]
fn edited_snapshot_is_tampered() {
    let (_lock, copy) = pristine();
    wrong_code(copy);
    // Make the snapshots agree with the wrong answer.
    let mut files = Vec::new();
    walk(&copy.join(SNAPSHOTS), &copy.join(SNAPSHOTS), &mut files);
    for file in files {
        let path = copy.join(SNAPSHOTS).join(&file);
        let text = std::fs::read_to_string(&path).expect("read a snapshot");
        if text.contains("Authentication required") {
            put(
                &path,
                text.replace("Authentication required", "Authentication needed")
                    .as_bytes(),
            );
        }
    }
    run(copy, "edited-snapshot", &["01"], &[]);
}

#[test]
fn added_snapshot_is_tampered() {
    let (_lock, copy) = pristine();
    wrong_code(copy);
    // A snapshot the suite never had: the set of files is guarded too.
    put(
        &copy
            .join(SNAPSHOTS)
            .join("refuses_a_handshake_without_auth-2.snap"),
        b"---\nsource: tests/src/suites/01-basic-middleware/mod.rs\n---\n{}\n",
    );
    run(copy, "added-snapshot", &["01"], &[]);
}

/// Several tests stopped by one panic are shown once, with their names; a
/// test that fails its own way is shown apart.
#[test]
fn one_cause_is_shown_once() {
    let (_lock, copy) = pristine();
    solution_code(copy);
    // Lets an empty token through, and reaches a `todo!()` for the rest.
    edit(
        copy,
        &format!("{LESSON}/src/lib.rs"),
        "Some(token) if !token.is_empty() => Ok(()),\n        _ => {\n            stats.record_rejected();\n            Err(\"Authentication required\")\n        }",
        "Some(_) => Ok(()),\n        _ => todo!(\"refuse the rest (and count it)\"),",
    );
    run(copy, "grouped", &["01"], &[]);
}

#[test]
fn edited_test_is_tampered() {
    let (_lock, copy) = pristine();
    wrong_code(copy);
    edit(
        copy,
        SUITE,
        "assert_json_snapshot!(refusal(&app, None).await);",
        "let _ = refusal(&app, None).await;",
    );
    run(copy, "edited-test", &["01"], &[]);
}

/// The suite runs in the crate's own test binary, plugged in by the last
/// lines of `src/lib.rs`: without them, only the learner's tests would run.
#[test]
fn unplugged_suite_is_tampered() {
    let (_lock, copy) = pristine();
    wrong_code(copy);
    edit(
        copy,
        &format!("{LESSON}/src/lib.rs"),
        "#[cfg(test)]\nbasic_middleware_suite::run!(crate::app);",
        "#[cfg(test)]\nmod step_1 {\n    #[test]\n    fn mine() {}\n}",
    );
    run(copy, "unplugged-suite", &["01"], &[]);
}

#[test]
fn insta_force_pass_in_the_environment_does_not_pass() {
    let (_lock, copy) = pristine();
    wrong_code(copy);
    run(
        copy,
        "env-force-pass",
        &["01"],
        &[("INSTA_FORCE_PASS", "1")],
    );
    snapshots_untouched(copy);
}

#[test]
fn insta_update_in_the_environment_does_not_pass() {
    let (_lock, copy) = pristine();
    wrong_code(copy);
    let env = [
        ("INSTA_UPDATE", "always"),
        ("INSTA_FORCE_UPDATE", "1"),
        ("INSTA_FORCE_UPDATE_SNAPSHOTS", "1"),
        ("CI", ""),
    ];
    run(copy, "env-update-always", &["01"], &env);
    snapshots_untouched(copy);
}

#[test]
fn insta_yaml_force_pass_does_not_pass() {
    let (_lock, copy) = pristine();
    wrong_code(copy);
    let config = "behavior:\n  force_pass: true\n  update: always\n  output: none\n";
    for file in ["insta.yaml", ".insta.yaml", ".config/insta.yaml"] {
        put(&copy.join(file), config.as_bytes());
    }
    run(copy, "insta-yaml", &["01"], &[]);
    snapshots_untouched(copy);
}
