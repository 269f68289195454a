//! What a grade is made of: how a crate did, and how each test ended.
//! Each status has one spelling, the one reports and progress use.

use serde::{Deserialize, Serialize};

/// How a crate did against its lesson's suite. Saved (in progress and in
/// the verdicts kept between runs) as its [`label`](Verdict::label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "passed")]
    Passed,
    #[serde(rename = "failing")]
    Failing,
    /// Every test that ran passed, but some were skipped: this machine lacks
    /// what they need (a Redis). Not a pass: the skipped tests may hold the
    /// lesson's idea.
    #[serde(rename = "incomplete")]
    Incomplete,
    #[serde(rename = "does not compile")]
    DoesNotCompile,
    #[serde(rename = "timed out")]
    TimedOut,
    /// The suite binary died without finishing (an abort, a stack overflow).
    #[serde(rename = "crashed")]
    Crashed,
    /// The learner's crate is the starter as handed out: not run.
    #[serde(rename = "not started")]
    NotStarted,
    /// Its suite, snapshots or harness differ from the manifest: not run.
    #[serde(rename = "tampered")]
    Tampered,
}

impl Verdict {
    /// The word reports and progress use.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failing => "failing",
            Verdict::Incomplete => "incomplete",
            Verdict::DoesNotCompile => "does not compile",
            Verdict::TimedOut => "timed out",
            Verdict::Crashed => "crashed",
            Verdict::NotStarted => "not started",
            Verdict::Tampered => "tampered",
        }
    }
}

/// How one test ended, in the terms reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    Pass,
    Fail,
    /// It never finished: the run timed out or crashed first.
    Error,
    /// It did not run: the machine lacks what it needs (see [`Need`]).
    Skip,
}

/// What a skipped test needs, as the harness said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    /// `Redis`.
    pub what: String,
    /// How to provide it.
    pub how: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestResult {
    /// The case's name, without its step.
    pub name: String,
    /// The lesson's step the case belongs to, from 1 (see [`steps`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    pub status: TestStatus,
    /// What a failing test printed: the panic message, insta's diff.
    pub output: String,
    /// Why a skipped test did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need: Option<Need>,
}
