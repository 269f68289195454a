//! `cargo xtask prepare`: everything a workshop laptop needs, fetched and
//! built while the network is good.
//!
//! Thirty laptops downloading every crate at once is more than a room's
//! Wi-Fi can take. Run this the day before (or from a vendored bundle, see
//! the README's workshop section): afterwards `cargo xtask check` works
//! with the network off (`CARGO_NET_OFFLINE=true`).
//!
//! It builds every lesson's suite, and with them every crate the lessons
//! share, but not the lessons themselves: a lesson's first check then
//! compiles only the learner's crate (2-3 s), and the laptop keeps no test
//! binary (about 50 MB each) for a lesson nobody has opened yet.

use std::path::Path;

use crate::engine::cargo;
use crate::model::lesson::Lesson;

pub fn prepare(root: &Path, lessons: &[Lesson]) -> anyhow::Result<bool> {
    println!("1/2 fetching every dependency (cargo fetch)");
    cargo::run(root, &["fetch"])?;
    println!("2/2 building every lesson's suite, and every crate under them");
    // Built as a check builds them: with the MongoDB driver when
    // MONGODB_URI is set, without it otherwise.
    let mut args = vec!["build", "--lib"];
    if cargo::wants_driver() {
        args.extend(["-p", "workbook", "--features", "workbook/mongodb"]);
    }
    for lesson in lessons {
        args.extend(["-p", lesson.suite_package.as_str()]);
    }
    cargo::run(root, &args)?;
    println!();
    println!("Ready: `cargo xtask check` now works without a network (CARGO_NET_OFFLINE=true).");
    Ok(true)
}
