//! `cargo xtask doctor`, run as a learner runs it: it passes on a machine
//! that can build the workbook, and without a C compiler it fails with the
//! command that fixes it on each system.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn doctor(path: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.arg("doctor").current_dir(workspace());
    command.env_remove("MONGODB_URI").env_remove("REDIS_URL");
    if let Some(path) = path {
        command.env("PATH", path);
    }
    command.output().expect("running xtask doctor")
}

/// A folder of links to the tools the doctor runs, leaving out `hidden`.
fn path_without(hidden: &str) -> tempdir::Dir {
    let dir = tempdir::Dir::new("doctor-path");
    for tool in ["rustc", "cc", "df"] {
        if tool == hidden {
            continue;
        }
        if let Some(found) = which(tool) {
            symlink(found, dir.path().join(tool)).unwrap();
        }
    }
    dir
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(tool))
            .find(|candidate| candidate.is_file())
    })
}

#[test]
fn a_machine_that_can_build_passes() {
    let output = doctor(None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    for check in ["Rust toolchain", "C compiler"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("ok") && l.contains(check)),
            "{check} should pass:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("This machine can run the workbook."),
        "{stdout}"
    );
    // Nothing links OpenSSL (see tests/no-tls): the doctor must not ask for it.
    assert!(!stdout.contains("OpenSSL"), "{stdout}");
}

#[test]
fn without_a_c_compiler_it_fails_with_the_fixing_commands() {
    let path = path_without("cc");
    let output = doctor(Some(path.path()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    for expected in [
        "FAIL  C compiler (some dependencies build C code): no cc, gcc or clang on PATH",
        "      Debian/Ubuntu: sudo apt-get install build-essential",
        "      Fedora:        sudo dnf install gcc",
        "      macOS:         xcode-select --install",
        "Fix the checks marked FAIL, then run `cargo xtask doctor` again.",
    ] {
        assert!(
            stdout.lines().any(|l| l == expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

/// A temporary folder, removed when dropped.
mod tempdir {
    use std::path::{Path, PathBuf};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "{name}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
