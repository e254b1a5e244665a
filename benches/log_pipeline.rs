//! QUALITY.md P1: the log pipeline — sanitise, split, classify (nginx access / php-fpm trouble /
//! warm report), parse the access line, append to the bounded ring, and test a regex filter —
//! in lines per second on one core. Bar: ≥ 2,000,000 lines/s.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use regex::Regex;
use std::hint::black_box;
use wpops::model::{LogRing, LogSource, RawLogEvent, ingest_with_source, parse_access_line};

fn corpus() -> Vec<(String, String)> {
    let mut lines = Vec::new();
    for i in 0..10_000u32 {
        let (stream, msg) = match i % 10 {
            0..=6 => (
                "wp/nginx/3f2a9c1e8b41d07a77c0e2d4aa11bb22",
                format!(
                    "10.0.1.200 - - [28/Nov/2026:14:02:{:02} +0000] \"GET /2026/11/hello-{i}/ HTTP/1.1\" {} 5123 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" \"198.51.100.{}\" 0.043",
                    i % 60,
                    if i % 97 == 0 { 502 } else { 200 },
                    i % 250
                ),
            ),
            7 => (
                "wp/nginx/3f2a9c1e8b41d07a77c0e2d4aa11bb22",
                "10.0.1.200 - - [28/Nov/2026:14:02:11 +0000] \"GET / HTTP/1.1\" 200 48213 \"-\" \"ELB-HealthChecker/2.0\" \"-\" 0.041".to_string(),
            ),
            8 => (
                "wp/php-fpm/3f2a9c1e8b41d07a77c0e2d4aa11bb22",
                "[28-Nov-2026 14:02:11] WARNING: [pool www] server reached pm.max_children setting (10), consider raising it".to_string(),
            ),
            _ => (
                "wp/warmer/3f2a9c1e8b41d07a77c0e2d4aa11bb22",
                "success: 1834 \tfailure: 0 \tno_change: 0 \ttotal: 1834".to_string(),
            ),
        };
        lines.push((stream.to_string(), msg));
    }
    lines
}

fn pipeline(c: &mut Criterion) {
    let corpus = corpus();
    let sources: Vec<LogSource> = corpus.iter().map(|(s, _)| LogSource::from_stream_name(s)).collect();
    let ids: Vec<String> = (0..corpus.len()).map(|i| format!("{i:020}")).collect();
    let filter = Regex::new(r"\b5\d\d\b|max_children").expect("valid regex");
    let mut group = c.benchmark_group("log_pipeline");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("ingest_parse_ring_filter", |b| {
        let mut ring = LogRing::new(wpops::model::DEFAULT_RING_BYTES);
        let mut out = Vec::with_capacity(4);
        let mut matched = 0usize;
        b.iter(|| {
            for (i, (stream, msg)) in corpus.iter().enumerate() {
                let raw = RawLogEvent {
                    log_stream: stream,
                    event_id: &ids[i],
                    timestamp_ms: 1_795_881_600_000 + i as i64,
                    ingestion_ms: 1_795_881_600_100 + i as i64,
                    message: msg,
                };
                ingest_with_source(&sources[i], &raw, &mut out);
                for ev in out.drain(..) {
                    if let Some(a) = parse_access_line(msg) {
                        black_box(a.status);
                    }
                    if filter.is_match(&ev.text) {
                        matched += 1;
                    }
                    ring.push(ev);
                }
            }
            black_box(matched)
        });
    });
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
