//! `cargo xtask check`: grade the learner's crates and say where they stand.

use std::path::Path;
use std::time::Duration;

use crate::grade::{self, Graded, TestStatus, Verdict};
use crate::lessons::{self, Lesson, Which};

/// Default wall-clock limit for one lesson's suite.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(60);

/// Checks the lessons `args` name (all when none); returns whether every one
/// passed.
pub fn check(
    root: &Path,
    all: &[Lesson],
    args: &[String],
    limit: Option<Duration>,
) -> anyhow::Result<bool> {
    let selected = lessons::select(all, args)?;
    let crates: Vec<_> = selected
        .iter()
        .map(|l| l.crate_of(Which::Starter))
        .collect();
    println!(
        "checking {} lesson{}...",
        crates.len(),
        plural(crates.len())
    );
    let graded = grade::grade(root, &crates, |_| limit.unwrap_or(DEFAULT_LIMIT))?;
    let detailed = graded.len() == 1;
    for g in &graded {
        println!("  {:<28} {}", g.krate.lesson.to_string(), describe(g));
        if detailed {
            print_details(g);
        }
    }
    Ok(graded.iter().all(|g| g.verdict == Verdict::Passed))
}

/// One line: how the crate did.
pub fn describe(g: &Graded) -> String {
    let names = |tests: &[&grade::TestResult]| {
        tests
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match g.verdict {
        Verdict::Passed => format!(
            "passed ({} tests, {})",
            g.tests.len(),
            grade::seconds(g.elapsed)
        ),
        Verdict::Failing => {
            let failed = g.failed();
            format!(
                "failing: {} of {} tests ({})",
                failed.len(),
                g.tests.len(),
                names(&failed)
            )
        }
        Verdict::DoesNotCompile => "does not compile".to_owned(),
        Verdict::TimedOut => format!(
            "timed out after {}: a handler may never return (unfinished: {})",
            grade::seconds(g.limit),
            names(
                &g.failed()
                    .into_iter()
                    .filter(|t| t.status == TestStatus::Error)
                    .collect::<Vec<_>>()
            )
        ),
        Verdict::Crashed => format!("crashed before its tests ended ({})", names(&g.failed())),
    }
}

/// The failing tests' messages and the compiler's errors, once each. Errors
/// that point into the crate come alone when there are any: an error in the
/// harness is usually the echo of one in the learner's code.
pub fn print_details(g: &Graded) {
    let in_crate: Vec<_> = g
        .compile_errors
        .iter()
        .filter(|e| e.files.iter().any(|f| f.starts_with(g.krate.dir)))
        .collect();
    let errors = if in_crate.is_empty() {
        g.compile_errors.iter().collect()
    } else {
        in_crate
    };
    let mut seen = Vec::new();
    for error in errors {
        if !seen.contains(&&error.rendered) {
            seen.push(&error.rendered);
            println!("\n{}", error.rendered);
        }
    }
    let (unfinished, failed): (Vec<_>, Vec<_>) = g
        .failed()
        .into_iter()
        .partition(|t| t.status == TestStatus::Error);
    for test in failed {
        println!("\n──── {} ────\n{}", test.name, test.output.trim_end());
    }
    if g.verdict == Verdict::TimedOut {
        println!(
            "\n──── timed out ────\nThese tests had not finished after {}: {}.\n\
             Every wait in the harness gives up after a few seconds, so a test that runs this long \
             is stuck in the server: a handler or middleware that never returns (a loop, or an \
             await on something that never happens). The whole run was stopped.",
            grade::seconds(g.limit),
            unfinished
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if g.verdict == Verdict::Crashed && !g.stderr.trim().is_empty() {
        println!("\n──── the suite's stderr ────\n{}", g.stderr.trim_end());
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
