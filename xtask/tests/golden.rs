//! Golden fixtures: the real `xtask` binary grading lesson 01 (and 02, for
//! an ack) in a copy of the workbook, once per outcome a learner can reach,
//! including every way insta could be talked into passing a mismatch. The
//! copy's stdout and its three reports are compared with the files in
//! `tests/golden/<fixture>/` (times and paths redacted).
//! `UPDATE_GOLDEN=1 cargo test -p xtask` rewrites them; read the diff
//! before committing it.
//!
//! In stdout, a failing test's conversation is pinned line by line, so the
//! transcript of each kind of failure is fixed here: a refused handshake
//! (`failing`), an event that never comes (`missing-event`), a wrong ack
//! (`wrong-ack`) and an HTTP status (`http-status`).
//!
//! The copy lives at a fixed path and builds into the shared target dir, and
//! its files are rewritten only when their content changes, so cargo reuses
//! everything but the lesson crate between fixtures and between runs.

use std::path::Path;
use std::process::Command;

use support::*;

mod support;

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

/// Runs `cargo xtask check <args>` in the copy with `env`, compares the
/// outcome with the golden files of `name`, and returns stdout unredacted.
fn run(copy: &Path, name: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let reports = copy.join(".workbook/golden");
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .current_dir(copy)
        .arg("check")
        .args(args)
        .args(["--fresh"]);
    for (kind, file) in [
        ("json", "report.json"),
        ("junit", "junit.xml"),
        ("classroom", "classroom.json"),
    ] {
        command
            .arg("--report")
            .arg(format!("{kind}={}", reports.join(file).display()));
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

    let raw = stdout.clone();
    let mut results = vec![("stdout.txt", redact(copy, &stdout, Format::Text))];
    for (file, format) in [
        ("report.json", Format::Json),
        ("junit.xml", Format::Xml),
        ("classroom.json", Format::Json),
    ] {
        let text = std::fs::read_to_string(reports.join(file))
            .unwrap_or_else(|e| panic!("{name}: the {file} report was not written: {e}\n{stdout}"));
        results.push((file, redact(copy, &text, format)));
    }
    let dir = source_root().join("xtask/tests/golden").join(name);
    let update = std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1");
    let mut mismatches = Vec::new();
    for (file, actual) in results {
        let path = dir.join(file);
        if update {
            put(&path, actual.as_bytes());
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            mismatches.push(format!("── {} ──\n{actual}", path.display()));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{name}: output differs from the golden files (UPDATE_GOLDEN=1 rewrites them):\n{}",
        mismatches.join("\n")
    );
    raw
}

/// How a file escapes the text it quotes.
#[derive(Clone, Copy, PartialEq)]
enum Format {
    Text,
    Json,
    Xml,
}

/// Times, socket ids, the order of concurrent events and the copy's
/// location vary from run to run.
fn redact(copy: &Path, text: &str, format: Format) -> String {
    let text = text.replace(&copy.display().to_string(), "[workbook]");
    let text = redact_object_ids(&text);
    let text = redact_conversations(&text, format);
    let text = redact_harness_lines(&text);
    let mut out = String::new();
    for line in text.lines() {
        let mut line = redact_seconds(line);
        for key in ["\"elapsed_ms\": ", "\"limit_ms\": "] {
            if let Some(at) = line.find(key) {
                let rest: String = line[at + key.len()..]
                    .chars()
                    .skip_while(char::is_ascii_digit)
                    .collect();
                line = format!("{}{key}[redacted]{rest}", &line[..at]);
            }
        }
        line = redact_attribute(&line, "\"execution_time\": \"");
        line = redact_attribute(&line, "time=\"");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The harness prints a failing test's conversation (what the client sent,
/// what came back, the server's log), with when each step happened. In
/// stdout each line stays, with its time and any socket id redacted
/// ([`redact_conversation_line`]). In a report the conversation is inside a
/// JSON string or XML text, perhaps cut short, and is pinned by stdout: its
/// place stays, its lines go.
fn redact_conversations(text: &str, format: Format) -> String {
    if format == Format::Text {
        return text
            .lines()
            .map(redact_conversation_line)
            .filter(|line| !line.starts_with(SERVER_LINE) && !line.contains(WELCOME))
            .fold(String::new(), |mut out, line| {
                out.push_str(&line);
                out.push('\n');
                out
            });
    }
    const START: &str = "--- the conversation (";
    const END: &str = "--- end of the conversation ---";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(START) {
        out.push_str(&rest[..at]);
        out.push_str("--- the conversation [redacted] ---");
        let after = &rest[at..];
        let bytes = after.as_bytes();
        let string_ends = (0..bytes.len()).find(|&i| match format {
            Format::Text => false,
            Format::Json => bytes[i] == b'"' && bytes[i - 1] != b'\\',
            Format::Xml => bytes[i] == b'"' || bytes[i] == b'<',
        });
        rest = match (after.find(END), string_ends) {
            (Some(end), Some(limit)) if end > limit => &after[limit..],
            (Some(end), _) => &after[end + END.len()..],
            (None, Some(limit)) => &after[limit..],
            (None, None) => "",
        };
    }
    out.push_str(rest);
    out
}

/// A server's log line in a conversation. Its place among the client's
/// lines depends on which thread ran first, so stdout is compared without
/// them, and [`wrong_ack`] checks that they are shown.
const SERVER_LINE: &str = "[t] [server]";

/// Lesson 01 emits `welcome` as a socket connects, and it may arrive before
/// or after the test's next step (its next handshake, or the disconnect of
/// a socket that should have been refused): such lines are left out too.
const WELCOME: &str = "] ← welcome {";

/// `  0.042s [ada#1 /] ← event welcome {"id":"Qm9i…"}` →
/// `[t] [ada#1 /] ← event welcome {"id":"[sid]"}`; the heading's count of
/// lines goes too, since a server's log may say one line more or less.
fn redact_conversation_line(line: &str) -> String {
    if line.starts_with("--- the conversation (") {
        return "--- the conversation ---".to_owned();
    }
    let trimmed = line.trim_start();
    let time = trimmed
        .find("s [")
        .filter(|&end| trimmed[..end].parse::<f64>().is_ok());
    let Some(end) = time else {
        return line.to_owned();
    };
    let mut line = format!("[t] {}", &trimmed[end + 2..]);
    for key in ["\"id\":\"", "sid=", "socket.id="] {
        line = redact_value_after(&line, key);
    }
    line
}

/// Replaces the socket id that follows every `key` in `line` with `[sid]`.
fn redact_value_after(line: &str, key: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(key) {
        out.push_str(&rest[..at + key.len()]);
        rest = &rest[at + key.len()..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if len > 0 {
            out.push_str("[sid]");
        }
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

/// A user's id, 24 hex digits (a MongoDB ObjectId, in either store), is
/// new every run: `[id]`.
fn redact_object_ids(text: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_alphanumeric() {
            word.push(c);
            continue;
        }
        let is_id = word.len() == 24 && word.bytes().all(|b| b.is_ascii_hexdigit());
        out.push_str(if is_id { "[id]" } else { &word });
        word.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// `tests/src/socket.rs:219:17` → `tests/src/socket.rs:[line]`: places in
/// the harness and the suites move whenever they are edited, and say
/// nothing about the runner.
fn redact_harness_lines(text: &str) -> String {
    const HARNESS: &str = "tests/src/";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(HARNESS) {
        let path_len = rest[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || "/_-.".contains(c)))
            .unwrap_or(rest.len() - at);
        let path_end = at + path_len;
        out.push_str(&rest[..path_end]);
        rest = &rest[path_end..];
        let mut place = 0;
        for _ in 0..2 {
            let digits = rest[place..]
                .strip_prefix(':')
                .map_or(0, |r| r.bytes().take_while(u8::is_ascii_digit).count());
            if digits == 0 {
                break;
            }
            place += 1 + digits;
        }
        if place > 0 && out.ends_with(".rs") {
            out.push_str(":[line]");
            rest = &rest[place..];
        }
    }
    out.push_str(rest);
    out
}

/// `, 1.8 s` → `, [time]`: the time a run took, not a limit.
fn redact_seconds(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(", ") {
        out.push_str(&rest[..at + 2]);
        rest = &rest[at + 2..];
        let number: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if !number.is_empty() && rest[number.len()..].starts_with(" s") {
            out.push_str("[time]");
            rest = &rest[number.len() + 2..];
        }
    }
    out.push_str(rest);
    out
}

fn redact_attribute(line: &str, attribute: &str) -> String {
    let Some(at) = line.find(attribute) else {
        return line.to_owned();
    };
    let start = at + attribute.len();
    let Some(len) = line[start..].find('"') else {
        return line.to_owned();
    };
    format!("{}[redacted]{}", &line[..start], &line[start + len..])
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
    let reports = ["report.json", "junit.xml", "classroom.json"]
        .map(|file| std::fs::read_to_string(copy.join(".workbook/golden").join(file)).unwrap());
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
        "stats.record_attempt();\n    loop {}",
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
