//! What the runner remembers between runs, in `.workbook/` (git ignores it):
//! the learner's progress, the last build, and the last verdicts.
//!
//! Progress is keyed by slug, not by directory, so renumbering a lesson
//! keeps it; an entry whose lesson is gone stays in the file, unused, and
//! comes back if the lesson does. Losing the directory loses nothing the
//! learner wrote: the next `check` rebuilds it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::model::results::Verdict;

pub const DIR: &str = ".workbook";

fn path(root: &Path, name: &str) -> PathBuf {
    root.join(DIR).join(name)
}

/// Reads `.workbook/<name>`; a missing or unreadable file is a fresh start.
pub fn load<T: DeserializeOwned + Default>(root: &Path, name: &str) -> T {
    std::fs::read_to_string(path(root, name))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Writes `.workbook/<name>`. Failing to remember is not worth failing the
/// command over: it costs the next run some time, nothing else.
pub fn save<T: Serialize>(root: &Path, name: &str, value: &T) {
    let file = path(root, name);
    let written = std::fs::create_dir_all(root.join(DIR)).and_then(|()| {
        let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
        // Write then rename, so that an interrupted run leaves the old file.
        let partial = file.with_extension("partial");
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, &file)
    });
    if let Err(e) = written {
        eprintln!("note: could not write {}: {e}", file.display());
    }
}

pub const PROGRESS: &str = "progress.json";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Slug → what the last check of that lesson said.
    pub lessons: BTreeMap<String, LessonProgress>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LessonProgress {
    /// What the last check said: `passed`, `failing`, `does not compile`, ...
    pub status: Verdict,
    /// `k of n` when failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// When it first passed, in seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed_at: Option<u64>,
    pub checked_at: u64,
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Progress {
    /// Whether the lesson's last check passed.
    pub fn passed(&self, slug: &str) -> bool {
        self.lessons
            .get(slug)
            .is_some_and(|p| p.status == Verdict::Passed)
    }

    pub fn record(&mut self, slug: &str, status: Verdict, detail: Option<String>) {
        let now = now();
        let entry = self
            .lessons
            .entry(slug.to_owned())
            .or_insert_with(|| LessonProgress {
                status,
                detail: None,
                passed_at: None,
                checked_at: now,
            });
        entry.status = status;
        entry.detail = detail;
        entry.checked_at = now;
        if status == Verdict::Passed && entry.passed_at.is_none() {
            entry.passed_at = Some(now);
        }
    }
}
