//! Joining the cluster: the socketioxide Redis adapter.

use socketioxide_redis::RedisAdapterCtr;
use socketioxide_redis::drivers::redis::RedisDriver;
use workbook::Context;

/// The adapter's state: one Redis connection (pub/sub and commands) that
/// every namespace's adapter shares.
pub type Adapter = RedisAdapterCtr<RedisDriver>;

// EXERCISE: redis_adapter
/// The Redis adapter's constructor, for the Redis at `url` (`REDIS_URL`).
///
/// Without MongoDB (`ctx.config.store` is
/// `StoreConfig::Memory`), fail with an error that names both `REDIS_URL`
/// and `MONGODB_URI`, before dialling Redis. Otherwise: a `redis::Client`
/// (`socketioxide_redis::drivers::redis::redis_client`) for the URL, with
/// the protocol set to RESP3; a `RedisAdapterConfig` with the prefix
/// `REDIS_PREFIX` (default `socket.io`) and the request timeout
/// `REDIS_REQUEST_TIMEOUT_MS` (default 5000); and
/// `RedisAdapterCtr::new_with_redis_config`. Errors name the variable.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn redis_adapter(ctx: &Context, url: &str) -> anyhow::Result<Adapter> {
    todo!(
        "build the Redis adapter from REDIS_URL, or refuse without MongoDB (chapter 11, \"Sharing the adapter\")"
    )
}
// EXERCISE_END: redis_adapter
