//! Walking the workbook's sources, and naming and hashing what is found.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use walkdir::{DirEntry, WalkDir};

/// Directories no walk enters: build outputs, JavaScript dependencies, git.
fn skipped(entry: &DirEntry) -> bool {
    entry.file_type().is_dir()
        && entry.depth() > 0
        && matches!(
            entry.file_name().to_str(),
            Some("target" | "node_modules" | ".git")
        )
}

/// Every entry under `dir`, directories included, in a stable order. A
/// missing `dir` has none. Symbolic links are not followed.
pub fn entries(dir: &Path) -> impl Iterator<Item = DirEntry> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skipped(e))
        .filter_map(Result::ok)
}

/// Every file under `dir`, in a stable order.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    entries(dir)
        .filter(|e| !e.file_type().is_dir())
        .map(DirEntry::into_path)
        .collect()
}

/// `path` relative to `root`, with `/` between its parts: how the manifest
/// and every message name a file.
pub fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

pub fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A snapshot insta wrote and nobody reviewed.
pub fn is_pending_snapshot(path: &str) -> bool {
    path.ends_with(".snap.new") || path.ends_with(".pending-snap")
}
