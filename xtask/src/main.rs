//! The workbook's runner: `cargo xtask <command>`.
//!
//! This file only reads the command line and hands each command to the
//! module that does it.

mod book;
mod cargo;
mod check;
mod grade;
mod lessons;
mod libtest;
mod run;
mod snapshots;
mod verify;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Work through the lessons, and check your progress."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Grade lessons against their suites (all of them when none is named).
    Check {
        /// Lessons, by number or name: `1`, `01`, `basic-middleware`.
        lessons: Vec<String>,
        /// Wall-clock limit for each lesson's suite, in seconds.
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
    },
    /// Run a lesson's server, to try it from any Socket.IO client.
    Serve {
        lesson: String,
        /// Serve the reference solution instead of your crate.
        #[arg(long)]
        solution: bool,
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// The workbook's own proof: formatting, lints, tests, every solution
    /// passes and every starter fails its suite, snapshots, the book.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a command; `Ok(false)` is a verdict that should fail the exit code.
fn dispatch(command: Command) -> anyhow::Result<bool> {
    let root = lessons::workspace_root()?;
    let found = lessons::discover(&root)?;
    for problem in &found.incomplete {
        eprintln!("note: skipped: {problem}");
    }
    let all = found.lessons;
    match command {
        Command::Check { lessons, timeout } => {
            let limit = timeout.map(seconds).transpose()?;
            check::check(&root, &all, &lessons, limit)
        }
        Command::Serve {
            lesson,
            solution,
            port,
        } => {
            let lesson = lessons::find(&all, &lesson)?;
            let package = if solution {
                &lesson.solution_package
            } else {
                &lesson.package
            };
            cargo::serve(&root, package, port).map(|()| true)
        }
        Command::Verify => verify::verify(&root, &all, &found.incomplete).map(|()| true),
    }
}

fn seconds(value: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .with_context(|| format!("--timeout {value}: give a positive number of seconds"))
}
