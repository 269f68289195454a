//! `cargo xtask bench [NN] [--solution] [--sockets N] [--json]`: what a
//! socket costs a lesson's server.
//!
//! Builds the lesson's server and the bench's load client (the `bench`
//! crate) in the `bench-server` profile (release settings, see the root
//! `Cargo.toml`), then hands both to the client, which starts the server on
//! loopback, logs a user in and measures handshakes per second, server CPU
//! per handshake and RSS per held socket. The book's appendix "What a
//! socket costs" explains the numbers.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::course::lessons;
use crate::engine::cargo;
use crate::engine::state::{self, Progress};
use crate::model::lesson::Lesson;

/// The profile the servers are built in.
const PROFILE: &str = "bench-server";

/// Runs the bench; `Ok(false)` when the bench itself failed (its reason is
/// already on stderr).
pub fn bench(
    root: &Path,
    all: &[Lesson],
    lesson: Option<&str>,
    solution: bool,
    sockets: usize,
    json: bool,
) -> anyhow::Result<bool> {
    let lesson = match lesson {
        Some(arg) => lessons::find(all, arg)?,
        None => last_passed(root, all)?,
    };
    let (package, whose) = if solution {
        (&lesson.solution_package, "reference solution")
    } else {
        (&lesson.package, "your crate")
    };

    eprintln!(
        "building {} ({whose}) and the load client, profile {PROFILE}",
        lesson.id()
    );
    let built = cargo::build_binaries(root, PROFILE, package, &["bench"])?;
    let server = built
        .iter()
        .find(|(name, _)| name == package)
        .map(|(_, exe)| exe)
        .with_context(|| format!("cargo built no binary for {package}"))?;
    let client = built
        .iter()
        .find(|(name, _)| name == "bench")
        .map(|(_, exe)| exe)
        .context("cargo built no binary for the bench")?;

    let mut command = Command::new(client);
    command
        .current_dir(root)
        .arg("--server")
        .arg(server)
        .args(["--label", &format!("{} ({whose})", lesson.id())])
        .args(["--namespace", &lesson.bench.namespace])
        .args(["--auth", &lesson.bench.auth])
        .args(["--sockets", &sockets.to_string()]);
    if json {
        command.arg("--json");
    }
    let status = command.status().context("starting the bench")?;
    Ok(status.success())
}

/// The furthest lesson whose last check passed.
fn last_passed<'a>(root: &Path, all: &'a [Lesson]) -> anyhow::Result<&'a Lesson> {
    let progress: Progress = state::load(root, state::PROGRESS);
    match all.iter().rev().find(|l| progress.passed(&l.slug)) {
        Some(lesson) => Ok(lesson),
        None => bail!(
            "no lesson passes yet: name one, e.g. `cargo xtask bench 02 --solution` for the reference of lesson 02"
        ),
    }
}
