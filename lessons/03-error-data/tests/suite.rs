//! Lesson 03's suite (tests/src/lessons/error_data.rs), run against this crate.
harness::lesson_03!(error_data::app, error_data::client::connect);
