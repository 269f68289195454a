//! Which copy of the workbook built a suite binary.
//!
//! Cargo names a workspace crate's build after its path inside the
//! workspace, so two copies of the workbook that share a target dir (a
//! global `build.target-dir`, a CI cache) share their lesson crates' builds
//! too, and cargo finds one copy's build fresh for the other whenever the
//! other's files are older. Graded as it is, a learner's starter could pass
//! on the solution another copy built.
//!
//! So every binary the runner sees cargo write is stamped with the copy it
//! was built in. A binary cargo did not rebuild is used only when its stamp
//! names this copy; otherwise its crate's fingerprints are forgotten and
//! cargo builds it again, here.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::engine::cargo::Build;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Stamp {
    /// The workbook the binary was built from.
    root: PathBuf,
    /// The binary as it was then: a later build from elsewhere changes it.
    modified: u128,
    len: u64,
}

fn stamp_path(exe: &Path) -> PathBuf {
    exe.with_extension("workbook-origin")
}

fn modified(exe: &Path) -> Option<u128> {
    let time = std::fs::metadata(exe).ok()?.modified().ok()?;
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_nanos())
}

fn stamp_now(root: &Path, exe: &Path) -> Option<Stamp> {
    Some(Stamp {
        root: root.to_owned(),
        modified: modified(exe)?,
        len: std::fs::metadata(exe).ok()?.len(),
    })
}

fn built_here(root: &Path, exe: &Path) -> bool {
    let recorded: Option<Stamp> = std::fs::read_to_string(stamp_path(exe))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    recorded.is_some() && recorded == stamp_now(root, exe)
}

/// Stamps every binary of `build` that cargo wrote since `started` as built
/// in `root`; returns the packages whose binary it left as it was and no
/// stamp says was built here.
pub fn claim(root: &Path, build: &Build, started: SystemTime) -> Vec<String> {
    let since = started
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut foreign = Vec::new();
    for (package, exe) in &build.binaries {
        if modified(exe).is_some_and(|m| m >= since) {
            if let Some(stamp) = stamp_now(root, exe)
                && let Ok(text) = serde_json::to_string(&stamp)
            {
                let _ = std::fs::write(stamp_path(exe), text);
            }
        } else if !built_here(root, exe) {
            foreign.push(package.clone());
        }
    }
    foreign.sort();
    foreign
}

/// Whether every binary of `build` was built in `root`.
pub fn all_built_here(root: &Path, build: &Build) -> bool {
    build.binaries.values().all(|exe| built_here(root, exe))
}

/// Makes cargo rebuild `packages` (their library and their tests) on its
/// next run, by deleting their fingerprints beside `build`'s binaries.
pub fn forget(build: &Build, packages: &[String]) {
    for package in packages {
        let Some(profile) = build
            .binaries
            .get(package)
            .and_then(|exe| exe.parent()?.parent())
        else {
            continue;
        };
        let fingerprints = profile.join(".fingerprint");
        for entry in std::fs::read_dir(&fingerprints)
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_fingerprint_of(&name, package) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// `basic-middleware-04024a7da406cb03` is one of `basic-middleware`'s;
/// `basic-middleware-solution-…` is not.
fn is_fingerprint_of(name: &str, package: &str) -> bool {
    name.strip_prefix(package)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_told_by_its_whole_package_name() {
        assert!(is_fingerprint_of(
            "basic-middleware-04024a7da406cb03",
            "basic-middleware"
        ));
        assert!(!is_fingerprint_of(
            "basic-middleware-solution-04024a7da406cb03",
            "basic-middleware"
        ));
        assert!(!is_fingerprint_of("basic-middleware", "basic-middleware"));
    }
}
