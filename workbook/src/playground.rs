//! The playground: a page for poking at a lesson's server by hand from a
//! browser, with the official `socket.io-client` bundle.
//!
//! Only `cargo xtask serve` turns it on, by setting `WORKBOOK_PLAYGROUND` to
//! the repository's `playground/` folder (and `WORKBOOK_LESSON` to the
//! lesson's folder name, for its preset). [`crate::run`] merges these routes
//! then; the servers under test, started by [`crate::start`], never serve it.
//!
//! Every file is read once at start-up into a table of known names, so a
//! request can reach only those: the page, its script and style, the bundle
//! and its manifest, and `presets/NN-*.json` (or `default.json`). Nothing
//! under the folder is looked up by a name that comes from a request.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

/// The variable naming the playground folder; unset or empty: no playground.
pub const DIR_VAR: &str = "WORKBOOK_PLAYGROUND";
/// The variable naming the lesson (`02-jwt-auth`), to pick its preset.
pub const LESSON_VAR: &str = "WORKBOOK_LESSON";
/// Where the page lives on the lesson's server.
pub const PATH: &str = "/playground";

/// The page's own files: (name under the folder, content type).
const FILES: &[(&str, &str)] = &[
    ("index.html", "text/html; charset=utf-8"),
    ("playground.css", "text/css; charset=utf-8"),
    ("playground.js", "text/javascript; charset=utf-8"),
    ("vendor/socket.io.min.js", "text/javascript; charset=utf-8"),
    ("vendor/manifest.json", "application/json"),
];

/// Same origin only: the page talks to the server that served it, and runs
/// no script or style it did not ship.
const CSP: &str = "default-src 'self'; connect-src 'self'; img-src 'self' data:; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

struct File {
    content_type: &'static str,
    body: Vec<u8>,
}

type Files = Arc<HashMap<String, File>>;

/// The playground's routes when `WORKBOOK_PLAYGROUND` is set, else `None`.
pub fn from_env() -> anyhow::Result<Option<Router>> {
    let Some(dir) = std::env::var_os(DIR_VAR).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let lesson = std::env::var(LESSON_VAR).ok().filter(|l| !l.is_empty());
    let files = load(Path::new(&dir), lesson.as_deref())
        .with_context(|| format!("{DIR_VAR}: cannot serve the playground from {dir:?}"))?;
    Ok(Some(routes(files)))
}

fn routes(files: HashMap<String, File>) -> Router {
    Router::new()
        .route(PATH, get(index))
        .route(&format!("{PATH}/"), get(index))
        .route(&format!("{PATH}/{{*file}}"), get(file))
        .with_state(Arc::new(files))
}

async fn index(State(files): State<Files>) -> Response {
    respond(&files, "index.html")
}

async fn file(State(files): State<Files>, UrlPath(name): UrlPath<String>) -> Response {
    respond(&files, &name)
}

fn respond(files: &Files, name: &str) -> Response {
    let Some(file) = files.get(name) else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        file.body.clone(),
    )
        .into_response();
    if name == "index.html" {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    response
}

/// Reads the known files, every preset, and builds `lesson.json`: the
/// lesson's name, its preset (or `default.json`), and the bundle's version.
fn load(dir: &Path, lesson: Option<&str>) -> anyhow::Result<HashMap<String, File>> {
    let mut files = HashMap::new();
    for &(name, content_type) in FILES {
        let body = std::fs::read(dir.join(name)).with_context(|| format!("reading {name}"))?;
        files.insert(name.to_owned(), File { content_type, body });
    }
    let manifest: Value = serde_json::from_slice(&files["vendor/manifest.json"].body)
        .context("vendor/manifest.json is not JSON")?;

    let mut presets = HashMap::new();
    let entries = std::fs::read_dir(dir.join("presets")).context("reading presets/")?;
    for entry in entries {
        let name = entry?.file_name();
        let Some(name) = name.to_str().filter(|n| is_preset_name(n)) else {
            continue;
        };
        let body = std::fs::read(dir.join("presets").join(name))
            .with_context(|| format!("reading presets/{name}"))?;
        let preset: Value = serde_json::from_slice(&body)
            .with_context(|| format!("presets/{name} is not valid JSON"))?;
        presets.insert(name.to_owned(), preset);
        files.insert(
            format!("presets/{name}"),
            File {
                content_type: "application/json",
                body,
            },
        );
    }
    let Some(default) = presets.get("default.json") else {
        bail!("presets/default.json is missing");
    };
    let (preset_file, preset) = match lesson.and_then(|l| preset_for(&presets, l)) {
        Some((name, preset)) => (name, preset),
        None => ("default.json", default),
    };
    let lesson_json = json!({
        "lesson": lesson,
        "presetFile": preset_file,
        "preset": preset,
        "client": manifest,
    });
    files.insert(
        "lesson.json".to_owned(),
        File {
            content_type: "application/json",
            body: serde_json::to_vec_pretty(&lesson_json)?,
        },
    );
    Ok(files)
}

/// `default.json` or `NN-slug.json` (two digits, then lowercase letters,
/// digits and dashes): nothing that could name another folder.
fn is_preset_name(name: &str) -> bool {
    if name == "default.json" {
        return true;
    }
    let Some(stem) = name.strip_suffix(".json") else {
        return false;
    };
    let bytes = stem.as_bytes();
    bytes.len() > 3
        && bytes[..2].iter().all(u8::is_ascii_digit)
        && bytes[2] == b'-'
        && bytes[3..]
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// The preset of lesson `02-jwt-auth`: `02-jwt-auth.json`, or else any
/// `02-*.json`.
fn preset_for<'a>(
    presets: &'a HashMap<String, Value>,
    lesson: &str,
) -> Option<(&'a str, &'a Value)> {
    if let Some((name, preset)) = presets.get_key_value(&format!("{lesson}.json")) {
        return Some((name, preset));
    }
    let number = lesson
        .get(..2)
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))?;
    let mut found: Vec<_> = presets
        .iter()
        .filter(|(name, _)| name.starts_with(&format!("{number}-")))
        .collect();
    found.sort_by_key(|(name, _)| name.as_str());
    found.first().map(|(name, preset)| (name.as_str(), *preset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_playground() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../playground")
    }

    fn lesson_json(files: &HashMap<String, File>) -> Value {
        serde_json::from_slice(&files["lesson.json"].body).unwrap()
    }

    #[test]
    fn preset_names_cannot_leave_the_folder() {
        for good in ["default.json", "02-jwt-auth.json", "10-session-auth.json"] {
            assert!(is_preset_name(good), "{good}");
        }
        for bad in [
            "../Cargo.json",
            "02-../x.json",
            "02-a/b.json",
            "2-x.json",
            "02-.json.bak",
            "02-X.json",
            ".json",
            "02-x.json/",
        ] {
            assert!(!is_preset_name(bad), "{bad}");
        }
    }

    #[test]
    fn every_preset_in_the_repository_loads() {
        let files = load(&repo_playground(), None).expect("the playground loads");
        assert_eq!(lesson_json(&files)["presetFile"], "default.json");
        assert!(files.contains_key("presets/02-jwt-auth.json"));
    }

    #[test]
    fn a_lesson_gets_its_own_preset_or_the_default() {
        let files = load(&repo_playground(), Some("02-jwt-auth")).unwrap();
        assert_eq!(lesson_json(&files)["presetFile"], "02-jwt-auth.json");
        let files = load(&repo_playground(), Some("99-nothing-yet")).unwrap();
        assert_eq!(lesson_json(&files)["presetFile"], "default.json");
    }

    #[test]
    fn only_known_files_are_served() {
        let files: Files = Arc::new(load(&repo_playground(), None).unwrap());
        assert_eq!(respond(&files, "index.html").status(), StatusCode::OK);
        for name in [
            "README.md",
            "update-client.sh",
            "../Cargo.toml",
            "presets/../../Cargo.toml",
            "vendor",
            "",
        ] {
            assert_eq!(
                respond(&files, name).status(),
                StatusCode::NOT_FOUND,
                "{name}"
            );
        }
    }
}
