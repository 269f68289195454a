//! Which lessons exist, and which one a command-line argument names.
//!
//! The layout says which lessons exist: `lessons/NN-slug` holds the
//! learner's crate and `solutions/NN-slug` the reference. What else the
//! runner knows of a lesson (its steps) is in the learner's `Cargo.toml`,
//! under `[package.metadata.workbook]`, read through `cargo metadata`. A
//! lesson added by a new directory is picked up without touching the runner.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use cargo_metadata::DependencyKind;
use serde::Deserialize;

use crate::engine::cargo;
use crate::model::lesson::{BenchLogin, Lesson, Step};

/// The file beside a learner's crate that holds the lesson's hint:
/// `lessons/NN-slug/hint.md`.
pub const HINT_FILE: &str = "hint.md";

/// `[package.metadata.workbook]` of a learner's crate.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Facts {
    #[serde(default)]
    steps: Vec<Step>,
    #[serde(default)]
    bench: BenchLogin,
}

/// The workspace's root: the nearest directory above the current one whose
/// `Cargo.toml` declares the workspace. Not where xtask was compiled: the
/// same binary also runs in copies of the workbook (its own tests do).
pub fn workspace_root() -> anyhow::Result<PathBuf> {
    let here = std::env::current_dir().context("reading the current directory")?;
    for dir in here.ancestors() {
        let manifest = dir.join("Cargo.toml");
        if std::fs::read_to_string(&manifest)
            .is_ok_and(|t| t.lines().any(|l| l.trim() == "[workspace]"))
        {
            return Ok(dir.to_owned());
        }
    }
    bail!(
        "run this inside the workbook: no Cargo.toml with [workspace] above {}",
        here.display()
    )
}

/// Every lesson under `root`, in order, and the half-made ones: a starter
/// without its solution or the other way round. Those are left out so that
/// the others can still be checked; `verify` refuses them.
pub fn discover(root: &Path) -> anyhow::Result<Discovered> {
    let starters = numbered_dirs(&root.join("lessons"))?;
    let solutions = numbered_dirs(&root.join("solutions"))?;
    let packages = cargo::metadata(root)?.packages;
    let package = |dir: &Path| {
        let manifest = canonical(&dir.join("Cargo.toml"));
        packages
            .iter()
            .find(|p| canonical(p.manifest_path.as_std_path()) == manifest)
            .with_context(|| format!("{} is not a member of the workspace", dir.display()))
    };
    let mut found = Discovered::default();
    for (name, dir) in &starters {
        let Some((_, solution_dir)) = solutions.iter().find(|(n, _)| n == name) else {
            found.incomplete.push(format!(
                "lessons/{name} has no reference crate solutions/{name}"
            ));
            continue;
        };
        let (number, slug) = name
            .split_once('-')
            .expect("numbered_dirs keeps NN-slug only");
        let starter = package(dir)?;
        let facts: Facts = match starter.metadata.get("workbook") {
            Some(facts) => serde_json::from_value(facts.clone()).with_context(|| {
                format!("[package.metadata.workbook] in lessons/{name}/Cargo.toml")
            })?,
            None => Facts::default(),
        };
        let suite = starter
            .dependencies
            .iter()
            .find(|d| d.kind == DependencyKind::Development && d.name.ends_with("-suite"))
            .with_context(|| {
                format!(
                    "lessons/{name}/Cargo.toml names no suite: a [dev-dependencies] \
                     line such as `{slug}-suite = {{ path = \"../../tests/src/suites/{name}\" }}`"
                )
            })?;
        found.lessons.push(Lesson {
            number: number.to_owned(),
            slug: slug.to_owned(),
            package: starter.name.to_string(),
            suite_package: suite.name.clone(),
            solution_package: package(solution_dir)?.name.to_string(),
            dir: dir.clone(),
            solution_dir: solution_dir.clone(),
            steps: facts.steps,
            bench: facts.bench,
        });
    }
    for (name, _) in solutions
        .iter()
        .filter(|(n, _)| !starters.iter().any(|(s, _)| s == n))
    {
        found.incomplete.push(format!(
            "solutions/{name} has no starter crate lessons/{name}"
        ));
    }
    Ok(found)
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub lessons: Vec<Lesson>,
    /// One sentence per half-made lesson.
    pub incomplete: Vec<String>,
}

/// The `NN-slug` directories of `parent` that hold a crate, sorted.
fn numbered_dirs(parent: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut dirs = Vec::new();
    let entries = match std::fs::read_dir(parent) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(dirs),
        Err(e) => return Err(e).with_context(|| format!("reading {}", parent.display())),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let numbered = name.len() > 3
            && name.as_bytes()[..2].iter().all(u8::is_ascii_digit)
            && name.as_bytes()[2] == b'-';
        if numbered && entry.path().join("Cargo.toml").is_file() {
            dirs.push((name, entry.path()));
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// `path` with symbolic links resolved, or as given when it cannot be.
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

/// The lesson that `arg` names: `3`, `03`, `error-data` or `03-error-data`.
pub fn find<'a>(lessons: &'a [Lesson], arg: &str) -> anyhow::Result<&'a Lesson> {
    let arg = arg.trim().trim_end_matches('/');
    // `lessons/03-error-data` from shell completion names the lesson too.
    let arg = arg.rsplit('/').next().unwrap_or(arg);
    let found = lessons.iter().find(|l| {
        l.id() == arg
            || l.slug == arg
            || l.number == arg
            || arg
                .parse::<u32>()
                .ok()
                .is_some_and(|n| l.number.parse() == Ok(n))
    });
    match found {
        Some(lesson) => Ok(lesson),
        None => bail!("no lesson `{arg}`. The lessons are:\n{}", listing(lessons)),
    }
}

/// The lessons `args` name, or all of them when there are none.
pub fn select<'a>(lessons: &'a [Lesson], args: &[String]) -> anyhow::Result<Vec<&'a Lesson>> {
    if args.is_empty() {
        return Ok(lessons.iter().collect());
    }
    let mut chosen: Vec<&Lesson> = Vec::new();
    for arg in args {
        let lesson = find(lessons, arg)?;
        if !chosen.iter().any(|l| l.id() == lesson.id()) {
            chosen.push(lesson);
        }
    }
    Ok(chosen)
}

/// One line per lesson, for error messages.
pub fn listing(lessons: &[Lesson]) -> String {
    if lessons.is_empty() {
        return "  (none: lessons/ holds no NN-slug crate)".to_owned();
    }
    lessons
        .iter()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(number: &str, slug: &str) -> Lesson {
        Lesson {
            number: number.into(),
            slug: slug.into(),
            dir: PathBuf::new(),
            package: slug.into(),
            solution_dir: PathBuf::new(),
            solution_package: format!("{slug}-solution"),
            suite_package: format!("{slug}-suite"),
            steps: Vec::new(),
            bench: Default::default(),
        }
    }

    #[test]
    fn a_lesson_is_named_by_number_slug_or_both() {
        let lessons = [lesson("01", "basic-middleware"), lesson("03", "error-data")];
        for arg in [
            "3",
            "03",
            "error-data",
            "03-error-data",
            "lessons/03-error-data/",
        ] {
            assert_eq!(find(&lessons, arg).unwrap().slug, "error-data", "{arg}");
        }
    }

    #[test]
    fn an_unknown_lesson_lists_the_lessons() {
        let lessons = [lesson("01", "basic-middleware")];
        let error = find(&lessons, "7").unwrap_err().to_string();
        assert!(
            error.contains("no lesson `7`") && error.contains("01 basic-middleware"),
            "{error}"
        );
    }
}
