//! Throwaway services for a run: a Redis when the machine has one
//! installed and the learner has not pointed `REDIS_URL` at their own.
//!
//! Lesson 11's cross-server tests need a Redis. Without one they are
//! skipped, and a lesson with skipped tests is not passed; a learner who
//! installed `redis-server` should not also have to start and stop it. So
//! `check` starts one on a free port, with nothing saved to disk, for the
//! run alone, and stops it after (as `.ci/run` does).

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A service running for this run only; stopped when dropped.
pub struct Throwaway {
    child: Child,
    /// The variable that points the suites at it, and its value.
    pub var: &'static str,
    pub url: String,
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a run is given besides the learner's environment: services this
/// machine can start and the learner did not set up.
pub fn start_missing() -> Vec<Throwaway> {
    redis().into_iter().collect()
}

/// A Redis on a free port, when `redis-server` is on `PATH` and `REDIS_URL`
/// is unset (or empty).
pub fn redis() -> Option<Throwaway> {
    if std::env::var_os("REDIS_URL").is_some_and(|v| !v.is_empty()) {
        return None;
    }
    let program = on_path("redis-server")?;
    let port = free_port()?;
    let mut command = Command::new(program);
    command
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // In the runner's process group: a Ctrl-C that stops the run stops it
    // too (`Drop` would not run then).
    let child = command.spawn().ok()?;
    let service = Throwaway {
        child,
        var: "REDIS_URL",
        url: format!("redis://127.0.0.1:{port}"),
    };
    accepting(port, Duration::from_secs(5)).then_some(service)
}

/// Where `program` is on `PATH`.
pub fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> Option<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).ok()?;
    Some(listener.local_addr().ok()?.port())
}

/// Whether something accepts connections on `port` within `limit`.
fn accepting(port: u16, limit: Duration) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}
