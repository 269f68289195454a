//! `cargo xtask bench --grader`: what the workbook costs a learner in time
//! and disk, measured the way a learner meets it (issue 23).
//!
//! Every figure is taken in a scratch `git clone` of this repository (the
//! committed `HEAD`, never the working copy), with its own cargo home and
//! target dirs, so that nothing already built here flatters it:
//!
//! - `cold`: fresh clone to first verdict (`cargo xtask check 01`) with an
//!   empty cargo home: every crate downloaded, every crate built;
//! - `warm`: the same with the registry already downloaded, target empty;
//! - `prepare`: `cargo xtask prepare` from an empty target dir, its time and
//!   the target dir's size (the `warm` run gives the size after `check` of
//!   one lesson);
//! - `edit`: a comment appended to a lesson's learner file, then the time to
//!   the verdict of `cargo xtask check NN` (and of `check NN --step 1` when
//!   the grader has steps), for every lesson; then the target dir's size,
//!   every lesson having been checked after `prepare` (what `doctor` asks
//!   to have free);
//! - `openssl`: which crates pull `openssl-sys` into the build (`cargo tree`);
//! - `verify` (only with `--verify`, it is long): `cargo xtask verify` from a
//!   fresh clone, warm registry, empty target.
//!
//! The machine is often shared: each figure carries the load average seen
//! when it started, and the short ones are taken `--repeat` times.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context as _, bail};
use serde::Serialize;

use crate::engine::cargo;
use crate::model::lesson::Lesson;

/// The options of `bench --grader` (flattened into `bench`'s).
#[derive(clap::Args, Debug, Default)]
pub struct Options {
    /// Measure the grader (time to a verdict, disk) instead of a server.
    #[arg(long)]
    pub grader: bool,
    /// With --grader: only these figures (default: all but verify).
    #[arg(long, value_enum, value_delimiter = ',', requires = "grader")]
    pub only: Vec<Part>,
    /// With --grader: also time `cargo xtask verify` from a fresh clone
    /// (several minutes; lesson 11 needs REDIS_URL and MONGODB_URI).
    #[arg(long, requires = "grader")]
    pub verify: bool,
    /// With --grader: how many times each short figure is taken.
    #[arg(long, default_value_t = 3, requires = "grader")]
    pub repeat: usize,
    /// With --grader: the lessons whose edit → verdict is timed (default:
    /// all). Without `prepare` among the figures, only these are built.
    #[arg(long = "edit", value_name = "NN", requires = "grader")]
    pub edit_lessons: Vec<String>,
    /// With --grader: the commit to measure (default: HEAD).
    #[arg(long, default_value = "HEAD", requires = "grader")]
    pub rev: String,
    /// With --grader: keep the scratch clone and its logs.
    #[arg(long, requires = "grader")]
    pub keep: bool,
}

/// The figures `--only` can pick.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Cold,
    Warm,
    Prepare,
    Edit,
    Openssl,
}

/// One line of the table.
#[derive(Serialize)]
struct Figure {
    name: String,
    /// Seconds, one per repetition; empty for sizes and notes.
    seconds: Vec<f64>,
    /// CPU seconds (user + system) of the command and all it waited for,
    /// one per repetition: steadier than wall time on a shared machine.
    cpu: Vec<f64>,
    /// Bytes on disk, for sizes.
    bytes: Option<u64>,
    /// Free text: a crate list, `n/a`, an error.
    note: Option<String>,
    /// The goal, as text.
    goal: &'static str,
    /// The 1-minute load average when the figure started.
    load: f64,
}

impl Figure {
    fn new(name: impl Into<String>, goal: &'static str) -> Self {
        Figure {
            name: name.into(),
            seconds: Vec::new(),
            cpu: Vec::new(),
            bytes: None,
            note: None,
            goal,
            load: load_average(),
        }
    }

    fn value(&self) -> String {
        let mut text = String::new();
        if !self.seconds.is_empty() {
            let each: Vec<String> = self
                .seconds
                .iter()
                .zip(&self.cpu)
                .map(|(wall, cpu)| format!("{wall:.1} ({cpu:.1})"))
                .collect();
            let _ = write!(text, "{} s", each.join(" / "));
        }
        if let Some(bytes) = self.bytes {
            let _ = write!(text, "{:.2} GB", bytes as f64 / 1e9);
        }
        if let Some(note) = &self.note {
            if !text.is_empty() {
                text.push_str("  ");
            }
            text.push_str(note);
        }
        text
    }
}

#[derive(Serialize)]
struct Report {
    commit: String,
    nproc: usize,
    figures: Vec<Figure>,
}

/// The scratch area: the clone, the cargo homes, the target dirs and the
/// logs of every command.
struct Scratch {
    dir: PathBuf,
    clone: PathBuf,
    /// The user's own cargo home: the warm registry when `cold` did not run.
    user_home: PathBuf,
    log_count: usize,
}

pub fn run(root: &Path, all: &[Lesson], options: &Options, json: bool) -> anyhow::Result<bool> {
    let mut scratch = Scratch::new()?;
    clone_at(root, &scratch.clone, &options.rev)?;
    let commit = git_head(&scratch.clone);
    reseal(&scratch.clone)?;
    let figures = figures(&mut scratch, all, options)?;
    let report = Report {
        commit,
        nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
        figures,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    if options.keep {
        eprintln!("kept: {}", scratch.dir.display());
    } else {
        remove(&scratch.dir);
    }
    Ok(report
        .figures
        .iter()
        .all(|f| f.note.as_deref().is_none_or(|n| !n.starts_with("error"))))
}

impl Scratch {
    /// An empty scratch area in the system's temporary folder.
    fn new() -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("grader-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        eprintln!("scratch: {}", dir.display());
        Ok(Scratch {
            clone: dir.join("clone"),
            dir,
            user_home: user_cargo_home()?,
            log_count: 0,
        })
    }
}

/// Takes every figure `options` asks for, in the clone.
fn figures(
    scratch: &mut Scratch,
    all: &[Lesson],
    options: &Options,
) -> anyhow::Result<Vec<Figure>> {
    let wanted = |part: Part| options.only.is_empty() || options.only.contains(&part);
    let mut figures = Vec::new();

    // The registry a warm figure starts from: the one `cold` just filled, or
    // the user's own.
    let warm_home = first_verdicts(scratch, &wanted, &mut figures)?;
    let prepared = scratch.dir.join("target-prepared");
    if wanted(Part::Prepare) || (wanted(Part::Edit) && options.edit_lessons.is_empty()) {
        let timed = prepare_figures(scratch, &warm_home, &prepared);
        if wanted(Part::Prepare) {
            figures.extend(timed);
        }
    }
    if wanted(Part::Edit) {
        let has_steps = scratch.check_has_steps(&warm_home, &prepared);
        let lessons = if options.edit_lessons.is_empty() {
            all.iter().collect()
        } else {
            crate::course::lessons::select(all, &options.edit_lessons)?
        };
        for lesson in &lessons {
            figures.extend(edit_to_verdict(
                scratch,
                lesson,
                options.repeat,
                has_steps,
                &warm_home,
                &prepared,
            ));
        }
        if lessons.len() == all.len() {
            let mut size = Figure::new("target dir after `prepare` and every check", "");
            size.bytes = Some(disk_usage(&prepared));
            figures.push(size);
        }
    }
    remove(&prepared);
    if wanted(Part::Openssl) {
        figures.push(openssl_users(scratch, &warm_home));
    }
    if options.verify {
        figures.push(verify_figure(scratch, &warm_home));
    }
    Ok(figures)
}

/// `prepare` from an empty target dir: its time, and the size it leaves.
fn prepare_figures(scratch: &mut Scratch, warm_home: &Path, prepared: &Path) -> Vec<Figure> {
    let mut figure = Figure::new("`prepare` from an empty target dir", "");
    match scratch.time(warm_home, prepared, &["xtask", "prepare"], Expect::Success) {
        Ok(timed) => timed.push_to(&mut figure),
        Err(e) => figure.note = Some(format!("{e:#}")),
    }
    let mut size = Figure::new("target dir after `prepare`", "≤ 1.5 GB");
    size.bytes = Some(disk_usage(prepared));
    vec![figure, size]
}

/// A clone of `root` at `rev`, without hard links to it.
fn clone_at(root: &Path, clone: &Path, rev: &str) -> anyhow::Result<()> {
    let status = Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(root)
        .arg(clone)
        .status()
        .context("running git clone")?;
    if !status.success() {
        bail!("git clone of {} failed", root.display());
    }
    let status = Command::new("git")
        .current_dir(clone)
        .args(["checkout", "--quiet", "--detach", rev])
        .status()
        .context("running git checkout")?;
    if !status.success() {
        bail!("git checkout {rev} failed in the scratch clone");
    }
    Ok(())
}

/// The first verdicts, from an empty cargo home and from a warm registry;
/// returns the warm home the later figures use.
fn first_verdicts(
    scratch: &mut Scratch,
    wanted: &dyn Fn(Part) -> bool,
    figures: &mut Vec<Figure>,
) -> anyhow::Result<PathBuf> {
    let mut warm_home = scratch.user_home.clone();
    if wanted(Part::Cold) {
        let home = scratch.dir.join("home-empty");
        std::fs::create_dir_all(&home)?;
        let target = scratch.dir.join("target-cold");
        figures.push(first_verdict(
            scratch,
            "fresh clone → first verdict, empty cargo home",
            "≤ 90 s",
            &home,
            &target,
        ));
        let mut size = Figure::new("  cargo home after it (downloads)", "");
        size.bytes = Some(disk_usage(&home));
        figures.push(size);
        warm_home = home;
        remove(&target);
    }
    if wanted(Part::Warm) {
        let target = scratch.dir.join("target-warm");
        figures.push(first_verdict(
            scratch,
            "fresh clone → first verdict, warm registry",
            "≤ 75 s",
            &warm_home,
            &target,
        ));
        let mut size = Figure::new("target dir after `check 01`", "≤ 1 GB");
        size.bytes = Some(disk_usage(&target));
        figures.push(size);
        remove(&target);
    }
    Ok(warm_home)
}

/// `verify` from the clone, with a target dir of its own.
fn verify_figure(scratch: &mut Scratch, warm_home: &Path) -> Figure {
    let target = scratch.dir.join("target-verify");
    let mut figure = Figure::new("`verify` from a fresh clone, warm registry", "≤ 360 s");
    match scratch.time_with(
        warm_home,
        &target,
        &["xtask", "verify"],
        Expect::Success,
        true,
    ) {
        Ok(timed) => timed.push_to(&mut figure),
        Err(e) => figure.note = Some(format!("{e:#}")),
    }
    remove(&target);
    figure
}

/// Records the clone's guarded files in its manifest, as the lead's
/// `verify --update-manifest` would after merging: without it, a commit that
/// changes the root `Cargo.toml` (a profile, a feature) measures `check`
/// refusing to grade (TAMPERED) instead of grading.
fn reseal(clone: &Path) -> anyhow::Result<()> {
    let Some(mut manifest) = crate::course::manifest::load(clone)? else {
        return Ok(());
    };
    let before = manifest.clone();
    manifest.shared = crate::course::manifest::shared_now(clone);
    for lesson in crate::course::lessons::discover(clone)?.lessons {
        if let Some(record) = manifest.lessons.get_mut(&lesson.slug) {
            record.protected =
                crate::course::manifest::protected_now(clone, &lesson, &record.suite);
        }
    }
    if manifest != before {
        eprintln!(
            "note: guarded files differ from xtask/manifest.json; re-recorded in the scratch clone only"
        );
        crate::course::manifest::save(clone, &manifest)?;
    }
    Ok(())
}

/// `cargo xtask check 01` in the clone, from `target` empty.
fn first_verdict(
    scratch: &mut Scratch,
    name: &str,
    goal: &'static str,
    home: &Path,
    target: &Path,
) -> Figure {
    remove(target);
    let mut figure = Figure::new(name, goal);
    match scratch.time(home, target, &["xtask", "check", "01"], Expect::Verdict) {
        Ok(timed) => timed.push_to(&mut figure),
        Err(e) => figure.note = Some(format!("{e:#}")),
    }
    figure
}

/// A comment appended to the lesson's learner file, then `check NN` (and
/// `check NN --step 1`), `repeat` times; after one untimed check, so that
/// what `prepare` does not build is not counted.
fn edit_to_verdict(
    scratch: &mut Scratch,
    lesson: &Lesson,
    repeat: usize,
    has_steps: bool,
    home: &Path,
    target: &Path,
) -> Vec<Figure> {
    let number = lesson.number.as_str();
    let mut whole = Figure::new(format!("edit → verdict, lesson {number}"), "≤ 4 s");
    let mut step = Figure::new(format!("  edit → verdict, {number} --step 1"), "≤ 2 s");
    let file = match learner_file(&scratch.clone.join("lessons").join(lesson.id())) {
        Ok(file) => file,
        Err(e) => {
            whole.note = Some(format!("error: {e:#}"));
            return vec![whole];
        }
    };
    let original = std::fs::read_to_string(&file).unwrap_or_default();
    let check = ["xtask", "check", number];
    let check_step = ["xtask", "check", number, "--step", "1"];
    if let Err(e) = scratch.time(home, target, &check, Expect::Verdict) {
        whole.note = Some(format!("{e:#}"));
        return vec![whole];
    }
    for round in 0..repeat {
        let mut runs = vec![(&mut whole, &check[..])];
        if has_steps {
            runs.push((&mut step, &check_step[..]));
        }
        for (figure, args) in runs {
            let edited = format!("{original}\n// edit {round} {}\n", args.len());
            if let Err(e) = std::fs::write(&file, edited) {
                figure.note = Some(format!("error: {e}"));
                continue;
            }
            match scratch.time(home, target, args, Expect::Verdict) {
                Ok(timed) => timed.push_to(figure),
                Err(e) => figure.note = Some(format!("{e:#}")),
            }
        }
    }
    let _ = std::fs::write(&file, original);
    if !has_steps {
        step.note = Some("n/a (check has no --step)".to_owned());
    }
    vec![whole, step]
}

/// The lesson file a learner edits first: the first with an exercise.
fn learner_file(dir: &Path) -> anyhow::Result<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("src"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
        .into_iter()
        .find(|p| std::fs::read_to_string(p).is_ok_and(|text| text.contains("// EXERCISE:")))
        .with_context(|| format!("no exercise in {}", dir.display()))
}

/// The crates whose own dependency is OpenSSL (`openssl`, `openssl-sys`,
/// `native-tls` and their tokio wrappers), from `cargo tree -i openssl-sys`
/// with every feature on (the MongoDB driver's included).
fn openssl_users(scratch: &mut Scratch, home: &Path) -> Figure {
    let mut figure = Figure::new("crates that link OpenSSL (through)", "none");
    let output = scratch
        .cargo(home, &scratch.dir.join("target-tree"))
        .args([
            "tree",
            "--workspace",
            "--all-features",
            "-i",
            "openssl-sys",
            "-e",
            "normal,build,dev",
        ])
        .args(["--prefix", "depth", "--charset", "ascii"])
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => {
            figure.note = Some(format!("error: cargo tree: {e}"));
            return figure;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        figure.note = Some(if stderr.contains("did not match any packages") {
            "none".to_owned()
        } else {
            format!("error: cargo tree: {}", stderr.trim())
        });
        return figure;
    }
    figure.note = Some(tls_users(&stdout).join(", "));
    figure
}

/// From `cargo tree -i openssl-sys --prefix depth`: each crate that depends
/// on an OpenSSL wrapper without being one, with the wrappers it uses.
fn tls_users(tree: &str) -> Vec<String> {
    const WRAPPERS: [&str; 5] = [
        "openssl-sys",
        "openssl",
        "native-tls",
        "tokio-native-tls",
        "tokio-openssl",
    ];
    let mut stack: Vec<String> = Vec::new();
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    for line in tree.lines() {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        let Ok(depth) = line[..digits].parse::<usize>() else {
            continue;
        };
        let name = line[digits..].split_whitespace().next().unwrap_or("");
        stack.truncate(depth);
        if let Some(parent) = stack.last()
            && WRAPPERS.contains(&parent.as_str())
            && !WRAPPERS.contains(&name)
        {
            let index = match found.iter().position(|(n, _)| n == name) {
                Some(index) => index,
                None => {
                    found.push((name.to_owned(), Vec::new()));
                    found.len() - 1
                }
            };
            if !found[index].1.contains(parent) {
                found[index].1.push(parent.clone());
            }
        }
        stack.push(name.to_owned());
    }
    found
        .into_iter()
        .map(|(name, via)| format!("{name} ({})", via.join(", ")))
        .collect()
}

/// A timed command: wall and CPU seconds.
struct Timed {
    seconds: f64,
    cpu: f64,
}

impl Timed {
    fn push_to(self, figure: &mut Figure) {
        figure.seconds.push(self.seconds);
        figure.cpu.push(self.cpu);
    }
}

/// CPU seconds used so far by the children this process waited for (and
/// theirs: cargo waits for every rustc and test binary).
fn children_cpu() -> f64 {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_CHILDREN).map_or(0.0, |usage| {
        let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
        seconds(usage.user_time()) + seconds(usage.system_time())
    })
}

/// What a timed command must end with.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// Exit 0.
    Success,
    /// A verdict: 0 (passes) or 1 (fails). 2 is the runner failing.
    Verdict,
}

impl Scratch {
    /// `cargo` in the clone, with only the given home and target: none of
    /// the variables cargo set for this xtask, nor the services a learner
    /// starts without.
    fn cargo(&self, home: &Path, target: &Path) -> Command {
        let mut command = cargo::command(&self.clone);
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            if key.starts_with("CARGO")
                || key.starts_with("INSTA")
                || ["MONGODB_URI", "REDIS_URL", "REQUIRE_MONGODB", "RUSTFLAGS"]
                    .contains(&key.as_str())
            {
                command.env_remove(key);
            }
        }
        command
            .env("CARGO_HOME", home)
            .env("CARGO_TARGET_DIR", target);
        command
    }

    fn time(
        &mut self,
        home: &Path,
        target: &Path,
        args: &[&str],
        expect: Expect,
    ) -> anyhow::Result<Timed> {
        self.time_with(home, target, args, expect, false)
    }

    /// Runs `cargo ARGS`, its output in a log file; the seconds it took.
    /// `services`: keep MONGODB_URI and REDIS_URL (for `verify`).
    fn time_with(
        &mut self,
        home: &Path,
        target: &Path,
        args: &[&str],
        expect: Expect,
        services: bool,
    ) -> anyhow::Result<Timed> {
        self.log_count += 1;
        let log = self
            .dir
            .join(format!("{:02}-{}.log", self.log_count, args.join("_")));
        let file = std::fs::File::create(&log)?;
        eprintln!(
            "  cargo {}   (load {:.2}, log {})",
            args.join(" "),
            load_average(),
            log.display()
        );
        let mut command = self.cargo(home, target);
        if services {
            for key in ["MONGODB_URI", "REDIS_URL"] {
                if let Some(value) = std::env::var_os(key) {
                    command.env(key, value);
                }
            }
        }
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file);
        let cpu_before = children_cpu();
        let start = Instant::now();
        let status = command.status().context("starting cargo")?;
        let seconds = start.elapsed().as_secs_f64();
        let cpu = children_cpu() - cpu_before;
        let ok = matches!(
            (expect, status.code()),
            (_, Some(0)) | (Expect::Verdict, Some(1))
        );
        let refused = std::fs::read_to_string(&log).is_ok_and(|text| text.contains("TAMPERED"));
        if !ok || refused {
            bail!(
                "error: `cargo {}` ended with {status} after {seconds:.1} s (see {})",
                args.join(" "),
                log.display()
            );
        }
        Ok(Timed { seconds, cpu })
    }

    /// Whether the clone's `check` takes `--step` (another branch adds it).
    fn check_has_steps(&self, home: &Path, target: &Path) -> bool {
        self.cargo(home, target)
            .args(["xtask", "check", "--help"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("--step"))
    }
}

fn print_table(report: &Report) {
    println!(
        "grader bench of {} on {} cores (load = 1-minute load average when the figure started)",
        report.commit, report.nproc
    );
    println!();
    println!("(times: wall seconds, CPU seconds in brackets, one per repetition)");
    println!("{:<48} {:>6}  {:<10} value", "figure", "load", "goal");
    for figure in &report.figures {
        println!(
            "{:<48} {:>6.2}  {:<10} {}",
            figure.name,
            figure.load,
            figure.goal,
            figure.value()
        );
    }
}

/// Bytes a directory takes on disk (blocks, each hard link counted once,
/// as `du` does: cargo hard-links every binary it uplifts).
fn disk_usage(dir: &Path) -> u64 {
    let mut seen = HashSet::new();
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|entry| entry.metadata().ok())
        .filter(|meta| seen.insert((meta.dev(), meta.ino())))
        .map(|meta| meta.blocks() * 512)
        .sum()
}

/// The 1-minute load average, from `/proc/loadavg` (0 where there is none).
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

fn user_cargo_home() -> anyhow::Result<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return Ok(home.into());
    }
    let home = std::env::var_os("HOME").context("neither CARGO_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cargo"))
}

fn git_head(clone: &Path) -> String {
    Command::new("git")
        .current_dir(clone)
        .args(["log", "-1", "--format=%h %s"])
        .output()
        .map(|o| {
            let line = String::from_utf8_lossy(&o.stdout).trim().to_owned();
            line.chars().take(60).collect()
        })
        .unwrap_or_default()
}

fn remove(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openssl_users_are_read_from_an_inverted_tree() {
        let tree = "0openssl-sys v0.9.109\n\
                    1native-tls v0.2.14\n\
                    2rust_engineio v0.6.0\n\
                    3rust_socketio v0.6.0\n\
                    4harness v0.1.0 (/x/tests)\n\
                    2tokio-native-tls v0.3.1\n\
                    3rust_engineio v0.6.0 (*)\n\
                    1openssl v0.10.73\n\
                    2mongodb v3.9.1\n\
                    3workbook v0.1.0 (/x/workbook)\n";
        assert_eq!(
            tls_users(tree),
            [
                "rust_engineio (native-tls, tokio-native-tls)",
                "mongodb (openssl)"
            ]
        );
    }
}
