//! A lesson as the runner knows it: its two crates and its steps.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One lesson: its starter crate, its reference crate, and their packages.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// The two digits, e.g. `01`.
    pub number: String,
    /// The name after the digits, e.g. `basic-middleware`.
    pub slug: String,
    pub dir: PathBuf,
    pub package: String,
    pub solution_dir: PathBuf,
    pub solution_package: String,
    /// The crate of the lesson's suite (`tests/src/suites/NN-slug`), a
    /// dev-dependency of both crates.
    pub suite_package: String,
    /// The lesson's ideas, in the order a learner writes them.
    pub steps: Vec<Step>,
    /// How `cargo xtask bench` opens an authenticated socket on it.
    pub bench: BenchLogin,
}

/// Where a lesson's authenticated sockets go, and how they authenticate:
/// a token in `auth.token` on `/`, unless the lesson's `Cargo.toml` says
/// otherwise (05 guards `/chat`; 10 takes a session cookie).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchLogin {
    #[serde(default = "BenchLogin::root")]
    pub namespace: String,
    /// `token` or `cookie`.
    #[serde(default = "BenchLogin::token")]
    pub auth: String,
}

impl BenchLogin {
    fn root() -> String {
        "/".to_owned()
    }

    fn token() -> String {
        "token".to_owned()
    }
}

impl Default for BenchLogin {
    fn default() -> Self {
        BenchLogin {
            namespace: BenchLogin::root(),
            auth: BenchLogin::token(),
        }
    }
}

impl Lesson {
    /// `01-basic-middleware`: the lesson's directory name, and its id in
    /// progress files.
    pub fn id(&self) -> String {
        format!("{}-{}", self.number, self.slug)
    }

    /// The crate under test: the learner's, or the reference.
    pub fn crate_of(&self, which: Which) -> Crate<'_> {
        match which {
            Which::Starter => Crate {
                lesson: self,
                which,
                dir: &self.dir,
                package: &self.package,
            },
            Which::Solution => Crate {
                lesson: self,
                which,
                dir: &self.solution_dir,
                package: &self.solution_package,
            },
        }
    }
}

impl fmt::Display for Lesson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.number, self.slug)
    }
}

/// One step of a lesson: an idea, written in one or two exercise regions,
/// and the tests that turn green once it is (listed in the suite, where the
/// case is registered: libtest names them `step_N::case`).
#[derive(Debug, Clone, Deserialize)]
pub struct Step {
    /// What the learner writes, in a few words: `refuse a banned user`.
    pub title: String,
    /// The `// EXERCISE: name` regions that hold it.
    pub regions: Vec<String>,
}

/// The learner's crate or the reference one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Starter,
    Solution,
}

/// A crate that a suite runs against.
#[derive(Debug, Clone, Copy)]
pub struct Crate<'a> {
    pub lesson: &'a Lesson,
    pub which: Which,
    pub dir: &'a Path,
    pub package: &'a str,
}

/// A test's step is in its name: the suite's test binary names every test
/// `step_N::case`, each step being a module (see the harness's `cases!`).
impl Step {
    /// `step_2::refuses_x` → `(Some(2), "refuses_x")`; a name outside any step
    /// comes back whole.
    pub fn of_test(name: &str) -> (Option<usize>, &str) {
        name.split_once("::")
            .and_then(|(step, case)| {
                let number = step.strip_prefix("step_")?.parse().ok()?;
                Some((Some(number), case))
            })
            .unwrap_or((None, name))
    }

    /// The libtest filter that runs step `number` alone.
    pub fn filter(number: usize) -> String {
        format!("step_{number}::")
    }

    /// The libtest filter that runs every step: the suite, and not the unit
    /// tests that share its binary (the crate's own `#[cfg(test)]` modules).
    pub const EVERY: &str = "step_";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_says_its_step() {
        assert_eq!(Step::of_test("step_12::a_case"), (Some(12), "a_case"));
        assert_eq!(Step::of_test("a_case"), (None, "a_case"));
        assert_eq!(Step::of_test("tests::a_case"), (None, "tests::a_case"));
    }
}
