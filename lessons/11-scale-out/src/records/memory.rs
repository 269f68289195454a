use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Notification, Post};

/// Everything behind one mutex that is never held across an `.await`.
#[derive(Clone, Default)]
pub(super) struct MemoryRecords(Arc<Mutex<Tables>>);

#[derive(Default)]
struct Tables {
    posts: HashMap<String, Post>,
    comments: Vec<Comment>,
    /// Each user's notifications, oldest first.
    notifications: HashMap<String, Vec<Notification>>,
    /// Milliseconds since 1970, by user id.
    last_seen: HashMap<String, i64>,
}

#[derive(Debug)]
#[allow(dead_code)] // Stored like MongoDB stores them; this lesson never reads them back.
struct Comment {
    post_id: String,
    author_id: String,
    text: String,
    created_at: i64,
}

impl MemoryRecords {
    pub(super) fn insert_post(&self, post: Post) {
        self.0.lock().unwrap().posts.insert(post.id.clone(), post);
    }

    pub(super) fn find_post(&self, id: &str) -> Option<Post> {
        self.0.lock().unwrap().posts.get(id).cloned()
    }

    pub(super) fn add_comment(&self, post_id: &str, author_id: &str, text: &str, at_ms: i64) {
        self.0.lock().unwrap().comments.push(Comment {
            post_id: post_id.to_owned(),
            author_id: author_id.to_owned(),
            text: text.to_owned(),
            created_at: at_ms,
        });
    }

    pub(super) fn insert_notification(&self, notification: Notification) {
        let mut tables = self.0.lock().unwrap();
        let user = notification.user_id.clone();
        tables
            .notifications
            .entry(user)
            .or_default()
            .push(notification);
    }

    pub(super) fn unread_count(&self, user_id: &str) -> u64 {
        let tables = self.0.lock().unwrap();
        let unread = tables
            .notifications
            .get(user_id)
            .map_or(0, |all| all.iter().filter(|n| !n.read).count());
        unread as u64
    }

    pub(super) fn mark_read(&self, user_id: &str, ids: &[String]) {
        let mut tables = self.0.lock().unwrap();
        if let Some(all) = tables.notifications.get_mut(user_id) {
            for notification in all.iter_mut().filter(|n| ids.contains(&n.id)) {
                notification.read = true;
            }
        }
    }

    /// Keeps the later of `ms` and the time already stored.
    pub(super) fn set_last_seen(&self, user_id: &str, ms: i64) {
        let mut tables = self.0.lock().unwrap();
        let stored = tables.last_seen.entry(user_id.to_owned()).or_insert(ms);
        *stored = (*stored).max(ms);
    }

    pub(super) fn last_seen(&self, user_id: &str) -> Option<i64> {
        self.0.lock().unwrap().last_seen.get(user_id).copied()
    }
}
