//! Running suite binaries: each in its own process group, under a
//! wall-clock limit, several at once.
//!
//! A learner's handler can loop forever or never answer, and a server can
//! spawn tasks or processes that outlive the test that started them. Killing
//! the whole group when the time is up is the only way to be sure nothing
//! is left running or holding a port.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::engine::suite_env;
use crate::model::lesson::Step;

/// More output than this is a learner's print loop: the rest is dropped.
const OUTPUT_CAP: usize = 4 << 20;

/// How many suite tests run at once, across the suites running together.
/// A suite's tests spend their time waiting (on sockets, timers, the
/// database), not computing, so libtest's default of one test per core
/// leaves a 2-core laptop idle: eight at once take lesson 08's whole suite
/// from 6.2 s to 2.0 s there, and 03, 07 and 12's from about 4 s to 2-2.4 s.
/// `RUST_TEST_THREADS` still decides when set.
pub const TESTS_AT_ONCE: usize = 8;

/// One suite binary to run.
#[derive(Debug, Clone)]
pub struct Job {
    pub exe: PathBuf,
    /// The crate's directory: cargo runs tests from there, so do we.
    pub dir: PathBuf,
    pub limit: Duration,
    /// The file the harness tells the grader of skipped tests in
    /// (`HARNESS_REPORT`), emptied before the run.
    pub report: Option<PathBuf>,
    /// Its whole environment (see [`suite_env`]).
    pub env: Vec<(OsString, OsString)>,
    /// libtest filters: the tests to run, the whole suite when empty.
    pub filters: Vec<String>,
}

/// How a run ended.
#[derive(Debug)]
pub struct Finished {
    pub stdout: String,
    pub stderr: String,
    /// `None` when the limit was hit and the group killed.
    pub status: Option<ExitStatus>,
    pub elapsed: Duration,
}

/// Runs every job, up to the machine's core count at a time, and returns
/// how each ended, in the order given.
pub fn run_all(jobs: &[Job]) -> Vec<anyhow::Result<Finished>> {
    let workers = thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(jobs.len().max(1));
    let threads = (TESTS_AT_ONCE / workers).max(1);
    let next = Mutex::new(0..jobs.len());
    let results: Mutex<Vec<Option<anyhow::Result<Finished>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let Some(i) = next.lock().unwrap_or_else(|e| e.into_inner()).next() else {
                        break;
                    };
                    let finished = run_one(&jobs[i], threads);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(finished);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

/// A suite binary's command: run from its crate's directory, with exactly
/// the job's environment. The binary is the crate's unit-test binary, so
/// without filters it is told to run the suite only, not the crate's own
/// `#[cfg(test)]` modules.
fn suite_command(job: &Job) -> Command {
    let mut command = suite_env::command(&job.exe, &job.env);
    command.current_dir(&job.dir).args(["--color", "never"]);
    if job.filters.is_empty() {
        command.arg(Step::EVERY);
    } else {
        command.args(&job.filters);
    }
    if let Some(report) = &job.report {
        command.env(suite_env::REPORT_VAR, report);
    }
    command
}

/// Where the run of `package`'s suite reports to the grader.
pub fn report_path(root: &Path, package: &str) -> PathBuf {
    root.join(crate::engine::state::DIR)
        .join("runs")
        .join(format!("{package}.jsonl"))
}

fn run_one(job: &Job, threads: usize) -> anyhow::Result<Finished> {
    let start = Instant::now();
    if let Some(report) = &job.report {
        // A line left from another run would speak for this one.
        let _ = std::fs::remove_file(report);
        if let Some(dir) = report.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let mut command = suite_command(job);
    if !job.env.iter().any(|(name, _)| name == "RUST_TEST_THREADS") {
        command.args(["--test-threads", &threads.to_string()]);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {}", job.exe.display()))?;
    let stdout = drain(child.stdout.take().expect("piped"));
    let stderr = drain(child.stderr.take().expect("piped"));

    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if start.elapsed() >= job.limit {
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    // Even after a clean exit, something the suite started may linger in
    // its group.
    kill_group(&mut child);
    if status.is_none() {
        let _ = child.wait();
    }
    Ok(Finished {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        status,
        elapsed: start.elapsed(),
    })
}

/// Reads a pipe to its end in a thread, keeping at most [`OUTPUT_CAP`].
fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            let room = OUTPUT_CAP.saturating_sub(kept.len());
            kept.extend_from_slice(&buffer[..n.min(room)]);
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}

#[cfg(unix)]
fn kill_group(child: &mut Child) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    // The child leads its own group, so the group id is its pid. ESRCH (the
    // group is gone) is the usual case and fine.
    let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
}

#[cfg(not(unix))]
fn kill_group(child: &mut Child) {
    let _ = child.kill();
}

/// The names of the tests in a suite binary that `filters` select (the
/// whole suite when empty), from `--list`: `step_2::case`.
pub fn list_tests(
    root: &Path,
    exe: &Path,
    dir: &Path,
    filters: &[String],
) -> anyhow::Result<Vec<String>> {
    let job = Job {
        exe: exe.to_owned(),
        dir: dir.to_owned(),
        limit: Duration::from_secs(30),
        report: None,
        env: suite_env::suite_env(root),
        filters: filters.to_vec(),
    };
    let output = suite_command(&job)
        .args(["--list", "--format", "terse"])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("listing the tests of {}", exe.display()))?;
    anyhow::ensure!(
        output.status.success(),
        "{} --list failed: {}",
        exe.display(),
        output.status
    );
    Ok(crate::engine::libtest::parse_list(
        &String::from_utf8_lossy(&output.stdout),
    ))
}
