//! Who is online, on how many devices. A user with a phone, a laptop and
//! an admin console open has three sockets, in two namespaces, and is one
//! person: `online-users` shows one row with `sockets: 3`.
//!
//! The table is keyed by user, and an entry lives exactly as long as the
//! user has a socket: each socket holds a [`Device`], and dropping the last
//! one removes the user. This is chapter 04's slot again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use workbook::users::PublicUser;

/// One online user, as `online-users` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnlineUser {
    pub user_id: String,
    pub name: String,
    pub sockets: usize,
}

/// Online users by id. Cloning is cheap and every clone sees the same table.
#[derive(Clone, Debug, Default)]
pub struct Devices {
    by_user: Arc<Mutex<HashMap<String, OnlineUser>>>,
}

impl Devices {
    /// Every online user, one row each, by name.
    pub fn online(&self) -> Vec<OnlineUser> {
        let by_user = self.by_user.lock().unwrap();
        let mut online: Vec<OnlineUser> = by_user.values().cloned().collect();
        online.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
        online
    }
}

// EXERCISE: devices
// ANCHOR: devices
/// One socket of one user, kept in the socket's extensions. When the socket
/// is dropped, so is this, and the user's count goes down by one.
#[derive(Clone, Debug)]
pub struct Device {
    _held: Arc<Held>,
}

#[derive(Debug)]
struct Held {
    user_id: String,
    devices: Devices,
}

impl Devices {
    /// Counts one more socket for `user`.
    pub fn connect(&self, user: &PublicUser) -> Device {
        let mut by_user = self.by_user.lock().unwrap();
        let online = by_user
            .entry(user.id.clone())
            .or_insert_with(|| OnlineUser {
                user_id: user.id.clone(),
                name: user.name.clone(),
                sockets: 0,
            });
        online.sockets += 1;
        Device {
            _held: Arc::new(Held {
                user_id: user.id.clone(),
                devices: self.clone(),
            }),
        }
    }
}

/// The user's count goes down; at zero the user is offline and their entry
/// goes, so the table never holds anyone who left.
impl Drop for Held {
    fn drop(&mut self) {
        let mut by_user = self.devices.by_user.lock().unwrap();
        if let Some(online) = by_user.get_mut(&self.user_id) {
            online.sockets -= 1;
            if online.sockets == 0 {
                by_user.remove(&self.user_id);
            }
        }
    }
}
// ANCHOR_END: devices
// EXERCISE_END: devices
