use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Record, SessionKey, now_ms};

/// Sessions by key, behind a mutex that is never held across an `.await`.
#[derive(Clone, Default)]
pub(super) struct MemorySessions {
    by_key: Arc<Mutex<HashMap<SessionKey, Record>>>,
}

impl MemorySessions {
    pub(super) fn insert(&self, key: SessionKey, record: Record) {
        let mut sessions = self.by_key.lock().unwrap();
        // An expired session can never be used again; forget them as we go,
        // so the table holds the live sessions and no more.
        let now = now_ms();
        sessions.retain(|_, record| record.expires_at > now);
        sessions.insert(key, record);
    }

    pub(super) fn get(&self, key: &SessionKey) -> Option<Record> {
        self.by_key.lock().unwrap().get(key).cloned()
    }

    pub(super) fn remove(&self, key: &SessionKey) -> bool {
        self.by_key.lock().unwrap().remove(key).is_some()
    }
}
