//! The load client of `cargo xtask bench`: what a lesson's server spends
//! per Socket.IO connection.
//!
//! It starts the server binary it is given (pinned to one core, the client
//! on another), registers and logs in a user, then measures two things:
//!
//! 1. authenticated handshakes: connect, Socket.IO CONNECT with the token,
//!    the server's answer, close. Handshakes per second, and the server's
//!    CPU time per handshake read from `/proc/<pid>/stat`;
//! 2. held sockets: N authenticated sockets kept open (answering the
//!    server's pings), and the growth of the server's RSS per socket, read
//!    from `/proc/<pid>/status`.
//!
//! Everything happens on 127.0.0.1, counts are bounded and the whole run has
//! a time limit: it stops by itself, and stops the server.

mod client;
mod http;
mod measure;
mod report;
mod server;

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::client::Target;
use crate::report::{Handshakes, Held, Report};
use crate::server::Server;

const USAGE: &str = "\
bench: what a socket costs a lesson's server (run by `cargo xtask bench`)

usage: bench --server PATH [options]

  --server PATH        the server binary to start (a lesson's)
  --label TEXT         what to call it in the table
  --namespace NS       the namespace the sockets join (default /)
  --auth KIND          token: a JWT from POST /auth/login in auth.token (default);
                       cookie: the session cookie of POST /session/login
  --handshakes N       handshakes to measure CPU and rate on (default 3000)
  --concurrency N      handshakes in flight at once (default 50)
  --sockets N          sockets to hold open for the memory measurement (default 5000)
  --json               print the result as JSON instead of a table
  --time-limit SECS    stop, and fail, after this long whatever happens (default 150)
  --env NAME=VALUE     an extra setting for the server (repeatable)
  --wrapper COMMAND    run the server under COMMAND, e.g. `heaptrack -o FILE`
";

/// The command line. Parsed by hand: the bench is built in the release-like
/// `bench-server` profile, where an argument parser would be one more crate
/// to optimise on a fresh clone for a dozen flags.
#[derive(Debug)]
struct Args {
    server: PathBuf,
    label: String,
    namespace: String,
    auth: String,
    handshakes: usize,
    concurrency: usize,
    sockets: usize,
    json: bool,
    time_limit: u64,
    env: Vec<String>,
    wrapper: Option<String>,
}

impl Args {
    fn parse(mut words: impl Iterator<Item = String>) -> anyhow::Result<Self> {
        let mut server = None;
        let mut args = Args {
            server: PathBuf::new(),
            label: "server".into(),
            namespace: "/".into(),
            auth: "token".into(),
            handshakes: 3000,
            concurrency: 50,
            sockets: 5000,
            json: false,
            time_limit: 150,
            env: Vec::new(),
            wrapper: None,
        };
        while let Some(flag) = words.next() {
            let mut value = || {
                words
                    .next()
                    .with_context(|| format!("{flag} needs a value\n\n{USAGE}"))
            };
            let number = |text: String| {
                text.parse::<usize>()
                    .with_context(|| format!("{flag} {text}: give a whole number"))
            };
            match flag.as_str() {
                "--server" => server = Some(PathBuf::from(value()?)),
                "--label" => args.label = value()?,
                "--namespace" => args.namespace = value()?,
                "--auth" => args.auth = value()?,
                "--handshakes" => args.handshakes = number(value()?)?,
                "--concurrency" => args.concurrency = number(value()?)?,
                "--sockets" => args.sockets = number(value()?)?,
                "--time-limit" => args.time_limit = number(value()?)? as u64,
                "--env" => args.env.push(value()?),
                "--wrapper" => args.wrapper = Some(value()?),
                "--json" => args.json = true,
                "-h" | "--help" => {
                    print!("{USAGE}");
                    std::process::exit(0);
                }
                other => bail!("unknown argument `{other}`\n\n{USAGE}"),
            }
        }
        args.server = server.with_context(|| format!("--server is required\n\n{USAGE}"))?;
        Ok(args)
    }
}

fn main() -> std::process::ExitCode {
    match Args::parse(std::env::args().skip(1)).and_then(run) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(mut args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!(args.sockets > 0, "--sockets must be at least 1");
    let auth_kind = match args.auth.as_str() {
        "token" | "cookie" => args.auth.clone(),
        other => bail!("--auth {other}: use `token` or `cookie`"),
    };

    // Both processes hold one descriptor per socket, plus their own few.
    let files = measure::raise_open_files(args.sockets as u64 + 200)?;
    let room = files.soft.saturating_sub(200) as usize;
    let mut notes = Vec::new();
    if room < args.sockets {
        notes.push(format!(
            "held sockets cut from {} to {room}: the open-file limit is {} (raise the hard limit with `ulimit -Hn` as root)",
            args.sockets, files.soft
        ));
        args.sockets = room.max(1);
    }

    // The server on one core and the client on another, as the numbers of
    // the book were taken: the client's work does not land on the server's
    // CPU time, and the two do not fight over a core. Threads inherit the
    // affinity of the thread that starts them, so this happens before the
    // server starts and before the client's runtime exists.
    let cores = measure::pick_cores()?;
    if let Some((server_core, _)) = cores {
        measure::pin_this_thread(server_core)?;
    }
    let mut server = Server::start(&args.server, &args.env, args.wrapper.as_deref())?;
    if let Some((_, client_core)) = cores {
        measure::pin_this_thread(client_core)?;
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let limit = Duration::from_secs(args.time_limit);
    let outcome = runtime.block_on(async {
        match tokio::time::timeout(limit, measure_all(&args, &auth_kind, &mut server, cores)).await
        {
            Ok(result) => result,
            Err(_) => Err(anyhow::anyhow!(
                "stopped after the time limit of {} s (--time-limit)",
                args.time_limit
            )),
        }
    });
    // Whatever happened, the server goes; its last lines explain a failure.
    let stopped = server.stop();
    drop(runtime);
    let mut report = match outcome {
        Ok(report) => report,
        Err(e) => {
            let tail = server.stderr_tail();
            if tail.is_empty() {
                return Err(e);
            }
            return Err(e.context(format!("the server's last lines:\n{tail}")));
        }
    };
    stopped?;
    report.label = args.label.clone();
    report.open_files_limit = files.soft;
    report.notes.extend(notes);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}

async fn measure_all(
    args: &Args,
    auth_kind: &str,
    server: &mut Server,
    cores: Option<(usize, usize)>,
) -> anyhow::Result<Report> {
    let progress = Progress::new();
    progress.line("starting the server");
    let addr = server.wait_listening(Duration::from_secs(30)).await?;
    let pid = server.pid();

    progress.line(&format!(
        "server {pid} listening on {addr}; registering a user"
    ));
    let auth = http::sign_in(addr, auth_kind).await?;
    let target = Arc::new(Target {
        addr,
        namespace: args.namespace.clone(),
        auth,
    });
    // One handshake first, to see the lesson accept this user at all.
    client::handshake(&target)
        .await
        .context("the first authenticated handshake")?;
    let idle_rss = measure::settled_rss(pid).await?;

    // Warm-up: lazily built state (the first socket of a room, the
    // allocator's first arenas) should not count as a handshake's cost.
    progress.line("warming up");
    run_handshakes(&target, args.concurrency * 2, args.concurrency, None).await?;

    let handshakes = {
        let counter = Arc::new(AtomicUsize::new(0));
        let ticker = progress.ticker("handshakes", args.handshakes, counter.clone());
        let cpu_before = measure::cpu_time(pid)?;
        let start = Instant::now();
        let result =
            run_handshakes(&target, args.handshakes, args.concurrency, Some(counter)).await;
        let elapsed = start.elapsed();
        let cpu = measure::cpu_time(pid)? - cpu_before;
        ticker.abort();
        result?;
        progress.done(&format!(
            "handshakes: {} in {:.2} s",
            args.handshakes,
            elapsed.as_secs_f64()
        ));
        Handshakes {
            count: args.handshakes,
            concurrency: args.concurrency,
            seconds: elapsed.as_secs_f64(),
            per_second: args.handshakes as f64 / elapsed.as_secs_f64(),
            cpu_ms_per_handshake: cpu.as_secs_f64() * 1000.0 / args.handshakes as f64,
        }
    };

    let held = hold_sockets(args, &target, pid, &progress).await?;
    Ok(Report {
        label: String::new(),
        server_pid: pid,
        pinned: cores.map(|(s, c)| report::Pinned {
            server_cpu: s,
            client_cpu: c,
        }),
        open_files_limit: 0,
        idle_rss_kib: idle_rss,
        handshakes,
        held,
        notes: Vec::new(),
    })
}

/// `count` handshakes, `concurrency` at a time; each connects, is accepted
/// and closes.
async fn run_handshakes(
    target: &Arc<Target>,
    count: usize,
    concurrency: usize,
    done: Option<Arc<AtomicUsize>>,
) -> anyhow::Result<()> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = JoinSet::new();
    for _ in 0..concurrency.min(count) {
        let (target, next, done) = (target.clone(), next.clone(), done.clone());
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let ws = client::handshake(&target).await?;
                client::close(ws).await;
                if let Some(done) = &done {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
            anyhow::Ok(())
        });
    }
    while let Some(result) = workers.join_next().await {
        result??;
    }
    Ok(())
}

async fn hold_sockets(
    args: &Args,
    target: &Arc<Target>,
    pid: u32,
    progress: &Progress,
) -> anyhow::Result<Held> {
    let before = measure::settled_rss(pid).await?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let opened = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Semaphore::new(args.concurrency));
    let ticker = progress.ticker("held sockets", args.sockets, opened.clone());
    let start = Instant::now();
    let mut holders = JoinSet::new();
    for _ in 0..args.sockets {
        let permit = gate.clone().acquire_owned().await?;
        let (target, opened, dropped, stop) = (
            target.clone(),
            opened.clone(),
            dropped.clone(),
            stop_rx.clone(),
        );
        holders.spawn(async move {
            let ws = client::handshake(&target).await;
            drop(permit);
            let ws = ws?;
            opened.fetch_add(1, Ordering::Relaxed);
            if !client::hold(ws, stop).await {
                dropped.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        });
        // A failed handshake ends the run now, not after 5,000 more.
        while let Some(result) = holders.try_join_next() {
            result??;
        }
    }
    // Wait for the last handshakes in flight.
    let _ = gate.acquire_many(args.concurrency as u32).await?;
    while let Some(result) = holders.try_join_next() {
        result??;
    }
    ticker.abort();
    let open_seconds = start.elapsed().as_secs_f64();
    progress.done(&format!(
        "held sockets: {} opened in {open_seconds:.2} s; waiting for the server's memory to settle",
        args.sockets
    ));
    let with = measure::settled_rss(pid).await?;
    let lost = dropped.load(Ordering::Relaxed);
    if lost > 0 {
        bail!("the server closed {lost} of the held sockets before the measurement ended");
    }

    let _ = stop_tx.send(true);
    while let Some(result) = holders.join_next().await {
        result??;
    }
    let after = measure::settled_rss(pid).await?;
    progress.done("closed them all");
    Ok(Held {
        sockets: args.sockets,
        rss_before_kib: before,
        rss_held_kib: with,
        rss_after_close_kib: after,
        kib_per_socket: (with as f64 - before as f64) / args.sockets as f64,
    })
}

/// Progress on stderr: one line rewritten in place on a terminal, a line
/// every few seconds otherwise.
struct Progress {
    terminal: bool,
}

impl Progress {
    fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn line(&self, text: &str) {
        if self.terminal {
            eprint!("\r\x1b[2K{text}");
        } else {
            eprintln!("{text}");
        }
    }

    fn done(&self, text: &str) {
        if self.terminal {
            eprintln!("\r\x1b[2K{text}");
        } else {
            eprintln!("{text}");
        }
    }

    fn ticker(
        &self,
        what: &'static str,
        total: usize,
        count: Arc<AtomicUsize>,
    ) -> tokio::task::JoinHandle<()> {
        let terminal = self.terminal;
        tokio::spawn(async move {
            let every = if terminal {
                Duration::from_millis(200)
            } else {
                Duration::from_secs(3)
            };
            loop {
                tokio::time::sleep(every).await;
                let n = count.load(Ordering::Relaxed);
                if terminal {
                    eprint!("\r\x1b[2K{what}: {n}/{total}");
                } else {
                    eprintln!("{what}: {n}/{total}");
                }
            }
        })
    }
}
