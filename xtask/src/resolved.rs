//! Where the crates that grade come from.
//!
//! The manifest guards the files inside the workbook, but cargo reads more
//! than those: a `[patch]`, a `paths` override or a `[source]` in any
//! `.cargo/config.toml` from the workbook up to the filesystem's root (or
//! in `~/.cargo`), and `Cargo.lock`. One line there can swap insta, the
//! harness or `workbook` for a copy whose assertions always pass. So before
//! grading, `check` asks cargo where each of them resolved: from crates.io
//! (a vendored copy for a workshop, configured as a `[source]`
//! replacement, still counts as crates.io, as cargo itself says), or, for
//! the harness and `workbook`, from this workbook's own members. Anything
//! else is tampering.

use std::path::Path;

use serde_json::Value;

use crate::cargo;
use crate::manifest::Change;

/// The crates whose code decides a verdict.
const GRADERS: &[&str] = &["insta", "harness", "workbook"];

/// crates.io, as cargo names its git and its sparse index.
const CRATES_IO: &[&str] = &[
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

/// The graders that resolve to anywhere else than crates.io or this
/// workbook. A workbook cargo cannot resolve has nothing to say here: its
/// build fails and says why.
pub fn replaced(root: &Path) -> Vec<Change> {
    match cargo::metadata(root) {
        Ok(metadata) => judge(&metadata),
        Err(_) => Vec::new(),
    }
}

fn judge(metadata: &Value) -> Vec<Change> {
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut changes = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let name = package["name"].as_str().unwrap_or_default();
        if !GRADERS.contains(&name) {
            continue;
        }
        let from_crates_io = package["source"]
            .as_str()
            .is_some_and(|source| CRATES_IO.contains(&source));
        let a_member = package["id"]
            .as_str()
            .is_some_and(|id| members.contains(&id));
        if !from_crates_io && !a_member {
            let from = match package["source"].as_str() {
                Some(source) => source.to_owned(),
                None => package["manifest_path"]
                    .as_str()
                    .map(|p| p.trim_end_matches("/Cargo.toml").to_owned())
                    .unwrap_or_default(),
            };
            changes.push(Change::Replaced(name.to_owned(), from));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metadata(insta_source: Value, insta_id: &str) -> Value {
        json!({
            "workspace_members": ["path+file:///w/tests#harness@0.1.0", "path+file:///w/workbook#0.1.0"],
            "packages": [
                {"name": "harness", "source": null, "id": "path+file:///w/tests#harness@0.1.0",
                 "manifest_path": "/w/tests/Cargo.toml"},
                {"name": "workbook", "source": null, "id": "path+file:///w/workbook#0.1.0",
                 "manifest_path": "/w/workbook/Cargo.toml"},
                {"name": "insta", "source": insta_source, "id": insta_id,
                 "manifest_path": "/elsewhere/insta-1.49.0/Cargo.toml"},
            ]
        })
    }

    #[test]
    fn crates_io_and_the_workspace_are_trusted() {
        let ok = metadata(
            json!("registry+https://github.com/rust-lang/crates.io-index"),
            "registry+https://github.com/rust-lang/crates.io-index#insta@1.49.0",
        );
        assert_eq!(judge(&ok), []);
    }

    #[test]
    fn a_path_or_git_insta_is_tampering() {
        let patched = metadata(
            Value::Null,
            "path+file:///elsewhere/insta-1.49.0#insta@1.49.0",
        );
        assert_eq!(
            judge(&patched),
            [Change::Replaced(
                "insta".to_owned(),
                "/elsewhere/insta-1.49.0".to_owned()
            )]
        );
        let git = metadata(
            json!("git+https://example.com/insta"),
            "git+https://x#insta@1.49.0",
        );
        assert_eq!(judge(&git).len(), 1);
    }
}
