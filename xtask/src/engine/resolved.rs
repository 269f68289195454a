//! Where the crates that grade come from.
//!
//! The manifest guards the files inside the workbook, but cargo reads more
//! than those: a `[patch]`, a `paths` override or a `[source]` in any
//! `.cargo/config.toml` from the workbook up to the filesystem's root (or
//! in `~/.cargo`), and `Cargo.lock`. One line there can swap insta, the
//! harness, a suite or `workbook` for a copy whose assertions always pass. So before
//! grading, `check` asks cargo where each of them resolved: from crates.io
//! (a vendored copy for a workshop, configured as a `[source]`
//! replacement, still counts as crates.io, as cargo itself says), or, for
//! the harness, the suites and `workbook`, from this workbook's own members. Anything
//! else is tampering.

use std::path::Path;

use cargo_metadata::{Metadata, Package};

use crate::engine::cargo;
use crate::model::change::Change;

/// The crates whose code decides a verdict, besides each lesson's suite
/// (`NAME-suite`).
const GRADERS: &[&str] = &["insta", "harness", "workbook"];

fn grades(package: &Package) -> bool {
    GRADERS.contains(&package.name.as_str()) || package.name.ends_with("-suite")
}

/// crates.io, as cargo names its git and its sparse index.
const CRATES_IO: &[&str] = &[
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

/// The graders that resolve to anywhere else than crates.io or this
/// workbook. A workbook cargo cannot resolve has nothing to say here: its
/// build fails and says why.
pub fn replaced(root: &Path) -> Vec<Change> {
    match cargo::resolved_metadata(root) {
        Ok(metadata) => judge(&metadata),
        Err(_) => Vec::new(),
    }
}

fn judge(metadata: &Metadata) -> Vec<Change> {
    metadata
        .packages
        .iter()
        .filter(|package| grades(package))
        .filter(|package| {
            let from_crates_io = package
                .source
                .as_ref()
                .is_some_and(|source| CRATES_IO.contains(&source.repr.as_str()));
            !from_crates_io && !metadata.workspace_members.contains(&package.id)
        })
        .map(|package| Change::Replaced(package.name.to_string(), origin(package)))
        .collect()
}

/// Where a replaced grader comes from: its source, or its folder.
fn origin(package: &Package) -> String {
    match &package.source {
        Some(source) => source.repr.clone(),
        None => package
            .manifest_path
            .as_str()
            .trim_end_matches("/Cargo.toml")
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A package as `cargo metadata` lists it, with what `judge` reads.
    fn package(name: &str, source: Value, id: &str, manifest_path: &str) -> Value {
        json!({
            "name": name, "version": "0.1.0", "id": id, "source": source,
            "manifest_path": manifest_path,
            "dependencies": [], "targets": [], "features": {},
        })
    }

    fn metadata(insta_source: Value, insta_id: &str) -> Metadata {
        let text = json!({
            "workspace_members": ["path+file:///w/tests#harness@0.1.0", "path+file:///w/workbook#0.1.0"],
            "packages": [
                package("harness", Value::Null, "path+file:///w/tests#harness@0.1.0", "/w/tests/Cargo.toml"),
                package("workbook", Value::Null, "path+file:///w/workbook#0.1.0", "/w/workbook/Cargo.toml"),
                package("insta", insta_source, insta_id, "/elsewhere/insta-1.49.0/Cargo.toml"),
            ],
            "resolve": null, "workspace_root": "/w", "target_directory": "/w/target", "version": 1,
        });
        serde_json::from_value(text).expect("metadata as cargo writes it")
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
