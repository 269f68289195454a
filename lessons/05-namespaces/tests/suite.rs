//! Lesson 05's suite (tests/src/suites/05-namespaces), run against this crate.
harness::lesson_05!(namespaces::app);
