//! `cargo xtask verify`: the workbook proves itself, step by step, and stops
//! at the first step that fails.

use std::path::Path;

use anyhow::{Context as _, bail};

use crate::check::{self, DEFAULT_LIMIT};
use crate::grade::{self, Verdict};
use crate::lessons::{Lesson, Which};
use crate::{book, cargo, snapshots};

pub fn verify(root: &Path, lessons: &[Lesson], incomplete: &[String]) -> anyhow::Result<()> {
    step(
        "every lesson has a starter and a solution",
        || match incomplete {
            [] => Ok(()),
            _ => bail!("{}", incomplete.join("\n")),
        },
    )?;
    step("formatting: cargo fmt --all --check", || {
        cargo::run(root, &["fmt", "--all", "--check"])
    })?;
    step(
        "lints: cargo clippy --workspace --all-targets -- -D warnings",
        || {
            cargo::run(
                root,
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            )
        },
    )?;
    step(
        "tests that need no learner code: cargo test -p workbook -p harness -p xtask",
        || {
            cargo::run(
                root,
                &["test", "-p", "workbook", "-p", "harness", "-p", "xtask"],
            )
        },
    )?;
    step(
        "every solution passes its suite, every starter fails it",
        || suites(root, lessons),
    )?;
    step("no pending snapshots", || snapshots::no_pending(root))?;
    step("every snapshot belongs to a case of its lesson", || {
        snapshots::all_referenced(root, lessons)
    })?;
    step("every book listing resolves", || book::check_includes(root))?;
    step("the book builds", || book::build(root))?;
    println!("\nverify: all good");
    Ok(())
}

fn step(name: &str, body: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<()> {
    println!("\n==> {name}");
    body().with_context(|| format!("verify failed at: {name}"))?;
    println!("ok: {name}");
    Ok(())
}

fn suites(root: &Path, lessons: &[Lesson]) -> anyhow::Result<()> {
    if lessons.is_empty() {
        bail!("no lessons found under lessons/");
    }
    let crates: Vec<_> = lessons
        .iter()
        .flat_map(|l| [l.crate_of(Which::Solution), l.crate_of(Which::Starter)])
        .collect();
    let graded = grade::grade(root, &crates, |_| DEFAULT_LIMIT)?;
    let mut problems = Vec::new();
    for g in &graded {
        let which = match g.krate.which {
            Which::Solution => "solution",
            Which::Starter => "starter ",
        };
        println!("  {} {which} {}", g.krate.lesson, check::describe(g));
        let problem = match (g.krate.which, g.verdict) {
            (Which::Solution, Verdict::Passed) | (Which::Starter, Verdict::Failing) => None,
            (Which::Starter, Verdict::Passed) => {
                Some("its suite tests nothing: the starter passes it")
            }
            (Which::Starter, Verdict::DoesNotCompile) => Some("the starter must compile"),
            (Which::Starter, _) => Some("the starter must fail its tests, not hang or crash"),
            (Which::Solution, _) => Some("the solution must pass its suite"),
        };
        if let Some(problem) = problem {
            check::print_details(g);
            problems.push(format!(
                "{} ({}): {problem}",
                g.krate.lesson, g.krate.package
            ));
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    Ok(())
}
