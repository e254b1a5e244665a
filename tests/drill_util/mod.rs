//! Shared by the fault drills: a fault schedule that keeps changing the simulator's knobs
//! (throttling, server errors, latency spikes, one hard outage), and a writer that puts uniquely
//! marked log lines into several streams with PutLogEvents through those faults (retrying until
//! each batch is stored), some stamped in the past like late arrivals from a slow stream.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use tokio::task::JoinHandle;
use wpops::sim::{Faults, SimHandle};

pub const GROUP: &str = "/ecs/wordpress";

/// The drill's weather: 30 % throttling and 10 % server errors throughout, 400 ms latency
/// every other half second, and from `outage_at` for `outage` every request throttled.
pub fn fault_schedule(sim: Arc<SimHandle>, outage_at: Duration, outage: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let started = tokio::time::Instant::now();
        let mut tick = 0u64;
        loop {
            let t = started.elapsed();
            let faults = if t >= outage_at && t < outage_at + outage {
                Faults { throttle_rate: 1.0, ..Faults::default() }
            } else {
                Faults { throttle_rate: 0.3, error_rate: 0.1, latency_ms: if tick % 2 == 1 { 400 } else { 0 } }
            };
            sim.set_faults(faults);
            tick += 1;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
}

/// A CloudWatch Logs client of the test account without SDK retries (the writer retries).
pub async fn logs_client(sim: &SimHandle) -> aws_sdk_cloudwatchlogs::Client {
    let target = wpops::aws::Target {
        region: Some("ap-northeast-1".into()),
        endpoint_url: Some(sim.endpoint_url()),
        static_credentials: Some(("ASIA123456789012TEST".into(), "secret".into())),
        max_attempts: 1,
        ..wpops::aws::Target::interactive()
    };
    let config = wpops::aws::client::load(&target).await.expect("config");
    aws_sdk_cloudwatchlogs::Client::new(&config)
}

/// The marker of line `n` of a drill.
pub fn marker(tag: &str, n: usize) -> String {
    format!("drill-{tag}-{n:04}-end")
}

/// Writes `total` marked lines in batches of ten, round-robin over `streams`; every third batch
/// is stamped 2–12 s in the past (a late arrival from a slow stream). Each batch is retried
/// until it is stored (the faults answer before the simulator stores anything, so a failed
/// batch was not written). Returns the markers written.
pub async fn write_marked(sim: &SimHandle, streams: &[String], total: usize, tag: &str) -> Vec<String> {
    let client = logs_client(sim).await;
    let mut markers = Vec::new();
    let mut failures = 0u32;
    for (batch, start) in (0..total).step_by(10).enumerate() {
        let stream = &streams[batch % streams.len()];
        let lines: Vec<String> = (start..(start + 10).min(total)).map(|n| marker(tag, n)).collect();
        loop {
            let late_ms = if batch % 3 == 2 { 2_000 + (batch as i64 % 5) * 2_500 } else { 0 };
            let now = chrono::Utc::now().timestamp_millis() - late_ms;
            let events: Vec<InputLogEvent> = lines
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let text = format!("GET /drill/{m} late={late_ms}");
                    InputLogEvent::builder().timestamp(now + i as i64).message(text).build().expect("event")
                })
                .collect();
            let put = client
                .put_log_events()
                .log_group_name(GROUP)
                .log_stream_name(stream)
                .set_log_events(Some(events))
                .send()
                .await;
            match put {
                Ok(_) => break,
                Err(_) => {
                    failures += 1;
                    assert!(failures < 2_000, "the writer never got through");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        markers.extend(lines);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    markers
}

/// How often each marker occurs in `texts` (a line holds at most one marker).
pub fn count_markers<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    tag: &str,
) -> std::collections::HashMap<String, usize> {
    let prefix = format!("drill-{tag}-");
    let mut counts = std::collections::HashMap::new();
    for t in texts {
        if let Some(at) = t.find(&prefix) {
            let rest = &t[at..];
            let end = rest.find("-end").map_or(rest.len(), |e| e + 4);
            *counts.entry(rest[..end].to_string()).or_insert(0) += 1;
        }
    }
    counts
}

/// Every marker exactly once: names the lost and the duplicated ones otherwise.
pub fn assert_exactly_once(markers: &[String], counts: &std::collections::HashMap<String, usize>) {
    let lost: Vec<&String> = markers.iter().filter(|m| !counts.contains_key(*m)).collect();
    let twice: Vec<(&String, &usize)> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(lost.is_empty() && twice.is_empty(), "lost {} lines: {lost:?}\nduplicated: {twice:?}", lost.len());
    assert_eq!(counts.len(), markers.len(), "no stray markers");
}
