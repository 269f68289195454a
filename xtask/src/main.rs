//! The workbook's runner: `cargo xtask <command>`.
//!
//! This file only reads the command line and hands each command to its
//! module in `commands/` (the layers are described in `lib.rs`). Exit
//! codes: 0 when every lesson checked passed (or the command did its job),
//! 1 when one did not, 2 when the runner itself could not do its job.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use xtask::commands::{
    bench, check, class, doctor, grader_bench, guide, prepare, reset, solution, verify, walk, watch,
};
use xtask::course::lessons;
use xtask::engine::cargo;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Work through the lessons, and check your progress.",
    after_help = "Without a command: where you stand and what to do next."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Grade lessons against their suites (every lesson when none is named).
    Check(check::Args),
    /// Re-check the lesson you are working on whenever you save.
    Watch {
        /// The lesson to start with (default: the first one not passing).
        lesson: Option<String>,
        /// No file events: re-check when you press Enter.
        #[arg(long)]
        manual: bool,
    },
    /// Where to look for a lesson: a hint, not the answer.
    Hint { lesson: String },
    /// Every lesson and where it stood at its last check.
    List,
    /// Put a lesson's starter back (your version is backed up first).
    Reset {
        lesson: String,
        /// Do not ask first.
        #[arg(long, short)]
        yes: bool,
    },
    /// Compare your crate with the reference solution, once it passes.
    Solution {
        lesson: String,
        /// Show it even though the lesson does not pass yet.
        #[arg(long)]
        force: bool,
    },
    /// Run a lesson's server, to try it from any Socket.IO client.
    Serve {
        lesson: String,
        /// Serve the reference solution instead of your crate.
        #[arg(long)]
        solution: bool,
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on (default 127.0.0.1, or `HOST`). Anything
        /// but loopback needs `JWT_SECRET`: the development secret is public.
        #[arg(long)]
        host: Option<String>,
    },
    /// What a socket costs a lesson's server: handshakes per second, CPU per
    /// handshake, RSS per held socket (release build, loopback only).
    Bench {
        /// The lesson (default: the last one you passed).
        lesson: Option<String>,
        /// Measure the reference solution instead of your crate.
        #[arg(long)]
        solution: bool,
        /// How many authenticated sockets to hold.
        #[arg(long, default_value_t = 5000)]
        sockets: usize,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        grader: grader_bench::Options,
    },
    /// Can this machine run the workbook? Toolchain, C compiler, disk,
    /// ports, and MONGODB_URI / REDIS_URL when set.
    Doctor,
    /// Fetch every dependency and build every lesson once, so that `check`
    /// works with the network off (for workshops).
    Prepare,
    /// One table of a class from learners' JSON reports
    /// (`cargo xtask check --report json=NAME.json`).
    Class {
        /// The folder holding the reports, one `NAME.json` per learner.
        dir: std::path::PathBuf,
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
        /// Also write a self-contained HTML page there.
        #[arg(long, value_name = "PATH")]
        html: Option<std::path::PathBuf>,
    },
    /// For maintainers: write a lesson's solution into its starter one step
    /// at a time, and show what `check` says after each (put back after).
    Walk { lesson: String },
    /// The workbook's own proof: formatting, lints, tests, starters equal
    /// their solutions outside the exercises, every solution passes and
    /// every starter fails its suite, the manifest, snapshots, the book.
    Verify {
        /// Record where the suites are, the checksums of the suites,
        /// snapshots, harness and starters, and the solutions' times, in
        /// xtask/manifest.json.
        #[arg(long)]
        update_manifest: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs a command; `Ok(false)` is a verdict that fails the exit code.
fn dispatch(command: Option<Command>) -> anyhow::Result<bool> {
    let root = lessons::workspace_root()?;
    let found = lessons::discover(&root)?;
    for problem in &found.incomplete {
        eprintln!("note: skipped: {problem}");
    }
    let all = found.lessons;
    let Some(command) = command else {
        return guide::overview(&root, &all);
    };
    match command {
        Command::Check(args) => check::run(&root, &all, args),
        Command::Watch { lesson, manual } => watch::watch(&root, &all, lesson.as_deref(), manual),
        Command::Hint { lesson } => guide::hint(lessons::find(&all, &lesson)?),
        Command::List => guide::list(&root, &all),
        Command::Reset { lesson, yes } => reset::reset(&root, lessons::find(&all, &lesson)?, yes),
        Command::Solution { lesson, force } => {
            solution::solution(&root, lessons::find(&all, &lesson)?, force)
        }
        Command::Serve {
            lesson,
            solution,
            port,
            host,
        } => {
            let lesson = lessons::find(&all, &lesson)?;
            let package = if solution {
                &lesson.solution_package
            } else {
                &lesson.package
            };
            cargo::serve(&root, package, port, host.as_deref()).map(|()| true)
        }
        Command::Bench { json, grader, .. } if grader.grader => {
            grader_bench::run(&root, &all, &grader, json)
        }
        Command::Bench {
            lesson,
            solution,
            sockets,
            json,
            ..
        } => bench::bench(&root, &all, lesson.as_deref(), solution, sockets, json),
        Command::Doctor => doctor::doctor(&root),
        Command::Prepare => prepare::prepare(&root, &all),
        Command::Class { dir, csv, html } => {
            let format = if csv {
                class::Format::Csv
            } else {
                class::Format::Text
            };
            class::class(&dir, format, html.as_deref())
        }
        Command::Walk { lesson } => walk::walk(&root, &all, lessons::find(&all, &lesson)?),
        Command::Verify { update_manifest } => {
            verify::verify(&root, &all, &found.incomplete, update_manifest).map(|()| true)
        }
    }
}
