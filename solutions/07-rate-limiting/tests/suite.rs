//! Lesson 07's suite (tests/src/suites/07-rate-limiting), run against this crate.
harness::lesson_07!(rate_limiting_solution::app);
