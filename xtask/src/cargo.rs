//! Every cargo invocation the runner makes, and nothing else.
//!
//! Checking many lessons must not queue one cargo after another on the
//! target dir's lock, and a compile error in one lesson must not hide the
//! verdict of the others. So the suites are built in ONE `cargo test
//! --no-run --no-fail-fast` whose JSON messages say, per package, which test
//! binary came out and which errors stopped the rest. The runner then runs
//! the binaries itself (see `run.rs`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What one build of the suites produced.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Build {
    /// Package → its `suite` test binary.
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

fn cargo(root: &Path) -> Command {
    // `cargo xtask` runs under cargo, which says where it is; a bare `cargo`
    // might be another toolchain with a cold cache.
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command.current_dir(root);
    command
}

/// Builds the `suite` test binary of every package in `packages` at once.
/// `packages` maps each package to its directory, so that the compiler's
/// messages can be told apart by manifest.
pub fn build_suites(root: &Path, packages: &[(&str, &Path)]) -> anyhow::Result<Build> {
    let mut command = cargo(root);
    command.args([
        "test",
        "--no-run",
        "--no-fail-fast",
        "--message-format=json",
        "--test",
        "suite",
    ]);
    for (package, _) in packages {
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

    let by_manifest: HashMap<PathBuf, &str> = packages
        .iter()
        .map(|(package, dir)| (canonical(&dir.join("Cargo.toml")), *package))
        .collect();
    let mut build = Build::default();
    let mut finished_ok = None;
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let Ok(message) = serde_json::from_str::<Value>(&line?) else {
            continue;
        };
        let manifest = message["manifest_path"]
            .as_str()
            .map(|p| canonical(Path::new(p)));
        let package = manifest.as_ref().and_then(|m| by_manifest.get(m)).copied();
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                let is_suite = message["target"]["name"] == "suite"
                    && message["target"]["kind"]
                        .as_array()
                        .is_some_and(|k| k.iter().any(|k| k == "test"));
                if let (true, Some(package), Some(exe)) =
                    (is_suite, package, message["executable"].as_str())
                {
                    build
                        .binaries
                        .insert(package.to_owned(), PathBuf::from(exe));
                }
            }
            Some("compiler-message") if message["message"]["level"] == "error" => {
                let diagnostic = diagnostic(root, &message["message"]);
                match package {
                    Some(package) => build
                        .errors
                        .entry(package.to_owned())
                        .or_default()
                        .push(diagnostic),
                    None => build.shared_errors.push(diagnostic.rendered),
                }
            }
            Some("build-finished") => finished_ok = message["success"].as_bool(),
            _ => {}
        }
    }
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

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

fn diagnostic(root: &Path, message: &Value) -> Diagnostic {
    let rendered = message["rendered"]
        .as_str()
        .unwrap_or("(no message)")
        .trim_end()
        .to_owned();
    let mut files: Vec<PathBuf> = message["spans"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|span| span["file_name"].as_str())
        .map(|file| root.join(file))
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

/// `cargo metadata` of the workbook, as a build in it would resolve it:
/// with every cargo config from `root` up, and `Cargo.lock`.
pub fn metadata(root: &Path) -> anyhow::Result<Value> {
    let output = cargo(root)
        .args(["metadata", "--format-version", "1"])
        .stdin(Stdio::null())
        .output()
        .context("starting cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            cargo_errors(&String::from_utf8_lossy(&output.stderr))
        );
    }
    serde_json::from_slice(&output.stdout).context("reading cargo metadata")
}

/// The workspace's own packages, with their `[package.metadata]`: what
/// `cargo metadata --no-deps` says, without resolving a single dependency.
pub fn members(root: &Path) -> anyhow::Result<Vec<cargo_metadata::Package>> {
    let mut command = cargo_metadata::MetadataCommand::new();
    if let Some(program) = std::env::var_os("CARGO") {
        command.cargo_path(program);
    }
    let metadata = command
        .current_dir(root)
        .no_deps()
        .exec()
        .context("cargo metadata --no-deps")?;
    Ok(metadata.packages)
}

/// Runs a cargo command with the terminal attached, for `verify`'s steps.
pub fn run(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = cargo(root).args(args).status().context("starting cargo")?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
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
    let mut command = cargo(root);
    command
        .args(["run", "--quiet", "-p", package])
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
