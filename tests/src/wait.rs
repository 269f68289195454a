//! Bounded waits that fail with a sentence, and fast failure when the server
//! panics.
//!
//! Each test runs on its own runtime whose worker threads are named after the
//! test. A panic hook records what panicked on those threads, so a test whose
//! server hit `todo!()` fails at once with the panic's message, instead of
//! waiting out a timeout and saying only that nothing came back.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Mutex, Once};
use std::time::Duration;

use futures_util::FutureExt;

use crate::threads::SERVER_THREAD;

static PANICS: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);

tokio::task_local! {
    static TEST: String;
}

thread_local! {
    /// Where the last panic on this thread was raised: the test's own
    /// panic, for the grader's report.
    static PLACE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// How long any single wait may take: `HARNESS_TIMEOUT_MS`, or 5 seconds.
pub fn timeout() -> Duration {
    std::env::var("HARNESS_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(5))
}

/// Runs one test on a runtime of its own. The suites' tests call it.
///
/// When the test fails, its [transcript](crate::transcript) (the
/// conversation with the server, and the server's log) is printed under the
/// failure; `HARNESS_LOG=1` prints it for a passing test too.
pub fn run(name: &str, test: impl Future<Output = ()>) {
    install_panic_hook();
    crate::logs::capture();
    crate::logs::clear(name);
    crate::transcript::begin(name);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(format!("{SERVER_THREAD}{name}"))
        .enable_all()
        .build()
        .expect("build a tokio runtime");
    let outcome =
        runtime.block_on(AssertUnwindSafe(TEST.scope(name.to_owned(), test)).catch_unwind());
    runtime.shutdown_timeout(Duration::from_secs(1));
    crate::logs::end(name);
    let message = outcome.as_ref().err().map(|panic| {
        panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("the test panicked")
            .to_owned()
    });
    if let Some(message) = &message {
        let flat: Vec<&str> = message.lines().map(str::trim).collect();
        crate::transcript::record("test", format!("failed: {}", flat.join(" ")));
    }
    let conversation = crate::transcript::rendered(name);
    let show = outcome.is_err() || std::env::var_os("HARNESS_LOG").is_some_and(|v| v == "1");
    if show && let Some(conversation) = &conversation {
        println!("\n{conversation}");
    }
    let place = PLACE.with(|p| p.borrow_mut().take());
    crate::grader::finished(
        name,
        &crate::grader::Ending {
            failed: outcome.is_err(),
            message: message.as_deref(),
            place: place.as_deref().filter(|_| outcome.is_err()),
            transcript: conversation.as_deref().filter(|_| outcome.is_err()),
        },
    );
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Awaits `future`, failing the test with a message naming `what` when the
/// server panics or the time runs out.
pub async fn wait<T>(what: &str, future: impl Future<Output = T>) -> T {
    let deadline = tokio::time::sleep(timeout());
    tokio::pin!(future, deadline);
    let mut tick = tokio::time::interval(Duration::from_millis(25));
    loop {
        tokio::select! {
            value = &mut future => return value,
            _ = &mut deadline => {
                fail_if_server_panicked(what);
                panic!(
                    "timed out after {:?} waiting for {what}.\n\
                     Does every middleware and handler on that path return? \
                     A `todo!()`, a `loop {{}}` or a lock held across an `.await` would stop it.",
                    timeout()
                );
            }
            _ = tick.tick() => fail_if_server_panicked(what),
        }
    }
}

fn fail_if_server_panicked(what: &str) {
    let Ok(name) = TEST.try_with(Clone::clone) else {
        return;
    };
    let panics = PANICS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(messages) = panics.as_ref().and_then(|p| p.get(&name)) {
        panic!(
            "the server panicked while the test was waiting for {what}:\n  {}",
            messages.join("\n  ")
        );
    }
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            if let Some(test) = thread.name().and_then(|n| n.strip_prefix(SERVER_THREAD)) {
                let message = match (info.payload_as_str(), info.location()) {
                    (Some(text), Some(at)) => format!("{text} (at {at})"),
                    (Some(text), None) => text.to_owned(),
                    (None, _) => "a panic with no message".to_owned(),
                };
                let mut panics = PANICS.lock().unwrap_or_else(|e| e.into_inner());
                let panics = panics.get_or_insert_with(HashMap::new);
                panics.entry(test.to_owned()).or_default().push(message);
                // The test's own failure quotes this message: printing it
                // here too would show the learner the same panic twice.
                return;
            }
            if let Some(at) = info.location() {
                PLACE.with(|p| *p.borrow_mut() = Some(at.to_string()));
            }
            default_hook(info);
        }));
    });
}
