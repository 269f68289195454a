//! `cargo xtask doctor`: can this machine run the workbook?
//!
//! Workshops lose their first half hour to laptops that cannot build: an old
//! toolchain, no C compiler, a full disk. Each check here says what is
//! wrong and the one command that fixes it on Debian/Ubuntu, Fedora and
//! macOS. The exit code is 0 only when every check passed.

use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Megabytes the target dir reaches over the course: `cargo xtask prepare`
/// builds 0.70 GB (every suite and the crates under them), and each
/// lesson's checks add its test binary and compiler cache: 1.61 GB after
/// all twelve, each checked after a few edits (`cargo xtask bench
/// --grader`, "target dir after `prepare` and every check"), rounded up.
/// With `MONGODB_URI` set, every build also holds the MongoDB driver.
/// `DOWNLOADS_MB`: the crates downloaded into the cargo home (0.65 GB,
/// the same bench).
const COURSE_TARGET_MB: u64 = 1_700;
const DOWNLOADS_MB: u64 = 700;

/// The port `cargo xtask serve` uses unless told otherwise.
const SERVE_PORT: u16 = 3000;

/// One check's outcome.
pub struct Check {
    pub name: &'static str,
    /// `Ok(what was found)` or `Err(what is wrong)`.
    pub result: Result<String, String>,
    /// The commands that fix a failure, per system.
    pub fix: Option<Fix>,
}

pub struct Fix {
    pub debian: &'static str,
    pub fedora: &'static str,
    pub macos: &'static str,
}

pub fn doctor(root: &Path) -> anyhow::Result<bool> {
    let checks = run_checks(root);
    let mut healthy = true;
    for check in &checks {
        match &check.result {
            Ok(found) => println!("ok    {}: {found}", check.name),
            Err(problem) => {
                healthy = false;
                println!("FAIL  {}: {problem}", check.name);
                if let Some(fix) = &check.fix {
                    println!("      Debian/Ubuntu: {}", fix.debian);
                    println!("      Fedora:        {}", fix.fedora);
                    println!("      macOS:         {}", fix.macos);
                }
            }
        }
    }
    redis_note();
    println!();
    if healthy {
        println!("This machine can run the workbook. Next: cargo xtask check");
    } else {
        println!("Fix the checks marked FAIL, then run `cargo xtask doctor` again.");
    }
    Ok(healthy)
}

pub fn run_checks(root: &Path) -> Vec<Check> {
    let mut checks = vec![toolchain(root), c_compiler(), disk(root), port()];
    for (variable, default_port) in [("MONGODB_URI", 27017), ("REDIS_URL", 6379)] {
        if let Ok(uri) = std::env::var(variable)
            && !uri.trim().is_empty()
        {
            checks.push(service(variable, &uri, default_port));
        }
    }
    checks
}

/// Lesson 11's cross-server tests need a Redis: without one they are
/// skipped, and a lesson with skipped tests does not pass. Not a failure
/// (the other lessons need none), but said, with how to install it.
fn redis_note() {
    if std::env::var_os("REDIS_URL").is_some_and(|v| !v.is_empty()) {
        return; // Checked above, as a service.
    }
    match crate::engine::services::on_path("redis-server") {
        Some(found) => println!(
            "ok    Redis (lesson 11): {} (check starts a throwaway one for each run)",
            found.display()
        ),
        None => {
            println!(
                "note  Redis (lesson 11): redis-server is not installed; lesson 11's cross-server \
                 tests need it (and MONGODB_URI) and are skipped without it, so lesson 11 cannot pass"
            );
            println!("      Debian/Ubuntu: sudo apt-get install redis-server");
            println!("      Fedora:        sudo dnf install redis");
            println!("      macOS:         brew install redis");
            println!("      (check then starts one for each run; or set REDIS_URL to your own)");
        }
    }
}

/// The first line a command prints, if it runs at all.
fn first_line(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Some(text.lines().next().unwrap_or("").trim().to_owned())
}

fn toolchain(root: &Path) -> Check {
    let wanted = required_rust(root);
    let found = first_line("rustc", &["--version"]);
    let result = match (&found, &wanted) {
        (None, _) => Err("rustc is not on PATH".to_owned()),
        (Some(line), Some(wanted)) => match version_in(line) {
            Some(have) if have >= *wanted => Ok(line.clone()),
            Some(_) => Err(format!(
                "{line}, but the workbook needs {}.{} or newer",
                wanted.0, wanted.1
            )),
            None => Err(format!("cannot read the version in {line:?}")),
        },
        (Some(line), None) => Ok(line.clone()),
    };
    Check {
        name: "Rust toolchain",
        result,
        fix: Some(Fix {
            debian: "rustup update stable   (no rustup? curl the installer from rustup.rs)",
            fedora: "rustup update stable",
            macos: "rustup update stable",
        }),
    }
}

/// The newest `rust-version` a workbook crate asks for (all inherit the
/// workspace's `1.94`), as cargo reads it. `None` when cargo cannot read
/// the workbook: the toolchain check then says only what it found.
fn required_rust(root: &Path) -> Option<(u32, u32)> {
    let metadata = crate::engine::cargo::metadata(root).ok()?;
    let newest = metadata
        .workspace_packages()
        .into_iter()
        .filter_map(|package| package.rust_version.as_ref())
        .max()?;
    Some((
        u32::try_from(newest.major).ok()?,
        u32::try_from(newest.minor).ok()?,
    ))
}

/// The first `MAJOR.MINOR` in `text`.
fn version_in(text: &str) -> Option<(u32, u32)> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find_map(|word| {
            let mut parts = word.split('.');
            let major = parts.next()?.parse().ok()?;
            let minor = parts.next()?.parse().ok()?;
            Some((major, minor))
        })
}

fn c_compiler() -> Check {
    let found = ["cc", "gcc", "clang"]
        .iter()
        .find_map(|cc| first_line(cc, &["--version"]));
    Check {
        name: "C compiler (some dependencies build C code)",
        result: found.ok_or_else(|| "no cc, gcc or clang on PATH".to_owned()),
        fix: Some(Fix {
            debian: "sudo apt-get install build-essential",
            fedora: "sudo dnf install gcc",
            macos: "xcode-select --install",
        }),
    }
}

fn disk(root: &Path) -> Check {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.to_owned());
    Check {
        name: "disk space",
        result: disk_verdict(free_mb(&target)),
        fix: Some(Fix {
            debian: "free some space, or: export CARGO_TARGET_DIR=/a/disk/with/space",
            fedora: "free some space, or: export CARGO_TARGET_DIR=/a/disk/with/space",
            macos: "free some space, or: export CARGO_TARGET_DIR=/a/disk/with/space",
        }),
    }
}

/// Whether `free` megabytes hold what the course builds and downloads, said
/// with both figures either way.
fn disk_verdict(free: Option<u64>) -> Result<String, String> {
    let need = COURSE_TARGET_MB + DOWNLOADS_MB;
    let needs = format!(
        "the course needs about {} ({} for `prepare` and every lesson's build, {} of downloads)",
        gigabytes(need),
        gigabytes(COURSE_TARGET_MB),
        gigabytes(DOWNLOADS_MB)
    );
    match free {
        Some(free) if free >= need => Ok(format!("{} free; {needs}", gigabytes(free))),
        Some(free) => Err(format!("only {} free; {needs}", gigabytes(free))),
        None => Ok(format!("could not measure (no `df`); {needs}")),
    }
}

/// `1.5 GB`, rounded up to a tenth: a need is never understated.
fn gigabytes(mb: u64) -> String {
    let tenths = mb.div_ceil(100);
    format!("{}.{} GB", tenths / 10, tenths % 10)
}

/// Free megabytes where `path` lives, from POSIX `df -Pk`.
fn free_mb(path: &Path) -> Option<u64> {
    let output = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().nth(1)?;
    let available_kb: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    Some(available_kb * 1024 / 1_000_000)
}

/// A taken port is worth knowing, not a failure: `serve --port` picks another.
fn port() -> Check {
    let found = match TcpListener::bind(("127.0.0.1", SERVE_PORT)) {
        Ok(_) => format!("127.0.0.1:{SERVE_PORT} is free for `cargo xtask serve`"),
        Err(_) => {
            format!("127.0.0.1:{SERVE_PORT} is taken; use `cargo xtask serve NN --port 3001`")
        }
    };
    Check {
        name: "port for serve",
        result: Ok(found),
        fix: None,
    }
}

/// Whether the server a `MONGODB_URI` or `REDIS_URL` names accepts a TCP
/// connection: enough to tell a typo or a stopped server from a working one.
fn service(variable: &'static str, uri: &str, default_port: u16) -> Check {
    let result = match host_port(uri, default_port) {
        None => Err(format!("{variable}={uri} names no host")),
        Some((host, port)) => match (host.as_str(), port).to_socket_addrs() {
            Ok(mut addrs) => match addrs
                .find_map(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok())
            {
                Some(_) => Ok(format!("{host}:{port} answers")),
                None => Err(format!("nothing answers at {host}:{port}")),
            },
            Err(e) => Err(format!("cannot resolve {host}: {e}")),
        },
    };
    Check {
        name: variable,
        result,
        fix: Some(Fix {
            debian: "start the server, or unset the variable to use the in-memory store",
            fedora: "start the server, or unset the variable to use the in-memory store",
            macos: "start the server, or unset the variable to use the in-memory store",
        }),
    }
}

/// `host` and `port` of `scheme://[user:pass@]host[:port][/...]` (the first
/// host of a MongoDB seed list).
fn host_port(uri: &str, default_port: u16) -> Option<(String, u16)> {
    let rest = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let authority = rest.split(['/', '?', ',']).next()?;
    if authority.is_empty() {
        return None;
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            Some((host.trim_matches(['[', ']']).to_owned(), port.parse().ok()?))
        }
        _ => Some((authority.to_owned(), default_port)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_rustc() {
        assert_eq!(
            version_in("rustc 1.95.0 (59807616e 2026-04-14)"),
            Some((1, 95))
        );
        assert_eq!(version_in("1.94"), Some((1, 94)));
        assert_eq!(version_in("no digits"), None);
    }

    #[test]
    fn the_required_rust_is_the_workspaces_rust_version() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        assert_eq!(
            required_rust(root),
            version_in(env!("CARGO_PKG_RUST_VERSION"))
        );
    }

    #[test]
    fn the_disk_check_says_what_the_course_needs() {
        let need = COURSE_TARGET_MB + DOWNLOADS_MB;
        let enough = disk_verdict(Some(need)).unwrap();
        assert!(enough.contains("needs about"), "{enough}");
        let short = disk_verdict(Some(need - 1)).unwrap_err();
        assert!(short.starts_with("only"), "{short}");
        assert!(short.contains(&gigabytes(need)), "{short}");
        assert_eq!(gigabytes(1_234), "1.3 GB");
        assert_eq!(gigabytes(1_500), "1.5 GB");
    }

    #[test]
    fn service_addresses_are_read_from_uris() {
        assert_eq!(
            host_port("mongodb://127.0.0.1:27017", 27017),
            Some(("127.0.0.1".into(), 27017))
        );
        assert_eq!(
            host_port("mongodb://user:pw@db.example:2000,db2:2001/app?x=1", 27017),
            Some(("db.example".into(), 2000))
        );
        assert_eq!(
            host_port("redis://localhost/0", 6379),
            Some(("localhost".into(), 6379))
        );
        assert_eq!(host_port("redis://", 6379), None);
    }
}
