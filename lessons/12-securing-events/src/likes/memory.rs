use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Each post's likers, behind a mutex that is never held across an
/// `.await`: the insert and the count are one step, so two likes at once
/// cannot both count.
#[derive(Clone, Debug, Default)]
pub(super) struct MemoryLikes {
    likers: Arc<Mutex<HashMap<String, HashSet<String>>>>,
}

impl MemoryLikes {
    pub(super) fn like(&self, post_id: &str, user_id: &str) -> u64 {
        let mut likers = self.likers.lock().unwrap();
        let post = likers.entry(post_id.to_owned()).or_default();
        post.insert(user_id.to_owned());
        post.len() as u64
    }
}
