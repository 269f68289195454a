//! `cargo xtask check`: grade the learner's crates and say where they stand.

use std::path::Path;
use std::time::Duration;

use anyhow::bail;

use crate::failure::{self, Cause};
use crate::grade::{self, Graded, Options, TestResult, TestStatus, Verdict};
use crate::guide;
use crate::lessons::{self, Lesson, Which};
use crate::manifest::{self, Manifest};
use crate::resolved;
use crate::services;
use crate::state::{self, Progress};
use crate::steps;

/// What the command line asked for.
pub struct Request<'r> {
    /// The lessons named, all when empty.
    pub lessons: &'r [String],
    /// Which of their tests to run: all, a step, or those a name matches.
    pub only: Only,
    pub timeout: Option<Duration>,
    /// Build and run everything, whatever was recorded.
    pub fresh: bool,
    /// Every failing test in full, not the first few.
    pub verbose: bool,
}

/// Which tests of a lesson a check runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Only {
    All,
    /// One step, from 1.
    Step(usize),
    /// The tests whose names contain one of these.
    Named(Vec<String>),
}

impl Only {
    /// The libtest filters that run these tests.
    fn filters(&self) -> Vec<String> {
        match self {
            Only::All => Vec::new(),
            Only::Step(number) => vec![steps::filter(*number)],
            Only::Named(names) => names.clone(),
        }
    }
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

/// Failures shown in full before the rest are only named.
const SHOWN_IN_FULL: usize = 3;

/// Grades the lessons `request` names (all when none) and says how they
/// did.
pub fn check(root: &Path, all: &[Lesson], request: &Request) -> anyhow::Result<Checked> {
    let graded = grade_selected(root, all, request)?;
    Ok(show(root, all, request, &graded))
}

/// Grades the lessons `request` names (all when none), printing nothing but
/// what is being checked.
pub fn grade_selected<'a>(
    root: &Path,
    all: &'a [Lesson],
    request: &Request,
) -> anyhow::Result<Vec<Graded<'a>>> {
    let selected = lessons::select(all, request.lessons)?;
    grade_lessons(root, &selected, request)
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
            println!("  {:<24} {}", g.krate.lesson.to_string(), describe(g));
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
            quoted(names),
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
                quoted(names),
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
        println!("  {:<24} {}", lesson.to_string(), describe(g));
    }
    print_details(g, focus, request.verbose);
    if let Some(number) = focus {
        print_later(&tallies, number);
    }
    focus
}

/// `` `slot` or `ban` ``.
fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(" or ")
}

/// `Later: steps 3 (banning) and 4 (the chain), 12 tests.`
fn print_later(tallies: &[steps::Tally], current: usize) {
    let later: Vec<&steps::Tally> = tallies
        .iter()
        .filter(|t| t.number > current && !t.done())
        .collect();
    if later.is_empty() {
        return;
    }
    let tests: usize = later.iter().map(|t| t.total - t.passed).sum();
    let named: Vec<String> = later
        .iter()
        .map(|t| format!("{} ({})", t.number, t.title))
        .collect();
    println!(
        "\nLater: {} more test{} to turn green, in step{} {}. \
         Their failures show once you get there.",
        tests,
        if tests == 1 { "" } else { "s" },
        if later.len() == 1 { "" } else { "s" },
        named.join(", ")
    );
}

/// The default wall-clock limit for a lesson's suite: generous next to the
/// solution's own time, plus one harness wait (5 s) for each round of
/// tests, since wrong code may make every test wait its turn out before
/// failing. Never under 30 s.
pub fn default_limit(manifest: Option<&Manifest>, lesson: &Lesson) -> Duration {
    const FLOOR: Duration = Duration::from_secs(30);
    let Some(record) = manifest.and_then(|m| m.lessons.get(&lesson.slug)) else {
        return FLOOR;
    };
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let rounds = record.tests.div_ceil(threads) as f64;
    let sized = 3.0 * record.solution_seconds + rounds * 6.0;
    FLOOR.max(Duration::from_secs_f64(sized.ceil()))
}

fn grade_lessons<'a>(
    root: &Path,
    selected: &[&'a Lesson],
    request: &Request,
) -> anyhow::Result<Vec<Graded<'a>>> {
    let manifest = manifest::load(root)?;
    // A grader swapped through a cargo config makes every lesson untrustworthy.
    let replaced = resolved::replaced(root);
    // Integrity first: a lesson whose tests changed is not worth running.
    let mut verdicts: Vec<Option<Graded<'a>>> = Vec::new();
    let mut to_grade = Vec::new();
    for lesson in selected {
        let krate = lesson.crate_of(Which::Starter);
        match integrity(root, manifest.as_ref(), lesson, &replaced) {
            Err(changes) => verdicts.push(Some(Graded::skipped(krate, Verdict::Tampered, changes))),
            // Running a lesson nobody touched only proves the starter fails;
            // when a lesson is named, its failures are the guide, so it runs.
            Ok(())
                if request.lessons.is_empty()
                    && manifest
                        .as_ref()
                        .is_some_and(|m| manifest::untouched(m, lesson)) =>
            {
                verdicts.push(Some(Graded::skipped(
                    krate,
                    Verdict::NotStarted,
                    Vec::new(),
                )));
            }
            Ok(()) => {
                verdicts.push(None);
                to_grade.push(krate);
            }
        }
    }
    if !to_grade.is_empty() {
        println!(
            "checking {}...",
            names(&to_grade.iter().map(|c| c.lesson).collect::<Vec<_>>())
        );
    }
    // Stopped when dropped, after the run.
    let services = if to_grade.is_empty() {
        Vec::new()
    } else {
        services::start_missing()
    };
    let limit = |c: &lessons::Crate| {
        request
            .timeout
            .unwrap_or_else(|| default_limit(manifest.as_ref(), c.lesson))
    };
    let mut graded = grade::grade(
        root,
        &to_grade,
        limit,
        &Options {
            reuse: !request.fresh,
            services: services
                .iter()
                .map(|service| (service.var, service.url.clone()))
                .collect(),
            filters: request.only.filters(),
        },
    )?
    .into_iter();
    let mut out = Vec::new();
    for slot in verdicts {
        let mut g = match slot {
            Some(g) => g,
            None => graded.next().expect("one grade per crate"),
        };
        // The run itself may have written to a guarded file.
        if g.verdict != Verdict::Tampered
            && let Err(changes) = integrity(root, manifest.as_ref(), g.krate.lesson, &replaced)
        {
            g = Graded::skipped(g.krate, Verdict::Tampered, changes);
        }
        out.push(g);
    }
    Ok(out)
}

/// `Err` with what changed when the lesson's guarded files are not as the
/// manifest recorded, or a crate that grades was `replaced`.
fn integrity(
    root: &Path,
    manifest: Option<&Manifest>,
    lesson: &Lesson,
    replaced: &[manifest::Change],
) -> Result<(), Vec<manifest::Change>> {
    let mut changes = match manifest {
        Some(manifest) => manifest::tampered(root, manifest, lesson),
        None => vec![manifest::Change::Unrecorded(manifest::PATH.to_owned())],
    };
    changes.extend(replaced.iter().cloned());
    if changes.is_empty() {
        Ok(())
    } else {
        Err(changes)
    }
}

fn names(lessons: &[&Lesson]) -> String {
    match lessons {
        [one] => format!("lesson {one}"),
        many => format!("{} lessons", many.len()),
    }
}

/// One line: how the crate did.
pub fn describe(g: &Graded) -> String {
    let names = |tests: &[&grade::TestResult]| {
        let mut shown: Vec<&str> = tests.iter().take(4).map(|t| t.name.as_str()).collect();
        if tests.len() > 4 {
            shown.push("...");
        }
        shown.join(", ")
    };
    let cached = if g.cached {
        ", unchanged since the last check"
    } else {
        ""
    };
    match g.verdict {
        Verdict::Passed => format!(
            "passed ({} tests, {}{cached})",
            g.tests.len(),
            grade::seconds(g.elapsed)
        ),
        Verdict::Failing => {
            let failed = g.failed();
            let skips = skips(g).map(|s| format!("; {s}")).unwrap_or_default();
            format!(
                "failing: {} of {} tests ({}){skips}{cached}",
                failed.len(),
                g.tests.len(),
                names(&failed)
            )
        }
        Verdict::Incomplete => format!(
            "{} of {} pass; {}{cached}",
            g.tests.len() - g.not_run().len(),
            g.tests.len(),
            skips(g).unwrap_or_default()
        ),
        Verdict::DoesNotCompile => "does not compile".to_owned(),
        Verdict::TimedOut => {
            let unfinished: Vec<_> = g
                .failed()
                .into_iter()
                .filter(|t| t.status == TestStatus::Error)
                .collect();
            format!(
                "timed out after {}: a handler may never return (unfinished: {})",
                grade::seconds(g.limit),
                names(&unfinished)
            )
        }
        Verdict::Crashed => format!("crashed before its tests ended ({})", names(&g.failed())),
        Verdict::NotStarted => "not started".to_owned(),
        Verdict::Tampered => format!(
            "TAMPERED: {} changed, not graded",
            g.tampered
                .iter()
                .map(|c| c.path())
                .take(3)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `8 need Redis: start one with …`: the tests that did not run, by what
/// they need, or `None` when every test ran.
pub fn skips(g: &Graded) -> Option<String> {
    let mut needs: Vec<(&grade::Need, usize)> = Vec::new();
    for need in g.not_run().into_iter().filter_map(|t| t.need.as_ref()) {
        match needs.iter_mut().find(|(n, _)| *n == need) {
            Some((_, count)) => *count += 1,
            None => needs.push((need, 1)),
        }
    }
    let said: Vec<String> = needs
        .iter()
        .map(|(need, count)| format!("{count} need {}: {}", need.what, need.how))
        .collect();
    (!said.is_empty()).then(|| said.join("; "))
}

/// The failing tests' messages (of step `focus` alone, when given) and the
/// compiler's errors, once each.
pub fn print_details(g: &Graded, focus: Option<usize>, verbose: bool) {
    match g.verdict {
        Verdict::Tampered => print_tampered(g),
        Verdict::DoesNotCompile => print_compile_errors(g),
        Verdict::NotStarted => {}
        _ => print_failures(g, focus, verbose),
    }
}

fn print_tampered(g: &Graded) {
    println!("\nThese files differ from the ones the lesson was handed out with:");
    for change in &g.tampered {
        println!("  {change}");
    }
    let restore: Vec<&str> = g
        .tampered
        .iter()
        .filter(|c| {
            matches!(
                c,
                manifest::Change::Modified(_) | manifest::Change::Removed(_)
            )
        })
        .map(|c| c.path())
        .collect();
    let added: Vec<&str> = g
        .tampered
        .iter()
        .filter(|c| matches!(c, manifest::Change::Added(_)))
        .map(|c| c.path())
        .collect();
    println!(
        "\nThe suite is the lesson's spec: a lesson passes by changing the server, not its tests."
    );
    if g.tampered
        .iter()
        .any(|c| matches!(c, manifest::Change::Replaced(..)))
    {
        println!(
            "The crates that grade come from crates.io and this workbook only: remove the \
             `[patch]`, `paths` or git source that replaces them (in Cargo.toml, in a \
             .cargo/config.toml here or in any folder above, or in ~/.cargo/config.toml)."
        );
    }
    if !restore.is_empty() {
        println!(
            "Restore them with:\n  git checkout -- {}",
            restore.join(" ")
        );
        println!(
            "(if you committed the change: git checkout $(git rev-list --max-parents=0 HEAD) -- <file>)"
        );
    }
    if !added.is_empty() {
        println!("Remove the added files:\n  rm {}", added.join(" "));
    }
    println!(
        "(Writing the workbook itself? Record reviewed changes with \
         `cargo xtask verify --update-manifest`.)"
    );
}

/// Compiler errors that point into the crate come alone when there are any:
/// an error in the harness is usually the echo of one in the learner's code.
fn print_compile_errors(g: &Graded) {
    let in_crate: Vec<_> = g
        .compile_errors
        .iter()
        .filter(|e| e.files.iter().any(|f| f.starts_with(g.krate.dir)))
        .collect();
    let errors = if in_crate.is_empty() {
        g.compile_errors.iter().collect()
    } else {
        in_crate
    };
    let mut seen = Vec::new();
    for error in errors {
        if !seen.contains(&&error.rendered) {
            seen.push(&error.rendered);
            println!("\n{}", error.rendered);
        }
    }
}

/// Failing tests that failed the same way, in the order of their first.
fn groups<'t>(failed: &[&'t TestResult]) -> Vec<(Cause, Vec<&'t TestResult>)> {
    let mut groups: Vec<(Cause, Vec<&TestResult>)> = Vec::new();
    for test in failed {
        let cause = failure::cause(&test.output);
        match groups
            .iter_mut()
            .find(|(c, _)| cause.shared() && *c == cause)
        {
            Some((_, tests)) => tests.push(test),
            None => groups.push((cause, vec![test])),
        }
    }
    groups
}

fn print_failures(g: &Graded, focus: Option<usize>, verbose: bool) {
    let (unfinished, failed): (Vec<_>, Vec<_>) = g
        .failed()
        .into_iter()
        .filter(|t| focus.is_none_or(|step| t.step == Some(step)))
        .partition(|t| t.status == TestStatus::Error);
    let groups = groups(&failed);
    let shown = if verbose { groups.len() } else { SHOWN_IN_FULL };
    for (cause, tests) in groups.iter().take(shown) {
        let (first, rest) = tests.split_first().expect("a group has a test");
        if rest.is_empty() {
            println!(
                "\n──── {} ────\n{}",
                first.name,
                failure::readable(&first.output)
            );
            continue;
        }
        println!(
            "\n──── {}, and {} more test{} failing the same way ────\n{}",
            first.name,
            rest.len(),
            if rest.len() == 1 { "" } else { "s" },
            failure::readable(&first.output)
        );
        let place = cause
            .place()
            .map(|p| format!(" (at {p})"))
            .unwrap_or_default();
        println!(
            "\nThe same failure{place} stops {} more test{}: {}",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" },
            names_of(rest)
        );
    }
    if groups.len() > shown {
        let rest: Vec<&TestResult> = groups[shown..]
            .iter()
            .flat_map(|(_, tests)| tests.iter().copied())
            .collect();
        println!(
            "\n…and {} more failing: {} (--verbose shows them all)",
            rest.len(),
            names_of(&rest)
        );
    }
    if g.verdict == Verdict::TimedOut {
        println!(
            "\n──── timed out ────\nThese tests had not finished after {}: {}.\n\
             Every wait in the harness gives up after a few seconds, so a test still running \
             is stuck in the server: a handler or middleware that never returns (a loop, or an \
             await on something that never happens). The whole run was stopped.",
            grade::seconds(g.limit),
            names_of(&unfinished)
        );
    }
    if !g.not_run().is_empty() {
        println!(
            "\n──── not run ────\nThese tests did not run, so the lesson is not passed yet: {}.\n{}",
            names_of(&g.not_run()),
            skips(g).unwrap_or_default()
        );
    }
    if g.verdict == Verdict::Crashed && !g.stderr.trim().is_empty() {
        println!("\n──── the suite's stderr ────\n{}", g.stderr.trim_end());
    }
}

fn names_of(tests: &[&TestResult]) -> String {
    tests
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
