//! What the kernel says about the server: CPU time and resident memory
//! from `/proc`, and the limits and cores the run works within.

use std::time::Duration;

use anyhow::Context as _;
use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::unistd::Pid;

/// Linux reports `/proc/<pid>/stat` times in USER_HZ, which is 100 on
/// every architecture (the kernel converts).
const TICKS_PER_SECOND: u64 = 100;

/// The open-file limit once raised.
pub struct Files {
    pub soft: u64,
}

/// Raises this process's soft open-file limit towards `want`, as far as the
/// hard limit allows. The server inherits it.
pub fn raise_open_files(want: u64) -> anyhow::Result<Files> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).context("reading the open-file limit")?;
    if soft >= want {
        return Ok(Files { soft });
    }
    let raised = want.min(hard);
    setrlimit(Resource::RLIMIT_NOFILE, raised, hard).context("raising the open-file limit")?;
    Ok(Files { soft: raised })
}

/// Two cores this process may run on, one for the server and one for the
/// client; `None` on a single core.
pub fn pick_cores() -> anyhow::Result<Option<(usize, usize)>> {
    let allowed = sched_getaffinity(Pid::from_raw(0)).context("reading the CPU affinity")?;
    let mut cores = (0..CpuSet::count()).filter(|&i| allowed.is_set(i).unwrap_or(false));
    Ok(match (cores.next(), cores.next()) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    })
}

/// Keeps the calling thread, and every thread or process it starts from now
/// on, on `core`.
pub fn pin_this_thread(core: usize) -> anyhow::Result<()> {
    let mut set = CpuSet::new();
    set.set(core)?;
    sched_setaffinity(Pid::from_raw(0), &set).with_context(|| format!("pinning to CPU {core}"))
}

/// User plus system CPU time of every thread `pid` has had, the finished
/// ones included.
pub fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .context("reading the server's /proc/<pid>/stat: has it stopped?")?;
    // The command name may hold spaces and parentheses: count from the last `)`.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("an unexpected /proc/<pid>/stat")?
        .1
        .split_whitespace()
        .collect();
    // After `)`: state is field 3 of stat(5), so utime (14) and stime (15)
    // are at 11 and 12.
    let ticks: u64 = [11, 12]
        .iter()
        .map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum::<Option<u64>>()
        .context("an unexpected /proc/<pid>/stat")?;
    Ok(Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND))
}

/// The server's resident set, in KiB (`VmRSS`).
pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .context("reading the server's /proc/<pid>/status: has it stopped?")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS in /proc/<pid>/status")
}

/// The resident set once it stops moving: read every 250 ms until it has
/// changed by less than 0.1 % over a second, or for 8 s at most.
pub async fn settled_rss(pid: u32) -> anyhow::Result<u64> {
    let mut readings = vec![rss_kib(pid)?];
    for _ in 0..32 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        readings.push(rss_kib(pid)?);
        if let [.., a, _, _, _, b] = readings[..]
            && a.abs_diff(b) * 1000 <= a
        {
            return Ok(b);
        }
    }
    Ok(*readings.last().expect("read at least once"))
}
