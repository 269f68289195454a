//! Lesson 11: scale-out.
//!
//! One server holds its sockets, their rooms and whatever tables it keeps
//! in its own memory. Start a second one behind a load balancer and each
//! knows half the users: a message to a room reaches the half connected to
//! the server that sent it. The Redis adapter joins the servers: every
//! broadcast, every disconnect of a room, every "which sockets are in this
//! room?" goes to all of them over Redis pub/sub ([`cluster`]). What the
//! adapter does not share, the lesson moves out of memory: records to
//! MongoDB ([`records`]), and the per-user socket counts of lessons 05 and
//! 08 to questions asked of every server ([`presence`]).
//!
//! The server offers what the earlier lessons built: lesson 02's rooms and
//! messages on `/`, lesson 05's `/admin`, lesson 08's presence, lesson 09's
//! posts and notifications.

pub mod admin;
pub mod auth;
pub mod chat;
pub mod cluster;
pub mod posts;
pub mod presence;
pub mod records;

use axum::Router;
use axum::extract::FromRef;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::layer::SocketIoLayer;
use socketioxide_core::adapter::DefinedAdapter;
use socketioxide_redis::RedisAdapter;
use workbook::Context;
use workbook::jwt::Jwt;

use records::Records;

/// What the HTTP routes need, for a server on adapter `A`.
pub struct Web<A: Adapter> {
    pub ctx: Context,
    pub records: Records,
    pub io: SocketIo<A>,
}

// A derived `Clone` would ask `A: Clone`; the adapter itself is never cloned.
impl<A: Adapter> Clone for Web<A> {
    fn clone(&self) -> Self {
        Web {
            ctx: self.ctx.clone(),
            records: self.records.clone(),
            io: self.io.clone(),
        }
    }
}

impl<A: Adapter> FromRef<Web<A>> for Jwt {
    fn from_ref(web: &Web<A>) -> Jwt {
        web.ctx.jwt.clone()
    }
}

/// The server. The same handlers run on either adapter: they are generic
/// over `A`, and only this function knows which one it built.
pub async fn app(ctx: Context) -> anyhow::Result<Router> {
    let records = Records::open(&ctx).await?;
    let builder = workbook::socket_io()
        .with_state(ctx.clone())
        .with_state(records.clone())
        .with_state(presence::Presence::new(records.clone()));
    let redis_url: String = ctx.config.knob("REDIS_URL", String::new())?;
    match (!redis_url.is_empty()).then_some(redis_url) {
        Some(url) => {
            let adapter = cluster::redis_adapter(&ctx, &url).await?;
            let (layer, io) = builder
                .with_adapter::<RedisAdapter<_>>(adapter)
                .build_layer();
            // Each namespace subscribes to its Redis channels before the
            // server takes its first connection.
            for subscribed in namespaces(&io) {
                subscribed.await?;
            }
            tracing::info!("sharing the Redis adapter");
            Ok(router(ctx, records, io, layer))
        }
        None => {
            let (layer, io) = builder.build_layer();
            namespaces(&io);
            Ok(router(ctx, records, io, layer))
        }
    }
}

/// `/` and `/admin`, each with its chain (the last `.with()` runs first).
/// Any other namespace does not exist: `Invalid namespace`.
fn namespaces<A: Adapter + DefinedAdapter>(io: &SocketIo<A>) -> [A::InitRes; 2] {
    use socketioxide::handler::ConnectHandler;
    [
        io.ns(
            "/",
            chat::on_connect::<A>
                .with(chat::register::<A>)
                .with(auth::authenticate::<A>),
        ),
        io.ns(
            "/admin",
            admin::on_connect::<A>
                .with(admin::register::<A>)
                .with(auth::require_admin)
                .with(auth::authenticate::<A>),
        ),
    ]
}

fn router<A: Adapter>(
    ctx: Context,
    records: Records,
    io: SocketIo<A>,
    layer: SocketIoLayer<A>,
) -> Router {
    Router::new()
        .merge(workbook::auth::routes(&ctx))
        .merge(posts::routes(Web { ctx, records, io }))
        .layer(layer)
}

// Lesson 11's suite (tests/src/suites/11-scale-out), which
// `cargo xtask check 11` runs against this crate: keep these lines.
// Its cross-server cases need a Redis: they print SKIPPED without
// `REDIS_URL` (and `MONGODB_URI`), and fail instead under `REQUIRE_REDIS=1`.
#[cfg(test)]
scale_out_suite::run!(crate::app);
