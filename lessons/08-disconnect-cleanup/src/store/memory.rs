use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Friendships and last-seen times, behind one mutex that is never held
/// across an `.await`.
#[derive(Clone, Debug, Default)]
pub(super) struct MemoryStore(Arc<Mutex<Records>>);

#[derive(Debug, Default)]
struct Records {
    friends: HashMap<String, HashSet<String>>,
    last_seen: HashMap<String, i64>,
}

impl MemoryStore {
    pub(super) fn befriend(&self, a: &str, b: &str) {
        let mut records = self.0.lock().unwrap();
        records
            .friends
            .entry(a.to_owned())
            .or_default()
            .insert(b.to_owned());
        records
            .friends
            .entry(b.to_owned())
            .or_default()
            .insert(a.to_owned());
    }

    pub(super) fn friends_of(&self, user_id: &str) -> Vec<String> {
        let records = self.0.lock().unwrap();
        records
            .friends
            .get(user_id)
            .map(|friends| friends.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub(super) fn set_last_seen(&self, user_id: &str, at_ms: i64) {
        let mut records = self.0.lock().unwrap();
        records.last_seen.insert(user_id.to_owned(), at_ms);
    }

    pub(super) fn last_seen(&self, user_id: &str) -> Option<i64> {
        self.0.lock().unwrap().last_seen.get(user_id).copied()
    }
}
