//! The lesson's server as a child process: started on port 0 with settings
//! of its own, read for its address, drained of its logs, and stopped.

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::sync::oneshot;

/// Variables of the learner's shell that would change what is measured.
const CLEARED: &[&str] = &[
    "MONGODB_URI",
    "MONGODB_DB",
    "REDIS_URL",
    "ADMIN_PASSWORD",
    "WORKBOOK_PLAYGROUND",
    "WORKBOOK_LESSON",
];

/// How many of the server's last stderr lines are kept for an error.
const TAIL: usize = 20;

pub struct Server {
    exe: PathBuf,
    /// Set when a wrapper runs the server.
    pid: Option<u32>,
    child: Child,
    listening: Option<oneshot::Receiver<SocketAddr>>,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl Server {
    /// Starts `exe` on 127.0.0.1 and a port of the system's choosing, with
    /// users in memory, a fresh secret, cheap password hashes (the bench logs
    /// in once; hashing is not what it measures) and no per-IP connection
    /// limit (every socket of the bench comes from 127.0.0.1). `extra`
    /// `NAME=value` pairs come last and win.
    ///
    /// `wrapper` runs the server under another program, e.g. a heap
    /// profiler: `heaptrack -o FILE`. The measured process is then the one
    /// running `exe` among the wrapper's descendants.
    pub fn start(exe: &Path, extra: &[String], wrapper: Option<&str>) -> anyhow::Result<Self> {
        let mut command = match wrapper {
            Some(wrapper) => {
                let mut words = wrapper.split_whitespace();
                let mut command = Command::new(words.next().context("--wrapper is empty")?);
                command.args(words).arg(exe);
                command
            }
            None => Command::new(exe),
        };
        for name in CLEARED {
            command.env_remove(name);
        }
        command
            .env("PORT", "0")
            .env("JWT_SECRET", secret())
            .env("BCRYPT_COST", "4")
            .env("MAX_CONNECTIONS_PER_IP", "1000000");
        for pair in extra {
            let (name, value) = pair
                .split_once('=')
                .with_context(|| format!("--env {pair}: give NAME=value"))?;
            command.env(name, value);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", exe.display()))?;

        // stdout: the `listening on http://...` line, then whatever the lesson
        // logs there (lesson 06 logs JSON lines), read and dropped so that the
        // server never blocks on a full pipe.
        let (found, listening) = oneshot::channel();
        let stdout = child.stdout.take().expect("piped");
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line
                    .strip_prefix("listening on http://")
                    .and_then(|a| a.trim().parse::<SocketAddr>().ok())
                    && let Some(found) = found.take()
                {
                    let _ = found.send(addr);
                }
            }
        });
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let kept = stderr.clone();
        let pipe = child.stderr.take().expect("piped");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
                if kept.len() == TAIL {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
        });
        Ok(Self {
            exe: exe.canonicalize().unwrap_or_else(|_| exe.to_owned()),
            pid: None,
            child,
            listening: Some(listening),
            stderr,
        })
    }

    /// The server's process id: the child's, or under a wrapper the
    /// descendant that runs the server's binary.
    pub fn pid(&self) -> u32 {
        self.pid.unwrap_or_else(|| self.child.id())
    }

    /// The address the server printed, once it listens.
    pub async fn wait_listening(&mut self, limit: Duration) -> anyhow::Result<SocketAddr> {
        let listening = self.listening.take().context("already listening")?;
        let addr = match tokio::time::timeout(limit, listening).await {
            Ok(Ok(addr)) => addr,
            Ok(Err(_)) => bail!(
                "the server stopped before listening ({})",
                self.child
                    .try_wait()?
                    .map_or("still running".into(), |s| s.to_string())
            ),
            Err(_) => bail!("the server did not print `listening on` within {limit:?}"),
        };
        anyhow::ensure!(
            addr.ip().is_loopback(),
            "the server listens on {addr}, not on a loopback address"
        );
        if !runs(self.child.id(), &self.exe) {
            let pid = descendant_running(self.child.id(), &self.exe)
                .context("no process under the wrapper runs the server's binary")?;
            self.pid = Some(pid);
        }
        Ok(addr)
    }

    /// SIGTERM to the server, then SIGKILL if it (or its wrapper) has not
    /// stopped 5 s later (the servers give open connections 2 s to drain; a
    /// profiler may need longer to write its file).
    pub fn stop(&mut self) -> anyhow::Result<()> {
        if self.child.try_wait()?.is_some() {
            return Ok(());
        }
        let _ = kill(Pid::from_raw(self.pid() as i32), Signal::SIGTERM);
        let grace = Duration::from_secs(if self.pid.is_some() { 60 } else { 5 });
        let start = Instant::now();
        while start.elapsed() < grace {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// The server's last lines on stderr.
    pub fn stderr_tail(&self) -> String {
        let kept = self.stderr.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .map(|line| format!("  {line}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A signing secret for this run only: nobody else ever holds a token the
/// server accepts. From the kernel's randomness, or, failing that, the clock
/// and pid (the server is on loopback and lives for a minute).
fn secret() -> String {
    let mut bytes = [0u8; 32];
    let random = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if random.is_err() {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let seed = nanos ^ u128::from(std::process::id());
        bytes[..16].copy_from_slice(&seed.to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether process `pid` runs the binary `exe`.
fn runs(pid: u32, exe: &Path) -> bool {
    std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|e| e == exe)
}

/// The first process below `ancestor` that runs `exe`.
fn descendant_running(ancestor: u32, exe: &Path) -> Option<u32> {
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| runs(pid, exe))
        .find(|&pid| {
            let mut at = pid;
            // Walk up to the ancestor, or to init.
            while let Some(parent) = parent_of(at) {
                if parent == ancestor {
                    return true;
                }
                if parent <= 1 {
                    break;
                }
                at = parent;
            }
            false
        })
}
