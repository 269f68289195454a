//! Lesson 04's suite (tests/src/suites/04-chaining), run against this crate.
harness::lesson_04!(chaining_solution::app);
