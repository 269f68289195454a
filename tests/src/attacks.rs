//! Every hostile or empty handshake of the contract, made in one place.
//!
//! Each authenticating lesson meets all of them, one test per attack with
//! the same name in every lesson (`attack_alg_none`, ...), and snapshots
//! what its server answered. The snapshot holds the outcome, not the
//! expectation, so a lesson where an expired token means "anonymous"
//! (lesson 12) records that just as lesson 02 records `Token expired`.
//! After every attack the server must still let a genuine user in.

use futures_util::future::BoxFuture;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use workbook::jwt::{Claims, now};
use workbook::users::Role;

use crate::{App, ConnectError, Socket, Suite, TEST_JWT_SECRET, TestApp, TestUser};

/// What an attack sends: the handshake's `auth`, and perhaps a token in the
/// URL's query string.
#[derive(Default)]
struct Hostile {
    auth: Option<Value>,
    query_token: Option<String>,
    /// Delete ada's account before the handshake.
    delete_ada: bool,
}

impl Hostile {
    fn auth(auth: Value) -> Self {
        Hostile {
            auth: Some(auth),
            ..Hostile::default()
        }
    }

    fn token(token: impl Into<Value>) -> Self {
        Self::auth(json!({ "token": token.into() }))
    }
}

/// The default outcome: the refusal as the client saw it, or, when the
/// server let the socket in, who `whoami` says it is.
pub fn outcome(result: Result<Socket, ConnectError>) -> BoxFuture<'static, Value> {
    Box::pin(async move {
        match result {
            Err(refusal) => json!({ "refused": refusal }),
            Ok(socket) => {
                let me = socket.ack("whoami", json!({})).await;
                socket.disconnect().await;
                json!({ "accepted": { "whoami": me } })
            }
        }
    })
}

/// Runs the attack `name` against `app`, as `suite` meets it.
pub fn run(suite: &Suite, name: &str, app: App) {
    let attacks = suite
        .attacks
        .as_ref()
        .unwrap_or_else(|| panic!("suite {} does not take the shared attacks", suite.dir));
    let make = ATTACKS
        .iter()
        .find(|(attack, _)| *attack == name)
        .map(|(_, make)| *make)
        .unwrap_or_else(|| panic!("no attack named {name}"));
    suite.run(name, async move {
        let server = TestApp::spawn(&app).await;
        let ada = server.user("ada").await;
        let hostile = make(&server, &ada);
        if hostile.delete_ada {
            let deleted = server.ctx.users.delete(&ada.id).await.expect("the store");
            assert!(deleted, "ada should have been in the store");
        }

        let mut socket = server.socket(attacks.namespace);
        if let Some(auth) = hostile.auth {
            socket = socket.auth(auth);
        }
        if let Some(token) = hostile.query_token {
            socket = socket.address(format!("{}?token={token}", server.url("/socket.io/")));
        }
        let seen = (attacks.outcome)(socket.connect().await).await;
        insta::assert_json_snapshot!(name, seen);

        // Whatever the attack did, a genuine user still gets in.
        let grace = server.user("grace").await;
        let socket = server
            .socket(attacks.namespace)
            .auth(json!({ "token": grace.token }))
            .connect()
            .await;
        match socket {
            Ok(socket) => socket.disconnect().await,
            Err(refusal) => {
                panic!("after {name}, the server refused a genuine user's valid token: {refusal:?}")
            }
        }
    });
}

/// Declares the attacks once: the table [`run`] reads, and the macro that
/// gives each lesson one `#[test]` per attack. The builders are private and
/// only this list uses them, so an attack left off it is dead code.
macro_rules! attacks {
    ([$($name:ident),* $(,)?]) => {
        const ATTACKS: &[(&str, fn(&TestApp, &TestUser) -> Hostile)] =
            &[$((stringify!($name), $name)),*];

        /// One `#[test]` per shared attack; `lesson_NN!` calls it.
        #[doc(hidden)]
        #[macro_export]
        macro_rules! attack_tests {
            () => {
                $(
                    #[test]
                    fn $name() {
                        $crate::attacks::run(suite(), stringify!($name), subject());
                    }
                )*
            };
        }
    };
}

attacks!([
    attack_no_auth,
    attack_auth_without_token,
    attack_empty_token,
    attack_null_token,
    attack_number_token,
    attack_object_token,
    attack_array_token,
    attack_token_in_query_string,
    attack_malformed_token,
    attack_alg_none,
    attack_other_secret,
    attack_tampered_payload,
    attack_hs384_right_secret,
    attack_hs512_right_secret,
    attack_claims_without_role,
    attack_claims_without_exp,
    attack_expired_token,
    attack_expired_seconds_ago,
    attack_unknown_user,
    attack_deleted_user,
    attack_100_kb_token,
]);

/// Claims for `id` that expire in an hour.
fn claims_for(id: &str) -> Claims {
    Claims {
        id: id.to_owned(),
        name: "ada".to_owned(),
        role: Role::User,
        iat: now(),
        exp: now() + 3600,
    }
}

/// Signs any JSON claims with any HMAC algorithm and secret.
fn forge(alg: Algorithm, claims: &impl serde::Serialize, secret: &str) -> String {
    // Possibly before any server of this process made its `Jwt`.
    workbook::jwt::hmac_only::install();
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("signing test claims")
}

/// The three dot-separated parts of a JWT: header, claims, signature.
fn parts(token: &str) -> [&str; 3] {
    let parts: Vec<&str> = token.split('.').collect();
    parts
        .try_into()
        .unwrap_or_else(|_| panic!("a JWT has three parts: {token}"))
}

fn attack_no_auth(_: &TestApp, _: &TestUser) -> Hostile {
    Hostile::default()
}

fn attack_auth_without_token(_: &TestApp, _: &TestUser) -> Hostile {
    Hostile::auth(json!({ "user": "ada" }))
}

fn attack_empty_token(_: &TestApp, _: &TestUser) -> Hostile {
    Hostile::token("")
}

fn attack_null_token(_: &TestApp, _: &TestUser) -> Hostile {
    Hostile::token(Value::Null)
}

fn attack_number_token(_: &TestApp, _: &TestUser) -> Hostile {
    Hostile::token(42)
}

/// A genuine token, wrapped: only a string is a token.
fn attack_object_token(_: &TestApp, ada: &TestUser) -> Hostile {
    Hostile::token(json!({ "token": ada.token }))
}

fn attack_array_token(_: &TestApp, ada: &TestUser) -> Hostile {
    Hostile::token(json!([ada.token]))
}

/// A genuine token in the URL and none in `auth`: URLs end up in access
/// logs, so the server acts as if there were no token at all.
fn attack_token_in_query_string(_: &TestApp, ada: &TestUser) -> Hostile {
    Hostile {
        query_token: Some(ada.token.clone()),
        ..Hostile::default()
    }
}

fn attack_malformed_token(_: &TestApp, _: &TestUser) -> Hostile {
    Hostile::token("not-a-jwt")
}

/// `{"alg":"none"}` and no signature: a token anyone can write.
fn attack_alg_none(_: &TestApp, ada: &TestUser) -> Hostile {
    // base64url of `{"alg":"none","typ":"JWT"}`.
    let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
    Hostile::token(format!("{none}.{}.", parts(&ada.token)[1]))
}

fn attack_other_secret(_: &TestApp, ada: &TestUser) -> Hostile {
    let secret = "some-other-secret-that-is-32-bytes-long";
    Hostile::token(forge(Algorithm::HS256, &claims_for(&ada.id), secret))
}

/// Ada's genuine header and signature around claims that make her an admin.
fn attack_tampered_payload(_: &TestApp, ada: &TestUser) -> Hostile {
    let promoted = Claims {
        role: Role::Admin,
        ..claims_for(&ada.id)
    };
    let forged = forge(
        Algorithm::HS256,
        &promoted,
        "any-secret-will-do-for-the-claims",
    );
    let [header, _, signature] = parts(&ada.token);
    Hostile::token(format!("{header}.{}.{signature}", parts(&forged)[1]))
}

/// The right secret, the wrong algorithm: only HS256 is accepted.
fn attack_hs384_right_secret(_: &TestApp, ada: &TestUser) -> Hostile {
    Hostile::token(forge(
        Algorithm::HS384,
        &claims_for(&ada.id),
        TEST_JWT_SECRET,
    ))
}

fn attack_hs512_right_secret(_: &TestApp, ada: &TestUser) -> Hostile {
    Hostile::token(forge(
        Algorithm::HS512,
        &claims_for(&ada.id),
        TEST_JWT_SECRET,
    ))
}

/// Correctly signed, but not the shape of an access token.
fn attack_claims_without_role(_: &TestApp, ada: &TestUser) -> Hostile {
    let claims = json!({ "id": ada.id, "name": "ada", "iat": now(), "exp": now() + 3600 });
    Hostile::token(forge(Algorithm::HS256, &claims, TEST_JWT_SECRET))
}

/// A token that never expires is a token that cannot be taken back.
fn attack_claims_without_exp(_: &TestApp, ada: &TestUser) -> Hostile {
    let claims = json!({ "id": ada.id, "name": "ada", "role": "user", "iat": now() });
    Hostile::token(forge(Algorithm::HS256, &claims, TEST_JWT_SECRET))
}

fn attack_expired_token(server: &TestApp, ada: &TestUser) -> Hostile {
    Hostile::token(server.ctx.jwt.sign(&Claims {
        iat: now() - 7200,
        exp: now() - 3600,
        ..claims_for(&ada.id)
    }))
}

/// No leeway: `jsonwebtoken` forgives 60 seconds by default, which is for
/// servers whose clocks disagree. Ours issues and checks its own tokens.
fn attack_expired_seconds_ago(server: &TestApp, ada: &TestUser) -> Hostile {
    Hostile::token(server.ctx.jwt.sign(&Claims {
        iat: now() - 60,
        exp: now() - 3,
        ..claims_for(&ada.id)
    }))
}

fn attack_unknown_user(server: &TestApp, _: &TestUser) -> Hostile {
    Hostile::token(server.ctx.jwt.sign(&claims_for("65f0c0ffee0000000000beef")))
}

/// Ada's own token, after her account was deleted.
fn attack_deleted_user(_: &TestApp, ada: &TestUser) -> Hostile {
    Hostile {
        delete_ada: true,
        ..Hostile::token(ada.token.as_str())
    }
}

/// A 100 KB token is no token: the middleware refuses it like any other
/// garbage (the transport's 1 MB message limit stops bigger ones first).
fn attack_100_kb_token(_: &TestApp, _: &TestUser) -> Hostile {
    let huge = format!(
        "{}.{}.{}",
        "a".repeat(50_000),
        "b".repeat(50_000),
        "c".repeat(400)
    );
    Hostile::token(huge)
}
