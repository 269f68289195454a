//! Connection counters, shared by the middlewares and `GET /stats`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// Counts since start-up. Atomics, because many connections update them at
/// once and nothing else needs to change together with a count.
#[derive(Clone, Default)]
pub struct Stats(Arc<Counters>);

#[derive(Default)]
struct Counters {
    attempts: AtomicU64,
    accepted: AtomicU64,
    rejected: AtomicU64,
}

impl Stats {
    pub fn record_attempt(&self) {
        self.0.attempts.fetch_add(1, Ordering::Relaxed);
    }

    pub fn record_accepted(&self) {
        self.0.accepted.fetch_add(1, Ordering::Relaxed);
    }

    pub fn record_rejected(&self) {
        self.0.rejected.fetch_add(1, Ordering::Relaxed);
    }
}

/// `GET /stats` → `{attempts, accepted, rejected}`.
pub async fn show(State(stats): State<Stats>) -> Json<Value> {
    let read = |n: &AtomicU64| n.load(Ordering::Relaxed);
    Json(json!({
        "attempts": read(&stats.0.attempts),
        "accepted": read(&stats.0.accepted),
        "rejected": read(&stats.0.rejected),
    }))
}
