//! Lesson 05's `/admin` rule that lesson 11 keeps too: every admin event
//! asks the store again. The body of the check, written once; each suite
//! opens the sockets its own way and calls it.

use std::time::Duration;

use serde_json::{Value, json};
use workbook::users::Role;

use crate::{Socket, TestApp, TestUser};

/// How long the check listens to be sure `forceDisconnect` does not come.
const QUIET: Duration = Duration::from_millis(300);

/// The store makes `root` a user while `console`, root's open `/admin`
/// socket, stays connected; then the console asks to disconnect `target`.
/// The event must be refused with the lock's own answer, the console
/// closed, and `target_socket` left alone (it still answers `whoami`).
/// Returns the refused ack. `chapter` says where the check is taught.
pub async fn a_demoted_admin_tries_to_disconnect(
    server: &TestApp,
    (root, console): (&TestUser, &Socket),
    (target, target_socket): (&TestUser, &Socket),
    chapter: &str,
) -> Value {
    let demoted = server.ctx.users.set_role(&root.id, Role::User).await;
    assert!(demoted.expect("the store"), "root is in the store");
    let answer = console
        .ack("disconnect-user", json!({ "userId": target.id }))
        .await;
    assert_eq!(
        answer,
        json!({ "error": "Admin access required" }),
        "root is a user now: every /admin event must ask the store again before it acts \
         ({chapter})"
    );
    console.next("disconnect").await;
    target_socket.assert_silent("forceDisconnect", QUIET).await;
    let me = target_socket.ack("whoami", json!({})).await;
    assert_eq!(
        me["id"],
        json!(target.id),
        "{} is still connected: {me}",
        target.name
    );
    answer
}
