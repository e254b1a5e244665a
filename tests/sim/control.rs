//! The simulator's control endpoint (`/_sim/...`) and the `wpops sim` binary: pausing, advancing,
//! fault knobs changed while it runs, request counts per operation and account, bad flags.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use wpops_fixtures::sim::*;

fn chunked_json(body: &str) -> serde_json::Value {
    // axum answers small bodies with a content length; tolerate chunked framing anyway.
    let start = body.find('{').unwrap_or(0);
    let end = body.rfind('}').map(|e| e + 1).unwrap_or(body.len());
    serde_json::from_str(&body[start..end]).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn control_endpoint_drives_clock_faults_and_counts() {
    let sim = sim("default").await;
    let (status, body) = http(sim.addr, "GET", "/_sim/status", "").await;
    assert_eq!(status, 200);
    let v = chunked_json(&body);
    assert_eq!(v["paused"], true);
    assert_eq!(v["now_ms"], START_MS);
    let (_, body) = http(sim.addr, "POST", "/_sim/advance?seconds=90", "").await;
    assert_eq!(chunked_json(&body)["now_ms"], START_MS + 90_000);

    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    ecs.list_clusters().send().await.unwrap();
    ecs.list_clusters().send().await.unwrap();
    let (_, body) = http(sim.addr, "GET", "/_sim/requests", "").await;
    let v = chunked_json(&body);
    assert_eq!(v["by_account"]["123456789012"]["ecs:ListClusters"], 2);
    assert_eq!(sim.shared.request_count("ecs:ListClusters"), 2);

    let (status, _) = http(sim.addr, "POST", "/_sim/faults", r#"{"error_rate": 1.0}"#).await;
    assert_eq!(status, 200);
    let err = ecs.list_clusters().send().await.unwrap_err();
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
    http(sim.addr, "POST", "/_sim/faults", r#"{"error_rate": 0}"#).await;
    ecs.list_clusters().send().await.unwrap();
    let (status, _) = http(sim.addr, "POST", "/_sim/faults", r#"{"error_rate": "lots"}"#).await;
    assert_eq!(status, 400);
    let (status, _) = http(sim.addr, "GET", "/_sim/nope", "").await;
    assert_eq!(status, 404);
    http(sim.addr, "POST", "/_sim/requests/reset", "").await;
    assert_eq!(sim.shared.total_requests(), 0);
}

#[tokio::test]
async fn unknown_operation_is_an_aws_shaped_error() {
    let sim = sim("default").await;
    let (status, body) = http(sim.addr, "POST", "/", "").await;
    assert_eq!(status, 400);
    assert!(body.contains("UnknownOperationException"), "{body}");
}

#[test]
fn wpops_sim_serves_until_killed_and_rejects_bad_flags() {
    let bin = env!("CARGO_BIN_EXE_wpops");
    let mut child = Command::new(bin)
        .args(["sim", "--listen", "127.0.0.1:0", "--speed", "5"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("wpops sim starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("listening on ").map(|r| r.split_whitespace().next().unwrap_or("").to_string()))
        .expect("prints its address");
    let addr: std::net::SocketAddr = url.trim_start_matches("http://").parse().expect("address");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (status, body) = rt.block_on(http(addr, "GET", "/_sim/status", ""));
    child.kill().ok();
    child.wait().ok();
    assert_eq!(status, 200);
    assert!(body.contains("\"speed\":5.0"), "{body}");

    let out = Command::new(bin).args(["sim", "--throttle-rate", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 0 and 1"));
    let out = Command::new(bin).args(["sim", "--listen", "0.0.0.0:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
    let out = Command::new(bin).args(["sim", "--scenario", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin).args(["--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
