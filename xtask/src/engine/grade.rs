//! From crates to verdicts: build every suite at once, run the binaries,
//! and say for each crate whether it passed, and if not, how it failed.
//!
//! `check` grades the learner's crates and `verify` grades the starters and
//! the solutions through this same code, so what the workbook proves about
//! itself is what learners get.

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::engine::cargo::{self, Diagnostic};
use crate::engine::fresh;
use crate::engine::origin;
use crate::engine::outcomes;
use crate::engine::run::{self, Job};
use crate::engine::suite_env;
use crate::model::change::Change;
use crate::model::lesson::Crate;
use crate::model::lesson::Step;
use crate::model::results::TestResult;
use crate::model::results::TestStatus;
use crate::model::results::Verdict;

/// What running a suite binary found, kept between runs by [`fresh`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RunOutcome {
    verdict: Verdict,
    tests: Vec<TestResult>,
    stderr: String,
    elapsed: Duration,
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
    /// Why a tampered lesson is untrustworthy.
    pub tampered: Vec<Change>,
    /// The verdict is the last run's: the binary has not changed since.
    pub cached: bool,
}

impl<'a> Graded<'a> {
    /// A crate that is not built or run, for the reason `verdict` gives.
    pub fn skipped(krate: Crate<'a>, verdict: Verdict, tampered: Vec<Change>) -> Self {
        Graded {
            krate,
            verdict,
            tests: Vec::new(),
            compile_errors: Vec::new(),
            stderr: String::new(),
            elapsed: Duration::ZERO,
            limit: Duration::ZERO,
            tampered,
            cached: false,
        }
    }

    pub fn failed(&self) -> Vec<&TestResult> {
        self.tests
            .iter()
            .filter(|t| matches!(t.status, TestStatus::Fail | TestStatus::Error))
            .collect()
    }

    pub fn not_run(&self) -> Vec<&TestResult> {
        self.tests
            .iter()
            .filter(|t| t.status == TestStatus::Skip)
            .collect()
    }
}

/// How to grade.
pub struct Options {
    /// Reuse the last build and verdicts when nothing changed (`check`), or
    /// always build and run (`verify`, `--fresh`).
    pub reuse: bool,
    /// Variables pointing the suites at services started for this run
    /// (see [`services`](crate::engine::services)).
    pub services: Vec<(&'static str, String)>,
    /// libtest filters: the tests to run (a step, a name), all when empty.
    pub filters: Vec<String>,
    /// Keep the learners' crates' incremental caches (`check`), or build
    /// them whole (`verify`, which builds each once).
    pub incremental: bool,
}

/// Grades `crates`, each run limited to `limit(crate)`.
pub fn grade<'a>(
    root: &Path,
    crates: &[Crate<'a>],
    limit: impl Fn(&Crate<'a>) -> Duration,
    options: &Options,
) -> anyhow::Result<Vec<Graded<'a>>> {
    if crates.is_empty() {
        return Ok(Vec::new());
    }
    let packages: Vec<(&str, &Path)> = crates.iter().map(|c| (c.package, c.dir)).collect();
    let mut build = build(root, &packages, options)?;

    // Run what was built and has no verdict on record for its binary.
    let (env, key_env) = run_env(root, options);
    let mut graded: Vec<Option<Graded<'a>>> = Vec::new();
    let mut jobs = Vec::new();
    for (i, krate) in crates.iter().enumerate() {
        let limit = limit(krate);
        let Some(exe) = build.binaries.get(krate.package) else {
            graded.push(Some(not_compiled(*krate, &mut build, limit)));
            continue;
        };
        let key = fresh::run_key(exe, limit, &key_env, &options.filters);
        let cached = options
            .reuse
            .then_some(key.as_deref())
            .flatten()
            .and_then(|key| fresh::cached_run::<RunOutcome>(root, krate.package, key));
        match cached {
            Some(outcome) => graded.push(Some(from_outcome(*krate, outcome, limit, true))),
            None => {
                graded.push(None);
                jobs.push((
                    i,
                    key,
                    Job {
                        exe: exe.clone(),
                        dir: krate.dir.to_owned(),
                        limit,
                        report: Some(run::report_path(root, krate.package)),
                        env: env.clone(),
                        filters: options.filters.clone(),
                    },
                ));
            }
        }
    }
    let plain: Vec<Job> = jobs.iter().map(|(_, _, job)| job.clone()).collect();
    for ((i, key, job), finished) in jobs.into_iter().zip(run::run_all(&plain)) {
        let outcome = outcome(root, &job, finished?);
        // Timeouts and crashes can depend on the machine's load: never reused.
        if let (Some(key), Verdict::Passed | Verdict::Failing | Verdict::Incomplete) =
            (&key, outcome.verdict)
        {
            fresh::remember_run(root, crates[i].package, key, &outcome);
        }
        graded[i] = Some(from_outcome(crates[i], outcome, job.limit, false));
    }
    Ok(graded
        .into_iter()
        .map(|g| g.expect("every crate graded"))
        .collect())
}

type Env = Vec<(OsString, OsString)>;

/// The environment suites run in, and the one their verdicts are keyed on:
/// the same, but for a throwaway service's address, which is new each run
/// and changes nothing but where the same kind of service listens.
fn run_env(root: &Path, options: &Options) -> (Env, Env) {
    let mut env = suite_env::suite_env(root);
    let mut key_env = env.clone();
    for (var, value) in &options.services {
        suite_env::set(&mut env, var, value.into());
        suite_env::set(
            &mut key_env,
            var,
            "(a throwaway one, started by xtask)".into(),
        );
    }
    (env, key_env)
}

/// The suites' binaries: the last build when nothing changed since and it
/// was built here, else cargo's, with any binary another copy of the
/// workbook built rebuilt here (see [`origin`]).
fn build(
    root: &Path,
    packages: &[(&str, &Path)],
    options: &Options,
) -> anyhow::Result<cargo::Build> {
    let names: Vec<&str> = packages.iter().map(|(p, _)| *p).collect();
    let features = cargo::driver_features(&names);
    if options.reuse
        && let Some(build) = fresh::reuse_build(root, &names, &features)
        && origin::all_built_here(root, &build)
    {
        return Ok(build);
    }
    let started = SystemTime::now();
    let mut build = cargo::build_suites(root, packages, options.incremental)?;
    let foreign = origin::claim(root, &build, started);
    if !foreign.is_empty() {
        origin::forget(&build, &foreign);
        let started = SystemTime::now();
        build = cargo::build_suites(root, packages, options.incremental)?;
        origin::claim(root, &build, started);
    }
    fresh::remember_build(root, started, &names, &features, &build);
    Ok(build)
}

fn not_compiled<'a>(krate: Crate<'a>, build: &mut cargo::Build, limit: Duration) -> Graded<'a> {
    let mut compile_errors = build.errors.get(krate.package).cloned().unwrap_or_default();
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
    Graded {
        compile_errors,
        limit,
        ..Graded::skipped(krate, Verdict::DoesNotCompile, Vec::new())
    }
}

fn from_outcome(
    krate: Crate<'_>,
    outcome: RunOutcome,
    limit: Duration,
    cached: bool,
) -> Graded<'_> {
    Graded {
        tests: outcome.tests,
        stderr: outcome.stderr,
        elapsed: outcome.elapsed,
        limit,
        cached,
        ..Graded::skipped(krate, outcome.verdict, Vec::new())
    }
}

fn outcome(root: &Path, job: &Job, run: run::Finished) -> RunOutcome {
    let mut tests = outcomes::read(job.report.as_deref(), &run.stdout);

    let verdict = match run.status {
        None => Verdict::TimedOut,
        Some(status) if status.success() && tests.iter().any(|t| t.status == TestStatus::Skip) => {
            Verdict::Incomplete
        }
        Some(status) if status.success() && !tests.is_empty() => Verdict::Passed,
        Some(_) if tests.iter().any(|t| t.status == TestStatus::Fail) => Verdict::Failing,
        Some(_) => Verdict::Crashed,
    };
    if matches!(verdict, Verdict::TimedOut | Verdict::Crashed) {
        add_unfinished(root, job, verdict, &mut tests);
    }
    // Completion order varies from run to run; reports should not.
    tests.sort_by(|a, b| (a.step, &a.name).cmp(&(b.step, &b.name)));
    RunOutcome {
        verdict,
        tests,
        stderr: run.stderr,
        elapsed: run.elapsed,
    }
}

/// Adds the tests of `job` that never ended, the ones to look at after a
/// timeout or a crash, and gives a step to those the harness alone named.
fn add_unfinished(root: &Path, job: &Job, verdict: Verdict, tests: &mut Vec<TestResult>) {
    let all = run::list_tests(root, &job.exe, &job.dir, &job.filters).unwrap_or_default();
    for full in all {
        let (step, name) = Step::of_test(&full);
        if let Some(test) = tests.iter_mut().find(|t| t.name == name) {
            test.step = test.step.or(step);
            continue;
        }
        let output = match verdict {
            Verdict::TimedOut => format!(
                "still running after {}: a handler may never return",
                seconds(job.limit)
            ),
            _ => "the suite stopped before this test ended".to_owned(),
        };
        tests.push(TestResult {
            name: name.to_owned(),
            step,
            status: TestStatus::Error,
            output,
            need: None,
        });
    }
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
