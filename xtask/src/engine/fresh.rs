//! Not redoing work: skipping cargo when no source changed since the last
//! build, and reusing a suite's verdict when its binary is the one already
//! graded.
//!
//! `cargo test --no-run` on a fresh tree still takes one to three seconds on
//! a small machine (it fingerprints every dependency), and running a passed
//! lesson's suite again proves nothing new. Both shortcuts key on what
//! decides the outcome, so they can only be stale if a file changes without
//! its modification time moving.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::cargo::Build;
use crate::engine::files;
use crate::engine::state;

const BUILD: &str = "build.json";
const RESULTS: &str = "results.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stamp {
    /// Nanoseconds since the epoch when the build started.
    started: u128,
    /// `CARGO_TARGET_DIR` then: another target dir is another build.
    target_dir: Option<String>,
    packages: Vec<String>,
    /// The features asked for: a build with the MongoDB driver is another
    /// build, and a server without it refuses `MONGODB_URI`.
    features: Vec<String>,
    build: Build,
}

fn nanos(time: SystemTime) -> u128 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// The newest modification time among the files a build reads. Directories
/// count too: deleting a file changes its directory's time.
fn newest_source(root: &Path) -> u128 {
    let mut newest = 0;
    let mut note = |path: &Path| {
        if let Ok(meta) = std::fs::metadata(path)
            && let Ok(modified) = meta.modified()
        {
            newest = newest.max(nanos(modified));
        }
    };
    for file in ["Cargo.toml", "Cargo.lock", ".cargo/config.toml"] {
        note(&root.join(file));
    }
    for dir in ["lessons", "solutions", "workbook", "tests"] {
        for entry in files::entries(&root.join(dir)) {
            note(entry.path());
        }
    }
    newest
}

fn target_dir() -> Option<String> {
    std::env::var_os("CARGO_TARGET_DIR").map(|d| d.to_string_lossy().into_owned())
}

/// The last build, when it covered `packages` with the same `features`
/// and nothing changed since.
pub fn reuse_build(root: &Path, packages: &[&str], features: &[String]) -> Option<Build> {
    let stamp: Stamp = state::load(root, BUILD);
    let covered = packages
        .iter()
        .all(|p| stamp.packages.iter().any(|s| s == p))
        && stamp.target_dir == target_dir()
        && stamp.features == features;
    let binaries_there = stamp.build.binaries.values().all(|exe| exe.is_file());
    if stamp.started == 0 || !covered || !binaries_there || !stamp.build.shared_errors.is_empty() {
        return None;
    }
    if newest_source(root) >= stamp.started {
        return None;
    }
    Some(stamp.build)
}

/// Remembers a build of `packages` with `features` that started at `started`.
pub fn remember_build(
    root: &Path,
    started: SystemTime,
    packages: &[&str],
    features: &[String],
    build: &Build,
) {
    let stamp = Stamp {
        started: nanos(started),
        target_dir: target_dir(),
        packages: packages.iter().map(|p| (*p).to_owned()).collect(),
        features: features.to_vec(),
        build: build.clone(),
    };
    state::save(root, BUILD, &stamp);
}

/// What identifies one run's outcome: the binary (by path, size and time),
/// the limit, the whole environment the suite runs in (`env`, from
/// [`suite_env`](crate::engine::suite_env), the very list the run is given), and
/// which of its tests ran (`filters`).
pub fn run_key(
    exe: &Path,
    limit: Duration,
    env: &[(OsString, OsString)],
    filters: &[String],
) -> Option<String> {
    let meta = std::fs::metadata(exe).ok()?;
    let mut hash = Sha256::new();
    hash.update(exe.to_string_lossy().as_bytes());
    hash.update(meta.len().to_le_bytes());
    hash.update(nanos(meta.modified().ok()?).to_le_bytes());
    hash.update(limit.as_millis().to_le_bytes());
    for (name, value) in env {
        // Lengths first, so that no two environments hash the same bytes.
        for part in [name, value] {
            let bytes = part.as_encoded_bytes();
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        }
    }
    // A run of one step says nothing of the others.
    for filter in filters {
        hash.update((filter.len() as u64).to_le_bytes());
        hash.update(filter.as_bytes());
    }
    Some(format!("{:x}", hash.finalize()))
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Results {
    /// Package → (run key, outcome).
    runs: BTreeMap<String, (String, serde_json::Value)>,
}

/// The outcome recorded for `package` under `key`.
pub fn cached_run<T: for<'de> Deserialize<'de>>(
    root: &Path,
    package: &str,
    key: &str,
) -> Option<T> {
    let results: Results = state::load(root, RESULTS);
    let (recorded, value) = results.runs.get(package)?;
    if recorded != key {
        return None;
    }
    serde_json::from_value(value.clone()).ok()
}

pub fn remember_run<T: Serialize>(root: &Path, package: &str, key: &str, outcome: &T) {
    let mut results: Results = state::load(root, RESULTS);
    if let Ok(value) = serde_json::to_value(outcome) {
        results
            .runs
            .insert(package.to_owned(), (key.to_owned(), value));
        state::save(root, RESULTS, &results);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A build without the MongoDB driver is not the build a check with
    /// `MONGODB_URI` needs: its servers would refuse the variable.
    #[test]
    fn a_build_with_other_features_is_not_reused() {
        let root = std::env::temp_dir().join(format!("xtask-fresh-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let started = SystemTime::now() + Duration::from_secs(1);
        let packages = ["basic-middleware"];
        remember_build(&root, started, &packages, &[], &Build::default());
        assert!(reuse_build(&root, &packages, &[]).is_some());
        let driver = [
            "--features".to_owned(),
            "basic-middleware/mongodb".to_owned(),
        ];
        assert!(reuse_build(&root, &packages, &driver).is_none());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
