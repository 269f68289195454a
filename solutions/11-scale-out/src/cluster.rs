//! Joining the cluster: the socketioxide Redis adapter.

use socketioxide_redis::RedisAdapterCtr;
use socketioxide_redis::drivers::redis::RedisDriver;
use workbook::Context;

/// The adapter's state: one Redis connection (pub/sub and commands) that
/// every namespace's adapter shares.
pub type Adapter = RedisAdapterCtr<RedisDriver>;

// EXERCISE: redis_adapter
// ANCHOR: redis_adapter
/// The Redis adapter's constructor, for the Redis at `url` (`REDIS_URL`).
///
/// Sharing the adapter is not enough to make two servers one: whatever a
/// server keeps in its own memory (users, posts, notifications) the other
/// never sees. So with `REDIS_URL` the stored state must be in MongoDB,
/// and the server refuses to start without `MONGODB_URI`.
///
/// The adapter speaks RESP3 (Redis 7's protocol, with pushed pub/sub
/// messages on an ordinary connection), so the connection asks for it
/// whatever the URL says. `REDIS_PREFIX` names the channels, so that
/// several applications (or test runs) can share one Redis;
/// `REDIS_REQUEST_TIMEOUT_MS` bounds how long a question to the other
/// servers waits for one that does not answer.
pub async fn redis_adapter(ctx: &Context, url: &str) -> anyhow::Result<Adapter> {
    use anyhow::Context as _;
    use socketioxide_redis::RedisAdapterConfig;
    use socketioxide_redis::drivers::redis::redis_client as redis;
    use std::time::Duration;
    use workbook::config::StoreConfig;

    use redis::IntoConnectionInfo;

    if ctx.config.store == StoreConfig::Memory {
        anyhow::bail!(
            "REDIS_URL is set but MONGODB_URI is not: servers that share a Redis adapter must share their records too; set MONGODB_URI"
        );
    }
    let prefix: String = ctx.config.knob("REDIS_PREFIX", "socket.io".to_owned())?;
    let timeout_ms: u64 = ctx.config.knob("REDIS_REQUEST_TIMEOUT_MS", 5000)?;
    anyhow::ensure!(
        timeout_ms > 0,
        "REDIS_REQUEST_TIMEOUT_MS: must be at least 1"
    );

    let info = url
        .into_connection_info()
        .context("REDIS_URL: not a Redis URL")?;
    let resp3 = info
        .redis_settings()
        .clone()
        .set_protocol(redis::ProtocolVersion::RESP3);
    let client = redis::Client::open(info.set_redis_settings(resp3))
        .context("REDIS_URL: not a Redis URL")?;
    let config = RedisAdapterConfig::new()
        .with_prefix(prefix)
        .with_request_timeout(Duration::from_millis(timeout_ms));
    let adapter = RedisAdapterCtr::new_with_redis_config(&client, config)
        .await
        .context("REDIS_URL: cannot reach Redis")?;
    Ok(adapter)
}
// ANCHOR_END: redis_adapter
// EXERCISE_END: redis_adapter
