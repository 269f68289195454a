//! Lesson 12's suite (tests/src/suites/12-securing-events), run against this crate.
harness::lesson_12!(securing_events::app);
