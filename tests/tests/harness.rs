//! The harness's own promises: a server that panics or never answers fails
//! the test with a sentence saying so, instead of hanging it.

use axum::Router;
use harness::{App, TestApp};
use socketioxide::SocketIo;
use socketioxide::handler::ConnectHandler;
use workbook::Context;

/// A server whose only namespace runs `middleware` before accepting.
fn app_with(middleware: fn() -> std::future::Ready<Result<(), &'static str>>) -> App {
    App::new(move |_: Context| async move {
        let (layer, io) = SocketIo::new_layer();
        io.ns(
            "/",
            (async || {}).with(move || async move { middleware().await }),
        );
        Ok::<_, anyhow::Error>(Router::new().layer(layer))
    })
}

#[test]
#[should_panic(
    expected = "the server panicked while the test was waiting for the server to answer the handshake"
)]
fn a_server_panic_fails_the_test_at_once_with_its_message() {
    harness::run("panicking_server", async {
        let server = TestApp::spawn(&app_with(|| todo!("write the middleware"))).await;
        server.socket("/").connect().await.ok();
    });
}

#[test]
#[should_panic(expected = "timed out after")]
fn a_server_that_never_answers_fails_the_test_after_the_timeout() {
    harness::run("silent_server", async {
        let app = App::new(|_: Context| async {
            let (layer, io) = SocketIo::new_layer();
            io.ns(
                "/",
                (async || {})
                    .with(async || -> Result<(), &'static str> { std::future::pending().await }),
            );
            Ok::<_, anyhow::Error>(Router::new().layer(layer))
        });
        let server = TestApp::spawn(&app).await;
        server.socket("/").connect().await.ok();
    });
}

#[test]
fn a_refusal_is_returned_as_a_typed_error() {
    harness::run("refusing_server", async {
        let server = TestApp::spawn(&app_with(|| std::future::ready(Err("Go away")))).await;
        let refusal = server.socket("/").connect_err().await;
        assert_eq!(refusal.message, "Go away");
        assert_eq!(refusal.data, None);
    });
}
