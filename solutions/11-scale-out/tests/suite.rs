//! Lesson 11's suite (tests/src/suites/11-scale-out), run against this crate.
//! Its cross-server cases need a Redis: they print SKIPPED without
//! `REDIS_URL` (and `MONGODB_URI`), and fail instead under `REQUIRE_REDIS=1`.
harness::lesson_11!(scale_out_solution::app);
