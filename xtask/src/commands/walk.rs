//! `cargo xtask walk NN`: a maintainer's proof that a lesson's steps can be
//! taken in order.
//!
//! Starting from the starter, it writes the reference solution's regions of
//! one more step at a time into the learner's crate, checks the lesson
//! after each, and prints `check`'s standing and how long the check took.
//! After step K, steps 1 to K must be done: a step whose tests need a later
//! step's code is a step a learner cannot finish. First, it checks the
//! step lists as `verify` does (Cargo.toml, suite, regions, chapter). The crate is put back as
//! it was handed out at the end, whatever happens (or by `cargo xtask
//! reset NN` if the walk is killed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, bail};

use crate::commands::verify;
use crate::course::drift;
use crate::course::grading::{Only, Request};
use crate::course::manifest;
use crate::course::steps;
use crate::engine::files;
use crate::model::lesson::Lesson;
use crate::model::results::Verdict;

/// Walks `lesson`'s steps; `Ok(false)` when one could not be finished in
/// its turn.
pub fn walk(root: &Path, all: &[Lesson], lesson: &Lesson) -> anyhow::Result<bool> {
    let manifest = manifest::load(root)?.context("the manifest is missing")?;
    if !manifest::untouched(&manifest, lesson) {
        bail!(
            "walk rewrites lessons/{}: it runs on the starter as handed out. \
             `cargo xtask reset {}` puts it back (your version is backed up first).",
            lesson.id(),
            lesson.number
        );
    }
    // The lists first: a walk proves the steps can be taken, not that the
    // chapter says which tests each one turns green.
    let lists = verify::steps_agree(root, &[lesson]);
    if let Err(e) = &lists {
        println!("{e:#}\n");
    }
    let starter = Restore::new(&lesson.dir)?;
    let mut kept = true;
    println!(
        "| after | `check {}` says | time |\n|---|---|---|",
        lesson.number
    );
    for taken in 0..=lesson.steps.len() {
        let regions: Vec<&str> = lesson.steps[..taken]
            .iter()
            .flat_map(|s| s.regions.iter().map(String::as_str))
            .collect();
        starter.write_with(&lesson.solution_dir, &regions)?;
        let (said, done) = check_once(root, all, lesson)?;
        let (line, seconds) = said;
        println!("| step {taken} | {line} | {seconds:.1} s |");
        if done < taken {
            println!("  ✗ after step {taken}, only steps 1 to {done} are done");
            kept = false;
        }
    }
    Ok(kept && lists.is_ok())
}

/// One check of the whole lesson: what it says and how long it took, and
/// how many steps from the first are done.
fn check_once(
    root: &Path,
    all: &[Lesson],
    lesson: &Lesson,
) -> anyhow::Result<((String, f64), usize)> {
    let args = [lesson.id()];
    let request = Request {
        lessons: &args,
        only: Only::All,
        timeout: None,
        fresh: false,
        verbose: false,
    };
    let started = Instant::now();
    let graded = crate::course::grading::grade_selected(root, all, &request)?;
    let seconds = started.elapsed().as_secs_f64();
    let g = &graded[0];
    let tallies = steps::tally(lesson, &g.tests);
    let done = tallies.iter().take_while(|t| t.done()).count();
    let line = match (g.verdict, steps::standing(&tallies)) {
        (Verdict::Passed, _) => format!("passed ({} tests)", g.tests.len()),
        (Verdict::Failing | Verdict::Incomplete, Some(standing)) => standing,
        _ => crate::render::verdicts::describe(g),
    };
    Ok(((line, seconds), done))
}

/// The learner's files that hold regions, as handed out, written back when
/// dropped.
struct Restore {
    dir: PathBuf,
    files: BTreeMap<PathBuf, String>,
}

impl Restore {
    fn new(dir: &Path) -> anyhow::Result<Restore> {
        let mut files = BTreeMap::new();
        for path in files::files(dir) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if text.lines().any(|l| drift::marker(l).is_some()) {
                files.insert(path, text);
            }
        }
        Ok(Restore {
            dir: dir.to_owned(),
            files,
        })
    }

    /// Writes every file as handed out, but for `regions`, which take the
    /// body they have in the solution at `solution`.
    fn write_with(&self, solution: &Path, regions: &[&str]) -> anyhow::Result<()> {
        for (path, text) in &self.files {
            let relative = path.strip_prefix(&self.dir).unwrap_or(path);
            let answer = std::fs::read_to_string(solution.join(relative))
                .with_context(|| format!("reading the solution of {}", path.display()))?;
            std::fs::write(path, splice(text, &answer, regions))
                .with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        for (path, text) in &self.files {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("error: could not put back {}: {e}", path.display());
            }
        }
    }
}

/// `starter` with the bodies of `regions` taken from `solution` (its anchor
/// lines left out).
fn splice(starter: &str, solution: &str, regions: &[&str]) -> String {
    let bodies = bodies(solution);
    let mut out = Vec::new();
    let mut skipping = false;
    for line in starter.lines() {
        match drift::marker(line) {
            Some((true, name)) if regions.contains(&name) => {
                out.push(line.to_owned());
                out.extend(bodies.get(name).into_iter().flatten().cloned());
                skipping = true;
                continue;
            }
            Some((false, _)) => skipping = false,
            _ if skipping => continue,
            _ => {}
        }
        out.push(line.to_owned());
    }
    out.join("\n") + "\n"
}

/// Each region's lines in `text`, anchors left out.
fn bodies(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut bodies: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut open: Option<String> = None;
    for line in text.lines() {
        match drift::marker(line) {
            Some((true, name)) => open = Some(name.to_owned()),
            Some((false, _)) => open = None,
            None if drift::is_anchor(line) => {}
            None => {
                if let Some(name) = &open {
                    bodies
                        .entry(name.clone())
                        .or_default()
                        .push(line.to_owned());
                }
            }
        }
    }
    bodies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_chosen_regions_take_the_solutions_body() {
        let starter = "a\n// EXERCISE: one\ntodo!()\n// EXERCISE_END: one\nb\n// EXERCISE: two\ntodo!()\n// EXERCISE_END: two\n";
        let solution = "a\n// EXERCISE: one\n// ANCHOR: x\n1\n// ANCHOR_END: x\n// EXERCISE_END: one\nb\n// EXERCISE: two\n2\n// EXERCISE_END: two\n";
        assert_eq!(
            splice(starter, solution, &["one"]),
            "a\n// EXERCISE: one\n1\n// EXERCISE_END: one\nb\n// EXERCISE: two\ntodo!()\n// EXERCISE_END: two\n"
        );
    }
}
