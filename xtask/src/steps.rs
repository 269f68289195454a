//! Where a learner stands inside a lesson: its steps, and how many of each
//! step's tests pass.
//!
//! A lesson's steps are declared twice over, on purpose, by what each is
//! for: their titles and regions in the lesson's `Cargo.toml` (see
//! [`crate::lessons::Step`]), and which case belongs to which in the suite,
//! where the case is registered. The suite's test binary names every test
//! `step_N::case`, so the grader reads a test's step from its name.
//! `verify` proves the two agree (see [`crate::verify`]).

use crate::grade::{TestResult, TestStatus};
use crate::lessons::Lesson;

/// `step_2::refuses_x` → `(Some(2), "refuses_x")`; a name outside any step
/// comes back whole.
pub fn split(name: &str) -> (Option<usize>, &str) {
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
    fn a_name_says_its_step() {
        assert_eq!(split("step_12::a_case"), (Some(12), "a_case"));
        assert_eq!(split("a_case"), (None, "a_case"));
        assert_eq!(split("tests::a_case"), (None, "tests::a_case"));
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
}
