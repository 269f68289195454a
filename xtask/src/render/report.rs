//! Reports for instructors: `--report json|junit|classroom[=PATH]`.
//!
//! A report is written on every run that gets as far as grading, pass or
//! fail, and with `"status": "error"` when the runner itself could not
//! grade: an autograder that finds no file cannot tell "nothing ran" from
//! "everything failed". The exit code stays the plain verdict.
//!
//! - json: per lesson and per test (`pass`/`fail`/`error`, a message, the
//!   output capped), after Exercism's `results.json`;
//! - junit: one `<testsuite>` per lesson, for CI dashboards;
//! - classroom: GitHub Classroom's autograding result, one entry and one
//!   point per lesson, so a class gets credit lesson by lesson.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context as _, bail};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde::Serialize;

use crate::engine::grade::Graded;
use crate::engine::state;
use crate::model::results::{TestResult, TestStatus, Verdict};
use crate::render::failure::{self, readable};

/// Output beyond this, per test, is cut: a report is read, not archived.
const OUTPUT_CAP: usize = 4000;
/// A message is the gist: a panic message or the changed snapshot lines.
const MESSAGE_CAP: usize = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Json,
    Junit,
    Classroom,
}

#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub kind: Kind,
    /// Where to write it; `.workbook/<default>` when not given.
    pub path: Option<PathBuf>,
}

impl FromStr for ReportRequest {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (kind, path) = match text.split_once('=') {
            Some((kind, path)) => (kind, Some(PathBuf::from(path))),
            None => (text, None),
        };
        let kind = match kind {
            "json" => Kind::Json,
            "junit" => Kind::Junit,
            "classroom" => Kind::Classroom,
            other => {
                return Err(format!(
                    "unknown report `{other}`: use json, junit or classroom, optionally =PATH"
                ));
            }
        };
        Ok(ReportRequest { kind, path })
    }
}

impl ReportRequest {
    fn path(&self, root: &Path) -> PathBuf {
        self.path.clone().unwrap_or_else(|| {
            let name = match self.kind {
                Kind::Json => "report.json",
                Kind::Junit => "junit.xml",
                Kind::Classroom => "classroom.json",
            };
            root.join(state::DIR).join(name)
        })
    }
}

fn write_one(root: &Path, request: &ReportRequest, text: &str) -> anyhow::Result<()> {
    let path = request.path(root);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&path, text)
        .with_context(|| format!("writing the report {}", path.display()))?;
    println!("report written: {}", path.display());
    Ok(())
}

/// Writes the reports `requests` asks for: of the lessons graded, or, when
/// the runner could not grade, of that error.
pub fn write(
    root: &Path,
    requests: &[ReportRequest],
    graded: &anyhow::Result<Vec<Graded>>,
) -> anyhow::Result<()> {
    match graded {
        Ok(graded) => write_all(root, requests, graded),
        Err(error) => {
            write_error(root, requests, error);
            Ok(())
        }
    }
}

fn write_all(root: &Path, requests: &[ReportRequest], graded: &[Graded]) -> anyhow::Result<()> {
    for request in requests {
        let text = match request.kind {
            Kind::Json => pretty(&json_report(graded)),
            Kind::Junit => junit(graded),
            Kind::Classroom => pretty(&classroom(graded)),
        };
        write_one(root, request, &text)?;
    }
    Ok(())
}

/// Reports saying the runner could not grade at all.
fn write_error(root: &Path, requests: &[ReportRequest], error: &anyhow::Error) {
    let message = format!("{error:#}");
    for request in requests {
        let text = match request.kind {
            Kind::Json => pretty(&JsonReport {
                version: 1,
                status: "error",
                message: Some(message.clone()),
                lessons: Vec::new(),
            }),
            Kind::Classroom => pretty(&Classroom {
                version: 1,
                status: "error",
                max_score: 0,
                message: Some(message.clone()),
                tests: Vec::new(),
            }),
            Kind::Junit => junit_error(&message),
        };
        if let Err(e) = write_one(root, request, &text) {
            eprintln!("error: {e:#}");
        }
    }
}

fn pretty(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).expect("reports serialise") + "\n"
}

fn cap(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n[... cut: {} more bytes]",
        &text[..end],
        text.len() - end
    )
}

/// The gist of a failure: insta's changed lines, or the panic message.
fn message(test: &TestResult) -> String {
    if let Some(need) = &test.need {
        return cap(
            &format!("not run: needs {}: {}", need.what, need.how),
            MESSAGE_CAP,
        );
    }
    let output = readable(&test.output);
    if let Some(snapshot) = output.lines().find_map(|l| l.strip_prefix("Snapshot: ")) {
        let changed: Vec<&str> = output
            .lines()
            .filter(|l| l.contains("│-") || l.contains("│+"))
            .map(str::trim)
            .collect();
        return cap(
            &format!(
                "snapshot `{snapshot}` does not match:\n{}",
                changed.join("\n")
            ),
            MESSAGE_CAP,
        );
    }
    match failure::last_panic(&test.output) {
        Some((_, message)) => cap(&message, MESSAGE_CAP),
        None => cap(output.trim(), MESSAGE_CAP),
    }
}

/// What a lesson that ran no test says.
fn lesson_message(g: &Graded) -> Option<String> {
    match g.verdict {
        Verdict::Tampered => Some(format!(
            "guarded files changed, so the lesson was not graded: {}",
            g.tampered
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Verdict::DoesNotCompile => Some(cap(
            &g.compile_errors
                .iter()
                .map(|e| e.rendered.as_str())
                .collect::<Vec<_>>()
                .join("\n\n"),
            OUTPUT_CAP,
        )),
        Verdict::NotStarted => Some("the crate is the starter as handed out".to_owned()),
        Verdict::TimedOut => Some(format!(
            "stopped after {:.0} s: a handler may never return",
            g.limit.as_secs_f64()
        )),
        Verdict::Crashed => Some(cap(
            &format!("the suite crashed: {}", g.stderr.trim()),
            OUTPUT_CAP,
        )),
        Verdict::Incomplete => {
            crate::render::verdicts::skips(g).map(|s| format!("not every test ran: {s}"))
        }
        Verdict::Passed | Verdict::Failing => None,
    }
}

fn status_word(status: TestStatus) -> &'static str {
    match status {
        TestStatus::Pass => "pass",
        TestStatus::Fail => "fail",
        TestStatus::Error => "error",
        TestStatus::Skip => "skip",
    }
}

/// `pass` when every lesson passed; `error` when one could not be graded
/// (it did not compile, hung, crashed or was tampered with); else `fail`.
fn overall(graded: &[Graded]) -> &'static str {
    if graded.iter().all(|g| g.verdict == Verdict::Passed) {
        "pass"
    } else if graded.iter().any(|g| {
        matches!(
            g.verdict,
            Verdict::DoesNotCompile | Verdict::TimedOut | Verdict::Crashed | Verdict::Tampered
        )
    }) {
        "error"
    } else {
        "fail"
    }
}

fn lesson_status(g: &Graded) -> &'static str {
    match g.verdict {
        Verdict::Passed => "pass",
        Verdict::Failing | Verdict::Incomplete | Verdict::NotStarted => "fail",
        _ => "error",
    }
}

// Typed rather than `json!`: field order is then the declaration order,
// whatever features serde_json was built with in this build.

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    lessons: Vec<JsonLesson<'a>>,
}

#[derive(Serialize)]
struct JsonLesson<'a> {
    lesson: String,
    package: &'a str,
    verdict: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    elapsed_ms: u64,
    limit_ms: u64,
    tests: Vec<JsonTest<'a>>,
}

#[derive(Serialize)]
struct JsonTest<'a> {
    name: &'a str,
    /// The lesson's step the test belongs to, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<usize>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
}

fn json_report<'a>(graded: &'a [Graded]) -> JsonReport<'a> {
    let lessons = graded
        .iter()
        .map(|g| JsonLesson {
            lesson: g.krate.lesson.id(),
            package: g.krate.package,
            verdict: g.verdict.label(),
            status: lesson_status(g),
            message: lesson_message(g),
            elapsed_ms: g.elapsed.as_millis() as u64,
            limit_ms: g.limit.as_millis() as u64,
            tests: g
                .tests
                .iter()
                .map(|t| {
                    let failed = matches!(t.status, TestStatus::Fail | TestStatus::Error);
                    JsonTest {
                        name: &t.name,
                        step: t.step,
                        status: status_word(t.status),
                        message: (t.status != TestStatus::Pass).then(|| message(t)),
                        output: failed.then(|| cap(&readable(&t.output), OUTPUT_CAP)),
                    }
                })
                .collect(),
        })
        .collect();
    JsonReport {
        version: 1,
        status: overall(graded),
        message: None,
        lessons,
    }
}

/// GitHub Classroom's autograding result.
#[derive(Serialize)]
struct Classroom {
    version: u32,
    status: &'static str,
    max_score: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    tests: Vec<ClassroomTest>,
}

#[derive(Serialize)]
struct ClassroomTest {
    name: String,
    status: &'static str,
    score: u32,
    max_score: u32,
    message: String,
    test_code: String,
    filename: String,
    line_no: u32,
    execution_time: String,
}

fn classroom(graded: &[Graded]) -> Classroom {
    let tests = graded
        .iter()
        .map(|g| {
            let passed = g.verdict == Verdict::Passed;
            let message = if passed {
                format!("{} tests pass", g.tests.len())
            } else if g.verdict == Verdict::Failing {
                let failed = g.failed();
                let names: Vec<&str> = failed.iter().map(|t| t.name.as_str()).collect();
                format!(
                    "{} of {} tests fail: {}",
                    failed.len(),
                    g.tests.len(),
                    names.join(", ")
                )
            } else {
                format!(
                    "{}: {}",
                    g.verdict.label(),
                    lesson_message(g).unwrap_or_default()
                )
            };
            ClassroomTest {
                name: g.krate.lesson.to_string(),
                status: lesson_status(g),
                score: u32::from(passed),
                max_score: 1,
                message: cap(&message, MESSAGE_CAP),
                test_code: format!("cargo xtask check {}", g.krate.lesson.number),
                filename: format!("lessons/{}", g.krate.lesson.id()),
                line_no: 0,
                execution_time: format!("{:.2}s", g.elapsed.as_secs_f64()),
            }
        })
        .collect();
    Classroom {
        version: 1,
        status: overall(graded),
        max_score: graded.len(),
        message: None,
        tests,
    }
}

/// One `<testsuite>` per lesson, one `<testcase>` per test; a lesson that
/// ran no test gets one case saying why.
fn junit(graded: &[Graded]) -> String {
    let mut report = Report::new("workbook");
    report.add_test_suites(graded.iter().map(junit_suite));
    report.to_string().expect("a JUnit report serialises")
}

fn junit_suite(g: &Graded) -> TestSuite {
    let id = g.krate.lesson.id();
    let mut suite = TestSuite::new(&id);
    suite.set_time(g.elapsed);
    suite.add_test_cases(g.tests.iter().map(|t| junit_case(&id, t)));
    if g.tests.is_empty() {
        suite.add_test_case(junit_lesson_case(&id, g));
    }
    suite
}

fn junit_case(id: &str, test: &TestResult) -> TestCase {
    let status = match test.status {
        TestStatus::Pass => TestCaseStatus::success(),
        TestStatus::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(message(test));
            status
        }
        TestStatus::Fail | TestStatus::Error => {
            let kind = if test.status == TestStatus::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut status = TestCaseStatus::non_success(kind);
            status
                .set_message(message(test))
                .set_description(cap(&readable(&test.output), OUTPUT_CAP));
            status
        }
    };
    let mut case = TestCase::new(&test.name, status);
    case.set_classname(id);
    case
}

/// The case of a lesson that ran no test, named after its verdict.
fn junit_lesson_case(id: &str, g: &Graded) -> TestCase {
    let message = lesson_message(g).unwrap_or_default();
    let status = match g.verdict {
        Verdict::NotStarted => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(message);
            status
        }
        Verdict::Tampered => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message("tampered").set_description(message);
            status
        }
        verdict => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(verdict.label()).set_description(message);
            status
        }
    };
    let mut case = TestCase::new(g.verdict.label().replace(' ', "_"), status);
    case.set_classname(id);
    case
}

/// The JUnit report of a runner that could not grade: one error.
fn junit_error(message: &str) -> String {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
    status.set_message(message);
    let mut case = TestCase::new("grade", status);
    case.set_classname("runner");
    let mut suite = TestSuite::new("runner");
    suite.add_test_case(case);
    let mut report = Report::new("workbook");
    report.add_test_suite(suite);
    report.to_string().expect("a JUnit report serialises")
}

/// Rejects two reports aimed at one file.
pub fn validate(root: &Path, requests: &[ReportRequest]) -> anyhow::Result<()> {
    let paths: Vec<PathBuf> = requests.iter().map(|r| r.path(root)).collect();
    for (i, path) in paths.iter().enumerate() {
        if paths[..i].contains(path) {
            bail!("two reports would be written to {}", path.display());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runner_error_is_one_escaped_junit_error() {
        let xml = junit_error("no <lessons> & \"nothing\" to grade\u{1b}[0m");
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{xml}"
        );
        assert!(
            xml.contains("tests=\"1\" skipped=\"0\" failures=\"0\" errors=\"1\""),
            "{xml}"
        );
        assert!(
            xml.contains("<testcase name=\"grade\" classname=\"runner\">"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<error message=\"no &lt;lessons&gt; &amp; &quot;nothing&quot; to grade\"/>"
            ),
            "{xml}"
        );
    }
}
