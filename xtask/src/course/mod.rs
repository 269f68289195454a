pub mod book;
pub mod drift;
pub mod grading;
pub mod lessons;
pub mod manifest;
pub mod snapshots;
pub mod steps;
