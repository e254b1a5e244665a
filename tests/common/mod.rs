//! Shared test helpers: an in-process simulator with a paused clock, and real SDK configs
//! pointed at it.
#![allow(dead_code)]

use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_smithy_http_client::tls;
use wpops::sim::{self, SimHandle, SimOptions};

/// A fixed virtual start: 2026-11-28 05:00:00 UTC.
pub const START_MS: i64 = 1_795_842_000_000;
pub const REGION: &str = "ap-northeast-1";
pub const KEY: &str = "ASIA123456789012TEST";

pub async fn sim(scenario: &str) -> SimHandle {
    sim::start(SimOptions {
        scenario: scenario.into(),
        paused: true,
        start_ms: Some(START_MS),
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts")
}

pub async fn config_for(sim: &SimHandle, key: &str, retries: bool) -> SdkConfig {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https();
    let retry = if retries {
        aws_config::retry::RetryConfig::standard().with_initial_backoff(Duration::from_millis(10))
    } else {
        aws_config::retry::RetryConfig::disabled()
    };
    aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .credentials_provider(Credentials::new(key, "secret", None, None, "test"))
        .endpoint_url(sim.endpoint_url())
        .http_client(http)
        .retry_config(retry)
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(20))
                .operation_attempt_timeout(Duration::from_secs(10))
                .build(),
        )
        .load()
        .await
}

pub async fn config(sim: &SimHandle) -> SdkConfig {
    config_for(sim, KEY, false).await
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A plain HTTP/1.1 request to the simulator's control endpoint: (status, body).
pub async fn http(addr: std::net::SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).await.expect("read");
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}
