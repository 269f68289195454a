use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Banned user ids, behind a mutex that is never held across an `.await`.
#[derive(Clone, Debug, Default)]
pub(super) struct MemoryBans {
    banned: Arc<Mutex<HashSet<String>>>,
}

impl MemoryBans {
    pub(super) fn ban(&self, user_id: &str) {
        self.banned.lock().unwrap().insert(user_id.to_owned());
    }

    pub(super) fn unban(&self, user_id: &str) {
        self.banned.lock().unwrap().remove(user_id);
    }

    pub(super) fn is_banned(&self, user_id: &str) -> bool {
        self.banned.lock().unwrap().contains(user_id)
    }
}
