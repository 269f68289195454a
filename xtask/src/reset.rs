//! `cargo xtask reset <lesson>`: put the starter back.
//!
//! The starter comes from the manifest, which holds every starter file as
//! handed out, not from git: a learner who committed their work (or cloned
//! a template with squashed history, or has no git at all) still gets the
//! exact starter back. Their version is copied to `.workbook/backup/` first.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context as _, bail};

use crate::lessons::Lesson;
use crate::manifest;
use crate::snapshots::walk;
use crate::state::{self, Progress};

pub fn reset(root: &Path, lesson: &Lesson, yes: bool) -> anyhow::Result<bool> {
    let Some(manifest) = manifest::load(root)? else {
        bail!("{} is missing: it holds the starters", manifest::PATH);
    };
    let Some(record) = manifest.lessons.get(&lesson.slug) else {
        bail!("{} has no record of lesson {lesson}", manifest::PATH);
    };
    let now = manifest::starter_now(lesson)?;
    let rewrite: Vec<&String> = record
        .starter
        .iter()
        .filter(|(p, text)| now.get(*p) != Some(*text))
        .map(|(p, _)| p)
        .collect();
    let remove: Vec<&String> = now
        .keys()
        .filter(|p| !record.starter.contains_key(*p))
        .collect();
    if rewrite.is_empty() && remove.is_empty() {
        println!("lessons/{} is already the starter.", lesson.id());
        return Ok(true);
    }
    println!("Resetting lessons/{} to the starter:", lesson.id());
    for path in &rewrite {
        println!("  restore {path}");
    }
    for path in &remove {
        println!("  remove  {path}  (not part of the starter)");
    }
    if !yes && !confirm("Your version is saved to .workbook/backup/ first. Reset?")? {
        println!("Nothing changed.");
        return Ok(false);
    }

    let backup =
        root.join(state::DIR)
            .join("backup")
            .join(format!("{}-{}", lesson.id(), state::now()));
    walk(&lesson.dir, &mut |file| {
        if let Ok(relative) = file.strip_prefix(&lesson.dir) {
            let target = backup.join(relative);
            let _ = target.parent().map(std::fs::create_dir_all);
            let _ = std::fs::copy(file, target);
        }
    });
    for path in rewrite {
        let file = lesson.dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&file, &record.starter[path])
            .with_context(|| format!("writing {}", file.display()))?;
    }
    for path in remove {
        let file = lesson.dir.join(path);
        std::fs::remove_file(&file).with_context(|| format!("removing {}", file.display()))?;
    }
    let mut progress: Progress = state::load(root, state::PROGRESS);
    progress.record(&lesson.slug, "not started", None);
    state::save(root, state::PROGRESS, &progress);
    println!(
        "Done: lesson {lesson} is the starter again (your version: {}).",
        relative(root, &backup)
    );
    Ok(true)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
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
