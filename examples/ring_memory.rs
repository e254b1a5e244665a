//! QUALITY.md P3: resident memory after ingesting 1,000,000 realistic log lines into the
//! default (byte-bounded) ring. Prints RSS before and after, lines kept and lines dropped.
//! Run: `cargo run --release --example ring_memory`.

use wpops::model::{DEFAULT_RING_BYTES, LogRing, LogSource, OwnedRawEvent, ingest_owned};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let before = rss_kib();
    let mut ring = LogRing::new(DEFAULT_RING_BYTES);
    let source = LogSource::from_stream_name("wp/nginx/3f2a9c1e8b41d07a77c0e2d4aa11bb22");
    let mut out = Vec::new();
    for i in 0..1_000_000u64 {
        let formatted = format!(
            "10.0.1.200 - - [28/Nov/2026:14:02:{:02} +0000] \"GET /2026/11/post-{i}/?utm_source=newsletter HTTP/1.1\" 200 {} \"https://example.com/\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36\" \"198.51.100.{}\" 0.{:03}",
            i % 60,
            4000 + i % 9000,
            i % 250,
            i % 1000
        );
        // As the tailer hands them over: strings decoded from the JSON page (exact capacity,
        // which `format!` does not give) move into the ring.
        let msg = formatted.as_str().to_owned();
        let raw = OwnedRawEvent {
            event_id: format!("{i:056}"),
            timestamp_ms: 1_795_881_600_000 + i as i64,
            ingestion_ms: 1_795_881_600_000 + i as i64,
            message: msg,
        };
        ingest_owned(&source, raw, &mut out);
        for ev in out.drain(..) {
            ring.push(ev);
        }
    }
    let after = rss_kib();
    println!(
        "lines ingested: 1000000; kept: {}; dropped: {}; ring bytes (accounted): {}; RSS before: {} KiB; RSS after: {} KiB ({:.1} MB)",
        ring.len(),
        ring.dropped(),
        ring.bytes(),
        before,
        after,
        after as f64 / 1024.0
    );
}
