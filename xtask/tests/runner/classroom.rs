//! The classroom report has the shape GitHub Classroom's grading reporter
//! (`classroom-resources/autograding-grading-reporter`) reads: it decodes
//! each runner's result, sums `tests[].score` and compares with
//! `max_score`. Every golden `classroom.json` (the body of each fixture's
//! `classroom-json.snap`) is held to that shape.

use std::path::Path;

use serde_json::Value;

fn field<'a>(value: &'a Value, key: &str, file: &Path) -> &'a Value {
    value
        .get(key)
        .unwrap_or_else(|| panic!("{}: no `{key}` in {value}", file.display()))
}

/// An insta snapshot without its `---`-fenced header.
fn body(snapshot: &str) -> &str {
    snapshot
        .splitn(3, "---\n")
        .nth(2)
        .expect("an insta snapshot: a header between two `---` lines, then the body")
}

#[test]
fn every_classroom_report_has_the_reporters_shape() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runner/golden");
    let mut checked = 0;
    for entry in std::fs::read_dir(&golden).unwrap() {
        let file = entry.unwrap().path().join("classroom-json.snap");
        let Ok(snapshot) = std::fs::read_to_string(&file) else {
            continue;
        };
        let report: Value = serde_json::from_str(body(&snapshot)).unwrap();
        assert!(
            field(&report, "version", &file).is_u64(),
            "{}",
            file.display()
        );
        let status = field(&report, "status", &file).as_str().unwrap();
        assert!(
            ["pass", "fail", "error"].contains(&status),
            "{}",
            file.display()
        );
        let max_score = field(&report, "max_score", &file).as_f64().unwrap();
        let tests = field(&report, "tests", &file).as_array().unwrap();
        let mut total = 0.0;
        for test in tests {
            for key in ["name", "message", "test_code", "filename", "execution_time"] {
                assert!(
                    field(test, key, &file).is_string(),
                    "{}: {key}",
                    file.display()
                );
            }
            assert!(field(test, "line_no", &file).is_u64(), "{}", file.display());
            let status = field(test, "status", &file).as_str().unwrap();
            assert!(
                ["pass", "fail", "error"].contains(&status),
                "{}",
                file.display()
            );
            let score = field(test, "score", &file).as_f64().unwrap();
            let max = field(test, "max_score", &file).as_f64().unwrap();
            assert!(score <= max, "{}: score over max_score", file.display());
            assert_eq!(score == max, status == "pass", "{}: {test}", file.display());
            total += score;
        }
        assert!(total <= max_score, "{}", file.display());
        assert_eq!(status == "pass", total == max_score, "{}", file.display());
        checked += 1;
    }
    assert!(
        checked >= 5,
        "expected the golden classroom reports, found {checked}"
    );
}
