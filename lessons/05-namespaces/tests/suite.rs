//! Lesson 05's suite (tests/src/suites/05-namespaces), run against this crate.
//! The suite lands with the reshaped harness; until then this file is empty.
