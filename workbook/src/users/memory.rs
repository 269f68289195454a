use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{NewUser, Role, StoreError, User};
use crate::db::new_id;

/// Users in a map behind a mutex. The lock is never held across an `.await`,
/// so a plain `std` mutex is the right tool.
#[derive(Clone, Debug, Default)]
pub struct MemoryUsers {
    by_id: Arc<Mutex<HashMap<String, User>>>,
}

impl MemoryUsers {
    pub(super) fn create(&self, new: NewUser) -> Result<User, StoreError> {
        let mut users = self.by_id.lock().unwrap();
        // The check and the insert happen under one lock, as a unique index would.
        if users
            .values()
            .any(|u| u.username == new.username || u.email == new.email)
        {
            return Err(StoreError::Duplicate);
        }
        let user = User {
            id: new_id(),
            username: new.username,
            email: new.email,
            password_hash: new.password_hash,
            role: new.role,
        };
        users.insert(user.id.clone(), user.clone());
        Ok(user)
    }

    pub(super) fn find_by_id(&self, id: &str) -> Option<User> {
        self.by_id.lock().unwrap().get(id).cloned()
    }

    pub(super) fn find_by_username(&self, username: &str) -> Option<User> {
        let users = self.by_id.lock().unwrap();
        users.values().find(|u| u.username == username).cloned()
    }

    pub(super) fn set_role(&self, id: &str, role: Role) -> bool {
        let mut users = self.by_id.lock().unwrap();
        users.get_mut(id).map(|user| user.role = role).is_some()
    }

    pub(super) fn delete(&self, id: &str) -> bool {
        self.by_id.lock().unwrap().remove(id).is_some()
    }
}
