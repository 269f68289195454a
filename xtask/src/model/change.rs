//! Why a lesson's grade cannot be trusted: a guarded file that is not as
//! the manifest recorded, or a crate that grades coming from elsewhere.

/// A guarded file that is not as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Modified(String),
    Added(String),
    Removed(String),
    /// The manifest, or its record of the lesson, is missing: nothing to
    /// compare with is no reason to trust.
    Unrecorded(String),
    /// A crate that grades (insta, the harness, `workbook`) resolves to
    /// somewhere else than crates.io or this workbook: the crate's name, and
    /// where it comes from (see `resolved`).
    Replaced(String, String),
    /// The crate's `src/lib.rs` no longer holds the lines that compile the
    /// suite into its test binary: the file, and those lines.
    Unplugged(String, String),
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Modified(p)
            | Change::Added(p)
            | Change::Removed(p)
            | Change::Unrecorded(p)
            | Change::Replaced(p, _)
            | Change::Unplugged(p, _) => p,
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
            Change::Replaced(name, from) => write!(
                f,
                "the crate {name} comes from {from}, not from crates.io nor this workbook"
            ),
            Change::Unplugged(p, _) => {
                write!(f, "{p} (the lines that run the suite are gone)")
            }
        }
    }
}
