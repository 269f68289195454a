//! The runner's own tests, as one binary: the real `xtask` run as a learner
//! or an instructor runs it, mostly in copies of the workbook (see
//! `support`).
//!
//! One binary, so that its tests run side by side: a fixture spends most of
//! its time on one core (building one crate, running one suite), and the
//! fixtures in one copy wait for each other, so tests in other copies fill
//! the other core.

mod classroom;
mod doctor;
mod golden;
mod honest;
mod support;
