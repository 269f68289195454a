//! Lesson 09's suite (tests/src/suites/09-notifications), run against this crate.
harness::lesson_09!(notifications::app);
