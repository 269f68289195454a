//! The integrity manifest, `xtask/manifest.json`: a checksum of everything a
//! learner could edit to pass without writing the lesson, each starter as it
//! was handed out, and how long each solution's suite takes.
//!
//! What it guards, per lesson: the suite (`tests/src/lessons/<slug>.rs`),
//! its snapshots (the set of files, not only their contents), the crate's
//! `Cargo.toml` and `tests/`; and for every lesson at once: the rest of the
//! harness, the shared `workbook` crate, the root `Cargo.toml` and
//! `.cargo/config.toml`. A lesson crate may not grow a build script.
//!
//! It is written only by `cargo xtask verify --update-manifest`, after the
//! solutions passed and the starters failed: recording checksums is saying
//! "these files are the reviewed ones", so it is a deliberate act, never a
//! side effect. Plain `verify` fails while the manifest is stale.
//!
//! It lives in the learner's repository, so it stops mistakes and casual
//! edits, not a determined cheat who rewrites it too: graders restore it
//! (and the guarded files) from the template before grading.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::lessons::Lesson;
use crate::snapshots::{self, walk};

pub const PATH: &str = "xtask/manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    #[serde(rename = "//")]
    pub about: String,
    /// Path → SHA-256 of the files every lesson depends on.
    pub shared: BTreeMap<String, String>,
    /// Slug → the lesson's record.
    pub lessons: BTreeMap<String, LessonRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LessonRecord {
    /// `01-basic-middleware`: where the lesson was when recorded.
    pub dir: String,
    /// How long the solution's suite took, to size the default time limit.
    pub solution_seconds: f64,
    /// How many tests the suite has.
    pub tests: usize,
    /// Path → SHA-256 of the lesson's suite, snapshots and guarded crate files.
    pub protected: BTreeMap<String, String>,
    /// Path inside the lesson's directory → the starter's text, for `reset`
    /// and for telling a lesson not started yet.
    pub starter: BTreeMap<String, String>,
}

/// A guarded file that is not as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Modified(String),
    Added(String),
    Removed(String),
    /// The manifest, or its record of the lesson, is missing: nothing to
    /// compare with is no reason to trust.
    Unrecorded(String),
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Modified(p) | Change::Added(p) | Change::Removed(p) | Change::Unrecorded(p) => {
                p
            }
        }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Modified(p) => write!(f, "{p} (edited)"),
            Change::Added(p) => write!(f, "{p} (added)"),
            Change::Removed(p) => write!(f, "{p} (deleted)"),
            Change::Unrecorded(p) => write!(f, "{p} (no record to compare with)"),
        }
    }
}

pub fn load(root: &Path) -> anyhow::Result<Option<Manifest>> {
    let path = root.join(PATH);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .with_context(|| format!("{PATH} is not a manifest this runner can read")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {PATH}")),
    }
}

pub fn save(root: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(manifest)? + "\n";
    std::fs::write(root.join(PATH), text).with_context(|| format!("writing {PATH}"))
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Checksums of the files under `dirs` (and single files) that `keep` accepts.
fn checksums(
    root: &Path,
    entries: &[&str],
    keep: &dyn Fn(&str) -> bool,
) -> BTreeMap<String, String> {
    let mut sums = BTreeMap::new();
    for entry in entries {
        let path = root.join(entry);
        let mut files = Vec::new();
        if path.is_dir() {
            walk(&path, &mut |file| files.push(file.to_owned()));
        } else if path.is_file() {
            files.push(path);
        }
        for file in files {
            let name = relative(root, &file);
            if keep(&name)
                && let Ok(bytes) = std::fs::read(&file)
            {
                sums.insert(name, sha256(&bytes));
            }
        }
    }
    sums
}

/// Whether `path` belongs to some lesson rather than to the shared harness:
/// a suite module beside `mod.rs`, or a snapshot. Decided by shape, not by
/// the lessons present, so that removing a lesson changes no shared sum.
fn lesson_owned(path: &str) -> bool {
    let suite = path
        .strip_prefix("tests/src/lessons/")
        .is_some_and(|rest| rest != "mod.rs");
    suite || path.starts_with(&format!("{}/", snapshots::DIR))
}

fn owned_by(lesson: &Lesson, path: &str) -> bool {
    let snake = lesson.slug_snake();
    path == format!("tests/src/lessons/{snake}.rs")
        || path.starts_with(&format!("tests/src/lessons/{snake}/"))
        || path.starts_with(&format!("{}/harness__lessons__{snake}__", snapshots::DIR))
}

/// The shared guarded files, as they are now.
pub fn shared_now(root: &Path) -> BTreeMap<String, String> {
    checksums(
        root,
        &[
            "Cargo.toml",
            ".cargo/config.toml",
            "workbook/Cargo.toml",
            "workbook/src",
            "tests/Cargo.toml",
            "tests/src",
        ],
        &|path| {
            !lesson_owned(path)
                // Unreviewed snapshots are caught by `verify`, not here.
                && !path.ends_with(".snap.new")
                && !path.ends_with(".pending-snap")
        },
    )
}

/// One lesson's guarded files, as they are now.
pub fn protected_now(root: &Path, lesson: &Lesson) -> BTreeMap<String, String> {
    let dir = relative(root, &lesson.dir);
    let crate_files = [
        format!("{dir}/Cargo.toml"),
        format!("{dir}/tests"),
        format!("{dir}/build.rs"),
    ];
    let mut sums = checksums(
        root,
        &crate_files.iter().map(String::as_str).collect::<Vec<_>>(),
        &|_| true,
    );
    sums.extend(checksums(root, &["tests/src"], &|path| {
        owned_by(lesson, path) && !path.ends_with(".snap.new") && !path.ends_with(".pending-snap")
    }));
    sums
}

/// The starter's files, as they are now in `lessons/NN-slug`.
pub fn starter_now(lesson: &Lesson) -> anyhow::Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    let mut error = None;
    walk(&lesson.dir, &mut |file| {
        let name = relative(&lesson.dir, file);
        match std::fs::read_to_string(file) {
            Ok(text) => {
                files.insert(name, text);
            }
            Err(e) => error = Some(anyhow::anyhow!("reading {}: {e}", file.display())),
        }
    });
    match error {
        Some(e) => Err(e),
        None => Ok(files),
    }
}

/// Differences between `recorded` and `now`, sorted by path.
fn diff(recorded: &BTreeMap<String, String>, now: &BTreeMap<String, String>) -> Vec<Change> {
    let mut changes = Vec::new();
    for (path, sum) in recorded {
        match now.get(path) {
            None => changes.push(Change::Removed(path.clone())),
            Some(current) if current != sum => changes.push(Change::Modified(path.clone())),
            Some(_) => {}
        }
    }
    for path in now.keys().filter(|p| !recorded.contains_key(*p)) {
        changes.push(Change::Added(path.clone()));
    }
    changes.sort_by(|a, b| a.path().cmp(b.path()));
    changes
}

/// What makes `lesson` untrustworthy to grade: its guarded files, or the
/// shared ones, differ from the manifest, or the manifest has no record.
pub fn tampered(root: &Path, manifest: &Manifest, lesson: &Lesson) -> Vec<Change> {
    let Some(record) = manifest.lessons.get(&lesson.slug) else {
        return vec![Change::Unrecorded(format!(
            "{PATH}, lesson {}",
            lesson.slug
        ))];
    };
    let mut changes = diff(&manifest.shared, &shared_now(root));
    changes.extend(diff(&record.protected, &protected_now(root, lesson)));
    changes
}

/// Whether the learner's crate is still the starter as handed out.
pub fn untouched(manifest: &Manifest, lesson: &Lesson) -> bool {
    let Some(record) = manifest.lessons.get(&lesson.slug) else {
        return false;
    };
    starter_now(lesson).is_ok_and(|now| now == record.starter)
}

/// The manifest for the workbook as it is now, keeping the recorded
/// solution times of lessons that `times` does not cover.
pub fn compute(
    root: &Path,
    lessons: &[Lesson],
    previous: Option<&Manifest>,
    times: &BTreeMap<String, (f64, usize)>,
) -> anyhow::Result<Manifest> {
    let mut records = BTreeMap::new();
    for lesson in lessons {
        let old = previous.and_then(|m| m.lessons.get(&lesson.slug));
        let (solution_seconds, tests) = match (times.get(&lesson.slug), old) {
            (Some(t), _) => *t,
            (None, Some(old)) => (old.solution_seconds, old.tests),
            // A new lesson: `verify` records its time once its suite ran.
            (None, None) => (0.0, 0),
        };
        records.insert(
            lesson.slug.clone(),
            LessonRecord {
                dir: lesson.id(),
                solution_seconds,
                tests,
                protected: protected_now(root, lesson),
                starter: starter_now(lesson)?,
            },
        );
    }
    Ok(Manifest {
        about: "Written by `cargo xtask verify --update-manifest`; do not edit. \
                Checksums of the suites, snapshots, harness and shared files, and the starters as handed out."
            .to_owned(),
        shared: shared_now(root),
        lessons: records,
    })
}

/// What differs between the manifest and the workbook, ignoring times: the
/// reasons `verify` calls it stale.
pub fn staleness(
    root: &Path,
    manifest: Option<&Manifest>,
    lessons: &[Lesson],
) -> anyhow::Result<Vec<String>> {
    let Some(manifest) = manifest else {
        return Ok(vec![format!("{PATH} does not exist")]);
    };
    let mut stale: Vec<String> = diff(&manifest.shared, &shared_now(root))
        .iter()
        .map(ToString::to_string)
        .collect();
    for lesson in lessons {
        let Some(record) = manifest.lessons.get(&lesson.slug) else {
            stale.push(format!("lesson {} is not recorded", lesson.id()));
            continue;
        };
        stale.extend(
            diff(&record.protected, &protected_now(root, lesson))
                .iter()
                .map(ToString::to_string),
        );
        if record.dir != lesson.id() {
            stale.push(format!(
                "lesson {} was recorded as {}",
                lesson.id(),
                record.dir
            ));
        }
        if record.starter != starter_now(lesson)? {
            stale.push(format!("the starter of lesson {} changed", lesson.id()));
        }
    }
    for slug in manifest
        .lessons
        .keys()
        .filter(|s| !lessons.iter().any(|l| &l.slug == *s))
    {
        stale.push(format!("lesson `{slug}` is recorded but no longer exists"));
    }
    Ok(stale)
}
