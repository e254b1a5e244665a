//! Following with Live Tail (`feed::livetail::Follower`) against the simulator through the real
//! SDK, on the wall clock with a writer putting lines all the while: sessions that end (a short
//! session limit, or the service ending them) fall back to polling and reopen, and every line is
//! delivered exactly once across every switch; while a session is open, no FilterLogEvents is
//! sent; a session that cannot start (no such log group) leaves the tail polling.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use wpops::app::LogScope;
use wpops::aws::Clients;
use wpops::feed::Discovery;
use wpops::feed::budget::Budget;
use wpops::feed::livetail::Follower;
use wpops::feed::logs::{Cursor, Step};
use wpops::model::{ContainerDef, ContainerRole, LiveTail, Task, TaskDefinition};
use wpops::sim::live_tail::LiveTailLimits;
use wpops::sim::{SimHandle, SimOptions};
use wpops_fixtures::sim::{KEY, REGION, clients};

const GROUP: &str = "/drill/live";
const TASKS: usize = 3;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

struct Rig {
    sim: SimHandle,
    clients: Clients,
    disc: Discovery,
    streams: Vec<String>,
}

async fn rig(group: &str) -> Rig {
    // The wall clock at real speed: the follower's now and the simulator's agree.
    let sim = wpops::sim::start(SimOptions { scenario: "quiet".into(), ..SimOptions::default() }).await.unwrap();
    let account = wpops::sim::account_of(KEY);
    let streams: Vec<String> = (0..TASKS).map(|i| format!("wp/nginx/{i:032x}")).collect();
    sim.with_world(&account, REGION, |w| {
        w.logs.create_group(GROUP, w.now_ms - 3_600_000);
        for s in &streams {
            w.logs.create_stream(GROUP, s, w.now_ms);
        }
    });
    let clients = clients(&sim, true).await;
    let arn = format!("arn:aws:ecs:{REGION}:{account}:task-definition/drill:1");
    let td = TaskDefinition {
        arn: arn.as_str().into(),
        family: "drill".into(),
        revision: 1,
        containers: vec![ContainerDef {
            name: "nginx".into(),
            role: ContainerRole::Nginx,
            log_group: Some(group.into()),
            log_stream_prefix: Some("wp".into()),
            ..ContainerDef::default()
        }],
        ..TaskDefinition::default()
    };
    let tasks = (0..TASKS)
        .map(|i| Task { id: format!("{i:032x}").into(), task_definition: arn.as_str().into(), ..Task::default() })
        .collect();
    let disc = Discovery { task_definitions: vec![td], tasks, target_groups: Vec::new(), blocked: None };
    Rig { sim, clients, disc, streams }
}

/// Puts `per_tick` lines every 20 ms into the streams in turn until stopped; returns how many.
fn writer(rig: &Rig, per_tick: u64, stop: Arc<AtomicBool>) -> (tokio::task::JoinHandle<()>, Arc<AtomicU64>) {
    let shared = rig.sim.shared.clone();
    let streams = rig.streams.clone();
    let written = Arc::new(AtomicU64::new(0));
    let count = written.clone();
    let account = wpops::sim::account_of(KEY);
    let task = tokio::spawn(async move {
        while !stop.load(Ordering::SeqCst) {
            shared.with_world(&account, REGION, |w| {
                for _ in 0..per_tick {
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    let stream = &streams[n as usize % streams.len()];
                    // Identical text twice in a row now and then: distinct events all the same.
                    let text =
                        if n % 50 == 1 { format!("GET /line/{} dup", n - 1) } else { format!("GET /line/{n} x") };
                    w.logs.put(GROUP, stream, w.now_ms, w.now_ms, text);
                }
            });
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    (task, written)
}

/// Steps the follower for `secs` of wall time, counting the delivered lines by text.
async fn follow(
    rig: &Rig,
    f: &mut Follower,
    budget: &Budget,
    secs: u64,
    got: &mut HashMap<String, u32>,
    states: &mut Vec<LiveTail>,
) {
    let step = Step { max_pages: 8, ..Step::default() };
    let end = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < end {
        let lines = f.step(&rig.clients, &rig.disc, budget, &step, now_ms()).await.expect("a step");
        for e in lines {
            *got.entry(e.text).or_default() += 1;
        }
        let live = f.health().live;
        if states.last().is_none_or(|s| std::mem::discriminant(s) != std::mem::discriminant(&live)) {
            states.push(live);
        }
        if !f.is_live() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// Every line written exactly once: (missing, doubled).
fn check(got: &HashMap<String, u32>, written: u64) -> (Vec<String>, Vec<(String, u32)>) {
    let mut want: HashMap<String, u32> = HashMap::new();
    for n in 0..written {
        let text = if n % 50 == 1 { format!("GET /line/{} dup", n - 1) } else { format!("GET /line/{n} x") };
        *want.entry(text).or_default() += 1;
    }
    let missing =
        want.iter().filter(|(t, n)| got.get(*t).copied().unwrap_or(0) < **n).map(|(t, _)| t.clone()).collect();
    let doubled =
        got.iter().filter(|(t, n)| **n > want.get(*t).copied().unwrap_or(0)).map(|(t, n)| (t.clone(), *n)).collect();
    (missing, doubled)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_that_end_fall_back_to_polling_and_reopen_with_every_line_once() {
    let r = rig(GROUP).await;
    // Sessions of 3 s: each ends with SessionTimeoutException, polling takes over, a new one opens.
    r.sim.set_live_tail(LiveTailLimits { max_session_ms: 3_000, update_every_ms: 200, ..LiveTailLimits::default() });
    let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
    let mut f = Follower::new(Cursor::starting_at(scope, now_ms() - 1_000), true);
    let budget = Budget::new(5.0, 4.0);
    let stop = Arc::new(AtomicBool::new(false));
    let (task, written) = writer(&r, 10, stop.clone());
    let (mut got, mut states) = (HashMap::new(), Vec::new());
    follow(&r, &mut f, &budget, 9, &mut got, &mut states).await;
    // And once the service ends a session (SessionStreamingException): polling for a minute.
    // Long sessions first (open ones too), so that the one it ends is surely open.
    r.sim.set_live_tail(LiveTailLimits { update_every_ms: 200, ..LiveTailLimits::default() });
    follow(&r, &mut f, &budget, 2, &mut got, &mut states).await;
    assert!(f.is_live(), "{states:?}");
    r.sim.end_live_tails("SessionStreamingException");
    follow(&r, &mut f, &budget, 3, &mut got, &mut states).await;
    stop.store(true, Ordering::SeqCst);
    task.await.unwrap();
    // The last lines: a few more steps read them (polling now; the retry is a minute away).
    follow(&r, &mut f, &budget, 4, &mut got, &mut states).await;
    let written = written.load(Ordering::SeqCst);
    let started = r.sim.shared.live_tails.lock().unwrap().started;
    assert!(started >= 3, "sessions opened again after each ended: {started}, states {states:?}");
    let (missing, doubled) = check(&got, written);
    assert!(
        missing.is_empty(),
        "{} of {written} lines missing, e.g. {:?}; states {states:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(doubled.is_empty(), "{} lines doubled, e.g. {:?}", doubled.len(), &doubled[..doubled.len().min(5)]);
    let LiveTail::Polling { reason, .. } = f.health().live else {
        panic!("polling after the service ended it: {:?}", f.health().live)
    };
    assert_eq!(reason, "SessionStreamingException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_a_session_is_open_no_filter_log_events_is_sent() {
    let r = rig(GROUP).await;
    r.sim.set_live_tail(LiveTailLimits { update_every_ms: 200, ..LiveTailLimits::default() });
    let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
    let mut f = Follower::new(Cursor::starting_at(scope, now_ms() - 1_000), true);
    let budget = Budget::new(5.0, 4.0);
    let (mut got, mut states) = (HashMap::new(), Vec::new());
    // The first step opens the session and polls once to catch up.
    follow(&r, &mut f, &budget, 1, &mut got, &mut states).await;
    assert!(f.is_live(), "{states:?}");
    let polls = r.sim.shared.request_count("logs:FilterLogEvents");
    let stop = Arc::new(AtomicBool::new(false));
    let (task, written) = writer(&r, 5, stop.clone());
    follow(&r, &mut f, &budget, 3, &mut got, &mut states).await;
    stop.store(true, Ordering::SeqCst);
    task.await.unwrap();
    follow(&r, &mut f, &budget, 1, &mut got, &mut states).await;
    assert_eq!(r.sim.shared.request_count("logs:FilterLogEvents"), polls, "no polling while live");
    let (missing, doubled) = check(&got, written.load(Ordering::SeqCst));
    assert!(missing.is_empty() && doubled.is_empty(), "missing {missing:?}, doubled {doubled:?}");
    assert!(matches!(f.health().live, LiveTail::Open { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_cannot_start_leaves_the_tail_polling_and_says_why() {
    // The task definition names a group the account does not have: StartLiveTail is refused.
    let r = rig("/no/such/group").await;
    let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
    let mut f = Follower::new(Cursor::starting_at(scope, now_ms() - 1_000), true);
    let budget = Budget::new(5.0, 4.0);
    let step = Step { max_pages: 8, ..Step::default() };
    // The poll itself fails the same way (there is no group): the error is the poll's.
    let err = f.step(&r.clients, &r.disc, &budget, &step, now_ms()).await.expect_err("no such group");
    assert_eq!(err.code.as_deref(), Some("ResourceNotFoundException"));
    let LiveTail::Polling { reason, .. } = f.health().live else { panic!("{:?}", f.health().live) };
    assert!(reason.starts_with("ResourceNotFoundException"), "{reason}");
    assert_eq!(r.sim.shared.request_count("logs:StartLiveTail"), 1);
    assert_eq!(r.sim.shared.request_count("logs:FilterLogEvents"), 1, "polled instead");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_closes_after_three_minutes_without_a_logs_pane_and_reopens_when_one_is_shown() {
    let r = rig(GROUP).await;
    r.sim.set_live_tail(LiveTailLimits { update_every_ms: 100, ..LiveTailLimits::default() });
    let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
    let t0 = now_ms();
    let mut f = Follower::new(Cursor::starting_at(scope, t0 - 1_000), true);
    let budget = Budget::new(5.0, 4.0);
    let step = Step { max_pages: 8, ..Step::default() };
    f.step(&r.clients, &r.disc, &budget, &step, t0).await.unwrap();
    assert!(f.is_live());
    f.set_visible(false, t0);
    // Two minutes unseen: still open.
    f.step(&r.clients, &r.disc, &budget, &step, t0 + 120_000).await.unwrap();
    assert!(f.is_live(), "{:?}", f.health().live);
    // Three: closed, and the simulator sees the hang-up.
    f.step(&r.clients, &r.disc, &budget, &step, t0 + 180_000).await.unwrap();
    assert!(!f.is_live());
    assert_eq!(f.health().live, LiveTail::Idle { since_ms: t0 + 180_000 });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while r.sim.live_tails_open() > 0 {
        assert!(tokio::time::Instant::now() < deadline, "the session was hung up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Shown again: the next step opens a new session.
    f.set_visible(true, t0 + 200_000);
    f.step(&r.clients, &r.disc, &budget, &step, t0 + 200_000).await.unwrap();
    assert!(f.is_live(), "{:?}", f.health().live);
    assert_eq!(r.sim.shared.request_count("logs:StartLiveTail"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_at_the_session_start_is_read_through_by_polling_meanwhile() {
    let r = rig(GROUP).await;
    r.sim.set_live_tail(LiveTailLimits { update_every_ms: 100, ..LiveTailLimits::default() });
    let account = wpops::sim::account_of(KEY);
    // 30,000 lines just before the follow starts: one page a poll reads 10,000 of them.
    r.sim.with_world(&account, REGION, |w| {
        for n in 0..30_000u64 {
            w.logs.put(GROUP, &r.streams[n as usize % TASKS], w.now_ms - 1, w.now_ms, format!("GET /line/{n} x"));
        }
    });
    let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
    let mut f = Follower::new(Cursor::starting_at(scope, now_ms() - 5_000), true);
    let budget = Budget::new(5.0, 4.0);
    let step = Step { max_pages: 1, ..Step::default() };
    let mut got: HashMap<String, u32> = HashMap::new();
    // The session opens at the first step; its catch-up poll reads one page of the burst, and
    // the next steps read the rest of that search while the session's updates wait.
    for _ in 0..6 {
        for e in f.step(&r.clients, &r.disc, &budget, &step, now_ms()).await.expect("a step") {
            *got.entry(e.text).or_default() += 1;
        }
    }
    assert!(f.is_live() && !f.cursor.is_reading_behind(), "{:?}", f.health());
    assert_eq!(got.len(), 30_000, "the burst, read by polling");
    let stop = Arc::new(AtomicBool::new(false));
    let (task, written) = {
        // The writer numbers its lines from 0 too: start it after the burst's numbers.
        let shared = r.sim.shared.clone();
        let streams = r.streams.clone();
        let written = Arc::new(AtomicU64::new(30_000));
        let count = written.clone();
        let stop = stop.clone();
        let task = tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                shared.with_world(&account, REGION, |w| {
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    w.logs.put(GROUP, &streams[n as usize % TASKS], w.now_ms, w.now_ms, format!("GET /line/{n} x"));
                });
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        (task, written)
    };
    let (mut states, end) = (Vec::new(), tokio::time::Instant::now() + Duration::from_secs(2));
    while tokio::time::Instant::now() < end {
        for e in f.step(&r.clients, &r.disc, &budget, &step, now_ms()).await.expect("a step") {
            *got.entry(e.text).or_default() += 1;
        }
    }
    stop.store(true, Ordering::SeqCst);
    task.await.unwrap();
    follow(&r, &mut f, &budget, 1, &mut got, &mut states).await;
    let written = written.load(Ordering::SeqCst);
    let missing: Vec<u64> = (0..written).filter(|n| got.get(&format!("GET /line/{n} x")) != Some(&1)).collect();
    assert!(
        missing.is_empty(),
        "{} of {written} not delivered exactly once, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert_eq!(r.sim.shared.request_count("logs:StartLiveTail"), 1, "one session, never hung up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_silent_for_ten_seconds_is_taken_for_dead_and_polling_takes_over() {
    let r = rig(GROUP).await;
    // Updates a minute apart: after its start the session says nothing, like a dead connection.
    r.sim.set_live_tail(LiveTailLimits { update_every_ms: 60_000, ..LiveTailLimits::default() });
    let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
    let mut f = Follower::new(Cursor::starting_at(scope, now_ms() - 1_000), true);
    let budget = Budget::new(5.0, 4.0);
    let (mut got, mut states) = (HashMap::new(), Vec::new());
    follow(&r, &mut f, &budget, 1, &mut got, &mut states).await;
    assert!(f.is_live(), "{states:?}");
    let polls = r.sim.shared.request_count("logs:FilterLogEvents");
    let account = wpops::sim::account_of(KEY);
    r.sim
        .with_world(&account, REGION, |w| w.logs.put(GROUP, &r.streams[0], w.now_ms, w.now_ms, "GET /line/0 x".into()));
    follow(&r, &mut f, &budget, 12, &mut got, &mut states).await;
    assert!(!f.is_live());
    let LiveTail::Polling { reason, .. } = f.health().live else { panic!("{:?}", f.health().live) };
    assert_eq!(reason, "no update for 10 s");
    assert!(r.sim.shared.request_count("logs:FilterLogEvents") > polls, "polling took over");
    assert_eq!(got.get("GET /line/0 x"), Some(&1), "the line the session never sent, polled: {got:?}");
}
