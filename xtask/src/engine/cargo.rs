//! Every cargo invocation the runner makes, and nothing else: the builds,
//! `cargo metadata`, and the commands `verify` and `serve` hand over to.
//! Cargo's JSON is read with the `cargo_metadata` crate, never by hand.
//!
//! Checking many lessons must not queue one cargo after another on the
//! target dir's lock, and a compile error in one lesson must not hide the
//! verdict of the others. So the suites are built in ONE `cargo test
//! --no-run --no-fail-fast` whose JSON messages say, per package, which test
//! binary came out and which errors stopped the rest. The runner then runs
//! the binaries itself (see `run.rs`).
//!
//! A lesson's suite is compiled into its library's unit-test binary (the
//! `#[cfg(test)]` lines of its `src/lib.rs`), not into an integration test: cargo
//! links a crate's `main.rs` before any integration test, and that second
//! link was a third of a learner's wait after each edit.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{BufReader, IsTerminal as _, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use anyhow::{Context as _, bail};
use cargo_metadata::diagnostic::DiagnosticLevel;
use cargo_metadata::{Artifact, CompilerMessage, Message, Metadata, MetadataCommand, TargetKind};
use serde::{Deserialize, Serialize};

/// What one build of the suites produced.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Build {
    /// Package → its library test binary, which holds its suite.
    pub binaries: HashMap<String, PathBuf>,
    /// Package → the compiler's errors in it.
    pub errors: HashMap<String, Vec<Diagnostic>>,
    /// Errors in crates that are not a lesson (the harness, `workbook`), or
    /// cargo's own complaints (a broken `Cargo.toml`): they stop every
    /// lesson that depends on them.
    pub shared_errors: Vec<String>,
}

/// One compiler error, as rustc rendered it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Diagnostic {
    pub rendered: String,
    /// The files its spans point into.
    pub files: Vec<PathBuf>,
}

/// The cargo to run: `cargo xtask` runs under cargo, which says where it
/// is; a bare `cargo` might be another toolchain with a cold cache.
fn program() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// A cargo process in `root`: the one place the runner makes one (`bench
/// --grader` too, for the clones it measures).
///
/// Without the variables `cargo run` gave the runner about itself. Cargo
/// compares some of them with their last value to decide whether a build
/// script must run again (ring's reads `CARGO_MANIFEST_DIR`), so a build
/// started from here and one started from a shell (`cargo test`, an
/// editor's `cargo check`) would each find the other's stale: ring, rustls,
/// the MongoDB driver and all above them, 25 s rebuilt at every switch.
pub fn command(root: &Path) -> Command {
    in_workbook(Command::new(program()), root)
}

/// [`command`] at the lowest priority, where the system has `nice`: it gets
/// the cores the commands in front leave idle, and slows them hardly at all.
fn idle_command(root: &Path) -> Command {
    if cfg!(unix) {
        let mut nice = Command::new("nice");
        nice.args(["-n", "19"]).arg(program());
        in_workbook(nice, root)
    } else {
        command(root)
    }
}

/// `command` run in `root`, without what `cargo run` said of the runner.
fn in_workbook(mut command: Command, root: &Path) -> Command {
    command.current_dir(root);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo_run) {
            command.env_remove(name);
        }
    }
    command
}

/// Whether builds need the MongoDB driver: `MONGODB_URI` is set.
pub fn wants_driver() -> bool {
    std::env::var_os("MONGODB_URI").is_some_and(|uri| !uri.is_empty())
}

/// `--features <package>/mongodb` for each of the lessons' `packages` when
/// `MONGODB_URI` is set. That feature of every lesson's crate (starter and
/// solution) is the MongoDB driver, with the users and the lesson's own
/// records in it. Without it a lesson keeps everything in memory, its build
/// compiles no driver (a third of its test binary), and a server given
/// `MONGODB_URI` refuses to start.
pub fn driver_features(packages: &[&str]) -> Vec<String> {
    if !wants_driver() {
        return Vec::new();
    }
    let features: Vec<String> = packages.iter().map(|p| format!("{p}/mongodb")).collect();
    vec!["--features".to_owned(), features.join(",")]
}

/// Whether `name` is one of the variables cargo sets for the crate it runs
/// (not one a user sets to configure cargo, such as `CARGO_HOME`).
/// `OUT_DIR` is among them because `xtask` has a build script.
fn set_by_cargo_run(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "OUT_DIR",
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
    ];
    NAMES.contains(&name) || name.starts_with("CARGO_PKG_")
}

/// Hands each of cargo's JSON messages on `child`'s stdout to `each`, until
/// cargo closes it. Lines that are not JSON (a build script's print) are
/// `Message::TextLine`s.
fn for_each_message(child: &mut Child, mut each: impl FnMut(Message)) -> anyhow::Result<()> {
    let stdout = child.stdout.take().expect("stdout is piped");
    for message in Message::parse_stream(BufReader::new(stdout)) {
        each(message.context("reading cargo's messages")?);
    }
    Ok(())
}

/// Builds the library test binary (which holds the suite) of every package
/// in `packages` at once.
/// `packages` maps each package to its directory, so that the compiler's
/// messages can be told apart by where their crate's sources are.
/// `incremental: false` builds the learners' crates without the cache that
/// makes a check after an edit fast (see the workspace's `Cargo.toml`): for
/// `verify`, which builds each starter once, it is only a cost (the twelve
/// starters: 32 s of CPU instead of 47 s).
pub fn build_suites(
    root: &Path,
    packages: &[(&str, &Path)],
    incremental: bool,
) -> anyhow::Result<Build> {
    let mut command = command(root);
    if !incremental {
        command.env("CARGO_INCREMENTAL", "0");
    }
    command.args([
        "test",
        "--no-run",
        "--no-fail-fast",
        "--message-format=json",
        "--lib",
    ]);
    let names: Vec<&str> = packages.iter().map(|(package, _)| *package).collect();
    command.args(driver_features(&names));
    for package in &names {
        command.args(["-p", package]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting cargo")?;

    // Cargo's own messages (progress, `could not compile`) come on stderr;
    // they are kept only for the case where no diagnostic explains a failure.
    let mut stderr = child.stderr.take().expect("piped");
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let owners = Owners::new(packages);
    let mut build = Build::default();
    let mut finished_ok = None;
    for_each_message(&mut child, |message| match message {
        Message::CompilerArtifact(artifact) => owners.record_suite(&artifact, &mut build),
        Message::CompilerMessage(message) => owners.record_error(root, message, &mut build),
        Message::BuildFinished(finished) => finished_ok = Some(finished.success),
        _ => {}
    })?;
    let status = child.wait()?;
    let stderr = stderr.join().unwrap_or_default();
    let unexplained = packages
        .iter()
        .all(|(p, _)| !build.binaries.contains_key(*p) && !build.errors.contains_key(*p));
    if !status.success() && build.shared_errors.is_empty() && (unexplained || finished_ok.is_none())
    {
        // No diagnostic says why: cargo itself failed (a manifest, a lock).
        build.shared_errors.push(cargo_errors(&stderr));
    }
    Ok(build)
}

/// Which of the packages being built a message is about, by the folder its
/// crate's root file is in: a compiler message names its crate's target
/// but not its manifest.
struct Owners<'a> {
    dirs: Vec<(PathBuf, &'a str)>,
}

impl<'a> Owners<'a> {
    fn new(packages: &[(&'a str, &Path)]) -> Self {
        let dirs = packages
            .iter()
            .map(|(package, dir)| (canonical(dir), *package))
            .collect();
        Owners { dirs }
    }

    /// The package whose folder holds `source`, the deepest if several do.
    fn of(&self, source: &Path) -> Option<&'a str> {
        let source = canonical(source);
        self.dirs
            .iter()
            .filter(|(dir, _)| source.starts_with(dir))
            .max_by_key(|(dir, _)| dir.components().count())
            .map(|(_, package)| *package)
    }

    /// Keeps `artifact` when it is one of our packages' library test binary.
    fn record_suite(&self, artifact: &Artifact, build: &mut Build) {
        let target = &artifact.target;
        if !artifact.profile.test || !target.kind.contains(&TargetKind::Lib) {
            return;
        }
        if let (Some(package), Some(exe)) =
            (self.of(target.src_path.as_std_path()), &artifact.executable)
        {
            build
                .binaries
                .insert(package.to_owned(), exe.clone().into_std_path_buf());
        }
    }

    /// Keeps an error, under its package, or as shared when it is in a
    /// crate that is not one being built (the harness, `workbook`).
    fn record_error(&self, root: &Path, message: CompilerMessage, build: &mut Build) {
        if message.message.level != DiagnosticLevel::Error {
            return;
        }
        let package = self.of(message.target.src_path.as_std_path());
        let diagnostic = diagnostic(root, message.message);
        match package {
            Some(package) => build
                .errors
                .entry(package.to_owned())
                .or_default()
                .push(diagnostic),
            None => build.shared_errors.push(diagnostic.rendered),
        }
    }
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

fn diagnostic(root: &Path, message: cargo_metadata::diagnostic::Diagnostic) -> Diagnostic {
    let rendered = message
        .rendered
        .as_deref()
        .unwrap_or("(no message)")
        .trim_end()
        .to_owned();
    let mut files: Vec<PathBuf> = message
        .spans
        .iter()
        .map(|span| root.join(&span.file_name))
        .collect();
    files.dedup();
    Diagnostic { rendered, files }
}

/// The `error:` paragraphs of cargo's stderr, without its progress lines.
fn cargo_errors(stderr: &str) -> String {
    let kept: Vec<&str> = stderr
        .lines()
        .skip_while(|line| !line.trim_start().starts_with("error"))
        .collect();
    if kept.is_empty() {
        stderr.trim().to_owned()
    } else {
        kept.join("\n")
    }
}

/// `cargo build --profile <profile>` of a lesson's `package` and of the
/// workbook's `tools`, cargo's progress and errors on the terminal; the
/// binary of each package, by target name.
pub fn build_binaries(
    root: &Path,
    profile: &str,
    package: &str,
    tools: &[&str],
) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut command = command(root);
    command
        .args(["build", "--profile", profile])
        .args(["--message-format", "json-render-diagnostics"])
        .args(driver_features(&[package]));
    for package in std::iter::once(&package).chain(tools) {
        command.args(["-p", package]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting cargo")?;
    let mut binaries = Vec::new();
    for_each_message(&mut child, |message| {
        if let Message::CompilerArtifact(artifact) = message
            && artifact.target.kind.contains(&TargetKind::Bin)
            && let Some(exe) = artifact.executable
        {
            binaries.push((artifact.target.name, exe.into_std_path_buf()));
        }
    })?;
    let status = child.wait()?;
    if !status.success() {
        bail!("the build failed: cargo's message is above");
    }
    Ok(binaries)
}

/// `cargo metadata --no-deps` of the workbook: its own packages, with their
/// `Cargo.toml` as cargo reads it (workspace inheritance resolved).
pub fn metadata(root: &Path) -> anyhow::Result<Metadata> {
    MetadataCommand::new()
        .cargo_path(program())
        .current_dir(root)
        .no_deps()
        .exec()
        .context("cargo metadata")
}

/// `cargo metadata` of the workbook and everything it depends on, as a
/// build in it would resolve it: with every cargo config from `root` up,
/// and `Cargo.lock`.
pub fn resolved_metadata(root: &Path) -> anyhow::Result<Metadata> {
    MetadataCommand::new()
        .cargo_path(program())
        .current_dir(root)
        .exec()
        .context("cargo metadata")
}

/// Runs a cargo command with the terminal attached, for `verify`'s steps.
pub fn run(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    run_command(command(root), args)
}

/// [`run`], as a learner without services runs it: no MongoDB, no Redis
/// (their variables unset), and insta writing no snapshot.
pub fn run_without_services(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    let mut command = command(root);
    for name in [
        "MONGODB_URI",
        "REQUIRE_MONGODB",
        "REDIS_URL",
        "REQUIRE_REDIS",
    ] {
        command.env_remove(name);
    }
    command
        .env_remove("INSTA_FORCE_PASS")
        .env("INSTA_UPDATE", "no");
    run_command(command, args)
}

fn run_command(mut command: Command, args: &[&str]) -> anyhow::Result<()> {
    let status = command.args(args).status().context("starting cargo")?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Cargo commands run one after another on a thread of their own, at the
/// lowest priority, in a target dir of their own, their output kept until
/// [`Apart::finish`]: `verify`'s lints, which check the whole stack while
/// the tests build it (a check shares no artifact with a build), and so
/// fill the cores that the tests' links, single-crate builds and servers
/// leave idle. Dropped unfinished, it stops the cargo it is running and
/// starts no other.
pub struct Apart {
    running: Arc<Mutex<Running>>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

#[derive(Default)]
struct Running {
    child: Option<Child>,
    stopped: bool,
}

impl Apart {
    pub fn start(root: &Path, target_dir: &Path, commands: Vec<Vec<String>>) -> Self {
        let running = Arc::new(Mutex::new(Running::default()));
        let (root, target_dir) = (root.to_owned(), target_dir.to_owned());
        let shared = Arc::clone(&running);
        let thread = std::thread::spawn(move || {
            for args in commands {
                run_apart(&root, &target_dir, &args, &shared)?;
            }
            Ok(())
        });
        Apart {
            running,
            thread: Some(thread),
        }
    }

    /// Waits for the commands; fails with the output of the first that
    /// failed.
    pub fn finish(mut self) -> anyhow::Result<()> {
        let thread = self.thread.take().expect("finished once");
        thread
            .join()
            .unwrap_or_else(|_| bail!("the thread running cargo panicked"))
    }
}

impl Drop for Apart {
    fn drop(&mut self) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.stopped = true;
        if let Some(child) = running.child.as_mut() {
            let _ = child.kill();
        }
    }
}

fn run_apart(
    root: &Path,
    target_dir: &Path,
    args: &[String],
    running: &Mutex<Running>,
) -> anyhow::Result<()> {
    let stderr = {
        let mut running = running.lock().unwrap_or_else(|e| e.into_inner());
        if running.stopped {
            bail!("stopped");
        }
        let mut command = idle_command(root);
        if std::io::stdout().is_terminal() {
            command.arg("--color=always");
        }
        let mut child = command
            .args(args)
            .env("CARGO_TARGET_DIR", target_dir)
            // Each crate is checked once: an incremental cache is a cost.
            .env("CARGO_INCREMENTAL", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting cargo")?;
        let stderr = child.stderr.take().expect("piped");
        running.child = Some(child);
        stderr
    };
    // Read without the lock, so that `drop` can kill the child meanwhile.
    let mut output = String::new();
    let _ = BufReader::new(stderr).read_to_string(&mut output);
    let status = {
        let mut running = running.lock().unwrap_or_else(|e| e.into_inner());
        let mut child = running.child.take().expect("started above");
        child.wait()?
    };
    if !status.success() {
        bail!("`cargo {}` failed ({status}):\n{output}", args.join(" "));
    }
    Ok(())
}

/// Replaces this process with `cargo run -p <package>`, its server
/// listening on `port`, and on `host` when given (else `HOST`, else
/// loopback; the server itself refuses a non-loopback address without
/// `JWT_SECRET`). Exec rather than spawn: Ctrl-C and `kill` then reach
/// cargo and the server directly, with no runner in between to forward them
/// or to leave an orphan listening on the port.
///
/// The server also serves the playground page (`playground/`, with the
/// lesson's preset) and prints its address: `WORKBOOK_PLAYGROUND` turns it
/// on, unless already set (empty turns it off), and `WORKBOOK_LESSON` names
/// the lesson's folder.
pub fn serve(root: &Path, package: &str, port: u16, host: Option<&str>) -> anyhow::Result<()> {
    let mut command = command(root);
    command
        .args(["run", "--quiet", "-p", package])
        .args(driver_features(&[package]))
        .env("PORT", port.to_string());
    if let Some(host) = host {
        command.env("HOST", host);
    }
    if std::env::var_os("WORKBOOK_PLAYGROUND").is_none() {
        command.env("WORKBOOK_PLAYGROUND", root.join("playground"));
    }
    let slug = package.strip_suffix("-solution").unwrap_or(package);
    let lesson = ["lessons", "solutions"]
        .iter()
        .filter_map(|dir| std::fs::read_dir(root.join(dir)).ok())
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .find(|name| name.get(2..) == Some(&format!("-{slug}")));
    if let Some(lesson) = lesson {
        command.env("WORKBOOK_LESSON", lesson);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // `exec` returns only when it could not start cargo.
        Err(command.exec()).context("starting cargo run")
    }
    #[cfg(not(unix))]
    {
        let status = command.status().context("starting cargo run")?;
        if !status.success() {
            bail!("the server stopped ({status})");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Apart, set_by_cargo_run};

    #[test]
    fn a_command_apart_fails_with_what_cargo_said() {
        let root = std::env::temp_dir();
        let apart = Apart::start(
            &root,
            &root.join("xtask-apart-target"),
            vec![vec!["no-such-command".to_owned()]],
        );
        let error = format!("{:#}", apart.finish().unwrap_err());
        assert!(
            error.contains("`cargo no-such-command` failed") && error.contains("no such command"),
            "{error}"
        );
    }

    #[test]
    fn only_what_cargo_run_says_of_the_runner_is_dropped() {
        for name in [
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "CARGO_BIN_NAME",
            "OUT_DIR",
        ] {
            assert!(set_by_cargo_run(name), "{name}");
        }
        for name in [
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_NET_OFFLINE",
            "CARGO",
        ] {
            assert!(!set_by_cargo_run(name), "{name}");
        }
    }
}
