//! From crates to verdicts: build every suite at once, run the binaries,
//! and say for each crate whether it passed, and if not, how it failed.
//!
//! `check` grades the learner's crates and `verify` grades the starters and
//! the solutions through this same code, so what the workbook proves about
//! itself is what learners get.

use std::path::Path;
use std::time::Duration;

use crate::cargo::{self, Diagnostic};
use crate::lessons::Crate;
use crate::libtest::{self, Status};
use crate::run::{self, Job};

/// How a crate did against its lesson's suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failing,
    DoesNotCompile,
    TimedOut,
    /// The suite binary died without finishing (an abort, a stack overflow).
    Crashed,
}

/// How one test ended, in the terms reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    Pass,
    Fail,
    /// It never finished: the run timed out or crashed first.
    Error,
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub name: String,
    pub status: TestStatus,
    /// What a failing test printed: the panic message, insta's diff.
    pub output: String,
}

/// One crate's grade.
#[derive(Debug)]
pub struct Graded<'a> {
    pub krate: Crate<'a>,
    pub verdict: Verdict,
    pub tests: Vec<TestResult>,
    pub compile_errors: Vec<Diagnostic>,
    /// What the suite binary printed outside libtest's lines, when it crashed.
    pub stderr: String,
    pub elapsed: Duration,
    pub limit: Duration,
}

impl Graded<'_> {
    pub fn failed(&self) -> Vec<&TestResult> {
        self.tests
            .iter()
            .filter(|t| t.status != TestStatus::Pass)
            .collect()
    }
}

/// Grades `crates`, each run limited to `limit(crate)`.
pub fn grade<'a>(
    root: &Path,
    crates: &[Crate<'a>],
    limit: impl Fn(&Crate<'a>) -> Duration,
) -> anyhow::Result<Vec<Graded<'a>>> {
    let packages: Vec<(&str, &Path)> = crates.iter().map(|c| (c.package, c.dir)).collect();
    let mut build = cargo::build_suites(root, &packages)?;

    let runnable: Vec<(usize, Job)> = crates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let exe = build.binaries.get(c.package)?;
            Some((
                i,
                Job {
                    exe: exe.clone(),
                    dir: c.dir.to_owned(),
                    limit: limit(c),
                },
            ))
        })
        .collect();
    let jobs: Vec<Job> = runnable.iter().map(|(_, job)| job.clone()).collect();
    let mut finished = run::run_all(root, &jobs).into_iter();

    let mut graded = Vec::new();
    let mut runnable = runnable.into_iter().peekable();
    for (i, krate) in crates.iter().enumerate() {
        let limit = limit(krate);
        if runnable.peek().is_some_and(|(j, _)| *j == i) {
            let (_, job) = runnable.next().expect("peeked");
            let run = finished.next().expect("one result per job")?;
            graded.push(from_run(root, *krate, &job, run, limit)?);
        } else {
            let mut compile_errors = build.errors.remove(krate.package).unwrap_or_default();
            if compile_errors.is_empty() {
                // Nothing in the crate itself: what it depends on broke.
                compile_errors = build
                    .shared_errors
                    .iter()
                    .map(|e| Diagnostic {
                        rendered: e.clone(),
                        files: Vec::new(),
                    })
                    .collect();
            }
            graded.push(Graded {
                krate: *krate,
                verdict: Verdict::DoesNotCompile,
                tests: Vec::new(),
                compile_errors,
                stderr: String::new(),
                elapsed: Duration::ZERO,
                limit,
            });
        }
    }
    Ok(graded)
}

fn from_run<'a>(
    root: &Path,
    krate: Crate<'a>,
    job: &Job,
    run: run::Finished,
    limit: Duration,
) -> anyhow::Result<Graded<'a>> {
    let output = libtest::parse(&run.stdout);
    let mut tests: Vec<TestResult> = output
        .results
        .iter()
        .filter(|(_, status)| *status != Status::Ignored)
        .map(|(name, status)| TestResult {
            name: name.clone(),
            status: if *status == Status::Ok {
                TestStatus::Pass
            } else {
                TestStatus::Fail
            },
            output: output.failures.get(name).cloned().unwrap_or_default(),
        })
        .collect();

    let verdict = match run.status {
        None => Verdict::TimedOut,
        Some(status) if status.success() && !tests.is_empty() => Verdict::Passed,
        Some(_) if tests.iter().any(|t| t.status == TestStatus::Fail) => Verdict::Failing,
        Some(_) => Verdict::Crashed,
    };
    if matches!(verdict, Verdict::TimedOut | Verdict::Crashed) {
        // The tests that never ended are the ones to look at.
        let all = run::list_tests(root, &job.exe, &job.dir).unwrap_or_default();
        for name in all {
            if !tests.iter().any(|t| t.name == name) {
                let output = match verdict {
                    Verdict::TimedOut => format!(
                        "still running after {}: a handler may never return",
                        seconds(limit)
                    ),
                    _ => "the suite stopped before this test ended".to_owned(),
                };
                tests.push(TestResult {
                    name,
                    status: TestStatus::Error,
                    output,
                });
            }
        }
    }
    Ok(Graded {
        krate,
        verdict,
        tests,
        compile_errors: Vec::new(),
        stderr: run.stderr,
        elapsed: run.elapsed,
        limit,
    })
}

/// `30 s`, `1.5 s`.
pub fn seconds(duration: Duration) -> String {
    let s = duration.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}
