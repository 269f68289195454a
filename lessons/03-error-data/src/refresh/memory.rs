use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Grant, now_ms};

/// Grants by token hash, behind a mutex that is never held across an `.await`.
#[derive(Clone, Default)]
pub(super) struct MemoryTokens {
    by_hash: Arc<Mutex<HashMap<String, Grant>>>,
}

impl MemoryTokens {
    pub(super) fn insert(&self, hash: String, grant: Grant) {
        let mut grants = self.by_hash.lock().unwrap();
        // Expired grants can never be redeemed; forget them as we go.
        let now = now_ms();
        grants.retain(|_, grant| grant.expires_at > now);
        grants.insert(hash, grant);
    }

    /// Removes and returns the grant: finding and removing under one lock
    /// is what makes a token single use.
    pub(super) fn take(&self, hash: &str) -> Option<Grant> {
        self.by_hash.lock().unwrap().remove(hash)
    }
}
