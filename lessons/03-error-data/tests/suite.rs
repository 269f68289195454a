//! Lesson 03's suite (tests/src/suites/03-error-data), run against this crate.
harness::lesson_03!(
    error_data::app,
    harness::lesson_03_client!(error_data::client::connect)
);
