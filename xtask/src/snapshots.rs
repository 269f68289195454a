//! The snapshot files: none pending, none orphaned.
//!
//! A snapshot that no case asserts any more is not harmless: it reads as a
//! spec that the suite no longer holds anyone to.

use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::cargo;
use crate::lessons::Lesson;
use crate::run;

/// Where every lesson's snapshots live.
pub const DIR: &str = "tests/src/lessons/snapshots";

/// No `.snap.new` or `.pending-snap` anywhere in the sources: they are
/// answers insta recorded and nobody reviewed.
pub fn no_pending(root: &Path) -> anyhow::Result<()> {
    let mut pending = Vec::new();
    for dir in ["tests", "lessons", "solutions", "workbook", "xtask"] {
        walk(&root.join(dir), &mut |path| {
            let name = path.to_string_lossy();
            if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
                pending.push(
                    path.strip_prefix(root)
                        .unwrap_or(path)
                        .display()
                        .to_string(),
                );
            }
        });
    }
    if !pending.is_empty() {
        pending.sort();
        bail!(
            "pending snapshots (review them, then delete them):\n  {}",
            pending.join("\n  ")
        );
    }
    Ok(())
}

/// Every `.snap` is named `harness__lessons__<slug_snake>__<case>[-N].snap`
/// for a case of that lesson's suite.
pub fn all_referenced(root: &Path, lessons: &[Lesson]) -> anyhow::Result<()> {
    let packages: Vec<(&str, &Path)> = lessons
        .iter()
        .map(|l| (l.solution_package.as_str(), l.solution_dir.as_path()))
        .collect();
    let build = cargo::build_suites(root, &packages)?;
    let mut cases = Vec::new();
    for lesson in lessons {
        let Some(exe) = build.binaries.get(&lesson.solution_package) else {
            bail!("{} does not compile", lesson.solution_package);
        };
        let prefix = format!("harness__lessons__{}__", lesson.slug_snake());
        for case in run::list_tests(root, exe, &lesson.solution_dir)? {
            cases.push((prefix.clone(), case));
        }
    }
    let mut orphans = Vec::new();
    let mut files = Vec::new();
    walk(&root.join(DIR), &mut |path| files.push(path.to_owned()));
    for path in files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some(stem) = name.strip_suffix(".snap") else {
            continue;
        };
        if !cases
            .iter()
            .any(|(prefix, case)| names_case(stem, prefix, case))
        {
            orphans.push(
                path.strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string(),
            );
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

/// `stem` is `<prefix><case>` or `<prefix><case>-N` (a case's N-th snapshot).
fn names_case(stem: &str, prefix: &str, case: &str) -> bool {
    let Some(rest) = stem.strip_prefix(prefix).and_then(|s| s.strip_prefix(case)) else {
        return false;
    };
    rest.is_empty()
        || rest
            .strip_prefix('-')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Calls `visit` on every file under `dir`, skipping build outputs and
/// JavaScript dependencies.
pub fn walk(dir: &Path, visit: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n != "target" && n != "node_modules" && n != ".git")
            {
                walk(&path, visit);
            }
        } else {
            visit(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::names_case;

    #[test]
    fn a_snapshot_names_its_case() {
        let prefix = "harness__lessons__basic_middleware__";
        assert!(names_case(
            "harness__lessons__basic_middleware__stats",
            prefix,
            "stats"
        ));
        assert!(names_case(
            "harness__lessons__basic_middleware__stats-2",
            prefix,
            "stats"
        ));
        assert!(!names_case(
            "harness__lessons__basic_middleware__stats_more",
            prefix,
            "stats"
        ));
        assert!(!names_case(
            "harness__lessons__basic_middleware__stats-",
            prefix,
            "stats"
        ));
        assert!(!names_case(
            "harness__lessons__other__stats",
            prefix,
            "stats"
        ));
    }
}
