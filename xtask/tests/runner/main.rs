//! The runner's own tests: the real `xtask` run as a learner or an
//! instructor runs it, mostly in copies of the workbook (see `support`),
//! one test at a time. One binary, linked once.

mod classroom;
mod doctor;
mod golden;
mod honest;
mod support;
