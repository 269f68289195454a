//! `cargo xtask watch [lesson]`: re-check the lesson being worked on at
//! every save (the step being worked on alone, once known), and move on to
//! the next step, then lesson, when it passes.
//!
//! File events are unreliable on some file systems (network mounts, some
//! containers and VMs): `--manual` drops them, and in both modes pressing
//! Enter re-checks.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::commands::check::{self, Checked};
use crate::commands::guide;
use crate::course::grading::{Only, Request};
use crate::course::lessons;
use crate::engine::state::{self, Progress};
use crate::model::lesson::Lesson;

enum Wake {
    Saved,
    Enter,
    Quit,
    Hint,
}

pub fn watch(
    root: &Path,
    all: &[Lesson],
    lesson: Option<&str>,
    manual: bool,
) -> anyhow::Result<bool> {
    let Some(mut current) = first_lesson(root, all, lesson)? else {
        println!("Every lesson passes: nothing to watch. Name one to keep working on it.");
        return Ok(true);
    };
    let (tx, rx) = mpsc::channel();
    let _watcher = if manual {
        None
    } else {
        match file_events(root, tx.clone()) {
            Ok(watcher) => Some(watcher),
            Err(e) => {
                println!("note: file events are unavailable ({e}): press Enter to re-check.");
                None
            }
        }
    };
    read_keys(tx);

    // The step being worked on: after the first whole check, a save
    // re-runs that step alone, and the whole lesson once it passes.
    let mut step: Option<usize> = None;
    loop {
        let args = [current.id()];
        let request = Request {
            lessons: &args,
            only: step.map_or(Only::All, Only::Step),
            timeout: None,
            fresh: false,
            verbose: false,
        };
        match check::check(root, all, &request) {
            Ok(Checked { passed: true, .. }) if step.is_some() => {
                println!(
                    "\nStep {} passes: checking the whole lesson.",
                    step.unwrap_or(0)
                );
                step = None;
                continue;
            }
            Ok(Checked { passed: true, .. }) => {
                let progress: Progress = state::load(root, state::PROGRESS);
                match guide::next(all, &progress) {
                    Some(next) if next.id() != current.id() => {
                        current = next.clone();
                        println!("\nWatching lesson {current} now.");
                    }
                    Some(_) => {}
                    None => return Ok(true),
                }
            }
            Ok(Checked { step: now, .. }) => step = step.or(now),
            Err(e) => println!("error: {e:#}"),
        }
        if !until_next_check(&rx, &current, manual) {
            return Ok(true);
        }
    }
}

/// Waits for a save or Enter, showing the hint when asked; `false` when
/// the learner quits.
fn until_next_check(rx: &Receiver<Wake>, current: &Lesson, manual: bool) -> bool {
    let how = if manual {
        "press Enter"
    } else {
        "save a file or press Enter"
    };
    println!(
        "\n[watching lesson {current}: {how} to re-check, h Enter for a hint, q Enter to quit]"
    );
    loop {
        match wait(rx) {
            Wake::Quit => return false,
            Wake::Hint => {
                if let Err(e) = guide::hint(current) {
                    println!("{e:#}");
                }
            }
            Wake::Saved | Wake::Enter => return true,
        }
    }
}

/// The lesson named, or the first one not passing; `None` when all pass.
fn first_lesson(
    root: &Path,
    all: &[Lesson],
    lesson: Option<&str>,
) -> anyhow::Result<Option<Lesson>> {
    if let Some(arg) = lesson {
        return Ok(Some(lessons::find(all, arg)?.clone()));
    }
    let progress: Progress = state::load(root, state::PROGRESS);
    Ok(guide::next(all, &progress).cloned())
}

/// Turns the lines typed on the terminal into wake-ups, on a thread of
/// their own: Enter re-checks, `h` asks for the hint, `q` quits.
fn read_keys(keys: mpsc::Sender<Wake>) {
    std::thread::spawn(move || {
        let mut line = String::new();
        loop {
            line.clear();
            let wake = match std::io::stdin().read_line(&mut line) {
                Ok(0) | Err(_) => Wake::Quit,
                Ok(_) => match line.trim() {
                    "q" | "quit" => Wake::Quit,
                    "h" | "hint" => Wake::Hint,
                    _ => Wake::Enter,
                },
            };
            let quit = matches!(wake, Wake::Quit);
            if keys.send(wake).is_err() || quit {
                break;
            }
        }
    });
}

/// The next reason to wake, with bursts of saves (editors write a file in
/// several steps) folded into one.
fn wait(rx: &Receiver<Wake>) -> Wake {
    let first = rx.recv().unwrap_or(Wake::Quit);
    if !matches!(first, Wake::Saved) {
        return first;
    }
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(Wake::Saved) => continue,
            Ok(other) => return other,
            Err(RecvTimeoutError::Timeout) => return Wake::Saved,
            Err(RecvTimeoutError::Disconnected) => return Wake::Quit,
        }
    }
}

/// Sends `Saved` when a source file under `lessons/` changes.
fn file_events(root: &Path, tx: mpsc::Sender<Wake>) -> notify::Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let relevant = !event.kind.is_access()
            && event.paths.iter().any(|p| {
                !p.components().any(|c| c.as_os_str() == "target")
                    && p.extension().is_some_and(|e| e == "rs" || e == "toml")
            });
        if relevant {
            let _ = tx.send(Wake::Saved);
        }
    })?;
    watcher.watch(&root.join("lessons"), RecursiveMode::Recursive)?;
    Ok(watcher)
}
