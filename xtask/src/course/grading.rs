//! Grading the lessons a command names: integrity first (a lesson whose
//! tests changed is not worth running), then the services the suites need,
//! then the engine.

use std::path::Path;
use std::time::Duration;

use crate::course::lessons;
use crate::course::manifest::{self, Manifest};
use crate::engine::grade::{self, Graded, Options};
use crate::engine::resolved;
use crate::engine::services;
use crate::model::change::Change;
use crate::model::lesson::Crate;
use crate::model::lesson::Step;
use crate::model::lesson::{Lesson, Which};
use crate::model::results::Verdict;

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
            Only::Step(number) => vec![Step::filter(*number)],
            Only::Named(names) => names.clone(),
        }
    }
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

/// A slot per lesson, filled when it is not to be run, and the crates to
/// run.
type Sorted<'a> = (Vec<Option<Graded<'a>>>, Vec<Crate<'a>>);

/// Integrity first: a lesson whose guarded files changed is not worth
/// running (where the graders resolved is known after the build).
fn sort_out<'a>(
    root: &Path,
    selected: &[&'a Lesson],
    request: &Request,
    manifest: Option<&Manifest>,
) -> Sorted<'a> {
    let mut verdicts = Vec::new();
    let mut to_grade = Vec::new();
    for lesson in selected {
        let krate = lesson.crate_of(Which::Starter);
        match integrity(root, manifest, lesson, &[]) {
            Err(changes) => verdicts.push(Some(Graded::skipped(krate, Verdict::Tampered, changes))),
            // Running a lesson nobody touched only proves the starter fails;
            // when a lesson is named, its failures are the guide, so it runs.
            Ok(())
                if request.lessons.is_empty()
                    && manifest.is_some_and(|m| manifest::untouched(m, lesson)) =>
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
    (verdicts, to_grade)
}

fn grade_lessons<'a>(
    root: &Path,
    selected: &[&'a Lesson],
    request: &Request,
) -> anyhow::Result<Vec<Graded<'a>>> {
    let manifest = manifest::load(root)?;
    // A grader swapped through a cargo config makes every lesson
    // untrustworthy. Asking cargo where each resolved takes a quarter of a
    // second, a tenth of a check after an edit: it runs beside the build,
    // and its answer is held against every verdict after the run, as the
    // guarded files are.
    let replaced = std::thread::spawn({
        let root = root.to_owned();
        move || resolved::replaced(&root)
    });
    let (verdicts, to_grade) = sort_out(root, selected, request, manifest.as_ref());
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
    let limit = |c: &Crate| {
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
            incremental: true,
        },
    )?
    .into_iter();
    let replaced = replaced.join().unwrap_or_default();
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
    replaced: &[Change],
) -> Result<(), Vec<Change>> {
    let mut changes = match manifest {
        Some(manifest) => manifest::tampered(root, manifest, lesson),
        None => vec![Change::Unrecorded(manifest::PATH.to_owned())],
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
