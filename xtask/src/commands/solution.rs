//! `cargo xtask solution <lesson>`: the reference next to the learner's
//! crate, as a diff. Offered once the lesson passes: before that, reading
//! the answer takes away the lesson (`--force` if you are stuck for good).

use std::path::Path;
use std::process::Command;

use anyhow::bail;

use crate::engine::state::{self, Progress};
use crate::model::lesson::Lesson;

pub fn solution(root: &Path, lesson: &Lesson, force: bool) -> anyhow::Result<bool> {
    let progress: Progress = state::load(root, state::PROGRESS);
    let passed = progress.passed(&lesson.slug);
    if !passed && !force {
        bail!(
            "lesson {lesson} has not passed yet (as of its last `cargo xtask check {}`).\n\
             Try `cargo xtask hint {}` first; `--force` shows the solution anyway.",
            lesson.number,
            lesson.number
        );
    }
    let mine = format!("lessons/{}/src", lesson.id());
    let reference = format!("solutions/{}/src", lesson.id());
    println!("Your crate (---) against the reference (+++), {mine} vs {reference}:\n");
    // git's diff works outside a repository with --no-index, and pages and
    // colours like every other diff the learner reads.
    let status = Command::new("git")
        .current_dir(root)
        .args([
            "diff",
            "--no-index",
            "--stat",
            "--patch",
            "--",
            &mine,
            &reference,
        ])
        .status();
    match status {
        // 1 means "they differ", which is the expected case.
        Ok(status) if matches!(status.code(), Some(0 | 1)) => {
            if status.code() == Some(0) {
                println!("They are identical.");
            }
            Ok(true)
        }
        _ => {
            println!(
                "(git is not available to show a diff: compare {mine}/ with {reference}/ in your editor)"
            );
            Ok(true)
        }
    }
}
