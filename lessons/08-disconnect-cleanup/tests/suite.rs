//! Lesson 08's suite (tests/src/suites/08-disconnect-cleanup), run against this crate.
harness::lesson_08!(disconnect_cleanup::app);
