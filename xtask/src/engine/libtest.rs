//! Reading libtest's plain output: which tests ran, how each ended, and
//! what a failing one printed.
//!
//! Stable libtest has no machine-readable format, but its plain one is
//! steady: one `test NAME ... ok|FAILED|ignored` line per
//! test as it ends, then a `---- NAME stdout ----` section per failure
//! holding the panic message (and insta's diff).

use std::collections::HashMap;

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Failed,
    Ignored,
}

/// What a suite binary's output says.
#[derive(Debug, Default)]
pub struct Output {
    /// Every test that ended, in the order it ended.
    pub results: Vec<(String, Status)>,
    /// Failing test → what it printed (its panic message, insta's diff).
    pub failures: HashMap<String, String>,
}

pub fn parse(text: &str) -> Output {
    let mut output = Output::default();
    let mut section: Option<(String, Vec<&str>)> = None;
    let close = |section: &mut Option<(String, Vec<&str>)>, output: &mut Output| {
        if let Some((name, lines)) = section.take() {
            let body = lines.join("\n").trim_matches('\n').to_owned();
            output.failures.insert(name, body);
        }
    };
    for line in text.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            close(&mut section, &mut output);
            section = Some((name.to_owned(), Vec::new()));
            continue;
        }
        if section.is_some() && (line == "failures:" || line.starts_with("test result: ")) {
            close(&mut section, &mut output);
            continue;
        }
        if let Some((_, lines)) = section.as_mut() {
            lines.push(line);
            continue;
        }
        if let Some((name, status)) = result_line(line) {
            output.results.push((name.to_owned(), status));
        }
    }
    close(&mut section, &mut output);
    output
}

fn result_line(line: &str) -> Option<(&str, Status)> {
    let rest = line.strip_prefix("test ")?;
    let (name, status) = rest.rsplit_once(" ... ")?;
    let status = match status.trim() {
        "ok" => Status::Ok,
        "FAILED" => Status::Failed,
        s if s.starts_with("ignored") => Status::Ignored,
        _ => return None,
    };
    Some((name, status))
}

/// The test names of a `--list --format terse` output (`name: test`).
pub fn parse_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "
running 3 tests
test stats_start_at_zero ... ok
test refuses_a_null_token ... FAILED
test welcomes ... ignored, not yet

failures:

---- refuses_a_null_token stdout ----

thread 'refuses_a_null_token' panicked at src/x.rs:1:1:
not yet implemented


failures:
    refuses_a_null_token

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s
";

    #[test]
    fn reads_results_and_failure_sections() {
        let output = parse(RUN);
        assert_eq!(
            output.results,
            [
                ("stats_start_at_zero".to_owned(), Status::Ok),
                ("refuses_a_null_token".to_owned(), Status::Failed),
                ("welcomes".to_owned(), Status::Ignored),
            ]
        );
        assert_eq!(
            output.failures["refuses_a_null_token"],
            "thread 'refuses_a_null_token' panicked at src/x.rs:1:1:\nnot yet implemented"
        );
    }

    #[test]
    fn reads_a_list() {
        assert_eq!(parse_list("a: test\nb: test\n"), ["a", "b"]);
    }
}
