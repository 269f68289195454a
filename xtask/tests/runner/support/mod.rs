//! A copy of the workbook to run the real `xtask` in, shared by the
//! integration tests: made pristine, edited, and given a solution.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// One test at a time: the copies share one target dir, where `check` in
/// one copy may delete the fingerprints of a crate another copy is
/// building (to rebuild a binary built elsewhere, see `origin::forget`).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Waits for the other tests' copies to be left alone.
pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

pub const LESSON: &str = "lessons/01-basic-middleware";
pub const SOLUTION: &str = "solutions/01-basic-middleware";
/// Lesson 02 has acks, which lesson 01 has none of.
pub const LESSON_02: &str = "lessons/02-jwt-auth";
pub const SOLUTION_02: &str = "solutions/02-jwt-auth";
/// The lesson's suite folder, as the manifest records it.
pub const SUITE: &str = "tests/src/suites/01-basic-middleware/mod.rs";
pub const SNAPSHOTS: &str = "tests/src/suites/01-basic-middleware/snapshots";

pub fn source_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
}

pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    // target/<profile>/xtask
    let exe = Path::new(env!("CARGO_BIN_EXE_xtask"));
    exe.parent()
        .and_then(Path::parent)
        .expect("the binary sits in target/<profile>")
        .to_owned()
}

/// A fixed place per workbook checkout, so that builds carry over.
pub fn copy_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let checkout: u32 = source_root()
            .to_string_lossy()
            .bytes()
            .fold(0, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
        let home = std::env::temp_dir().join(format!("workbook-xtask-golden-{checkout:08x}"));
        set_apart(&home, 255);
        home.join("workbook")
    })
}

/// A fixed place per workbook checkout for copies named `name` that share
/// builds with each other, not with the real workbook nor with
/// [`copy_root`]'s copy: `apart` tells each such family from the others.
/// A family belongs to one test.
pub fn family_home(name: &str, apart: u32) -> PathBuf {
    let checkout: u32 = source_root()
        .to_string_lossy()
        .bytes()
        .fold(0, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
    let home = std::env::temp_dir().join(format!("workbook-xtask-{name}-{checkout:08x}"));
    set_apart(&home, apart);
    home
}

/// Cargo names a workspace crate's build after its path relative to the
/// workspace root, so the copy's crates would share the real ones' names in
/// the shared target dir and overwrite them. A profile override for
/// `workbook`, which every lesson crate depends on, gives them names of
/// their own. It lives in a cargo config above the copy, where the copy's
/// guarded files do not change.
pub fn set_apart(home: &Path, codegen_units: u32) {
    let config = format!(
        "# Written by xtask's golden tests: keeps this copy's builds apart.\n\
         [profile.dev.package.workbook]\ncodegen-units = {codegen_units}\n"
    );
    put(&home.join(".cargo/config.toml"), config.as_bytes());
}

/// The workbook's files that the copy needs: everything but the other
/// lessons (those in `extra` aside), the book, CI and the JavaScript check.
pub fn source_files_with(extra: &[&str]) -> Vec<String> {
    let root = source_root();
    let listed = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split('\0')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        });
    let files = listed.unwrap_or_else(|| {
        let mut files = Vec::new();
        walk(root, root, &mut files);
        files
    });
    files
        .into_iter()
        .filter(|f| !f.is_empty() && root.join(f).is_file())
        .filter(|f| {
            let other_lesson = (f.starts_with("lessons/") || f.starts_with("solutions/"))
                && ![LESSON, SOLUTION, LESSON_02, SOLUTION_02]
                    .iter()
                    .chain(extra)
                    .any(|dir| f.starts_with(&format!("{dir}/")));
            let unneeded = ["book/", ".ci/", "tests/js/", "xtask/tests/runner/golden/"]
                .iter()
                .any(|p| f.starts_with(p));
            !other_lesson && !unneeded
        })
        .collect()
}

pub fn walk(root: &Path, dir: &Path, files: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !["target", ".git", ".workbook", "node_modules"]
                .iter()
                .any(|n| name == *n)
            {
                walk(root, &path, files);
            }
        } else if let Ok(relative) = path.strip_prefix(root) {
            files.push(relative.to_string_lossy().into_owned());
        }
    }
}

/// Writes `text` to `path` unless it already holds it, so that an unchanged
/// file keeps its modification time and cargo its build.
pub fn put(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return;
    }
    std::fs::create_dir_all(path.parent().expect("a file has a parent"))
        .expect("create a directory");
    std::fs::write(path, bytes).expect("write a fixture file");
}

/// Makes the copy the pristine workbook again, and returns it locked.
pub fn pristine() -> (MutexGuard<'static, ()>, &'static Path) {
    let guard = one_at_a_time();
    let copy = copy_root();
    sync_copy(copy);
    (guard, copy)
}

/// Makes `copy` hold the workbook's files as they are, and nothing else.
pub fn sync_copy(copy: &Path) {
    sync_copy_with(copy, &[]);
}

/// [`sync_copy`], with the lesson and solution folders `extra` too.
pub fn sync_copy_with(copy: &Path, extra: &[&str]) {
    let source = source_root();
    let files = source_files_with(extra);
    for file in &files {
        put(
            &copy.join(file),
            &std::fs::read(source.join(file)).expect("read a workbook file"),
        );
    }
    let mut present = Vec::new();
    walk(copy, copy, &mut present);
    for file in present.iter().filter(|f| !files.contains(f)) {
        let path = copy.join(file);
        std::fs::remove_file(&path).expect("remove a stale fixture file");
        // A lesson's folder left empty would still be a workspace member
        // to cargo (`lessons/*`), one without a Cargo.toml.
        for dir in path.ancestors().skip(1).take_while(|d| *d != copy) {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
    let _ = std::fs::remove_dir_all(copy.join(".workbook"));
}

/// Records the copy's guarded files in its manifest as they are now, for
/// lesson 01, as `verify --update-manifest` would after review: the tests
/// that use it are about other guards, and must not fail because the
/// workbook's manifest waits for its next recording.
pub fn record_manifest(copy: &Path) {
    record_manifest_of(copy, &[("basic-middleware", LESSON)]);
}

/// [`record_manifest`] for the lessons `(slug, folder)`.
pub fn record_manifest_of(copy: &Path, lessons: &[(&str, &str)]) {
    let path = copy.join("xtask/manifest.json");
    let text = std::fs::read_to_string(&path).expect("read the manifest");
    let mut manifest: serde_json::Value = serde_json::from_str(&text).expect("a JSON manifest");
    let suites = "tests/src/suites/";
    let in_a_suite = |f: &str| f.strip_prefix(suites).is_some_and(|r| r.contains('/'));
    let shared = checksums(copy, xtask::course::manifest::SHARED, &|f| !in_a_suite(f));
    manifest["shared"] = shared;
    for (slug, dir) in lessons {
        let record = &mut manifest["lessons"][slug];
        let suite = record["suite"].as_str().expect("a suite folder").to_owned();
        let crate_files = [
            format!("{dir}/Cargo.toml"),
            format!("{dir}/tests"),
            format!("{dir}/build.rs"),
            suite,
        ];
        let crate_files: Vec<&str> = crate_files.iter().map(String::as_str).collect();
        record["protected"] = checksums(copy, &crate_files, &|_| true);
        record["starter"] = checksums(&copy.join(dir), &["."], &|_| true);
    }
    put(
        &path,
        (serde_json::to_string_pretty(&manifest).unwrap() + "\n").as_bytes(),
    );
}

/// Path (relative to `root`) → SHA-256, of the files under `entries`.
fn checksums(root: &Path, entries: &[&str], keep: &dyn Fn(&str) -> bool) -> serde_json::Value {
    use sha2::Digest;
    let mut sums = serde_json::Map::new();
    for entry in entries {
        let mut files = Vec::new();
        let at = root.join(entry);
        if at.is_file() {
            files.push(String::new());
        } else {
            walk(&at, &at, &mut files);
        }
        for file in files {
            let full = if file.is_empty() {
                at.clone()
            } else {
                at.join(&file)
            };
            let name = full.strip_prefix(root).unwrap().to_string_lossy();
            let name = name.trim_start_matches("./").to_owned();
            if keep(&name) && !name.ends_with(".snap.new") {
                let bytes = std::fs::read(&full).expect("read a guarded file");
                let sum = format!("{:x}", sha2::Sha256::digest(&bytes));
                sums.insert(name, sum.into());
            }
        }
    }
    serde_json::Value::Object(sums)
}

/// Runs `cargo xtask <args>` in `copy` with `env` (and the insta and
/// harness variables of the caller's shell removed); returns the exit code
/// and stdout (with stderr after it).
pub fn xtask(copy: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.current_dir(copy).args(args);
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if key_text.starts_with("INSTA_") || key_text.starts_with("HARNESS_") {
            command.env_remove(&key);
        }
    }
    // The fixtures choose their services themselves: CI's MongoDB, Redis
    // and the REQUIRE_ switches that turn a skip into a failure stay out.
    command
        .env_remove("MONGODB_URI")
        .env_remove("REDIS_URL")
        .env_remove("REQUIRE_MONGODB")
        .env_remove("REQUIRE_REDIS")
        .env("CARGO_TARGET_DIR", target_dir())
        .envs(env.iter().copied());
    let output = command.output().expect("run xtask");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

/// Replaces `from` with `to` in the copy's `file`, which must contain it.
pub fn edit(copy: &Path, file: &str, from: &str, to: &str) {
    let path = copy.join(file);
    let text = std::fs::read_to_string(&path).expect("read a fixture file");
    assert!(
        text.contains(from),
        "fixture no longer applies: {file} has no {from:?}"
    );
    put(&path, text.replace(from, to).as_bytes());
}

/// Lesson 01's crate with the reference solution's code in it.
pub fn solution_code(copy: &Path) {
    solution_code_of(copy, SOLUTION, LESSON);
}

/// Every source file but `main.rs`, which names the crate it runs.
pub fn solution_code_of(copy: &Path, solution: &str, lesson: &str) {
    let mut files = Vec::new();
    let sources = copy.join(solution).join("src");
    walk(&sources, &sources, &mut files);
    for file in files.into_iter().filter(|f| f != "main.rs") {
        let text = std::fs::read(sources.join(&file)).expect("read the solution");
        put(&copy.join(lesson).join("src").join(file), &text);
    }
}
