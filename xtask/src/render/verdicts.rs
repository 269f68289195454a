//! How a grade reads in a terminal: the one line per lesson, the failures
//! grouped by cause, the compiler's errors, and what a tampered lesson must
//! put back. `check`, `watch`, `walk` and `verify` all print through here.

use crate::course::steps;
use crate::engine::grade::{self, Graded};
use crate::model::change::Change;
use crate::model::results::Need;
use crate::model::results::{TestResult, TestStatus, Verdict};
use crate::render::failure::{self, Cause};

/// Failures shown in full before the rest are only named.
const SHOWN_IN_FULL: usize = 3;

/// One line: how the crate did.
pub fn describe(g: &Graded) -> String {
    let names = |tests: &[&TestResult]| {
        let mut shown: Vec<&str> = tests.iter().take(4).map(|t| t.name.as_str()).collect();
        if tests.len() > 4 {
            shown.push("...");
        }
        shown.join(", ")
    };
    let cached = if g.cached {
        ", unchanged since the last check"
    } else {
        ""
    };
    match g.verdict {
        Verdict::Passed => format!(
            "passed ({} tests, {}{cached})",
            g.tests.len(),
            grade::seconds(g.elapsed)
        ),
        Verdict::Failing => {
            let failed = g.failed();
            let skips = skips(g).map(|s| format!("; {s}")).unwrap_or_default();
            format!(
                "failing: {} of {} tests ({}){skips}{cached}",
                failed.len(),
                g.tests.len(),
                names(&failed)
            )
        }
        Verdict::Incomplete => format!(
            "{} of {} pass; {}{cached}",
            g.tests.len() - g.not_run().len(),
            g.tests.len(),
            skips(g).unwrap_or_default()
        ),
        Verdict::DoesNotCompile => "does not compile".to_owned(),
        Verdict::TimedOut => {
            let unfinished: Vec<_> = g
                .failed()
                .into_iter()
                .filter(|t| t.status == TestStatus::Error)
                .collect();
            format!(
                "timed out after {}: a handler may never return (unfinished: {})",
                grade::seconds(g.limit),
                names(&unfinished)
            )
        }
        Verdict::Crashed => format!("crashed before its tests ended ({})", names(&g.failed())),
        Verdict::NotStarted => "not started".to_owned(),
        Verdict::Tampered => format!(
            "TAMPERED: {} changed, not graded",
            g.tampered
                .iter()
                .map(|c| c.path())
                .take(3)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `8 need Redis: start one with …`: the tests that did not run, by what
/// they need, or `None` when every test ran.
pub fn skips(g: &Graded) -> Option<String> {
    let mut needs: Vec<(&Need, usize)> = Vec::new();
    for need in g.not_run().into_iter().filter_map(|t| t.need.as_ref()) {
        match needs.iter_mut().find(|(n, _)| *n == need) {
            Some((_, count)) => *count += 1,
            None => needs.push((need, 1)),
        }
    }
    let said: Vec<String> = needs
        .iter()
        .map(|(need, count)| format!("{count} need {}: {}", need.what, need.how))
        .collect();
    (!said.is_empty()).then(|| said.join("; "))
}

/// The failing tests' messages (of step `focus` alone, when given) and the
/// compiler's errors, once each.
pub fn print_details(g: &Graded, focus: Option<usize>, verbose: bool) {
    match g.verdict {
        Verdict::Tampered => print_tampered(g),
        Verdict::DoesNotCompile => print_compile_errors(g),
        Verdict::NotStarted => {}
        _ => print_failures(g, focus, verbose),
    }
}

fn print_tampered(g: &Graded) {
    println!("\nThese files differ from the ones the lesson was handed out with:");
    for change in &g.tampered {
        println!("  {change}");
    }
    let restore: Vec<&str> = g
        .tampered
        .iter()
        .filter(|c| matches!(c, Change::Modified(_) | Change::Removed(_)))
        .map(|c| c.path())
        .collect();
    let added: Vec<&str> = g
        .tampered
        .iter()
        .filter(|c| matches!(c, Change::Added(_)))
        .map(|c| c.path())
        .collect();
    println!(
        "\nThe suite is the lesson's spec: a lesson passes by changing the server, not its tests."
    );
    if g.tampered.iter().any(|c| matches!(c, Change::Replaced(..))) {
        println!(
            "The crates that grade come from crates.io and this workbook only: remove the \
             `[patch]`, `paths` or git source that replaces them (in Cargo.toml, in a \
             .cargo/config.toml here or in any folder above, or in ~/.cargo/config.toml)."
        );
    }
    if !restore.is_empty() {
        println!(
            "Restore them with:\n  git checkout -- {}",
            restore.join(" ")
        );
        println!(
            "(if you committed the change: git checkout $(git rev-list --max-parents=0 HEAD) -- <file>)"
        );
    }
    if !added.is_empty() {
        println!("Remove the added files:\n  rm {}", added.join(" "));
    }
    for change in &g.tampered {
        if let Change::Unplugged(file, lines) = change {
            println!("Put these lines back in {file} (at its end, say):");
            for line in lines.lines() {
                println!("  {line}");
            }
        }
    }
    println!(
        "(Writing the workbook itself? Record reviewed changes with \
         `cargo xtask verify --update-manifest`.)"
    );
}

/// Compiler errors that point into the crate come alone when there are any:
/// an error in the harness is usually the echo of one in the learner's code.
fn print_compile_errors(g: &Graded) {
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
}

/// Failing tests that failed the same way, in the order of their first.
fn groups<'t>(failed: &[&'t TestResult]) -> Vec<(Cause, Vec<&'t TestResult>)> {
    let mut groups: Vec<(Cause, Vec<&TestResult>)> = Vec::new();
    for test in failed {
        let cause = failure::cause(&test.output);
        match groups
            .iter_mut()
            .find(|(c, _)| cause.shared() && *c == cause)
        {
            Some((_, tests)) => tests.push(test),
            None => groups.push((cause, vec![test])),
        }
    }
    groups
}

/// One cause of failure: the first test it stopped, in full, and the
/// names of the others.
fn print_group(cause: &Cause, tests: &[&TestResult]) {
    let (first, rest) = tests.split_first().expect("a group has a test");
    let output = failure::readable(&first.output);
    if rest.is_empty() {
        println!("\n──── {} ────\n{output}", first.name);
        return;
    }
    let plural = if rest.len() == 1 { "" } else { "s" };
    println!(
        "\n──── {}, and {} more test{plural} failing the same way ────\n{output}",
        first.name,
        rest.len(),
    );
    let place = cause
        .place()
        .map(|p| format!(" (at {p})"))
        .unwrap_or_default();
    println!(
        "\nThe same failure{place} stops {} more test{plural}: {}",
        rest.len(),
        names_of(rest)
    );
}

fn print_failures(g: &Graded, focus: Option<usize>, verbose: bool) {
    let (unfinished, failed): (Vec<_>, Vec<_>) = g
        .failed()
        .into_iter()
        .filter(|t| focus.is_none_or(|step| t.step == Some(step)))
        .partition(|t| t.status == TestStatus::Error);
    let groups = groups(&failed);
    let shown = if verbose { groups.len() } else { SHOWN_IN_FULL };
    for (cause, tests) in groups.iter().take(shown) {
        print_group(cause, tests);
    }
    if groups.len() > shown {
        let rest: Vec<&TestResult> = groups[shown..]
            .iter()
            .flat_map(|(_, tests)| tests.iter().copied())
            .collect();
        println!(
            "\n…and {} more failing: {} (--verbose shows them all)",
            rest.len(),
            names_of(&rest)
        );
    }
    if g.verdict == Verdict::TimedOut {
        println!(
            "\n──── timed out ────\nThese tests had not finished after {}: {}.\n\
             Every wait in the harness gives up after a few seconds, so a test still running \
             is stuck in the server: a handler or middleware that never returns (a loop, or an \
             await on something that never happens). The whole run was stopped.",
            grade::seconds(g.limit),
            names_of(&unfinished)
        );
    }
    if !g.not_run().is_empty() {
        println!(
            "\n──── not run ────\nThese tests did not run, so the lesson is not passed yet: {}.\n{}",
            names_of(&g.not_run()),
            skips(g).unwrap_or_default()
        );
    }
    if g.verdict == Verdict::Crashed && !g.stderr.trim().is_empty() {
        println!("\n──── the suite's stderr ────\n{}", g.stderr.trim_end());
    }
}

fn names_of(tests: &[&TestResult]) -> String {
    tests
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Later: steps 3 (banning) and 4 (the chain), 12 tests.`
pub fn print_later(tallies: &[steps::Tally], current: usize) {
    let later: Vec<&steps::Tally> = tallies
        .iter()
        .filter(|t| t.number > current && !t.done())
        .collect();
    if later.is_empty() {
        return;
    }
    let tests: usize = later.iter().map(|t| t.total - t.passed).sum();
    let named: Vec<String> = later
        .iter()
        .map(|t| format!("{} ({})", t.number, t.title))
        .collect();
    println!(
        "\nLater: {} more test{} to turn green, in step{} {}. \
         Their failures show once you get there.",
        tests,
        if tests == 1 { "" } else { "s" },
        if later.len() == 1 { "" } else { "s" },
        named.join(", ")
    );
}

/// `` `slot` or `ban` ``.
pub fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(" or ")
}
