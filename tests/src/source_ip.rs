//! Connections from another client address, for per-IP limits.
//!
//! `rust_socketio` cannot bind its socket to a source address, and every
//! test client would otherwise come from 127.0.0.1. The whole 127.0.0.0/8
//! range is the loopback interface on Linux, so a test can be a different
//! client by connecting from, say, 127.0.0.2. [`forward_from`] opens a local
//! port that relays each connection to the server from that address:
//!
//! ```ignore
//! let addr = forward_from(server.addr, "127.0.0.2".parse().unwrap()).await;
//! let socket = server.socket("/").address(format!("http://{addr}/")).connect_ok().await;
//! ```

use std::net::{IpAddr, SocketAddr};

use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Listens on `127.0.0.1:0` and relays every connection it accepts to
/// `server`, from a socket bound to `source` (any port). Returns the
/// address to connect to. The relay runs until the test's runtime stops.
pub async fn forward_from(server: SocketAddr, source: IpAddr) -> SocketAddr {
    // Fail here, in the test, rather than in the relay's task.
    drop(bound_socket(source));
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port for the forwarder");
    let addr = listener.local_addr().expect("the forwarder's address");
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(relay(client, server, source));
        }
    });
    addr
}

async fn relay(mut client: TcpStream, server: SocketAddr, source: IpAddr) {
    let Ok(mut upstream) = bound_socket(source).connect(server).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

/// A TCP socket bound to `source` and a free port, ready to connect.
fn bound_socket(source: IpAddr) -> TcpSocket {
    let socket = match source {
        IpAddr::V4(_) => TcpSocket::new_v4(),
        IpAddr::V6(_) => TcpSocket::new_v6(),
    }
    .expect("a TCP socket");
    socket.bind(SocketAddr::new(source, 0)).unwrap_or_else(|e| {
        panic!(
            "cannot bind the test client to {source}: {e}. On Linux all of \
                 127.0.0.0/8 is loopback; on macOS add the address first: \
                 `sudo ifconfig lo0 alias {source} up`"
        )
    });
    socket
}
