//! Lesson 10's suite (tests/src/suites/10-session-auth), run against this crate.
harness::lesson_10!(session_auth::app);
