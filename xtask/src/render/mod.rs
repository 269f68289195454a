pub mod failure;
pub mod report;
pub mod verdicts;
