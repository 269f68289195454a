//! `cargo xtask reset <lesson>`: put the starter back.
//!
//! The manifest holds the SHA-256 of every starter file as handed out; the
//! text comes from git's history: for each file that differs, the newest
//! version in `git log` whose hash is the recorded one. A learner who
//! committed their work still gets the exact starter back. Without that
//! version (no git, or a history squashed after the work began), nothing is
//! touched and the message says where to get it. The learner's version is
//! copied to `.workbook/backup/` first.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::course::manifest;
use crate::engine::files::{self, relative, sha256};
use crate::engine::state::{self, Progress};
use crate::model::lesson::Lesson;
use crate::model::results::Verdict;

pub fn reset(root: &Path, lesson: &Lesson, yes: bool) -> anyhow::Result<bool> {
    let Some(manifest) = manifest::load(root)? else {
        bail!(
            "{} is missing: it holds the starters' checksums",
            manifest::PATH
        );
    };
    let Some(record) = manifest.lessons.get(&lesson.slug) else {
        bail!("{} has no record of lesson {lesson}", manifest::PATH);
    };
    let dir = relative(root, &lesson.dir);
    let now = manifest::starter_now(lesson)?;
    let differ: Vec<&String> = record
        .starter
        .iter()
        .filter(|(p, sum)| now.get(*p) != Some(*sum))
        .map(|(p, _)| p)
        .collect();
    let remove: Vec<&String> = now
        .keys()
        .filter(|p| !record.starter.contains_key(*p))
        .collect();
    if differ.is_empty() && remove.is_empty() {
        println!("{dir} is already the starter.");
        return Ok(true);
    }

    // Every file found before anything is written: half a reset is worse
    // than none.
    let restore = starter_files(root, lesson, &record.starter, differ)?;

    println!("Resetting {dir} to the starter:");
    for (path, _) in &restore {
        println!("  restore {path}");
    }
    for path in &remove {
        println!("  remove  {path}  (not part of the starter)");
    }
    if !yes && !confirm("Your version is saved to .workbook/backup/ first. Reset?")? {
        println!("Nothing changed.");
        return Ok(false);
    }

    let backup = back_up(root, lesson)?;
    write_starter(lesson, restore, &remove)?;
    let mut progress: Progress = state::load(root, state::PROGRESS);
    progress.record(&lesson.slug, Verdict::NotStarted, None);
    state::save(root, state::PROGRESS, &progress);
    println!(
        "Done: lesson {lesson} is the starter again (your version: {}).",
        relative(root, &backup)
    );
    Ok(true)
}

/// The starter's version of each of `paths`, from git's history.
fn starter_files<'p>(
    root: &Path,
    lesson: &Lesson,
    sums: &BTreeMap<String, String>,
    paths: Vec<&'p String>,
) -> anyhow::Result<Vec<(&'p String, Vec<u8>)>> {
    let dir = relative(root, &lesson.dir);
    let mut restore = Vec::new();
    let mut missing = Vec::new();
    for path in paths {
        let file = format!("{dir}/{path}");
        match from_history(root, &file, &sums[path]) {
            Some(bytes) => restore.push((path, bytes)),
            None => missing.push(file),
        }
    }
    if !missing.is_empty() {
        bail!(
            "cannot reset lesson {lesson}: git's history holds no version of these files \
             as the lesson handed them out:\n  {}\n\
             Copy them from the workbook's template repository (the one you cloned or \
             forked), or reset the whole directory from there: {dir}/",
            missing.join("\n  ")
        );
    }
    Ok(restore)
}

/// Copies the learner's crate to `.workbook/backup/<lesson>-<time>/`.
fn back_up(root: &Path, lesson: &Lesson) -> anyhow::Result<PathBuf> {
    let backup =
        root.join(state::DIR)
            .join("backup")
            .join(format!("{}-{}", lesson.id(), state::now()));
    for file in files::files(&lesson.dir) {
        let target = backup.join(relative(&lesson.dir, &file));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::copy(&file, &target).with_context(|| format!("backing up {}", file.display()))?;
    }
    Ok(backup)
}

/// Writes the starter's files back and removes those it never had.
fn write_starter(
    lesson: &Lesson,
    restore: Vec<(&String, Vec<u8>)>,
    remove: &[&String],
) -> anyhow::Result<()> {
    for (path, bytes) in restore {
        let file = lesson.dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
    }
    for path in remove {
        let file = lesson.dir.join(path);
        std::fs::remove_file(&file).with_context(|| format!("removing {}", file.display()))?;
    }
    Ok(())
}

/// The newest version of `file` (relative to `root`) in git's history whose
/// SHA-256 is `sum`.
fn from_history(root: &Path, file: &str, sum: &str) -> Option<Vec<u8>> {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| o.stdout)
    };
    let commits = git(&["log", "--format=%H", "--", file])?;
    String::from_utf8_lossy(&commits)
        .lines()
        // `./` makes the path relative to `root`, wherever the repository's
        // top is.
        .filter_map(|commit| git(&["show", &format!("{commit}:./{file}")]))
        .find(|bytes| sha256(bytes) == sum)
}

/// Asks on the terminal; no answer (no terminal) is no.
fn confirm(question: &str) -> anyhow::Result<bool> {
    print!("{question} [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer)? == 0 {
        println!("\n(no answer: pass --yes to reset without asking)");
        return Ok(false);
    }
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_is_found_in_history_by_its_hash() {
        let root = std::env::temp_dir().join(format!("xtask-reset-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("lessons/01-x/src")).unwrap();
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .current_dir(&root)
                .args([
                    "-c",
                    "user.name=t",
                    "-c",
                    "user.email=t@t",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args(args)
                .output()
                .expect("git runs");
            assert!(status.status.success(), "git {args:?}: {status:?}");
        };
        let file = "lessons/01-x/src/lib.rs";
        let write = |text: &str| std::fs::write(root.join(file), text).unwrap();
        git(&["init", "-q"]);
        write("starter\n");
        git(&["add", "."]);
        git(&["commit", "-q", "-m", "handed out"]);
        write("my work\n");
        git(&["commit", "-q", "-am", "my work"]);
        write("more work, not committed\n");

        let found = from_history(&root, file, &sha256(b"starter\n"));
        let never = from_history(&root, file, &sha256(b"never committed\n"));
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(found.as_deref(), Some(&b"starter\n"[..]));
        assert_eq!(never, None);
    }
}
