//! `cargo xtask check`: grade the learner's crates and say where they stand.

use std::path::Path;
use std::time::Duration;

use crate::failure::{self, Cause};
use crate::grade::{self, Graded, Options, TestResult, TestStatus, Verdict};
use crate::guide;
use crate::lessons::{self, Lesson, Which};
use crate::manifest::{self, Manifest};
use crate::resolved;
use crate::services;
use crate::state::{self, Progress};

/// What the command line asked for.
pub struct Request<'r> {
    pub lessons: &'r [String],
    pub timeout: Option<Duration>,
    /// Build and run everything, whatever was recorded.
    pub fresh: bool,
    /// Every failing test in full, not the first few.
    pub verbose: bool,
}

/// Failures shown in full before the rest are only named.
const SHOWN_IN_FULL: usize = 3;

/// Grades the lessons `request` names (all when none) and says how they
/// did; returns whether every one passed.
pub fn check(root: &Path, all: &[Lesson], request: &Request) -> anyhow::Result<bool> {
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
/// per lesson, the details of a single one, and what to do next. Returns
/// whether every lesson passed.
pub fn show(root: &Path, all: &[Lesson], request: &Request, graded: &[Graded]) -> bool {
    let mut progress: Progress = state::load(root, state::PROGRESS);
    for g in graded {
        let detail = match g.verdict {
            Verdict::Failing => Some(format!("{} of {}", g.failed().len(), g.tests.len())),
            Verdict::Incomplete => Some(format!(
                "{} of {} skipped",
                g.not_run().len(),
                g.tests.len()
            )),
            _ => None,
        };
        progress.record(&g.krate.lesson.slug, g.verdict, detail);
    }
    state::save(root, state::PROGRESS, &progress);

    let single = graded.len() == 1;
    for g in graded {
        println!("  {:<24} {}", g.krate.lesson.to_string(), describe(g));
    }
    if single {
        print_details(&graded[0], request.verbose);
    }
    let passed = graded.iter().all(|g| g.verdict == Verdict::Passed);
    if !single || passed {
        guide::print_next(root, all, &progress);
    } else if !matches!(graded[0].verdict, Verdict::Tampered | Verdict::Incomplete) {
        println!(
            "\nStuck? `cargo xtask hint {}` says where to look.",
            graded[0].krate.lesson.number
        );
    }
    passed
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

/// The failing tests' messages and the compiler's errors, once each.
pub fn print_details(g: &Graded, verbose: bool) {
    match g.verdict {
        Verdict::Tampered => print_tampered(g),
        Verdict::DoesNotCompile => print_compile_errors(g),
        Verdict::NotStarted => {}
        _ => print_failures(g, verbose),
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

fn print_failures(g: &Graded, verbose: bool) {
    let (unfinished, failed): (Vec<_>, Vec<_>) = g
        .failed()
        .into_iter()
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
