//! The user store, tested once and run against both back ends: the
//! in-memory default, and MongoDB when `MONGODB_URI` is set.

use workbook::users::{NewUser, Role, StoreError, Users};

/// The store's whole contract, against whichever back end it is given.
async fn behaves_like_a_user_store(users: Users) {
    let ada = users
        .create(new_user("ada", "ada@example.com"))
        .await
        .unwrap();
    assert_eq!(ada.id.len(), 24, "ids are ObjectId hex strings: {}", ada.id);
    assert_eq!(ada.role, Role::User);

    assert_eq!(users.find_by_id(&ada.id).await.unwrap(), Some(ada.clone()));
    assert_eq!(
        users.find_by_username("ada").await.unwrap(),
        Some(ada.clone())
    );
    assert_eq!(users.find_by_username("nobody").await.unwrap(), None);
    assert_eq!(
        users.find_by_id("65f0c0ffee0000000000beef").await.unwrap(),
        None
    );
    assert_eq!(users.find_by_id("not-an-id").await.unwrap(), None);

    let same_name = users.create(new_user("ada", "other@example.com")).await;
    assert!(
        matches!(same_name, Err(StoreError::Duplicate)),
        "{same_name:?}"
    );
    let same_email = users.create(new_user("grace", "ada@example.com")).await;
    assert!(
        matches!(same_email, Err(StoreError::Duplicate)),
        "{same_email:?}"
    );

    let grace = users
        .create(new_user("grace", "grace@example.com"))
        .await
        .unwrap();
    assert_ne!(grace.id, ada.id);

    assert!(users.set_role(&grace.id, Role::Admin).await.unwrap());
    let promoted = users.find_by_id(&grace.id).await.unwrap().unwrap();
    assert_eq!(promoted.role, Role::Admin);
    assert!(users.set_role(&grace.id, Role::User).await.unwrap());
    assert!(
        !users
            .set_role("65f0c0ffee0000000000beef", Role::Admin)
            .await
            .unwrap()
    );
    assert!(!users.set_role("not-an-id", Role::Admin).await.unwrap());

    assert!(users.delete(&ada.id).await.unwrap());
    assert!(!users.delete(&ada.id).await.unwrap());
    assert!(!users.delete("not-an-id").await.unwrap());
    assert_eq!(users.find_by_id(&ada.id).await.unwrap(), None);
    assert_eq!(users.find_by_id(&grace.id).await.unwrap(), Some(grace));
}

fn new_user(username: &str, email: &str) -> NewUser {
    NewUser {
        username: username.into(),
        email: email.into(),
        password_hash: "$2b$04$not-a-real-hash".into(),
        role: Role::User,
    }
}

#[tokio::test]
async fn memory_store() {
    behaves_like_a_user_store(Users::memory()).await;
}

/// Skipped, and says so, without `MONGODB_URI`; `REQUIRE_MONGODB=1` (as CI
/// sets) turns the skip into a failure, so CI cannot pass without MongoDB.
#[tokio::test]
async fn mongodb_store() {
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        assert!(
            std::env::var("REQUIRE_MONGODB").as_deref() != Ok("1"),
            "REQUIRE_MONGODB=1 but MONGODB_URI is not set"
        );
        eprintln!("SKIPPED mongodb_store: set MONGODB_URI to test the MongoDB store");
        return;
    };
    let name = format!("workbook_store_test_{}", std::process::id());
    let db = workbook::db::connect(&uri, &name)
        .await
        .unwrap_or_else(|e| panic!("MONGODB_URI={uri}: {e}"));
    let users = Users::mongo(&db).await.expect("create the indexes");
    behaves_like_a_user_store(users).await;
    db.drop().await.expect("drop the test database");
}

/// The stand-in for a database that is down (`Users::unreachable`, which
/// suites use to test a server's answer then) fails every lookup rather
/// than finding nobody.
#[tokio::test]
async fn an_unreachable_store_fails_instead_of_finding_nobody() {
    let users = Users::unreachable();
    let found = users.find_by_id("65f0c0ffee0000000000beef").await;
    assert!(
        matches!(found, Err(StoreError::Database(_))),
        "a store that is down must fail, not answer: {found:?}"
    );
    let found = users.find_by_username("ada").await;
    assert!(matches!(found, Err(StoreError::Database(_))), "{found:?}");
}
