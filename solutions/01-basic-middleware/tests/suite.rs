//! Lesson 01's suite (tests/src/suites/01-basic-middleware), run against this crate.
harness::lesson_01!(basic_middleware_solution::app);
