//! Lesson 07's suite runs here once the reshaped harness lands
//! (`harness::lesson_07!(rate_limiting_solution::app);`).
