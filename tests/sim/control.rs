//! The simulator's control endpoint (`/_sim/...`) and the `wpops sim` binary: pausing, advancing,
//! fault knobs changed while it runs, request counts per operation and account, bad flags, and
//! every numeric knob refused out of range (a 400 saying why) instead of hanging the simulator.

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
async fn out_of_range_knobs_are_refused_and_the_simulator_keeps_answering() {
    let sim = sim("default").await;
    let refused = [
        // 1e300 s used to saturate the clock: every AWS request then hung catching up.
        ("POST", "/_sim/advance?seconds=1e300", "", "between 0 and 30 days"),
        ("POST", "/_sim/advance?seconds=inf", "", "between 0 and 30 days"),
        ("POST", "/_sim/advance?seconds=NaN", "", "between 0 and 30 days"),
        ("POST", "/_sim/advance?seconds=-60", "", "between 0 and 30 days"),
        ("POST", "/_sim/advance?ms=2592000001", "", "between 0 and 30 days"),
        ("POST", "/_sim/advance?seconds=soon", "", "seconds must be a number"),
        ("POST", "/_sim/advance", "", "needs ?seconds=N"),
        ("POST", "/_sim/speed?x=0", "", "above 0"),
        ("POST", "/_sim/speed?x=-2", "", "above 0"),
        ("POST", "/_sim/speed?x=inf", "", "above 0"),
        ("POST", "/_sim/speed?x=1e9", "", "at most 10000"),
        ("POST", "/_sim/speed?x=fast", "", "x must be a number"),
        ("POST", "/_sim/faults", r#"{"throttle_rate": 2}"#, "between 0 and 1"),
        ("POST", "/_sim/faults", r#"{"error_rate": -0.1}"#, "between 0 and 1"),
        ("POST", "/_sim/faults", r#"{"latency_ms": 1000000000000}"#, "at most 600000"),
        ("POST", "/_sim/faults", r#"{"latency_ms": -1}"#, "expected u64"),
    ];
    for (method, path, body, why) in refused {
        let (status, text) = http(sim.addr, method, path, body).await;
        assert_eq!(status, 400, "{method} {path} {body}: {text}");
        let v = chunked_json(&text);
        assert!(v["error"].as_str().is_some_and(|e| e.contains(why)), "{method} {path} {body}: {text}");
    }
    let (_, text) = http(sim.addr, "POST", "/_sim/advance?seconds=1e300", "").await;
    assert!(chunked_json(&text)["error"].as_str().is_some_and(|e| e.ends_with("got 1e303 ms")), "readable: {text}");
    let v = chunked_json(&http(sim.addr, "GET", "/_sim/status", "").await.1);
    assert_eq!(v["now_ms"], START_MS, "nothing moved the clock");
    assert_eq!(v["speed"], 1.0);
    assert_eq!(v["faults"], serde_json::json!({"throttle_rate": 0.0, "error_rate": 0.0, "latency_ms": 0}));

    // The bounds themselves are accepted, and the world catches up on a 30-day jump.
    let (status, text) = http(sim.addr, "POST", "/_sim/advance?seconds=2592000", "").await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(chunked_json(&text)["now_ms"], START_MS + 2_592_000_000);
    assert_eq!(http(sim.addr, "POST", "/_sim/speed?x=10000", "").await.0, 200);
    assert_eq!(http(sim.addr, "POST", "/_sim/speed?x=1", "").await.0, 200);
    assert_eq!(http(sim.addr, "POST", "/_sim/faults", r#"{"latency_ms": 0, "throttle_rate": 1}"#).await.0, 200);
    assert_eq!(http(sim.addr, "POST", "/_sim/faults", r#"{"throttle_rate": 0}"#).await.0, 200);
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let services = ecs.describe_services().cluster("wp-prod").services("wordpress").send().await.unwrap();
    assert_eq!(services.services().len(), 1, "the simulator still answers");
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
    for (flag, value, why) in [("--latency-ms", "999999999", "at most 600000"), ("--speed", "20000", "at most 10000")] {
        let out = Command::new(bin).args(["sim", flag, value]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(why), "{flag} {value}");
    }
    let out = Command::new(bin).args(["sim", "--listen", "0.0.0.0:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
    let out = Command::new(bin).args(["sim", "--scenario", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin).args(["--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
