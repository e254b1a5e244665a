//! QUALITY.md P1: the log pipeline — sanitise, split, classify (nginx access / php-fpm trouble /
//! warm report), parse the access line, append to the bounded ring, and test a regex filter —
//! in lines per second on one core. Bar: ≥ 2,000,000 lines/s.
//!
//! Two measurements:
//! - `ingest_parse_ring_filter`: the model's pieces alone (`ingest_owned`: sanitise + classify,
//!   which parses the access line and reads its status; + `LogRing::push` + `Regex::is_match`).
//! - `tailer_to_view`: the path a line really takes in the console and in `wpops logs`: the
//!   tailer's `Cursor::accept` (eventId dedupe, the stream's source looked up, sanitise,
//!   classify, sort) then `LogView::push` (the ring's own dedupe, request stats, warm reports
//!   and the filter's match index) with a regex filter on.
//!
//! Each is timed twice: by the wall clock (criterion's default) and by the CPU time of the
//! benchmark thread (`CLOCK_THREAD_CPUTIME_ID`), which is what "on one core" means
//! and stays meaningful when other processes share the cores (`*_cpu`).
//!
//! Run: `cargo bench --bench log_pipeline`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use regex::Regex;
use std::hint::black_box;
use std::time::Duration;
use wpops::app::{LogScope, LogView};
use wpops::aws::logs::RawEvent;
use wpops::feed::logs::Cursor;
use wpops::model::{LineClass, LogRing, LogSource, OwnedRawEvent, ingest_owned};
use wpops_fixtures::timing::Stopwatch;

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

/// The model's pieces: sanitise, classify (which parses the access line), ring, filter.
struct ModelPath {
    corpus: Vec<(String, String)>,
    sources: Vec<LogSource>,
    filter: Regex,
    ring: LogRing,
    out: Vec<wpops::model::LogEvent>,
    round: i64,
    matched: usize,
}

impl ModelPath {
    fn new(corpus: Vec<(String, String)>, filter: Regex) -> Self {
        let sources = corpus.iter().map(|(s, _)| LogSource::from_stream_name(s)).collect();
        let ring = LogRing::new(wpops::model::DEFAULT_RING_BYTES);
        ModelPath { corpus, sources, filter, ring, out: Vec::with_capacity(4), round: 0, matched: 0 }
    }

    /// A fresh page of owned events (new ids, later timestamps: reusing the same ones would
    /// make every push a late arrival inserted into the middle of the ring).
    fn page(&mut self) -> Vec<OwnedRawEvent> {
        self.round += 1;
        let round = self.round;
        self.corpus
            .iter()
            .enumerate()
            .map(|(i, (_, msg))| OwnedRawEvent {
                event_id: format!("{:056}", round * 100_000 + i as i64),
                timestamp_ms: START_MS + round * 10_000 + i as i64,
                ingestion_ms: START_MS + round * 10_000 + i as i64 + 100,
                message: msg.clone(),
            })
            .collect()
    }

    fn run(&mut self, page: Vec<OwnedRawEvent>) {
        for (i, raw) in page.into_iter().enumerate() {
            ingest_owned(&self.sources[i], raw, &mut self.out);
            for ev in self.out.drain(..) {
                if let LineClass::Access { status, .. } = ev.class {
                    black_box(status);
                }
                if self.filter.is_match(&ev.text) {
                    self.matched += 1;
                }
                self.ring.push(ev);
            }
        }
        black_box(self.matched);
    }

    /// `n` pages through the model, timed by the thread's CPU time or the wall clock; building
    /// the pages is left out.
    fn timed(&mut self, n: u64, cpu: bool) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..n {
            let page = self.page();
            let watch = Stopwatch::start(cpu);
            self.run(page);
            total += watch.elapsed();
        }
        total
    }
}

/// The console's path: the tailer's cursor, then the log view with a filter on.
struct TailerPath {
    corpus: Vec<(String, String)>,
    view: LogView,
    cursor: Cursor,
    round: i64,
}

const START_MS: i64 = 1_795_881_600_000;

impl TailerPath {
    fn new(corpus: Vec<(String, String)>, filter: Regex) -> Self {
        let mut view = LogView::new(LogRing::new(wpops::model::DEFAULT_RING_BYTES));
        view.set_filter(Some(filter));
        let cursor = Cursor::starting_at(LogScope { containers: Vec::new(), task: None, generation: 0 }, START_MS);
        TailerPath { corpus, view, cursor, round: 0 }
    }

    /// A fresh page of events (new ids, later timestamps), as FilterLogEvents returns it.
    fn page(&mut self) -> Vec<RawEvent> {
        self.round += 1;
        let round = self.round;
        self.corpus
            .iter()
            .enumerate()
            .map(|(i, (stream, msg))| RawEvent {
                stream: stream.clone(),
                event_id: format!("{:056}", round * 100_000 + i as i64),
                timestamp_ms: START_MS + round * 10_000 + i as i64,
                ingestion_ms: START_MS + round * 10_000 + i as i64 + 100,
                message: msg.clone(),
            })
            .collect()
    }

    /// `n` pages through the path, timed by the thread's CPU time or the wall clock; building
    /// the pages is left out.
    fn timed(&mut self, n: u64, cpu: bool) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..n {
            let page = self.page();
            let watch = Stopwatch::start(cpu);
            let events = self.cursor.accept(page);
            black_box(self.view.push(events));
            black_box(self.view.matched_len());
            total += watch.elapsed();
        }
        total
    }
}

fn pipeline(c: &mut Criterion) {
    let corpus = corpus();
    let lines = corpus.len() as u64;
    let filter = Regex::new(r"\b5\d\d\b|max_children").expect("valid regex");
    let mut group = c.benchmark_group("log_pipeline");
    group.throughput(Throughput::Elements(lines));

    // Building each page is setup, not measured.
    let mut model = ModelPath::new(corpus.clone(), filter.clone());
    group.bench_function("ingest_parse_ring_filter", |b| b.iter_custom(|n| model.timed(n, false)));
    let mut model = ModelPath::new(corpus.clone(), filter.clone());
    group.bench_function("ingest_parse_ring_filter_cpu", |b| b.iter_custom(|n| model.timed(n, true)));

    let mut tailer = TailerPath::new(corpus.clone(), filter.clone());
    group.bench_function("tailer_to_view", |b| b.iter_custom(|n| tailer.timed(n, false)));
    let mut tailer = TailerPath::new(corpus, filter);
    group.bench_function("tailer_to_view_cpu", |b| b.iter_custom(|n| tailer.timed(n, true)));
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
