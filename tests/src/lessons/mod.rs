//! One module per lesson: its cases, and the macro its crates call.

pub mod basic_middleware;
pub mod error_data;
pub mod jwt_auth;
