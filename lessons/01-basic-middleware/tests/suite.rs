//! Lesson 01's suite (tests/src/lessons/basic_middleware.rs), run against this crate.
harness::lesson_01!(basic_middleware::app);
