//! The workbook's runner, as a library the `cargo xtask` binary routes to.
//!
//! Its layers, each using only those listed before it:
//! - [`model`]: what a grade is made of: verdicts, test results, lessons;
//! - [`engine`]: cargo, running suites, grading, and the cache around it;
//! - [`course`]: the lessons, their steps, manifest, drift and book;
//! - [`render`]: what `check`, `watch` and `verify` print, and the reports;
//! - [`commands`]: one file per command.

pub mod commands;
pub mod course;
pub mod engine;
pub mod model;
pub mod render;
