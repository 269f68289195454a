//! `cargo xtask prepare`: everything a workshop laptop needs, fetched and
//! built while the network is good.
//!
//! Thirty laptops downloading every crate at once is more than a room's
//! Wi-Fi can take. Run this the day before (or from a vendored bundle, see
//! the README's workshop section): afterwards `cargo xtask check` works
//! with the network off (`CARGO_NET_OFFLINE=true`).

use std::path::Path;

use crate::engine::cargo;
use crate::model::lesson::Lesson;

pub fn prepare(root: &Path, lessons: &[Lesson]) -> anyhow::Result<bool> {
    println!("1/2 fetching every dependency (cargo fetch)");
    cargo::run(root, &["fetch"])?;
    println!("2/2 building every lesson's suite once");
    let mut args = vec!["test", "--no-run", "--lib"];
    for lesson in lessons {
        args.extend(["-p", lesson.package.as_str()]);
    }
    cargo::run(root, &args)?;
    println!();
    println!("Ready: `cargo xtask check` now works without a network (CARGO_NET_OFFLINE=true).");
    Ok(true)
}
