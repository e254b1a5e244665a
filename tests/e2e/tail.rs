//! The log tail against the simulator through the real SDK, on the simulator's paused clock: each
//! poll is one second of log time, with the pages the budget allows per second (one for
//! `wpops logs --follow`, eight for the console). Bursts, huge lines, sustained rates below and
//! above what the budget can read, lines arriving 45 s late, and a new follow after a burst:
//! every line is delivered exactly once, or what was not delivered is what the tail says it
//! skipped (QUALITY.md item 5; the tail stalled for good on all of these before).

use std::collections::HashMap;
use std::time::Duration;

use wpops::app::LogScope;
use wpops::aws::Clients;
use wpops::feed::Discovery;
use wpops::feed::budget::Budget;
use wpops::feed::logs::{Cursor, Step, poll_once};
use wpops::model::{ContainerDef, ContainerRole, Task, TaskDefinition};
use wpops::sim::SimHandle;
use wpops_fixtures::sim::{KEY, REGION, START_MS, clients, sim};

const GROUP: &str = "/drill/tail";
/// `wpops logs --follow` reads about one page a second; the console's poll up to eight.
const FOLLOW_PAGES: usize = 1;
const CONSOLE_PAGES: usize = 8;

struct Rig {
    sim: SimHandle,
    clients: Clients,
    disc: Discovery,
    streams: Vec<String>,
    cursor: Cursor,
    /// The pacing is the rig's one poll per second of log time; the budget keeps within the
    /// simulator's FilterLogEvents quota (5 a second) in real time.
    budget: Budget,
    pages: usize,
    now: i64,
    /// How often each line was delivered, by text.
    delivered: HashMap<String, u32>,
    written: u64,
}

impl Rig {
    /// A simulator whose log group holds `streams` nginx streams, and a tail that starts a second
    /// simulator's now (like `--since 0s`).
    async fn new(streams: usize, pages: usize) -> Rig {
        let sim = sim("quiet").await;
        let account = wpops::sim::account_of(KEY);
        sim.with_world(&account, REGION, |w| w.logs.create_group(GROUP, START_MS - 3_600_000));
        let clients = clients(&sim, true).await;
        let arn = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/drill:1";
        let td = TaskDefinition {
            arn: arn.into(),
            family: "drill".into(),
            revision: 1,
            containers: vec![ContainerDef {
                name: "nginx".into(),
                role: ContainerRole::Nginx,
                log_group: Some(GROUP.into()),
                log_stream_prefix: Some("wp".into()),
                ..ContainerDef::default()
            }],
            ..TaskDefinition::default()
        };
        let tasks: Vec<Task> = (0..streams)
            .map(|i| Task { id: format!("{i:032x}").into(), task_definition: arn.into(), ..Task::default() })
            .collect();
        let names = tasks.iter().map(|t| format!("wp/nginx/{}", t.id.as_str())).collect();
        let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
        Rig {
            sim,
            clients,
            disc: Discovery { task_definitions: vec![td], tasks, target_groups: Vec::new(), blocked: None },
            streams: names,
            cursor: Cursor::starting_at(scope, START_MS - 1_000),
            budget: Budget::new(5.0, 4.0),
            pages,
            now: START_MS,
            delivered: HashMap::new(),
            written: 0,
        }
    }

    /// Puts `n` lines of `bytes` bytes into stream `s`, stamped over the second `late_ms` before
    /// now, ingested now.
    fn put(&mut self, s: usize, n: usize, bytes: usize, late_ms: i64, tag: &str) {
        let (stream, now) = (self.streams[s].clone(), self.now);
        let first = self.written;
        self.sim.with_world(&wpops::sim::account_of(KEY), REGION, |w| {
            for i in 0..n as u64 {
                let mut text = format!("GET /{tag}/{} ", first + i);
                let pad = bytes.saturating_sub(text.len());
                text.extend(std::iter::repeat_n('x', pad));
                let ts = now - late_ms - 999 + (i as i64 * 1_000) / n as i64;
                w.logs.put(GROUP, &stream, ts, now, text);
            }
        });
        self.written += n as u64;
    }

    /// One second passes, then the tail polls once.
    async fn second(&mut self) {
        self.now += 1_000;
        self.sim.advance(Duration::from_secs(1));
        let step = Step { max_pages: self.pages, ..Step::default() };
        let events = poll_once(&self.clients, &self.disc, &mut self.cursor, &self.budget, &step, self.now)
            .await
            .expect("the poll reads");
        for e in events {
            let key = e.text.split(' ').take(2).collect::<Vec<_>>().join(" ");
            *self.delivered.entry(key).or_default() += 1;
        }
    }

    /// Polls until the tail has read everything ingested until a few seconds ago (at most `max`
    /// seconds).
    async fn settle(&mut self, max: u32) {
        for _ in 0..max {
            self.second().await;
            if !self.cursor.is_reading_behind() && self.cursor.health().lag_ms < 5_000 {
                // One more poll and a sweep's worth of time for late lines.
                for _ in 0..11 {
                    self.second().await;
                }
                return;
            }
        }
        panic!("the tail was still reading behind after {max} s: {:?}", self.cursor.health());
    }

    fn count(&self, tag: &str) -> (usize, u32) {
        let prefix = format!("GET /{tag}/");
        let mine = self.delivered.iter().filter(|(k, _)| k.starts_with(&prefix));
        let twice = mine.clone().filter(|(_, n)| **n > 1).count() as u32;
        (mine.count(), twice)
    }

    fn assert_all(&self, tag: &str, expected: usize) {
        let (got, twice) = self.count(tag);
        assert_eq!(twice, 0, "{tag}: no line twice");
        assert_eq!(got, expected, "{tag}: every line once; health {:?}", self.cursor.health());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_90000_lines_then_a_marker_all_arrive_once() {
    let mut r = Rig::new(3, CONSOLE_PAGES).await;
    r.second().await;
    for i in 0..9 {
        r.put(i % 3, 10_000, 20, 0, "burst");
    }
    r.put(0, 1, 20, 0, "marker");
    r.settle(60).await;
    r.assert_all("burst", 90_000);
    r.assert_all("marker", 1);
    // And the tail keeps following: a line 30 s later arrives too.
    for _ in 0..30 {
        r.second().await;
    }
    r.put(1, 1, 20, 0, "later");
    r.settle(5).await;
    r.assert_all("later", 1);
    assert_eq!(r.cursor.health().skips, 0, "nothing skipped: {:?}", r.cursor.health());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_lines_of_95_kb_all_arrive_once() {
    let mut r = Rig::new(3, CONSOLE_PAGES).await;
    r.second().await;
    for i in 0..100 {
        r.put(i % 3, 1, 95_000, 0, "huge");
    }
    r.settle(60).await;
    r.assert_all("huge", 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sustained_1000_lines_a_second_is_followed_at_one_page_a_second() {
    let mut r = Rig::new(3, FOLLOW_PAGES).await;
    for s in 0..45 {
        r.put(s % 3, 1_000, 320, 0, "steady");
        r.second().await;
        assert!(r.cursor.health().behind.is_none(), "second {s}: {:?}", r.cursor.health());
    }
    r.settle(60).await;
    r.assert_all("steady", 45_000);
    assert_eq!(r.cursor.health().skips, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_what_one_page_a_second_reads_the_tail_skips_and_counts_what_it_skipped() {
    // 5,000 lines of 320 bytes a second is 1.6 MB/s; a page holds 1 MB.
    let mut r = Rig::new(10, FOLLOW_PAGES).await;
    let mut behind_seen = None;
    for s in 0..150 {
        for k in 0..10 {
            r.put((s + k) % 10, 500, 320, 0, "fast");
        }
        r.second().await;
        behind_seen = behind_seen.or(r.cursor.health().behind);
    }
    // While the lines still come: every line written was delivered once, counted as skipped, or
    // is still ahead of the tail (its lag at 5,000 lines a second).
    let h = r.cursor.health().clone();
    assert!(h.skips >= 1, "it skipped: {h:?}");
    let b = behind_seen.expect("it said it was falling behind");
    assert!((4_500.0..5_500.0).contains(&b.arrival_per_s), "arrival ≈ 5,000/s: {b:?}");
    assert!((2_000.0..3_300.0).contains(&b.reading_per_s), "reading ≈ one 1 MB page a second: {b:?}");
    let (got, twice) = r.count("fast");
    assert_eq!(twice, 0, "no line twice");
    let accounted = got as u64 + h.skipped_lines_est + h.lag_ms as u64 * 5;
    let written = r.written;
    assert!(
        accounted.abs_diff(written) <= written / 20,
        "{got} delivered + ≈{} skipped + {} ms behind vs {written} written: {h:?}",
        h.skipped_lines_est,
        h.lag_ms
    );
    // When the burst ends the tail reaches the end: a last line arrives, once.
    r.put(0, 1, 20, 0, "end");
    r.settle(120).await;
    r.assert_all("end", 1);
    assert_eq!(r.count("fast").1, 0, "no line twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lines_45_s_late_all_arrive_and_are_counted_late() {
    let mut r = Rig::new(2, FOLLOW_PAGES).await;
    // Like `--since 1m`: the first late lines are stamped before the rig's start.
    let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
    r.cursor = Cursor::starting_at(scope, START_MS - 60_000);
    // On-time lines first, so that the overlap is narrow when the late ones start.
    for _ in 0..20 {
        r.put(0, 10, 200, 0, "ontime");
        r.second().await;
    }
    for _ in 0..70 {
        r.put(0, 10, 200, 0, "ontime");
        r.put(1, 1, 200, 45_000, "late");
        r.second().await;
    }
    r.settle(30).await;
    r.assert_all("ontime", 900);
    r.assert_all("late", 70);
    let h = r.cursor.health();
    assert!(h.late_lines >= 1, "{h:?}");
    assert!(h.max_delay_ms >= 45_000 && h.overlap_ms > 45_000, "the overlap widened: {h:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_follow_after_a_burst_reads_through_it_to_the_new_lines() {
    let mut r = Rig::new(3, FOLLOW_PAGES).await;
    r.second().await;
    for i in 0..9 {
        r.put(i % 3, 10_000, 20, 0, "burst");
    }
    for _ in 0..60 {
        r.now += 1_000;
        r.sim.advance(Duration::from_secs(1));
    }
    // `wpops logs --follow` with the default `--since 10m`, a minute after the burst.
    let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
    r.cursor = Cursor::starting_at(scope, r.now - 600_000);
    for s in 0..10 {
        r.put(s % 3, 50, 100, 0, "new");
        r.second().await;
    }
    r.settle(60).await;
    r.assert_all("burst", 90_000);
    r.assert_all("new", 500);
}
