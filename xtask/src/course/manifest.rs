//! The integrity manifest, `xtask/manifest.json`: a checksum of everything a
//! learner could edit to pass without writing the lesson, of each starter
//! file as it was handed out, and how long each solution's suite takes.
//!
//! It is also the one place that says where each lesson's suite lives: its
//! record names the folder (`tests/src/suites/NN-slug`, the suite's
//! `mod.rs` and its `snapshots/`). Nothing else in the runner works out
//! where a suite or a snapshot is.
//!
//! What it guards, per lesson: every file under the suite's folder (the set
//! of files, not only their contents: a snapshot added or deleted is a
//! change), the crate's `Cargo.toml` and `tests/`, and the lines of its
//! `src/lib.rs` that compile the suite into the crate's test binary (the
//! rest of that file is the learner's); and for every lesson at once: the
//! rest of the harness (`tests/src`, `tests/Cargo.toml`, and no
//! `tests/build.rs`), `tests/no-tls` (the test client's stand-in for
//! native-tls), the shared `workbook` crate, the root `Cargo.toml` and
//! `.cargo/config.toml`.
//! A lesson crate may not grow a build script.
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

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use crate::engine::files::{self, relative, sha256};
use crate::model::change::Change;
use crate::model::lesson::Lesson;

pub const PATH: &str = "xtask/manifest.json";

/// Where the suites' folders are made, one per lesson, named like it.
const SUITES: &str = "tests/src/suites";

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
    /// The folder of the lesson's suite, `tests/src/suites/01-basic-middleware`:
    /// its `mod.rs`, and its snapshots in `snapshots/`.
    pub suite: String,
    /// How long the solution's suite took, to size the default time limit.
    pub solution_seconds: f64,
    /// How many tests the suite has.
    pub tests: usize,
    /// Path → SHA-256 of the lesson's suite folder and guarded crate files.
    pub protected: BTreeMap<String, String>,
    /// The lines of `src/lib.rs` that compile the suite into the crate's
    /// test binary: `#[cfg(test)]` and the suite crate's `run!` call.
    pub suite_lines: String,
    /// Path inside the lesson's directory → SHA-256 of the starter's file as
    /// handed out: for telling a lesson not started yet, and for `reset`,
    /// which finds that version in git's history.
    pub starter: BTreeMap<String, String>,
}

impl LessonRecord {
    /// The folder of the suite's snapshots.
    pub fn snapshots(&self) -> String {
        format!("{}/snapshots", self.suite)
    }
}

pub fn load(root: &Path) -> anyhow::Result<Option<Manifest>> {
    let path = root.join(PATH);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map(Some).with_context(|| {
            format!(
                "{PATH} is not a manifest this runner can read \
                     (record it again: cargo xtask verify --update-manifest)"
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {PATH}")),
    }
}

pub fn save(root: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(manifest)? + "\n";
    std::fs::write(root.join(PATH), text).with_context(|| format!("writing {PATH}"))
}

/// Checksums of the files under `entries` (directories or single files,
/// relative to `root`) that `keep` accepts, by path relative to `root`.
fn checksums(
    root: &Path,
    entries: &[&str],
    keep: &dyn Fn(&str) -> bool,
) -> BTreeMap<String, String> {
    let mut sums = BTreeMap::new();
    for entry in entries {
        for file in files::files(&root.join(entry)) {
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

/// Whether `path` lies in some lesson's suite folder rather than in the
/// shared harness. Decided by shape, not by the lessons present, so that
/// adding or removing a lesson changes no shared sum.
fn in_a_suite_folder(path: &str) -> bool {
    path.strip_prefix(SUITES)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| rest.contains('/'))
}

/// What every lesson depends on: files and folders, relative to the root
/// (the suites' folders excepted, each guarded with its lesson).
pub const SHARED: &[&str] = &[
    "Cargo.toml",
    ".cargo/config.toml",
    "workbook",
    "tests/Cargo.toml",
    "tests/build.rs",
    "tests/src",
    "tests/no-tls",
];

/// The shared guarded files, as they are now.
pub fn shared_now(root: &Path) -> BTreeMap<String, String> {
    checksums(
        root,
        SHARED,
        // Unreviewed snapshots are caught by `verify`, not here.
        &|path| !in_a_suite_folder(path) && !files::is_pending_snapshot(path),
    )
}

/// One lesson's guarded files, as they are now: those of its suite folder
/// `suite` and of its crate.
pub fn protected_now(root: &Path, lesson: &Lesson, suite: &str) -> BTreeMap<String, String> {
    let dir = relative(root, &lesson.dir);
    let entries = [
        format!("{dir}/Cargo.toml"),
        format!("{dir}/tests"),
        format!("{dir}/build.rs"),
        suite.to_owned(),
    ];
    checksums(
        root,
        &entries.iter().map(String::as_str).collect::<Vec<_>>(),
        &|path| !files::is_pending_snapshot(path),
    )
}

/// The checksums of the starter's files as they are now in `lessons/NN-slug`,
/// by path inside it.
pub fn starter_now(lesson: &Lesson) -> anyhow::Result<BTreeMap<String, String>> {
    let mut sums = BTreeMap::new();
    for file in files::files(&lesson.dir) {
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        sums.insert(relative(&lesson.dir, &file), sha256(&bytes));
    }
    Ok(sums)
}

/// The suite folder of `lesson` in a workbook being recorded: named like the
/// lesson, holding a `mod.rs` whose `cases!` names that folder too (insta
/// writes the snapshots where the suite says).
fn suite_folder(root: &Path, lesson: &Lesson) -> anyhow::Result<String> {
    let suite = format!("{SUITES}/{}", lesson.id());
    let module = root.join(&suite).join("mod.rs");
    let text = std::fs::read_to_string(&module).with_context(|| {
        format!(
            "lesson {} has no suite: {suite}/mod.rs cannot be read",
            lesson.id()
        )
    })?;
    let declared = format!("dir \"{}\"", lesson.id());
    if !text.contains(&declared) {
        bail!(
            "{suite}/mod.rs does not register its cases with `{declared}`: \
             its snapshots would be looked for elsewhere"
        );
    }
    Ok(suite)
}

/// The file that runs `lesson`'s suite, relative to `root`.
fn lib_rs(root: &Path, lesson: &Lesson) -> String {
    format!("{}/src/lib.rs", relative(root, &lesson.dir))
}

/// The lines of `lesson`'s `src/lib.rs` that compile its suite in:
/// `#[cfg(test)]`, then `NAME_suite::run!(...);` on the next line.
fn suite_lines_now(root: &Path, lesson: &Lesson) -> Option<String> {
    const CFG: &str = "#[cfg(test)]\n";
    let text = std::fs::read_to_string(root.join(lib_rs(root, lesson))).ok()?;
    let call = text.find("_suite::run!(")?;
    let start = text[..call].rfind(CFG)?;
    let name = &text[start + CFG.len()..call];
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let end = call + text[call..].find(");")? + 2;
    Some(text[start..end].to_owned())
}

/// Whether `lesson`'s `src/lib.rs` still holds the suite's lines as recorded
/// (anywhere: the rest of the file is the learner's).
fn plugged(root: &Path, lesson: &Lesson, lines: &str) -> bool {
    std::fs::read_to_string(root.join(lib_rs(root, lesson))).is_ok_and(|text| text.contains(lines))
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
    changes.extend(diff(
        &record.protected,
        &protected_now(root, lesson, &record.suite),
    ));
    if !plugged(root, lesson, &record.suite_lines) {
        changes.push(Change::Unplugged(
            lib_rs(root, lesson),
            record.suite_lines.clone(),
        ));
    }
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
        let suite = suite_folder(root, lesson)?;
        let suite_lines = suite_lines_now(root, lesson).with_context(|| {
            format!(
                "{} does not hold the lines that run its suite: \
                 `#[cfg(test)]`, then `NAME_suite::run!(crate::app);`",
                lib_rs(root, lesson)
            )
        })?;
        records.insert(
            lesson.slug.clone(),
            LessonRecord {
                dir: lesson.id(),
                protected: protected_now(root, lesson, &suite),
                suite_lines,
                suite,
                solution_seconds,
                tests,
                starter: starter_now(lesson)?,
            },
        );
    }
    Ok(Manifest {
        about: "Written by `cargo xtask verify --update-manifest`; do not edit. \
                Where each lesson's suite is; checksums of the suites, snapshots, harness and \
                shared files, and of the starters as handed out."
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
        let suite = suite_folder(root, lesson)?;
        if record.suite != suite {
            stale.push(format!(
                "lesson {}'s suite was recorded in {}, it is in {suite}",
                lesson.id(),
                record.suite
            ));
        }
        stale.extend(
            diff(&record.protected, &protected_now(root, lesson, &suite))
                .iter()
                .map(ToString::to_string),
        );
        if suite_lines_now(root, lesson).as_ref() != Some(&record.suite_lines) {
            stale.push(format!(
                "the lines of {} that run its suite changed",
                lib_rs(root, lesson)
            ));
        }
        if record.dir != lesson.id() {
            stale.push(format!(
                "lesson {} was recorded as {}",
                lesson.id(),
                record.dir
            ));
        }
        let starter = relative(root, &lesson.dir);
        stale.extend(
            diff(&record.starter, &starter_now(lesson)?)
                .iter()
                .map(|change| format!("the starter's {starter}/{change}")),
        );
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

#[cfg(test)]
mod tests {
    use super::in_a_suite_folder;

    #[test]
    fn a_suite_folder_belongs_to_its_lesson_and_the_rest_is_shared() {
        assert!(in_a_suite_folder("tests/src/suites/02-jwt-auth/mod.rs"));
        assert!(in_a_suite_folder(
            "tests/src/suites/02-jwt-auth/snapshots/attack_alg_none.snap"
        ));
        assert!(!in_a_suite_folder("tests/src/suites/mod.rs"));
        assert!(!in_a_suite_folder("tests/src/attacks.rs"));
        assert!(!in_a_suite_folder("tests/src/suitesx/a/b.rs"));
    }
}
