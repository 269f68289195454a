//! How each test of a run ended: from the harness's report first (one JSON
//! line per test, see `harness::grader`), and from libtest's text for what
//! the report lacks: a test the harness did not run (none today), or the
//! end of a binary that crashed before the harness could write.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::engine::libtest::{self, Status};
use crate::model::lesson::Step;
use crate::model::results::{Need, TestResult, TestStatus};

/// One line of the harness's report.
#[derive(Debug, Deserialize)]
struct Reported {
    test: String,
    status: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    place: Option<String>,
    #[serde(default)]
    transcript: Option<String>,
    #[serde(default)]
    need: Option<String>,
    #[serde(default)]
    how: Option<String>,
}

/// Every test that ended, by the report (the last line about a test
/// counts) and by libtest's `stdout`, worst first: a test either calls
/// failed has failed.
pub fn read(report: Option<&Path>, stdout: &str) -> Vec<TestResult> {
    let text = report
        .and_then(|path| std::fs::read_to_string(path).ok())
        .unwrap_or_default();
    let mut reported: BTreeMap<String, Reported> = BTreeMap::new();
    for line in text.lines() {
        if let Ok(line) = serde_json::from_str::<Reported>(line) {
            reported.insert(line.test.clone(), line);
        }
    }
    let libtest = libtest::parse(stdout);
    let mut tests: Vec<TestResult> = Vec::new();
    for (full, status) in &libtest.results {
        if *status == Status::Ignored {
            continue;
        }
        let failed = *status == Status::Failed;
        // libtest names a test by its path, `step_2::case`; the harness by
        // its case alone.
        let (step, name) = Step::of_test(full);
        let mut test = match reported.remove(name) {
            Some(line) => from_report(line),
            None => TestResult {
                name: name.to_owned(),
                step: None,
                status: if failed {
                    TestStatus::Fail
                } else {
                    TestStatus::Pass
                },
                output: String::new(),
                need: None,
            },
        };
        if failed {
            test.status = TestStatus::Fail;
            test.need = None;
        }
        test.step = step;
        // libtest's section has all the test printed (insta's diff too).
        if let Some(section) = libtest.failures.get(full) {
            test.output = section.clone();
        }
        tests.push(test);
    }
    // Reported, but the binary stopped before libtest said so.
    tests.extend(reported.into_values().map(from_report));
    tests
}

fn from_report(line: Reported) -> TestResult {
    let (status, need) = match line.status.as_str() {
        "passed" => (TestStatus::Pass, None),
        "skipped" => (
            TestStatus::Skip,
            Some(Need {
                what: line.need.unwrap_or_default(),
                how: line.how.unwrap_or_default(),
            }),
        ),
        _ => (TestStatus::Fail, None),
    };
    // Laid out as libtest shows a failure, which the rest reads.
    let output = match (&line.message, status) {
        (Some(message), TestStatus::Fail) => format!(
            "thread '{}' panicked at {}:\n{message}\n\n{}",
            line.test,
            line.place.as_deref().unwrap_or("an unknown place"),
            line.transcript.as_deref().unwrap_or_default()
        ),
        _ => String::new(),
    };
    TestResult {
        name: line.test,
        step: None,
        status,
        output: output.trim_end().to_owned(),
        need,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(lines: &str) -> tempfile::Report {
        tempfile::Report::new(lines)
    }

    mod tempfile {
        use std::path::PathBuf;

        pub struct Report(pub PathBuf);

        impl Report {
            pub fn new(lines: &str) -> Report {
                static NEXT: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let path = std::env::temp_dir()
                    .join(format!("xtask-outcomes-{}-{n}.jsonl", std::process::id()));
                std::fs::write(&path, lines).unwrap();
                Report(path)
            }
        }

        impl Drop for Report {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    const STDOUT: &str = "
test a ... ok
test b ... ok
test c ... FAILED

failures:

---- c stdout ----
thread 'c' panicked at x.rs:1:1:
boom

failures:
    c
";

    #[test]
    fn the_report_says_which_passing_tests_were_skipped() {
        let file = report(
            "{\"test\":\"a\",\"status\":\"passed\"}\n\
             {\"test\":\"b\",\"status\":\"skipped\",\"need\":\"Redis\",\"how\":\"start one\"}\n\
             {\"test\":\"c\",\"status\":\"failed\",\"message\":\"boom\",\"place\":\"x.rs:1:1\"}\n",
        );
        let tests = read(Some(&file.0), STDOUT);
        let statuses: Vec<_> = tests.iter().map(|t| (t.name.as_str(), t.status)).collect();
        assert_eq!(
            statuses,
            [
                ("a", TestStatus::Pass),
                ("b", TestStatus::Skip),
                ("c", TestStatus::Fail)
            ]
        );
        assert_eq!(tests[1].need.as_ref().unwrap().what, "Redis");
        assert!(tests[2].output.contains("boom"));
    }

    #[test]
    fn a_test_the_binary_never_reported_to_libtest_comes_from_the_report() {
        let file = report(
            "{\"test\":\"d\",\"status\":\"failed\",\"message\":\"late\",\"place\":\"y.rs:2:3\",\"transcript\":\"--- the conversation ---\"}\n",
        );
        let tests = read(Some(&file.0), "test a ... ok\n");
        assert_eq!(tests.len(), 2);
        assert_eq!(tests[1].status, TestStatus::Fail);
        assert_eq!(
            tests[1].output,
            "thread 'd' panicked at y.rs:2:3:\nlate\n\n--- the conversation ---"
        );
    }

    #[test]
    fn without_a_report_libtest_decides() {
        let tests = read(None, STDOUT);
        let statuses: Vec<_> = tests.iter().map(|t| t.status).collect();
        assert_eq!(
            statuses,
            [TestStatus::Pass, TestStatus::Pass, TestStatus::Fail]
        );
    }
}
