//! No case can be written and never run. The compiler already warns about a
//! case left off its suite's `cases!` list (it is private and unused); this
//! test says the same from the source, by name, for `cargo xtask verify`.

use std::path::Path;

use harness::suites::ALL;

/// The cases a suite's source defines: its `async fn NAME(app: App)`s.
fn cases_in(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter_map(|line| line.strip_prefix("async fn "))
        .filter(|rest| rest.contains("(app: App)"))
        .filter_map(|rest| rest.split('(').next())
        .collect()
}

/// The cases `source` defines that `registered` does not list.
fn unregistered<'a>(source: &'a str, registered: &[&str]) -> Vec<&'a str> {
    cases_in(source)
        .into_iter()
        .filter(|case| !registered.contains(case))
        .collect()
}

#[test]
fn every_case_written_is_registered() {
    let suites = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/suites");
    for entry in std::fs::read_dir(&suites).expect("reading src/suites") {
        let dir = entry.expect("a directory entry").path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let suite = ALL
            .iter()
            .find(|suite| suite.dir == name)
            .unwrap_or_else(|| panic!("src/suites/{name} is not in harness::suites::ALL"));
        let source = std::fs::read_to_string(dir.join("mod.rs")).expect("reading the suite");
        let registered: Vec<&str> = suite.cases.iter().map(|case| case.name).collect();
        let missing = unregistered(&source, &registered);
        assert!(
            missing.is_empty(),
            "src/suites/{name}/mod.rs defines cases its cases! list does not name, so they never run: {missing:?}"
        );
        assert!(
            !registered.is_empty(),
            "src/suites/{name} registers no case"
        );
    }
}

#[test]
fn an_unlisted_case_is_caught() {
    let source = "async fn listed(app: App) {}\nasync fn forgotten(app: App) {}\nasync fn helper(server: &TestApp) {}\n";
    assert_eq!(unregistered(source, &["listed"]), ["forgotten"]);
}
