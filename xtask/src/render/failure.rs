//! What a failing test printed, made readable, and what made it fail.
//!
//! `check` shows failures to the learner and the reports hand them to
//! instructors; both read them through here. When many tests fail for one
//! reason (the same `todo!()` reached by every handshake), [`cause`] gives
//! them one key, so that the reason is shown once with the tests it stops.

/// How the harness words a panic of the server under test; the messages it
/// quotes follow, one per indented line, each ending `(at file:line:col)`.
const SERVER_PANICKED: &str = "the server panicked while the test was waiting for ";

/// What the conversation's last line says when the test failed.
const TEST_FAILED: &str = "[test] failed: ";

/// A failing test's output without what helps nobody here: insta's advice
/// to run `cargo insta`, the backtrace note, the thread ids, insta's own
/// panic line (its diff above says it all), where the harness noticed a
/// server panic (the panic's own place is in the message), and the
/// conversation's repeat of the failure message.
pub fn readable(output: &str) -> String {
    let source: Vec<&str> = output.lines().collect();
    let messages = panic_messages(&source);
    let mut lines: Vec<String> = Vec::new();
    let mut skip_next = false;
    for (i, line) in source.iter().copied().enumerate() {
        if skip_next {
            skip_next = false;
            if line.starts_with("snapshot assertion for ") {
                continue;
            }
        }
        if line.starts_with("Stopped on the first failure.")
            || line.starts_with("note: run with `RUST_BACKTRACE")
        {
            continue;
        }
        if is_panic_line(line) {
            if line.contains("/insta-") {
                skip_next = true;
                continue;
            }
            if source
                .get(i + 1)
                .is_some_and(|next| next.starts_with(SERVER_PANICKED))
            {
                continue;
            }
        }
        if let Some(at) = line.find(TEST_FAILED)
            && messages
                .iter()
                .any(|m| *m == line[at + TEST_FAILED.len()..])
        {
            lines.push(format!("{}[test] failed (the message above)", &line[..at]));
            continue;
        }
        let line = match line {
            "-old snapshot" => "-expected (the snapshot)".to_owned(),
            "+new results" => "+yours".to_owned(),
            _ => without_thread_id(line),
        };
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

fn is_panic_line(line: &str) -> bool {
    line.starts_with("thread '") && line.contains(" panicked at ")
}

/// The message of the panic whose `thread '...' panicked at` line is
/// `lines[at]`: the lines after it, up to a blank one or the backtrace note.
fn message_after<'t>(lines: &[&'t str], at: usize) -> Vec<&'t str> {
    lines[at + 1..]
        .iter()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("note: run with `RUST_BACKTRACE"))
        .copied()
        .collect()
}

/// Each panic's message, its lines trimmed and joined by spaces: how the
/// harness's conversation quotes it.
fn panic_messages(lines: &[&str]) -> Vec<String> {
    (0..lines.len())
        .filter(|&at| is_panic_line(lines[at]))
        .map(|at| {
            message_after(lines, at)
                .iter()
                .map(|l| l.trim())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The test's own panic, from its raw output: where, and its message. It is
/// the last one; a server's, if any, came first.
pub fn last_panic(output: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = output.lines().collect();
    let at = lines.iter().rposition(|l| is_panic_line(l))?;
    let place = lines[at]
        .split_once(" panicked at ")
        .map(|(_, place)| place.trim_end_matches(':').to_owned())
        .unwrap_or_default();
    Some((place, message_after(&lines, at).join("\n")))
}

/// `thread 'x' (1234) panicked` → `thread 'x' panicked`.
fn without_thread_id(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("thread '")
        && let Some((name, after)) = rest.split_once("' (")
        && let Some((id, tail)) = after.split_once(") ")
        && id.bytes().all(|b| b.is_ascii_digit())
    {
        return format!("thread '{name}' {tail}");
    }
    line.to_owned()
}

/// Why a test failed, as far as telling tests that failed alike goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// The server panicked: the harness's quotes of its panics, each with
    /// its place in the learner's code. What the test was waiting for at the
    /// time does not count.
    Server(Vec<String>),
    /// The test panicked: where, and its message, with what it was waiting
    /// for left out.
    Test { at: String, message: String },
    /// Nothing another test could share: a snapshot's diff, no panic found.
    Own,
}

impl Cause {
    /// Whether two tests with this cause failed the same way.
    pub fn shared(&self) -> bool {
        !matches!(self, Cause::Own)
    }

    /// Where the failure happened, to name it in a summary line.
    pub fn place(&self) -> Option<&str> {
        match self {
            Cause::Server(messages) => messages.first().and_then(|m| {
                m.rsplit_once("(at ")
                    .map(|(_, at)| at.trim_end_matches(')'))
            }),
            Cause::Test { at, .. } => Some(at),
            Cause::Own => None,
        }
    }
}

/// The cause of a failure, from the test's raw output.
pub fn cause(output: &str) -> Cause {
    if output.contains("\nSnapshot: ") || output.starts_with("Snapshot: ") {
        return Cause::Own;
    }
    let lines: Vec<&str> = output.lines().collect();
    if let Some(at) = lines.iter().position(|l| l.starts_with(SERVER_PANICKED)) {
        let quoted: Vec<String> = lines[at + 1..]
            .iter()
            .take_while(|l| l.starts_with("  ") && !l.trim().is_empty())
            .map(|l| l.trim().to_owned())
            .collect();
        if !quoted.is_empty() {
            return Cause::Server(quoted);
        }
    }
    match last_panic(output) {
        Some((at, message)) => Cause::Test {
            at,
            message: message
                .lines()
                .map(without_what)
                .collect::<Vec<_>>()
                .join("\n"),
        },
        None => Cause::Own,
    }
}

/// `timed out after 5s waiting for the welcome event.` → `timed out after
/// 5s waiting for …`: what a test waited for differs from test to test, the
/// failure does not.
fn without_what(line: &str) -> String {
    match line.find("waiting for ") {
        Some(at) => format!("{}waiting for …", &line[..at]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insta_noise_goes_and_the_diff_stays() {
        let output = "Snapshot: x\n-old snapshot\n+new results\n  2 │- a\nStopped on the first failure. Run `cargo insta test` to run all snapshots.\n\nthread 'x' (42) panicked at /r/insta-1.49.0/src/runtime.rs:1:1:\nsnapshot assertion for 'x' failed in line 3\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\nthread 'server:x' (43) panicked at src/lib.rs:1:1:\nboom";
        assert_eq!(
            readable(output),
            "Snapshot: x\n-expected (the snapshot)\n+yours\n  2 │- a\n\nthread 'server:x' panicked at src/lib.rs:1:1:\nboom"
        );
        assert_eq!(cause(output), Cause::Own);
    }

    fn server_panic(test: &str, what: &str) -> String {
        format!(
            "thread '{test}' (7) panicked at tests/src/wait.rs:101:9:\n\
             {SERVER_PANICKED}{what}:\n  not yet implemented: verify (at lessons/02-jwt-auth/src/auth.rs:53:5)\n\n\
             --- the conversation (2 lines) ---\n  0.1s [ada#1 /] → handshake\n  \
             0.5s [test] failed: {SERVER_PANICKED}{what}: not yet implemented: verify (at lessons/02-jwt-auth/src/auth.rs:53:5)\n\
             --- end of the conversation ---"
        )
    }

    #[test]
    fn a_server_panic_is_shown_once() {
        let shown = readable(&server_panic("a", "the handshake"));
        assert_eq!(shown.matches("not yet implemented").count(), 1, "{shown}");
        assert!(
            shown.contains("0.5s [test] failed (the message above)"),
            "{shown}"
        );
        assert!(!shown.contains("tests/src/wait.rs"), "{shown}");
    }

    #[test]
    fn server_panics_group_by_place_and_text_not_by_what_was_awaited() {
        let one = cause(&server_panic("a", "the handshake on \"/\""));
        let two = cause(&server_panic("b", "the event `welcome`"));
        assert_eq!(one, two);
        assert_eq!(one.place(), Some("lessons/02-jwt-auth/src/auth.rs:53:5"));
        let elsewhere = cause(&server_panic("c", "x").replace(":53:5", ":60:5"));
        assert_ne!(one, elsewhere);
    }

    #[test]
    fn test_panics_group_by_place_and_text() {
        let timeout = |test: &str, what: &str| {
            format!(
                "thread '{test}' panicked at tests/src/wait.rs:84:17:\n\
                 timed out after 5s waiting for {what}.\nDoes every middleware return?"
            )
        };
        assert_eq!(
            cause(&timeout("a", "the handshake")),
            cause(&timeout("b", "the `welcome` event"))
        );
        let assertion = "thread 'a' panicked at tests/src/suites/01/mod.rs:9:5:\nassertion failed";
        assert_ne!(cause(assertion), cause(&timeout("a", "x")));
        assert!(cause(assertion).shared());
    }
}
