//! Which test a thread works for, from its name: the one fact the runner
//! ([`crate::run`]), the transcript and the log capture all need, kept
//! apart so that none of them depends on another for it.

/// Thread-name prefix of the worker threads that run a test's server.
pub(crate) const SERVER_THREAD: &str = "server:";

/// The case that the current thread works for: libtest names a test's
/// thread after its path (`step_2::case`), and [`crate::run`] names its
/// runtime's threads `server:<case>`. Case names are unique in a suite, so
/// the step is left off.
pub(crate) fn current_test() -> String {
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("");
    let name = name.strip_prefix(SERVER_THREAD).unwrap_or(name);
    name.rsplit("::").next().unwrap_or(name).to_owned()
}
