//! `cargo xtask check`: grade the learner's crates and say where they stand.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::commands::guide;
use crate::course::grading::{self, Only, Request};
use crate::course::lessons;
use crate::course::steps;
use crate::engine::grade::Graded;
use crate::engine::state::{self, Progress};
use crate::engine::suite_env;
use crate::model::lesson::Lesson;
use crate::model::results::{TestStatus, Verdict};
use crate::render::report::{self, ReportRequest};
use crate::render::verdicts;

/// `cargo xtask check`'s command line.
#[derive(clap::Args)]
pub struct Args {
    /// Lessons, by number or name: `1`, `01`, `basic-middleware`. After
    /// one lesson, words to match test names: `check 04 slot`.
    pub lessons: Vec<String>,
    /// Run one step of the lesson: `check 04 --step 2`.
    #[arg(long, value_name = "K")]
    pub step: Option<usize>,
    /// Wall-clock limit for each lesson's suite, in seconds (default:
    /// sized from the reference solution's own time, at least 30).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Build and run everything again, even what has not changed.
    #[arg(long)]
    pub fresh: bool,
    /// Show every failing test in full.
    #[arg(long, short)]
    pub verbose: bool,
    /// Also write a report: json, junit or classroom, each optionally
    /// `=PATH` (default: .workbook/report.json, junit.xml,
    /// classroom.json). Repeatable. Written pass or fail, and always of
    /// whole lessons.
    #[arg(long, value_name = "KIND[=PATH]", conflicts_with = "step")]
    pub report: Vec<ReportRequest>,
}

/// Runs `cargo xtask check`: grades, writes the reports asked for (pass or
/// fail, a runner error included), and shows where the learner stands.
pub fn run(root: &Path, all: &[Lesson], args: Args) -> anyhow::Result<bool> {
    let (lessons, only) = parse(all, &args.lessons, args.step)?;
    if only != Only::All && !args.report.is_empty() {
        bail!("a report holds whole lessons: drop the test names or --report");
    }
    report::validate(root, &args.report)?;
    let timeout = args.timeout.map(seconds).transpose()?;
    if args.verbose {
        suite_env::show_whole_conversations();
    }
    let request = Request {
        lessons: &lessons,
        only,
        timeout,
        fresh: args.fresh,
        verbose: args.verbose,
    };
    let graded = grading::grade_selected(root, all, &request);
    report::write(root, &args.report, &graded)?;
    Ok(show(root, all, &request, &graded?).passed)
}

fn seconds(value: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .with_context(|| format!("--timeout {value}: give a positive number of seconds"))
}

/// What a check found, for `watch`.
pub struct Checked {
    pub passed: bool,
    /// The step to work on, when one lesson was checked whole and has one.
    pub step: Option<usize>,
}

/// Sorts `args` into lessons and, for one lesson, test names to match:
/// `check 04 slot` runs the tests of lesson 04 whose names hold `slot`.
/// `step` (from `--step`) narrows the run to one step of that lesson.
pub fn parse(
    all: &[Lesson],
    args: &[String],
    step: Option<usize>,
) -> anyhow::Result<(Vec<String>, Only)> {
    let (named, rest): (Vec<String>, Vec<String>) = args
        .iter()
        .cloned()
        .partition(|arg| lessons::find(all, arg).is_ok());
    if named.is_empty()
        && let Some(first) = rest.first()
    {
        // Not a lesson, and no lesson to search: say which lessons exist.
        lessons::find(all, first)?;
    }
    let only = match (step, rest.is_empty()) {
        (None, true) => return Ok((named, Only::All)),
        (Some(_), false) => bail!("give --step or test names, not both"),
        (Some(number), true) => Only::Step(number),
        (None, false) => Only::Named(rest),
    };
    let [one] = named.as_slice() else {
        bail!("--step and test names go with one lesson: `cargo xtask check 04 --step 2`");
    };
    if let Only::Step(number) = only {
        let lesson = lessons::find(all, one)?;
        let count = lesson.steps.len();
        if number == 0 || number > count {
            bail!("lesson {lesson} has steps 1 to {count}: there is no step {number}");
        }
    }
    Ok((named, only))
}

/// Grades the lessons `request` names (all when none) and says how they
/// did.
pub fn check(root: &Path, all: &[Lesson], request: &Request) -> anyhow::Result<Checked> {
    let graded = grading::grade_selected(root, all, request)?;
    Ok(show(root, all, request, &graded))
}

/// Records the verdicts as the learner's progress and prints them: one line
/// per lesson, the details of a single one, and what to do next.
pub fn show(root: &Path, all: &[Lesson], request: &Request, graded: &[Graded]) -> Checked {
    let mut progress: Progress = state::load(root, state::PROGRESS);
    // A run of some tests says nothing of the lesson as a whole.
    if request.only == Only::All {
        for g in graded {
            progress.record(&g.krate.lesson.slug, g.verdict, summary(g));
        }
        state::save(root, state::PROGRESS, &progress);
    }
    let passed = graded.iter().all(|g| g.verdict == Verdict::Passed);
    let [single] = graded else {
        for g in graded {
            println!(
                "  {:<24} {}",
                g.krate.lesson.to_string(),
                verdicts::describe(g)
            );
        }
        guide::print_next(root, all, &progress);
        return Checked { passed, step: None };
    };
    let step = show_one(single, request);
    if request.only == Only::All && passed {
        guide::print_next(root, all, &progress);
    } else if !passed && !matches!(single.verdict, Verdict::Tampered | Verdict::Incomplete) {
        println!(
            "\nStuck? `cargo xtask hint {}` says where to look.",
            single.krate.lesson.number
        );
    }
    Checked { passed, step }
}

/// What progress keeps of a verdict beside its label.
fn summary(g: &Graded) -> Option<String> {
    match g.verdict {
        Verdict::Failing => Some(format!("{} of {}", g.failed().len(), g.tests.len())),
        Verdict::Incomplete => Some(format!(
            "{} of {} skipped",
            g.not_run().len(),
            g.tests.len()
        )),
        _ => None,
    }
}

/// Prints one lesson's grade: where the learner stands, then the failures
/// of the step to work on, and only a count of the later ones. Returns
/// that step.
fn show_one(g: &Graded, request: &Request) -> Option<usize> {
    let lesson = g.krate.lesson;
    if let Only::Named(names) = &request.only
        && g.tests.is_empty()
        && g.verdict == Verdict::Crashed
    {
        println!(
            "  {lesson}: no test name holds {}. `cargo xtask check {}` runs them all and names the failing ones.",
            verdicts::quoted(names),
            lesson.number
        );
        return None;
    }
    let ran = matches!(
        g.verdict,
        Verdict::Failing | Verdict::Incomplete | Verdict::Passed
    );
    let tallies = steps::tally(lesson, &g.tests);
    let focus = match &request.only {
        _ if !ran => None,
        Only::Step(number) => {
            let tally = &tallies[number - 1];
            println!(
                "  {lesson}, step {number} of {} ({}): {} of {} tests pass",
                tallies.len(),
                tally.title,
                tally.passed,
                tally.total
            );
            None
        }
        Only::Named(names) => {
            let passed = g
                .tests
                .iter()
                .filter(|t| t.status == TestStatus::Pass)
                .count();
            println!(
                "  {lesson}, the tests named with {}: {passed} of {} pass",
                verdicts::quoted(names),
                g.tests.len()
            );
            None
        }
        // Skipped tests are no step's failures: the lesson's line says
        // what they need.
        Only::All if g.verdict == Verdict::Incomplete => None,
        Only::All => steps::standing(&tallies).and_then(|standing| {
            println!("  {lesson}: {standing}");
            steps::current(&tallies).map(|t| t.number)
        }),
    };
    // The line above says it all, but for a pass or a run that never got
    // to its tests.
    if focus.is_none() && (request.only == Only::All || !ran) {
        println!("  {:<24} {}", lesson.to_string(), verdicts::describe(g));
    }
    verdicts::print_details(g, focus, request.verbose);
    if let Some(number) = focus {
        verdicts::print_later(&tallies, number);
    }
    focus
}
