//! Starters cannot drift from their solutions.
//!
//! A starter is its solution with the exercises taken out, and nothing
//! else: the two are identical except
//! - inside EXERCISE regions, lines `// EXERCISE: name` … `// EXERCISE_END: name`
//!   that both carry, with the same names in the same order (the starter's
//!   holds a `todo!(`, the solution's the answer);
//! - mdBook's `// ANCHOR: x` / `// ANCHOR_END: x` lines, which only the
//!   solution has (the book quotes it);
//! - the crate's name: `slug_solution` and package `slug-solution` in the
//!   solution are `slug` in the starter;
//! - `hint.md`, which only the starter has.
//!
//! Anything else that differs is a starter that says one thing while the
//! book, quoting the solution, says another. `verify` names the starter's
//! file and line, and what differs.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use crate::course::lessons::HINT_FILE;
use crate::engine::files::{self, relative};
use crate::model::lesson::Lesson;

const OPEN: &str = "// EXERCISE:";
const CLOSE: &str = "// EXERCISE_END:";

/// One way a starter differs from its solution, at a place in the starter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// `lessons/02-jwt-auth/src/auth.rs`, or the directory for a problem
    /// with the lesson as a whole.
    pub file: String,
    /// The starter's line, when there is one to name.
    pub line: Option<usize>,
    pub what: String,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.what),
            None => write!(f, "{}: {}", self.file, self.what),
        }
    }
}

/// Every way `lesson`'s starter differs from its solution, at most one per
/// file (after the first difference, the rest of a file is out of step).
pub fn check(root: &Path, lesson: &Lesson) -> Vec<Drift> {
    let starter_dir = relative(root, &lesson.dir);
    let solution_dir = relative(root, &lesson.solution_dir);
    let listing = |dir: &Path| -> BTreeSet<String> {
        files::files(dir)
            .iter()
            .map(|file| relative(dir, file))
            .collect()
    };
    let starter = listing(&lesson.dir);
    let solution = listing(&lesson.solution_dir);
    let mut drifts = Vec::new();
    for only in starter.difference(&solution) {
        if only != HINT_FILE {
            drifts.push(Drift {
                file: format!("{starter_dir}/{only}"),
                line: None,
                what: format!("the solution has no {solution_dir}/{only}"),
            });
        }
    }
    for only in solution.difference(&starter) {
        drifts.push(Drift {
            file: format!("{starter_dir}/{only}"),
            line: None,
            what: format!("missing: the solution has {solution_dir}/{only}"),
        });
    }
    let names = Names::of(lesson);
    let mut regions = 0;
    for path in starter.intersection(&solution) {
        match compare_file(lesson, &solution_dir, path, &names) {
            Ok(count) => regions += count,
            Err(Some(mut drift)) => {
                drift.file = format!("{starter_dir}/{path}");
                drifts.push(drift);
            }
            Err(None) => {}
        }
    }
    if regions == 0 && drifts.is_empty() {
        drifts.push(Drift {
            file: starter_dir,
            line: None,
            what: format!(
                "no exercise: mark what the learner writes with `{OPEN} name` … `{CLOSE} name`, \
                 in the starter and the solution"
            ),
        });
    }
    drifts
}

/// Compares one file the starter and the solution both have: `Ok` with
/// its regions, `Err(Some(drift))` when they differ (its `file` left
/// empty), `Err(None)` for identical files that are not text.
fn compare_file(
    lesson: &Lesson,
    solution_dir: &str,
    path: &str,
    names: &Names,
) -> Result<usize, Option<Drift>> {
    let drift = |what: String| {
        Some(Drift {
            file: String::new(),
            line: None,
            what,
        })
    };
    let read = |dir: &Path| std::fs::read(dir.join(path));
    let (Ok(starter_bytes), Ok(solution_bytes)) = (read(&lesson.dir), read(&lesson.solution_dir))
    else {
        return Err(drift("cannot be read, or its solution cannot".to_owned()));
    };
    let (Ok(starter_text), Ok(solution_text)) = (
        String::from_utf8(starter_bytes.clone()),
        String::from_utf8(solution_bytes.clone()),
    ) else {
        return if starter_bytes == solution_bytes {
            Err(None)
        } else {
            Err(drift(format!(
                "differs from {solution_dir}/{path} (not text)"
            )))
        };
    };
    compare(&starter_text, &solution_text, names).map_err(Some)
}

/// The crate's names in the solution, and what they are in the starter.
pub struct Names {
    replacements: Vec<(String, String)>,
}

impl Names {
    pub fn of(lesson: &Lesson) -> Self {
        Self::new(&lesson.solution_package, &lesson.package)
    }

    /// From the solution's package (`jwt-auth-solution`) and the starter's
    /// (`jwt-auth`): the package names, and the crate names Rust code uses
    /// (`jwt_auth_solution`, `jwt_auth`).
    pub fn new(solution_package: &str, starter_package: &str) -> Self {
        let snake = |p: &str| p.replace('-', "_");
        Names {
            replacements: vec![
                (snake(solution_package), snake(starter_package)),
                (solution_package.to_owned(), starter_package.to_owned()),
            ],
        }
    }

    fn normalise(&self, line: &str) -> String {
        self.replacements
            .iter()
            .fold(line.to_owned(), |line, (from, to)| line.replace(from, to))
    }
}

/// A file, as the comparison sees it.
#[derive(Debug)]
enum Piece<'t> {
    /// A line outside every region: (line number, text).
    Line(usize, String),
    /// A region: its name, the line of its `EXERCISE:` marker, its lines.
    Region {
        name: &'t str,
        line: usize,
        body: Vec<&'t str>,
    },
}

/// The names of the regions in the crate at `dir`, file by file.
pub fn regions(dir: &Path) -> Vec<String> {
    files::files(dir)
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .flat_map(|text| {
            text.lines()
                .filter_map(|line| match marker(line) {
                    Some((true, name)) => Some(name.to_owned()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `// EXERCISE: name` → `(true, "name")`; `// EXERCISE_END: name` → `(false, "name")`.
pub fn marker(line: &str) -> Option<(bool, &str)> {
    let trimmed = line.trim();
    let (open, rest) = match trimmed.strip_prefix(CLOSE) {
        Some(rest) => (false, rest),
        None => (true, trimmed.strip_prefix(OPEN)?),
    };
    Some((open, rest.trim()))
}

pub fn is_anchor(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with("// ANCHOR:") || trimmed.starts_with("// ANCHOR_END:")
}

/// Splits a file into lines and regions, checking the markers pair up.
/// `normalise` rewrites each line outside the regions (the solution's crate
/// names); `solution` drops the anchor lines.
fn pieces<'t>(
    text: &'t str,
    solution: bool,
    names: &Names,
) -> Result<Vec<Piece<'t>>, (usize, String)> {
    let mut pieces = Vec::new();
    let mut open: Option<(&str, usize, Vec<&str>)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if solution && is_anchor(line) {
            continue;
        }
        match (marker(line), open.as_mut()) {
            (Some((true, name)), None) => {
                if name.is_empty() {
                    return Err((n, format!("`{OPEN}` needs a name")));
                }
                open = Some((name, n, Vec::new()));
            }
            (Some((true, name)), Some((outer, _, _))) => {
                return Err((
                    n,
                    format!("region `{name}` opens inside region `{outer}`: regions do not nest"),
                ));
            }
            (Some((false, name)), None) => {
                return Err((n, format!("`{CLOSE} {name}` closes no open region")));
            }
            (Some((false, name)), Some((opened, line, body))) => {
                if name != *opened {
                    return Err((
                        n,
                        format!("`{CLOSE} {name}` closes region `{opened}` (line {line})"),
                    ));
                }
                pieces.push(Piece::Region {
                    name: opened,
                    line: *line,
                    body: std::mem::take(body),
                });
                open = None;
            }
            (None, Some((_, _, body))) => body.push(line),
            (None, None) => pieces.push(Piece::Line(n, names.normalise(line))),
        }
    }
    if let Some((name, line, _)) = open {
        return Err((
            line,
            format!("region `{name}` is never closed (`{CLOSE} {name}`)"),
        ));
    }
    Ok(pieces)
}

/// How a piece of the starter differs from the solution's piece in its
/// place, and the starter's line to name, if it does.
fn mismatch(piece: &Piece, other: &Piece) -> Option<(usize, String)> {
    match (piece, other) {
        (Piece::Line(n, mine), Piece::Line(_, reference)) if mine != reference => Some((
            *n,
            format!(
                "differs from the solution outside the exercise regions:\n      \
                 starter:  {}\n      solution: {}",
                mine.trim(),
                reference.trim()
            ),
        )),
        (Piece::Region { name, line, .. }, Piece::Region { name: theirs, .. })
            if name != theirs =>
        {
            Some((
                *line,
                format!("region `{name}` where the solution has region `{theirs}`"),
            ))
        }
        (Piece::Line(n, mine), Piece::Region { name, .. }) => Some((
            *n,
            format!(
                "the solution has region `{name}` here, the starter a line: {}",
                mine.trim()
            ),
        )),
        (Piece::Region { name, line, .. }, Piece::Line(_, reference)) => Some((
            *line,
            format!(
                "region `{name}` where the solution has a line: {}",
                reference.trim()
            ),
        )),
        _ => None,
    }
}

/// Compares a starter file with its solution; `Ok` holds how many regions
/// they share, `Err` the first difference (its `file` left empty).
pub fn compare(starter: &str, solution: &str, names: &Names) -> Result<usize, Drift> {
    let at = |line: usize, what: String| Drift {
        file: String::new(),
        line: Some(line),
        what,
    };
    let plain = Names {
        replacements: Vec::new(),
    };
    let ours = pieces(starter, false, &plain).map_err(|(line, what)| at(line, what))?;
    let theirs = pieces(solution, true, names)
        .map_err(|(line, what)| at(line, format!("in the solution, line {line}: {what}")))?;
    let last_line = starter.lines().count().max(1);
    for (k, piece) in ours.iter().enumerate() {
        if let Piece::Region { name, line, body } = piece
            && !body.iter().any(|l| l.contains("todo!("))
        {
            return Err(at(
                *line,
                format!("region `{name}` has no `todo!(`: the learner would find nothing to do"),
            ));
        }
        let Some(other) = theirs.get(k) else {
            let line = match piece {
                Piece::Line(n, _) | Piece::Region { line: n, .. } => *n,
            };
            return Err(at(line, "the solution ends before this line".to_owned()));
        };
        if let Some((line, what)) = mismatch(piece, other) {
            return Err(at(line, what));
        }
    }
    if let Some(extra) = theirs.get(ours.len()) {
        let what = match extra {
            Piece::Line(_, text) => format!("the solution goes on: {}", text.trim()),
            Piece::Region { name, .. } => format!("the solution goes on with region `{name}`"),
        };
        return Err(at(last_line, what));
    }
    Ok(ours
        .iter()
        .filter(|p| matches!(p, Piece::Region { .. }))
        .count())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOLUTION: &str = "\
//! The lesson.
use jwt_auth_solution::Thing;
use socketioxide::extract::SocketRef;

// ANCHOR: greet
// EXERCISE: greet
/// Greets, with the reasons in a teaching comment.
pub fn greet(name: &str) -> String {
    format!(\"hello {name}\")
}
// EXERCISE_END: greet
// ANCHOR_END: greet

pub fn provided() -> u32 {
    42
}
";

    const STARTER: &str = "\
//! The lesson.
use jwt_auth::Thing;
use socketioxide::extract::SocketRef;

// EXERCISE: greet
/// Greets whoever is named.
#[allow(unused_variables)] // Remove this line once the body uses `name`.
pub fn greet(name: &str) -> String {
    todo!(\"say hello (chapter 02, \\\"Greeting\\\")\")
}
// EXERCISE_END: greet

pub fn provided() -> u32 {
    42
}
";

    fn names() -> Names {
        Names::new("jwt-auth-solution", "jwt-auth")
    }

    fn drift(starter: &str) -> Drift {
        compare(starter, SOLUTION, &names()).expect_err("a drift")
    }

    #[test]
    fn a_starter_equal_outside_its_regions_passes() {
        assert_eq!(compare(STARTER, SOLUTION, &names()), Ok(1));
    }

    #[test]
    fn an_edited_region_is_the_exercise_not_a_drift() {
        let edited = STARTER.replace(
            "/// Greets whoever is named.",
            "/// Greets.\n/// Two lines now.",
        );
        assert_eq!(compare(&edited, SOLUTION, &names()), Ok(1));
    }

    #[test]
    fn an_edited_provided_line_is_named_with_the_starters_line() {
        let edited = STARTER.replace("    42", "    43");
        let drift = drift(&edited);
        assert_eq!(drift.line, Some(14), "{drift}");
        assert!(
            drift.what.contains("starter:  43") && drift.what.contains("solution: 42"),
            "{drift}"
        );
    }

    #[test]
    fn the_crate_name_is_normalised_and_a_wrong_one_is_caught() {
        let wrong = STARTER.replace("use jwt_auth::Thing;", "use jwt_auth_solution::Thing;");
        assert_eq!(drift(&wrong).line, Some(2));
        let toml_solution = "[package]\nname = \"jwt-auth-solution\"\n";
        let toml_starter = "[package]\nname = \"jwt-auth\"\n";
        // A file without regions compares whole.
        assert_eq!(compare(toml_starter, toml_solution, &names()), Ok(0));
    }

    #[test]
    fn an_anchor_in_the_starter_is_a_drift() {
        let anchored =
            STARTER.replace("// EXERCISE: greet", "// ANCHOR: greet\n// EXERCISE: greet");
        let drift = drift(&anchored);
        assert_eq!(drift.line, Some(5), "{drift}");
    }

    #[test]
    fn a_region_without_todo_is_caught() {
        let answered = STARTER.replace(
            "    todo!(\"say hello (chapter 02, \\\"Greeting\\\")\")",
            "    format!(\"hello {name}\")",
        );
        let drift = drift(&answered);
        assert_eq!(drift.line, Some(5));
        assert!(drift.what.contains("no `todo!(`"), "{drift}");
    }

    #[test]
    fn regions_must_match_in_name_and_pair_up() {
        let renamed = STARTER
            .replace("// EXERCISE: greet", "// EXERCISE: hello")
            .replace("// EXERCISE_END: greet", "// EXERCISE_END: hello");
        assert!(
            drift(&renamed)
                .what
                .contains("region `hello` where the solution has region `greet`")
        );
        let unclosed = STARTER.replace("// EXERCISE_END: greet\n", "");
        assert!(drift(&unclosed).what.contains("never closed"));
        let removed = STARTER
            .replace("// EXERCISE: greet\n", "")
            .replace("// EXERCISE_END: greet\n", "");
        assert_eq!(drift(&removed).line, Some(5));
    }

    #[test]
    fn a_line_added_or_missing_at_the_end_is_caught() {
        let longer = format!("{STARTER}// more\n");
        assert_eq!(drift(&longer).line, Some(16));
        let shorter = STARTER.trim_end().trim_end_matches('}').to_owned();
        assert!(drift(&shorter).what.contains("the solution goes on: }"));
    }

    #[test]
    fn a_lesson_directory_is_compared_file_by_file() {
        let root = std::env::temp_dir().join(format!("xtask-drift-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("solutions/02-jwt-auth/src/lib.rs", SOLUTION);
        write("solutions/02-jwt-auth/src/extra.rs", "// only here\n");
        write(
            "lessons/02-jwt-auth/src/lib.rs",
            &STARTER.replace("    42", "    43"),
        );
        write("lessons/02-jwt-auth/hint.md", "# Hint\n");
        let lesson = Lesson {
            number: "02".into(),
            slug: "jwt-auth".into(),
            dir: root.join("lessons/02-jwt-auth"),
            package: "jwt-auth".into(),
            solution_dir: root.join("solutions/02-jwt-auth"),
            solution_package: "jwt-auth-solution".into(),
            suite_package: "jwt-auth-suite".into(),
            steps: Vec::new(),
            bench: Default::default(),
        };
        let found: Vec<String> = check(&root, &lesson)
            .iter()
            .map(ToString::to_string)
            .collect();
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(
            found[0],
            "lessons/02-jwt-auth/src/extra.rs: missing: the solution has solutions/02-jwt-auth/src/extra.rs"
        );
        assert!(
            found[1].starts_with("lessons/02-jwt-auth/src/lib.rs:14: differs from the solution"),
            "{}",
            found[1]
        );
    }
}
