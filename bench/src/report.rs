//! The result: a small table for people, JSON for scripts.

use std::fmt::Write as _;

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Report {
    pub label: String,
    pub server_pid: u32,
    /// The cores the server and the client ran on, when there were two.
    pub pinned: Option<Pinned>,
    pub open_files_limit: u64,
    /// The server's RSS once started, with one user registered and logged in.
    pub idle_rss_kib: u64,
    pub handshakes: Handshakes,
    pub held: Held,
    /// Anything that makes this run differ from what was asked.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Pinned {
    pub server_cpu: usize,
    pub client_cpu: usize,
}

#[derive(Debug, Serialize)]
pub struct Handshakes {
    pub count: usize,
    pub concurrency: usize,
    pub seconds: f64,
    pub per_second: f64,
    /// The server's user + system CPU time over the handshakes, divided by
    /// their number.
    pub cpu_ms_per_handshake: f64,
}

#[derive(Debug, Serialize)]
pub struct Held {
    pub sockets: usize,
    /// RSS after the handshakes, before opening the held sockets.
    pub rss_before_kib: u64,
    /// RSS with every socket open and the numbers settled.
    pub rss_held_kib: u64,
    /// RSS once they are all closed again: what the allocator keeps.
    pub rss_after_close_kib: u64,
    pub kib_per_socket: f64,
}

impl Report {
    pub fn table(&self) -> String {
        let h = &self.handshakes;
        let m = &self.held;
        let rows = [
            (
                "handshakes per second".to_owned(),
                format!(
                    "{:.0}   ({} at concurrency {}, {:.2} s)",
                    h.per_second, h.count, h.concurrency, h.seconds
                ),
            ),
            (
                "CPU per handshake".to_owned(),
                format!("{:.3} ms", h.cpu_ms_per_handshake),
            ),
            ("idle RSS".to_owned(), mib(self.idle_rss_kib)),
            (
                format!("RSS per held socket ({})", m.sockets),
                format!(
                    "{:.1} KiB   ({} -> {} held, {} once closed)",
                    m.kib_per_socket,
                    mib(m.rss_before_kib),
                    mib(m.rss_held_kib),
                    mib(m.rss_after_close_kib)
                ),
            ),
        ];
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut out = String::new();
        let _ = writeln!(out, "\n{}", self.label);
        let where_ = match &self.pinned {
            Some(p) => format!(
                "server pid {} on CPU {}, client on CPU {}",
                self.server_pid, p.server_cpu, p.client_cpu
            ),
            None => format!("server pid {}, not pinned (one core only)", self.server_pid),
        };
        let _ = writeln!(out, "{where_}\n");
        for (key, value) in rows {
            let _ = writeln!(out, "  {key:<width$}   {value}");
        }
        for note in &self.notes {
            let _ = writeln!(out, "\nnote: {note}");
        }
        out
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
