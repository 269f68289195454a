//! Where a learner stands inside a lesson: its steps, and how many of each
//! step's tests pass.
//!
//! A lesson's steps are declared twice over, on purpose, by what each is
//! for: their titles and regions in the lesson's `Cargo.toml` (see
//! [`crate::model::lesson::Step`]), and which case belongs to which in the suite,
//! where the case is registered. The suite's test binary names every test
//! `step_N::case`, so the grader reads a test's step from its name.
//! `verify` proves the two agree (see [`crate::commands::verify`]).

use crate::model::lesson::Lesson;
use crate::model::lesson::Step;
use crate::model::results::{TestResult, TestStatus};

/// How one step of a lesson stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally<'l> {
    /// From 1.
    pub number: usize,
    pub title: &'l str,
    pub passed: usize,
    pub total: usize,
}

impl Tally<'_> {
    pub fn done(&self) -> bool {
        self.passed == self.total
    }
}

/// Each step of `lesson` with the count of its `tests` that pass.
pub fn tally<'l>(lesson: &'l Lesson, tests: &[TestResult]) -> Vec<Tally<'l>> {
    lesson
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let mine = tests.iter().filter(|t| t.step == Some(i + 1));
            let (passed, total) = mine.fold((0, 0), |(passed, total), t| {
                (
                    passed + usize::from(t.status == TestStatus::Pass),
                    total + 1,
                )
            });
            Tally {
                number: i + 1,
                title: &step.title,
                passed,
                total,
            }
        })
        .collect()
}

/// The step to work on: the first one not done.
pub fn current<'t, 'l>(tallies: &'t [Tally<'l>]) -> Option<&'t Tally<'l>> {
    tallies.iter().find(|t| !t.done())
}

/// `step 2 of 4 (per-IP limit): 6 of 9 tests pass; step 1 done`, or
/// `None` when every step is done.
pub fn standing(tallies: &[Tally]) -> Option<String> {
    let now = current(tallies)?;
    let done: Vec<usize> = tallies
        .iter()
        .filter(|t| t.done())
        .map(|t| t.number)
        .collect();
    let done = match done.as_slice() {
        [] => String::new(),
        [one] => format!("; step {one} done"),
        [rest @ .., last] => format!(
            "; steps {} and {last} done",
            rest.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(format!(
        "step {} of {} ({}): {} of {} tests pass{done}",
        now.number,
        tallies.len(),
        now.title,
        now.passed,
        now.total,
    ))
}

/// The line of a chapter's step section that opens its list of tests.
pub const GREEN_LIST: &str = "This step turns green:";

/// Every way `lesson`'s steps disagree between its `Cargo.toml` (titles and
/// regions), its suite (`listed`: the solution's tests, `step_N::case`),
/// its starter's regions (`regions`) and its chapter (`chapter`'s text).
pub fn disagreements(
    lesson: &Lesson,
    listed: &[String],
    regions: &[String],
    chapter: &str,
) -> Vec<String> {
    let mut found = Vec::new();
    let count = lesson.steps.len();
    if count == 0 {
        found.push("its Cargo.toml declares no steps ([package.metadata.workbook])".to_owned());
    }
    let mut by_step: Vec<Vec<&str>> = vec![Vec::new(); count];
    for test in listed {
        match Step::of_test(test) {
            (Some(n), case) if (1..=count).contains(&n) => by_step[n - 1].push(case),
            _ => found.push(format!(
                "the suite's test `{test}` is in no step 1 to {count}"
            )),
        }
    }
    for region in regions {
        let owners = lesson
            .steps
            .iter()
            .filter(|s| s.regions.contains(region))
            .count();
        if owners != 1 {
            found.push(format!(
                "region `{region}` belongs to {owners} steps, not 1"
            ));
        }
    }
    for (i, step) in lesson.steps.iter().enumerate() {
        let number = i + 1;
        if by_step[i].is_empty() {
            found.push(format!("step {number} has no test in the suite"));
        }
        for region in step.regions.iter().filter(|r| !regions.contains(r)) {
            found.push(format!(
                "step {number} names region `{region}`, which the starter lacks"
            ));
        }
        found.extend(chapter_list(chapter, number, &step.title, &by_step[i]));
    }
    let has = |heading: &str| chapter.lines().any(|l| l.trim_end() == heading);
    if !has("## Recap") && !has("## What you learned") {
        found.push("the chapter has no `## Recap` (or `## What you learned`)".to_owned());
    }
    if !has("## Going further") {
        found.push("the chapter has no `## Going further`".to_owned());
    }
    let total = format!("passes its {} tests", listed.len());
    if !your_task(chapter).contains(&total) {
        found.push(format!(
            "the chapter's \"Your task\" box does not say `{total}`"
        ));
    }
    found
}

/// The chapter's `> **Your task.**` box, as one line.
fn your_task(chapter: &str) -> String {
    let lines = chapter
        .lines()
        .skip_while(|l| !l.starts_with("> **Your task.**"));
    let quoted: Vec<&str> = lines
        .take_while(|l| l.starts_with('>'))
        .map(|l| l.trim_start_matches('>').trim())
        .collect();
    quoted.join(" ")
}

/// How step `number`'s section in the chapter disagrees with the suite's
/// `cases` of that step.
fn chapter_list(chapter: &str, number: usize, title: &str, cases: &[&str]) -> Vec<String> {
    let heading = format!("### Step {number}: {title}");
    let Some(section) = section(chapter, &heading) else {
        return vec![format!("the chapter has no heading `{heading}`")];
    };
    let Some(named) = green_list(&section) else {
        return vec![format!(
            "the chapter's step {number} has no `{GREEN_LIST}` list"
        )];
    };
    let matches = |name: &str, case: &str| match name.strip_suffix('*') {
        Some(prefix) => case.starts_with(prefix),
        None => name == case,
    };
    let mut found = Vec::new();
    for case in cases
        .iter()
        .filter(|c| !named.iter().any(|n| matches(n, c)))
    {
        found.push(format!(
            "the chapter's step {number} does not list `{case}`"
        ));
    }
    for name in named
        .iter()
        .filter(|n| !cases.iter().any(|c| matches(n, c)))
    {
        found.push(format!(
            "the chapter's step {number} lists `{name}`, not a case of that step"
        ));
    }
    found
}

/// The lines under `heading`, up to the next heading of its level or above.
fn section<'c>(chapter: &'c str, heading: &str) -> Option<Vec<&'c str>> {
    let mut lines = chapter.lines().skip_while(|l| l.trim_end() != heading);
    lines.next()?;
    Some(
        lines
            .take_while(|l| !(l.starts_with("## ") || l.starts_with("### ")))
            .collect(),
    )
}

/// The names in backticks that open each bullet of the list after
/// [`GREEN_LIST`], up to the bullet's first `` `: ``: a bullet
/// `` - `a`, `b`: what they show `` gives `a` and `b`, whatever line of
/// the bullet they are on.
fn green_list(section: &[&str]) -> Option<Vec<String>> {
    let start = section.iter().position(|l| l.trim() == GREEN_LIST)?;
    let mut bullets: Vec<String> = Vec::new();
    for line in &section[start + 1..] {
        if let Some(bullet) = line.strip_prefix("- ") {
            bullets.push(bullet.to_owned());
        } else if let (Some(bullet), Some(more)) = (bullets.last_mut(), line.strip_prefix("  ")) {
            bullet.push(' ');
            bullet.push_str(more.trim());
        } else if !bullets.is_empty() && !line.is_empty() {
            break;
        }
    }
    let is_name = |n: &&str| {
        n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '*')
    };
    Some(
        bullets
            .iter()
            .flat_map(|bullet| {
                let head = bullet.split("`: ").next().unwrap_or(bullet);
                head.split('`').skip(1).step_by(2).filter(is_name)
            })
            .map(str::to_owned)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(number: usize, passed: usize, total: usize) -> Tally<'static> {
        Tally {
            number,
            title: ["", "authorization", "per-IP limit", "banning", "the chain"][number],
            passed,
            total,
        }
    }

    #[test]
    fn the_standing_names_the_first_step_not_done_and_the_steps_done() {
        let tallies = [
            tally(1, 5, 5),
            tally(2, 6, 9),
            tally(3, 4, 4),
            tally(4, 0, 3),
        ];
        assert_eq!(
            standing(&tallies).unwrap(),
            "step 2 of 4 (per-IP limit): 6 of 9 tests pass; steps 1 and 3 done"
        );
        assert_eq!(
            standing(&tallies[..2]).unwrap(),
            "step 2 of 2 (per-IP limit): 6 of 9 tests pass; step 1 done"
        );
        assert_eq!(
            standing(&[tally(1, 0, 5)]).unwrap(),
            "step 1 of 1 (authorization): 0 of 5 tests pass"
        );
        assert_eq!(standing(&[tally(1, 5, 5)]), None);
    }

    const CHAPTER: &str = "# 04\n\n> **Your task.** Write it. You are done when\n> `cargo xtask check 04` passes its 3 tests.\n\n## The exercise\n\n### Step 1: authorization\n\nWrite `authorize`.\n\nThis step turns green:\n\n- `a`, `b`: both refuse\n  the user (`not_a_name`).\n- `attack_*`: the shared ones.\n\nThen more.\n\n### Step 2: per-IP limit\n\n## Recap\n\n## Going further\n";

    fn lesson() -> Lesson {
        let step = |title: &str, regions: &[&str]| crate::model::lesson::Step {
            title: title.into(),
            regions: regions.iter().map(|r| r.to_string()).collect(),
        };
        Lesson {
            number: "04".into(),
            slug: "chaining".into(),
            dir: Default::default(),
            package: "chaining".into(),
            solution_dir: Default::default(),
            solution_package: "chaining-solution".into(),
            suite_package: "chaining-suite".into(),
            steps: vec![
                step("authorization", &["authorize"]),
                step("per-IP limit", &["slots"]),
            ],
            bench: Default::default(),
        }
    }

    #[test]
    fn a_chapter_that_lists_each_steps_cases_agrees() {
        let listed = ["step_1::a", "step_1::b", "step_1::attack_x"].map(String::from);
        let found = disagreements(
            &lesson(),
            &listed,
            &["authorize".into(), "slots".into()],
            CHAPTER,
        );
        assert_eq!(
            found,
            [
                "step 2 has no test in the suite",
                "the chapter's step 2 has no `This step turns green:` list"
            ]
        );
    }

    #[test]
    fn a_case_missing_from_the_chapter_or_the_steps_is_named() {
        let listed = ["step_1::a", "step_1::c", "step_2::d", "e"].map(String::from);
        let found = disagreements(
            &lesson(),
            &listed,
            &["authorize".into(), "extra".into()],
            CHAPTER,
        );
        assert_eq!(
            found,
            [
                "the suite's test `e` is in no step 1 to 2",
                "region `extra` belongs to 0 steps, not 1",
                "the chapter's step 1 does not list `c`",
                "the chapter's step 1 lists `b`, not a case of that step",
                "the chapter's step 1 lists `attack_*`, not a case of that step",
                "step 2 names region `slots`, which the starter lacks",
                "the chapter's step 2 has no `This step turns green:` list",
                "the chapter's \"Your task\" box does not say `passes its 4 tests`",
            ]
        );
    }
}
