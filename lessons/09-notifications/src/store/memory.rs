use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{LIST_LIMIT, NewNotification, Notification, Post, new_id, now_ms};

/// Everything behind one mutex that is never held across an `.await`.
#[derive(Clone, Debug, Default)]
pub(super) struct MemoryStore(Arc<Mutex<Records>>);

#[derive(Debug, Default)]
struct Records {
    posts: HashMap<String, Post>,
    comments: Vec<Comment>,
    /// Each user's notifications, oldest first.
    notifications: HashMap<String, Vec<Notification>>,
}

#[derive(Debug)]
#[allow(dead_code)] // Stored like MongoDB stores them; this lesson never reads them back.
struct Comment {
    post_id: String,
    author_id: String,
    text: String,
    created_at: i64,
}

impl MemoryStore {
    fn records(&self) -> std::sync::MutexGuard<'_, Records> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn create_post(&self, author_id: &str, title: &str) -> Post {
        let post = Post {
            id: new_id(),
            title: title.to_owned(),
            author_id: author_id.to_owned(),
        };
        self.records().posts.insert(post.id.clone(), post.clone());
        post
    }

    pub(super) fn find_post(&self, id: &str) -> Option<Post> {
        self.records().posts.get(id).cloned()
    }

    pub(super) fn add_comment(&self, post_id: &str, author_id: &str, text: &str) {
        self.records().comments.push(Comment {
            post_id: post_id.to_owned(),
            author_id: author_id.to_owned(),
            text: text.to_owned(),
            created_at: now_ms(),
        });
    }

    pub(super) fn add_notification(&self, user_id: &str, new: NewNotification) -> Notification {
        let notification = Notification {
            id: new_id(),
            kind: new.kind,
            title: new.title,
            body: new.body,
            link: new.link,
            read: false,
            created_at: now_ms(),
        };
        self.records()
            .notifications
            .entry(user_id.to_owned())
            .or_default()
            .push(notification.clone());
        notification
    }

    pub(super) fn unread_count(&self, user_id: &str) -> u64 {
        self.records()
            .notifications
            .get(user_id)
            .map_or(0, |all| all.iter().filter(|n| !n.read).count() as u64)
    }

    /// Looks only in `user_id`'s own list: another user's ids are not there.
    pub(super) fn mark_read(&self, user_id: &str, ids: &[String]) {
        if let Some(all) = self.records().notifications.get_mut(user_id) {
            for notification in all.iter_mut().filter(|n| ids.contains(&n.id)) {
                notification.read = true;
            }
        }
    }

    pub(super) fn notifications(&self, user_id: &str) -> Vec<Notification> {
        self.records()
            .notifications
            .get(user_id)
            .map(|all| all.iter().rev().take(LIST_LIMIT).cloned().collect())
            .unwrap_or_default()
    }
}
