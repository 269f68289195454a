//! What every lesson of the workbook shares, so that a lesson's starter and
//! its solution differ only where the lesson's idea lives.
//!
//! - [`config`]: settings from the environment, checked at start-up;
//! - [`users`]: the user store, in memory or in MongoDB;
//! - [`password`] and [`jwt`]: bcrypt hashes and HS256 access tokens;
//! - [`auth`]: `POST /auth/register` and `POST /auth/login`;
//! - [`http`]: the `{"message"}` error shape, JSON bodies, bearer tokens;
//! - [`payload`]: [`payload::Object`], a struct read only from a JSON object;
//! - [`rooms`]: the bounds and membership rules of chat rooms (02, 07, 08, 11);
//! - [`socket`]: the Socket.IO layer, with a message-size limit;
//! - [`server`]: the [`Context`] a lesson's app is built from, and [`run`];
//! - [`playground`]: the page `cargo xtask serve` adds (never the servers under test).
//!
//! A lesson's `main.rs` is one line: `workbook::run(lesson::app).await`.

pub mod auth;
pub mod config;
pub mod db;
pub mod handshake;
pub mod http;
pub mod jwt;
pub mod password;
pub mod payload;
pub mod playground;
pub mod rooms;
pub mod server;
pub mod socket;
pub mod users;

pub use config::Config;
pub use server::{Context, Logs, Server, run, run_with, start};
pub use socket::socket_io;
