//! A pause in the user lookup, for tests.
//!
//! A handshake awaits `find_by_id`. What happens to a client that goes away
//! during that await is a question a test can only ask if it can make the
//! await last: [`LookupGate::hold`] makes every `find_by_id` of a store
//! wrapped with [`super::Users::gated`] wait, [`LookupGate::waiting`] tells
//! the test that one is waiting, and [`LookupGate::release`] lets them all
//! go. Events, not sleeps: the test knows exactly where the server is.

use std::sync::Arc;

use tokio::sync::watch;

/// Shared by the store and the test. Cloning is cheap; every clone is the
/// same gate. Open until [`LookupGate::hold`].
#[derive(Clone, Debug)]
pub struct LookupGate(Arc<State>);

#[derive(Debug)]
struct State {
    open: watch::Sender<bool>,
    waiting: watch::Sender<usize>,
}

impl Default for LookupGate {
    fn default() -> Self {
        LookupGate(Arc::new(State {
            open: watch::Sender::new(true),
            waiting: watch::Sender::new(0),
        }))
    }
}

impl LookupGate {
    /// From now on, every lookup waits for [`LookupGate::release`].
    pub fn hold(&self) {
        self.0.open.send_replace(false);
    }

    /// Lets every waiting lookup, and every later one, through.
    pub fn release(&self) {
        self.0.open.send_replace(true);
    }

    /// Resolves once at least one lookup is waiting at the gate.
    pub async fn waiting(&self) {
        let mut waiting = self.0.waiting.subscribe();
        // The sender lives in `self`: the channel cannot close.
        let _ = waiting.wait_for(|n| *n > 0).await;
    }

    /// Called by the store before a lookup: waits while the gate is held.
    pub(super) async fn pass(&self) {
        let mut open = self.0.open.subscribe();
        if *open.borrow_and_update() {
            return;
        }
        self.0.waiting.send_modify(|n| *n += 1);
        let _ = open.wait_for(|open| *open).await;
        self.0.waiting.send_modify(|n| *n -= 1);
    }
}
