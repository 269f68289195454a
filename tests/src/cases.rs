//! How a suite declares its cases, and how a crate's test runs one.
//!
//! A suite's cases are private `async fn case(app: App)`s, listed once in
//! [`cases!`]. That one list builds the suite's [`Suite`] table and the
//! `run!` macro a lesson's `src/lib.rs` ends with (under `#[cfg(test)]`),
//! which expands to one `#[test]` per case. Because the functions are
//! private and only the list uses them, a case left off the list is dead
//! code: the compiler warns, and
//! `cargo xtask verify` (clippy with `-D warnings`) fails. A case cannot be
//! written and silently never run.

use std::path::PathBuf;

use futures_util::future::BoxFuture;
use serde_json::Value;

use crate::{App, ConnectError, Socket};

/// One lesson's suite: its cases, where its snapshots live, and whether the
/// shared hostile handshakes of [`crate::attacks`] run against it.
pub struct Suite {
    /// The lesson's directory name, e.g. `02-jwt-auth`; the suite lives in
    /// `tests/src/suites/<dir>/` and its snapshots in `snapshots/` there.
    pub dir: &'static str,
    pub cases: &'static [Case],
    pub attacks: Option<Attacks>,
}

pub struct Case {
    pub name: &'static str,
    /// The step of the lesson this case belongs to: `step_1`, `step_2`...
    pub step: &'static str,
    pub run: fn(App) -> BoxFuture<'static, ()>,
}

/// How a suite meets the shared hostile handshakes: on which namespace, and
/// what it records of each one's outcome (the snapshot).
pub struct Attacks {
    pub namespace: &'static str,
    pub outcome: Outcome,
}

/// What a handshake's result looks like in a snapshot.
pub type Outcome = fn(Result<Socket, ConnectError>) -> BoxFuture<'static, Value>;

impl Suite {
    /// The suite's snapshot folder in the workbook being graded: under
    /// `HARNESS_ROOT`, which the grader sets to the workbook it grades, or
    /// else under the harness this binary was built from.
    ///
    /// Not a path fixed at compile time alone: copies of the workbook that
    /// share one target dir share their builds too, and a binary built in
    /// one copy would hold the learner of another to the first copy's files.
    pub fn snapshots(&self) -> PathBuf {
        let harness = match std::env::var_os("HARNESS_ROOT").filter(|r| !r.is_empty()) {
            Some(root) => PathBuf::from(root).join("tests"),
            None => PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        };
        harness
            .join("src")
            .join("suites")
            .join(self.dir)
            .join("snapshots")
    }

    /// Runs `test` with insta pointed at this suite's snapshot folder, each
    /// snapshot named after its case alone.
    pub(crate) fn run(&self, name: &str, test: impl std::future::Future<Output = ()>) {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(self.snapshots());
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| crate::run(name, test));
    }
}

/// Runs the case `name` of `suite` against `app`. The `#[test]`s that
/// a suite's `run!` writes call this.
pub fn run_case(suite: &Suite, name: &str, app: App) {
    let case = suite
        .cases
        .iter()
        .find(|case| case.name == name)
        .unwrap_or_else(|| panic!("suite {} has no case {name}", suite.dir));
    suite.run(name, (case.run)(app));
}

/// Declares a suite's cases, grouped into the lesson's steps, and the
/// `run!` macro that runs them (exported by the suite's crate):
///
/// ```ignore
/// harness::cases! {
///     crate jwt_auth_suite, dir "02-jwt-auth",
///     step_1 with attacks on "/": [accepts_a_valid_token, refuses_a_forged_token],
///     step_2: [whoami_answers_from_the_store_not_the_token],
/// }
/// ```
///
/// `crate` names the suite's own crate, which the lesson's crate depends
/// on: that is where `run!`'s tests find the suite's [`Suite`] table.
///
/// A step is one idea of the lesson: its title and exercise regions are in
/// the lesson's `Cargo.toml` (`[package.metadata.workbook]`), and its
/// cases are the tests that turn green once the learner has written it.
/// Each step becomes a module, so libtest names a test `step_2::case`:
/// the grader reads the step from the name, and `check NN --step 2` is a
/// libtest filter. A case belongs to a step by being listed there, so it
/// cannot be registered without one.
///
/// `with attacks on "/"` puts one test per shared hostile handshake in that
/// step, snapshotted with [`crate::attacks::outcome`]; `with attacks on "/"
/// judged by f` records the outcome with `f` instead. A lesson's crate then
/// ends its `src/lib.rs` with `#[cfg(test)] jwt_auth_suite::run!(crate::app);`,
/// or `error_data_suite::run!(crate::app, extra)` where the suite needs more
/// from the crate (see [`App::extra`]).
#[macro_export]
macro_rules! cases {
    (
        crate $krate:ident, dir $dir:literal,
        $(
            $step:ident $(with attacks on $ns:literal $(judged by $judge:path)?)? :
            [$($case:ident),* $(,)?]
        ),+ $(,)?
    ) => {
        $crate::cases!(@define ($) $krate, $dir,
            [$( $step [$($ns $(, $judge)?)?] [$($case),*] )+]);
    };
    (@define ($d:tt) $krate:ident, $dir:literal,
        [$( $step:ident [$($attacks:tt)*] [$($case:ident),*] )+]) => {
        /// This suite: every case of it, by name and step, and where its
        /// snapshots are.
        pub static SUITE: $crate::Suite = $crate::Suite {
            dir: $dir,
            cases: &[$($($crate::Case {
                name: stringify!($case),
                step: stringify!($step),
                run: |app| ::std::boxed::Box::pin($case(app)),
            }),*),+],
            attacks: $crate::cases!(@attacks $([$($attacks)*])+),
        };

        #[doc = concat!("One `#[test]` per case of the suite in `tests/src/suites/", $dir, "`.")]
        #[macro_export]
        macro_rules! run {
            ($d app:path $d(, $d extra:expr)? $d(,)?) => {
                fn suite() -> &'static $crate::Suite {
                    &::$krate::SUITE
                }
                fn subject() -> $crate::App {
                    $crate::App::new($d app) $d(.with_extra($d extra))?
                }
                $(
                    mod $step {
                        use super::{suite, subject};
                        $(
                            #[test]
                            fn $case() {
                                $crate::run_case(suite(), stringify!($case), subject());
                            }
                        )*
                        $crate::cases!(@attack_tests [$($attacks)*]);
                    }
                )+
            };
        }
    };
    // The one step that takes the attacks says how they are judged.
    (@attacks) => { None };
    (@attacks [] $($rest:tt)*) => { $crate::cases!(@attacks $($rest)*) };
    (@attacks [$ns:literal] $($rest:tt)*) => {
        Some($crate::Attacks { namespace: $ns, outcome: $crate::attacks::outcome })
    };
    (@attacks [$ns:literal, $judge:path] $($rest:tt)*) => {
        Some($crate::Attacks { namespace: $ns, outcome: $judge })
    };
    (@attack_tests []) => {};
    (@attack_tests [$($attacks:tt)+]) => {
        $crate::attack_tests!();
    };
}
