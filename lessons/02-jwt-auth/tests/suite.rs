//! Lesson 02's suite (tests/src/lessons/jwt_auth.rs), run against this crate.
harness::lesson_02!(jwt_auth::app);
