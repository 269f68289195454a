//! Lesson 06's suite runs here once the reshaped harness lands
//! (`harness::lesson_06!(logging::app);`).
