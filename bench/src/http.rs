//! Registering and logging in the bench's user: two JSON POSTs over
//! HTTP/1.1 on loopback, written by hand so the bench needs no HTTP client.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::client::Auth;

/// A response: status, headers (names lowercased) and the JSON body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

/// Registers a fresh user and logs it in: a token (`POST /auth/login`) or
/// a session cookie (`POST /session/login`), as `kind` says.
pub async fn sign_in(addr: SocketAddr, kind: &str) -> anyhow::Result<Auth> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let username = format!("bench-{}", nanos % 1_000_000_000);
    let password = format!("bench-password-{nanos}");
    let registered = post(
        addr,
        "/auth/register",
        &json!({
            "username": username,
            "email": format!("{username}@example.com"),
            "password": password,
        }),
    )
    .await?;
    if registered.status != 201 {
        bail!(
            "POST /auth/register answered {}: {}",
            registered.status,
            registered.body
        );
    }
    let login = json!({ "username": username, "password": password });
    match kind {
        "cookie" => {
            let answer = post(addr, "/session/login", &login).await?;
            if answer.status != 200 {
                bail!(
                    "POST /session/login answered {}: {}",
                    answer.status,
                    answer.body
                );
            }
            let cookie = answer
                .headers
                .iter()
                .find(|(name, _)| name == "set-cookie")
                .and_then(|(_, value)| value.split(';').next())
                .context("POST /session/login set no cookie")?;
            Ok(Auth::Cookie(cookie.trim().to_owned()))
        }
        _ => {
            let answer = post(addr, "/auth/login", &login).await?;
            match answer.body["token"].as_str() {
                Some(token) if answer.status == 200 => Ok(Auth::Token(token.to_owned())),
                _ => bail!(
                    "POST /auth/login answered {}: {}",
                    answer.status,
                    answer.body
                ),
            }
        }
    }
}

async fn post(addr: SocketAddr, path: &str, body: &Value) -> anyhow::Result<Response> {
    assert!(addr.ip().is_loopback(), "the bench stays on loopback");
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        anyhow::Ok(raw)
    };
    let raw = tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .with_context(|| format!("POST {path}: no answer within 30 s"))?
        .with_context(|| format!("POST {path}"))?;
    parse(&raw).with_context(|| format!("POST {path}: an answer that is not HTTP"))
}

fn parse(raw: &[u8]) -> anyhow::Result<Response> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").context("no end of headers")?;
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .context("no status line")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.contains("chunked"));
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_owned()
    };
    Ok(Response {
        status,
        headers,
        body: serde_json::from_str(&body).unwrap_or(Value::String(body)),
    })
}

fn dechunk(mut rest: &str) -> anyhow::Result<String> {
    let mut body = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").context("a chunk without a size")?;
        let size = usize::from_str_radix(size.trim(), 16).context("a chunk size")?;
        if size == 0 {
            return Ok(body);
        }
        body.push_str(after.get(..size).context("a short chunk")?);
        rest = after.get(size + 2..).unwrap_or("");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_and_chunked_answers() {
        let plain = parse(b"HTTP/1.1 201 Created\r\ncontent-length: 8\r\n\r\n{\"a\":1}").unwrap();
        assert_eq!((plain.status, plain.body), (201, json!({"a": 1})));
        let chunked = parse(
            b"HTTP/1.1 200 OK\r\nSet-Cookie: sid=x; HttpOnly\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:2}\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(chunked.body, json!({"a": 2}));
        assert_eq!(
            chunked.headers[0],
            ("set-cookie".into(), "sid=x; HttpOnly".into())
        );
    }
}
