//! What to do next: `cargo xtask` alone, `list`, `hint`, and the pointer
//! that `check` ends with. None of these builds anything: they read the
//! progress the last `check` recorded.

use std::path::Path;

use anyhow::bail;

use crate::course::lessons::HINT_FILE;
use crate::engine::state::{self, Progress};
use crate::model::lesson::Lesson;

pub fn hint_text(lesson: &Lesson) -> Option<String> {
    let text = std::fs::read_to_string(lesson.dir.join(HINT_FILE)).ok()?;
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// `cargo xtask hint <lesson>`.
pub fn hint(lesson: &Lesson) -> anyhow::Result<bool> {
    match hint_text(lesson) {
        Some(text) => {
            println!("Hint for {lesson}:\n\n{text}");
            Ok(true)
        }
        None => bail!(
            "lesson {lesson} has no hint yet (lessons/{}/{HINT_FILE}). Its chapter, {}, walks through it.",
            lesson.id(),
            chapter(lesson)
        ),
    }
}

fn chapter(lesson: &Lesson) -> String {
    format!("book/src/{}.md", lesson.id())
}

/// The first lesson whose last check did not pass.
pub fn next<'a>(all: &'a [Lesson], progress: &Progress) -> Option<&'a Lesson> {
    all.iter().find(|l| !progress.passed(&l.slug))
}

/// The closing pointer: the lesson to work on, how, and its hint.
pub fn print_next(root: &Path, all: &[Lesson], progress: &Progress) {
    let Some(lesson) = next(all, progress) else {
        println!(
            "\nEvery lesson passes. Well done! `cargo xtask solution <lesson>` compares yours with the reference."
        );
        return;
    };
    println!("\nNext: lesson {lesson}.");
    let chapter = chapter(lesson);
    if root.join(&chapter).is_file() {
        println!("  read   {chapter}");
    }
    println!("  edit   lessons/{}/src/", lesson.id());
    println!(
        "  run    cargo xtask check {}   (or `cargo xtask watch` to re-check on every save)",
        lesson.number
    );
    match hint_text(lesson) {
        // Its opening, up to the first section: the rest is `hint`'s to show.
        Some(text) => {
            let opening: Vec<&str> = text
                .lines()
                .skip_while(|l| l.starts_with("# ") || l.trim().is_empty())
                .take_while(|l| !l.starts_with("## "))
                .collect();
            println!("\nHint:\n{}", indent(opening.join("\n").trim_end()));
            println!("  (more: cargo xtask hint {})", lesson.number);
        }
        None => println!("  (no hint written for this lesson yet)"),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `cargo xtask list`: every lesson and where it stood at its last check.
pub fn list(root: &Path, all: &[Lesson]) -> anyhow::Result<bool> {
    let progress: Progress = state::load(root, state::PROGRESS);
    let next = next(all, &progress).map(Lesson::id);
    let done = all.iter().filter(|l| progress.passed(&l.slug)).count();
    println!(
        "Progress: {done} of {} lessons pass (as of each lesson's last check)\n",
        all.len()
    );
    for lesson in all {
        let status = match progress.lessons.get(&lesson.slug) {
            Some(p) => match &p.detail {
                Some(detail) => format!("{} ({detail})", p.status.label()),
                None => p.status.label().to_owned(),
            },
            None => "not checked yet".to_owned(),
        };
        let marker = if next.as_deref() == Some(&lesson.id()) {
            "→"
        } else {
            " "
        };
        println!("{marker} {:<24} {status}", lesson.to_string());
    }
    Ok(true)
}

/// `cargo xtask` alone.
pub fn overview(root: &Path, all: &[Lesson]) -> anyhow::Result<bool> {
    println!("Socket.IO middleware and JWT authentication, in Rust: the workbook.\n");
    list(root, all)?;
    let progress: Progress = state::load(root, state::PROGRESS);
    if progress.lessons.is_empty() {
        println!(
            "\nStart with `cargo xtask check`: it grades every lesson and says where to begin."
        );
    }
    print_next(root, all, &progress);
    println!(
        "\nCommands: check [lesson], watch [lesson], hint <lesson>, list, reset <lesson>, \
         solution <lesson>, serve <lesson>. `cargo xtask help` explains each."
    );
    Ok(true)
}
