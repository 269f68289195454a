//! Lesson 06's suite (tests/src/suites/06-logging), run against this crate.
harness::lesson_06!(logging_solution::app);
