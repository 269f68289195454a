use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Family, now_ms};

/// Families by key, behind a mutex that is never held across an `.await`.
#[derive(Clone, Default)]
pub(super) struct MemoryFamilies {
    by_key: Arc<Mutex<HashMap<String, Family>>>,
}

impl MemoryFamilies {
    /// Adds a family, first forgetting every family that can no longer be
    /// used: a login is the only write that grows the table, so the table
    /// never holds more than the live families and one new one.
    pub(super) fn insert(&self, key: String, family: Family) {
        let mut families = self.by_key.lock().unwrap();
        let now = now_ms();
        families.retain(|_, family| family.expires_at > now);
        families.insert(key, family);
    }

    pub(super) fn get(&self, key: &str) -> Option<Family> {
        self.by_key.lock().unwrap().get(key).cloned()
    }

    /// Moves the family on to `next`, if `current` is still its newest
    /// token: the check and the write under one lock.
    pub(super) fn replace(&self, key: &str, current: &str, next: Family) -> bool {
        let mut families = self.by_key.lock().unwrap();
        match families.get_mut(key) {
            Some(family) if family.current == current => {
                *family = next;
                true
            }
            _ => false,
        }
    }

    pub(super) fn remove(&self, key: &str) {
        self.by_key.lock().unwrap().remove(key);
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.by_key.lock().unwrap().len()
    }
}
