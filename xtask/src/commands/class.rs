//! `cargo xtask class DIR`: one table of a whole class, from the JSON
//! reports learners hand in (`cargo xtask check --report json=NAME.json`).
//!
//! A learner is a report file, named by its file name; a lesson is a
//! column. Each cell is what that learner's last check said of it:
//! `passed`, `failing 3/27`, `not started`, `tampered`, `does not compile`,
//! `timed out`, or blank when the report does not mention the lesson. The
//! table prints as text, or as CSV (`--csv`) and a self-contained HTML page
//! (`--html PATH`) for a projector.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::Deserialize;

/// The part of a JSON report the class table reads.
#[derive(Deserialize)]
struct Report {
    lessons: Vec<LessonReport>,
}

#[derive(Deserialize)]
struct LessonReport {
    lesson: String,
    verdict: String,
    #[serde(default)]
    tests: Vec<TestReport>,
}

#[derive(Deserialize)]
struct TestReport {
    status: String,
}

/// One learner's row.
#[derive(Debug, PartialEq)]
pub struct Row {
    pub learner: String,
    /// One cell per lesson of [`Table::lessons`].
    pub cells: Vec<String>,
}

#[derive(Debug, PartialEq)]
pub struct Table {
    pub lessons: Vec<String>,
    pub rows: Vec<Row>,
    /// Files that could not be read as reports, with why.
    pub unreadable: Vec<String>,
}

/// What to print.
pub enum Format {
    Text,
    Csv,
}

/// Reads every `*.json` in `dir` and prints the class table; with `html`,
/// also writes the page there.
pub fn class(dir: &Path, format: Format, html: Option<&Path>) -> anyhow::Result<bool> {
    let table = read(dir)?;
    match format {
        Format::Text => print!("{}", text(&table)),
        Format::Csv => print!("{}", csv(&table)),
    }
    for problem in &table.unreadable {
        eprintln!("note: skipped {problem}");
    }
    if let Some(path) = html {
        std::fs::write(path, page(&table))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(true)
}

pub fn read(dir: &Path) -> anyhow::Result<Table> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!(
            "{} holds no .json reports: ask each learner for the file that \
             `cargo xtask check --report json=NAME.json` writes",
            dir.display()
        );
    }

    let mut reports = Vec::new();
    let mut unreadable = Vec::new();
    for path in files {
        let learner = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = std::fs::read_to_string(&path)
            .map_err(anyhow::Error::from)
            .and_then(|text| Ok(serde_json::from_str::<Report>(&text)?));
        match parsed {
            Ok(report) => reports.push((learner, report)),
            Err(e) => unreadable.push(format!("{}: not a check report ({e})", path.display())),
        }
    }

    let lessons: BTreeSet<String> = reports
        .iter()
        .flat_map(|(_, report)| report.lessons.iter().map(|l| l.lesson.clone()))
        .collect();
    let lessons: Vec<String> = lessons.into_iter().collect();
    let rows = reports
        .into_iter()
        .map(|(learner, report)| Row {
            cells: lessons
                .iter()
                .map(|lesson| {
                    report
                        .lessons
                        .iter()
                        .find(|l| &l.lesson == lesson)
                        .map(cell)
                        .unwrap_or_default()
                })
                .collect(),
            learner,
        })
        .collect();
    Ok(Table {
        lessons,
        rows,
        unreadable,
    })
}

/// `failing 3/27` says how many of how many tests fail.
fn cell(lesson: &LessonReport) -> String {
    if lesson.verdict != "failing" {
        return lesson.verdict.clone();
    }
    let failed = lesson.tests.iter().filter(|t| t.status != "pass").count();
    format!("failing {failed}/{}", lesson.tests.len())
}

/// Lessons by number only (`01`), so the table fits a terminal.
fn short(lesson: &str) -> &str {
    lesson.split('-').next().unwrap_or(lesson)
}

pub fn text(table: &Table) -> String {
    let first = table
        .rows
        .iter()
        .map(|r| r.learner.chars().count())
        .chain(["learner".len()])
        .max()
        .unwrap_or(7);
    let widths: Vec<usize> = table
        .lessons
        .iter()
        .enumerate()
        .map(|(i, lesson)| {
            table
                .rows
                .iter()
                .map(|r| r.cells[i].chars().count())
                .chain([short(lesson).len()])
                .max()
                .unwrap_or(2)
        })
        .collect();
    let mut out = format!("{:first$}", "learner");
    for (lesson, width) in table.lessons.iter().zip(&widths) {
        let _ = write!(out, "  {:width$}", short(lesson));
    }
    out = out.trim_end().to_owned() + "\n";
    for row in &table.rows {
        let mut line = format!("{:first$}", row.learner);
        for (cell, width) in row.cells.iter().zip(&widths) {
            let _ = write!(line, "  {cell:width$}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn csv(table: &Table) -> String {
    let quote = |field: &str| {
        if field.contains([',', '"', '\n']) {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else {
            field.to_owned()
        }
    };
    let mut out = String::from("learner");
    for lesson in &table.lessons {
        out.push(',');
        out.push_str(&quote(lesson));
    }
    out.push('\n');
    for row in &table.rows {
        out.push_str(&quote(&row.learner));
        for cell in &row.cells {
            out.push(',');
            out.push_str(&quote(cell));
        }
        out.push('\n');
    }
    out
}

/// A page with its style inline: it opens from a USB stick on any laptop.
pub fn page(table: &Table) -> String {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let class_of = |cell: &str| match cell {
        "passed" => "passed",
        "" | "not started" => "idle",
        c if c.starts_with("failing") => "failing",
        _ => "trouble",
    };
    let mut out = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Class overview</title><style>\
         body{font-family:system-ui,sans-serif;margin:2rem}\
         table{border-collapse:collapse}\
         th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}\
         .passed{background:#d9f2d9}.failing{background:#fff2cc}\
         .trouble{background:#f8d0d0}.idle{color:#888}\
         </style></head><body><h1>Class overview</h1><table><tr><th>learner</th>",
    );
    for lesson in &table.lessons {
        let _ = write!(out, "<th>{}</th>", escape(lesson));
    }
    out.push_str("</tr>\n");
    for row in &table.rows {
        let _ = write!(out, "<tr><th>{}</th>", escape(&row.learner));
        for cell in &row.cells {
            let _ = write!(
                out,
                "<td class=\"{}\">{}</td>",
                class_of(cell),
                escape(cell)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(lessons: &str) -> String {
        format!(r#"{{"version":1,"status":"fail","lessons":[{lessons}]}}"#)
    }

    #[test]
    fn three_learners_make_one_table() {
        let dir = std::env::temp_dir().join(format!("class-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let passed =
            r#"{"lesson":"01-basic-middleware","verdict":"passed","tests":[{"status":"pass"}]}"#;
        let failing = r#"{"lesson":"02-jwt-auth","verdict":"failing","tests":[{"status":"pass"},{"status":"fail"},{"status":"fail"}]}"#;
        let tampered = r#"{"lesson":"02-jwt-auth","verdict":"tampered","tests":[]}"#;
        std::fs::write(dir.join("ada.json"), report(&format!("{passed},{failing}"))).unwrap();
        std::fs::write(dir.join("bob.json"), report(passed)).unwrap();
        std::fs::write(
            dir.join("eve.json"),
            report(&format!("{passed},{tampered}")),
        )
        .unwrap();
        std::fs::write(dir.join("notes.json"), "not a report").unwrap();

        let table = read(&dir).unwrap();
        assert_eq!(
            text(&table),
            "learner  01      02\n\
             ada      passed  failing 2/3\n\
             bob      passed\n\
             eve      passed  tampered\n"
        );
        assert_eq!(
            csv(&table),
            "learner,01-basic-middleware,02-jwt-auth\nada,passed,failing 2/3\nbob,passed,\neve,passed,tampered\n"
        );
        assert_eq!(table.unreadable.len(), 1, "{:?}", table.unreadable);
        let html = page(&table);
        assert!(
            html.contains("<td class=\"trouble\">tampered</td>"),
            "{html}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
