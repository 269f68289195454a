//! Lesson 02's suite (tests/src/suites/02-jwt-auth), run against this crate.
harness::lesson_02!(jwt_auth::app);
