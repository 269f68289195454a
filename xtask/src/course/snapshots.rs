//! The snapshot files: none pending, none orphaned.
//!
//! A snapshot that no case asserts any more is not harmless: it reads as a
//! spec that the suite no longer holds anyone to. Each lesson's snapshots
//! are in the folder its manifest record names, one `<case>.snap` per case
//! (`<case>-N.snap` for a case's N-th).

use std::path::Path;

use anyhow::{Context as _, bail};

use crate::course::manifest::{self, Manifest};
use crate::engine::files::{self, relative};
use crate::model::lesson::Lesson;
use crate::model::lesson::Step;
use crate::{engine::cargo, engine::run};

/// No `.snap.new` or `.pending-snap` anywhere in the sources: they are
/// answers insta recorded and nobody reviewed.
pub fn no_pending(root: &Path) -> anyhow::Result<()> {
    let mut pending = Vec::new();
    for dir in ["tests", "lessons", "solutions", "workbook", "xtask"] {
        for path in files::files(&root.join(dir)) {
            let name = relative(root, &path);
            if files::is_pending_snapshot(&name) {
                pending.push(name);
            }
        }
    }
    if !pending.is_empty() {
        bail!(
            "pending snapshots (review them, then delete them):\n  {}",
            pending.join("\n  ")
        );
    }
    Ok(())
}

/// Every `.snap` in a lesson's snapshot folder is named after a test of
/// that lesson's suite (its cases and its shared attacks).
pub fn all_referenced(root: &Path, lessons: &[Lesson]) -> anyhow::Result<()> {
    let manifest: Manifest =
        manifest::load(root)?.with_context(|| format!("{} is missing", manifest::PATH))?;
    let packages: Vec<(&str, &Path)> = lessons
        .iter()
        .map(|l| (l.solution_package.as_str(), l.solution_dir.as_path()))
        .collect();
    let build = cargo::build_suites(root, &packages, false)?;
    let mut orphans = Vec::new();
    for lesson in lessons {
        let Some(record) = manifest.lessons.get(&lesson.slug) else {
            bail!("{} has no record of lesson {}", manifest::PATH, lesson.id());
        };
        let Some(exe) = build.binaries.get(&lesson.solution_package) else {
            bail!("{} does not compile", lesson.solution_package);
        };
        let listed = run::list_tests(root, exe, &lesson.solution_dir, &[])?;
        let cases: Vec<&str> = listed.iter().map(|t| Step::of_test(t).1).collect();
        for path in files::files(&root.join(record.snapshots())) {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let Some(stem) = name.strip_suffix(".snap") else {
                continue;
            };
            if !cases.iter().any(|case| names_case(stem, case)) {
                orphans.push(relative(root, &path));
            }
        }
    }
    if !orphans.is_empty() {
        bail!(
            "snapshots that no case of their lesson asserts (delete them, or rename them after the case):\n  {}",
            orphans.join("\n  ")
        );
    }
    Ok(())
}

/// `stem` is `<case>` or `<case>-N` (a case's N-th snapshot).
fn names_case(stem: &str, case: &str) -> bool {
    let Some(rest) = stem.strip_prefix(case) else {
        return false;
    };
    rest.is_empty()
        || rest
            .strip_prefix('-')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::names_case;

    #[test]
    fn a_snapshot_names_its_case() {
        assert!(names_case("stats", "stats"));
        assert!(names_case("stats-2", "stats"));
        assert!(!names_case("stats_more", "stats"));
        assert!(!names_case("stats-", "stats"));
        assert!(!names_case("other", "stats"));
    }
}
