//! QUALITY.md P2: one full frame at 200×50 with a 100-task service, 100,000 buffered log lines
//! and a regex filter on, drawn into a ratatui `TestBackend` — the overview, the full-screen
//! logs (with and without a search highlighted) and the task detail. Bar: median ≤ 1 ms.
//! The state is built only through the public API (`State::new`, `update` with `Msg::Service`,
//! `Msg::Logs`, `Msg::Key`…), with the realistic values of `wpops_fixtures::ui` (fixtures/).
//! Each is timed by the wall clock and by the thread's CPU time (`*_cpu`).
//! Run: `cargo bench --bench frame`.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use wpops::app::{Key, KeyCode, LogView, Msg, State, update};
use wpops::model::{
    CallerIdentity, Deployment, DeploymentStatus, FoundReport, LogEvent, LogRing, RawLogEvent, RolloutState, Service,
    ServiceSnapshot, TargetHealth, TargetState, WarmReport, ingest,
};
use wpops_fixtures::timing;
use wpops_fixtures::ui::{NOW, platform, running, site, waf};

const TASKS: usize = 100;
const LINES: usize = 100_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
/// The filter typed with `/`: server errors and php-fpm at its limit (about 3 % of the lines).
const FILTER: &str = r"\b5\d\d\b|max_children";

fn task_id(i: usize) -> String {
    format!("{:08x}5b7d4e0f8a9b1c2d3e4f{:04x}", 0x3f2a_9c1e_u32.wrapping_add(i as u32 * 7919), i)
}

fn ip(i: usize) -> String {
    format!("10.0.{}.{}", 1 + (i % 3) * 2, 10 + i)
}

fn snapshot() -> ServiceSnapshot {
    let td = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/wordpress:42".to_string();
    let service = Service {
        name: "wordpress".into(),
        cluster: "wp-prod".into(),
        status: "ACTIVE".into(),
        desired: TASKS as u32,
        running: TASKS as u32,
        pending: 0,
        task_definition: td.clone().into(),
        deployments: vec![Deployment {
            id: "ecs-svc/42".into(),
            status: DeploymentStatus::Primary,
            task_definition: td.into(),
            desired: TASKS as u32,
            running: TASKS as u32,
            pending: 0,
            failed_tasks: 0,
            rollout: RolloutState::Completed,
            rollout_reason: Some("ECS deployment ecs-svc/42 completed.".into()),
            created_at_ms: NOW - 3_600_000,
            updated_at_ms: NOW - 3_000_000,
        }],
        ..Service::default()
    };
    let azs = ["1a", "1c", "1d"];
    let tasks =
        (0..TASKS).map(|i| running(&task_id(i), 42, azs[i % 3], &ip(i), (30 + i as i64) * 60_000, Some(0))).collect();
    let targets = (0..TASKS)
        .map(|i| TargetHealth {
            ip: ip(i),
            port: Some(80),
            state: TargetState::Healthy,
            reason: None,
            description: None,
        })
        .collect();
    ServiceSnapshot { service, tasks, targets, ..ServiceSnapshot::default() }
}

/// `LINES` lines, oldest first: nginx access lines (some 5xx, some health checks), php-fpm
/// trouble and warm reports, spread over the tasks, one every 10 ms.
fn log_lines() -> Vec<LogEvent> {
    let mut out = Vec::with_capacity(LINES);
    for n in 0..LINES {
        let task = task_id(n % TASKS);
        let (container, message) = match n % 20 {
            0..=15 => (
                "nginx",
                format!(
                    "10.0.1.200 - - [28/Nov/2025:14:02:{:02} +0000] \"GET /2025/11/post-{n}/ HTTP/1.1\" {} 5123 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" \"198.51.100.{}\" 0.043",
                    n % 60,
                    if n % 41 == 0 { 502 } else { 200 },
                    n % 250
                ),
            ),
            16 => (
                "nginx",
                "10.0.1.200 - - [28/Nov/2025:14:02:11 +0000] \"GET /healthz HTTP/1.1\" 200 2 \"-\" \"ELB-HealthChecker/2.0\" \"-\" 0.001".to_string(),
            ),
            17 | 18 => (
                "php-fpm",
                if n % 100 == 17 {
                    "WARNING: [pool www] server reached pm.max_children setting (10), consider raising it".to_string()
                } else {
                    format!("NOTICE: [pool www] child {n} started")
                },
            ),
            _ => ("warmer", "success: 1834 \tfailure: 0 \tno_change: 12 \ttotal: 1846".to_string()),
        };
        let ts = NOW - (LINES - n) as i64 * 10;
        out.extend(ingest(&RawLogEvent {
            log_stream: &format!("wp/{container}/{task}"),
            event_id: &format!("{n:056}"),
            timestamp_ms: ts,
            ingestion_ms: ts + 200,
            message: &message,
        }));
    }
    out
}

fn key(state: &mut State, code: KeyCode) {
    update(state, Msg::Key(Key::plain(code)));
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        key(state, KeyCode::Char(c));
    }
}

/// The busy state: 100 tasks, 100,000 lines, the regex filter on, every feed delivered.
fn busy_state() -> State {
    let mut state = State::new(site(), NOW);
    // The default ring is bounded at 32 MB, about 85,000 lines like these; P2 asks for
    // 100,000 buffered, so this view's ring is given room for them (drawing does not depend
    // on the ring's size: the view keeps an index of the matching lines).
    state.logs = LogView::new(LogRing::new(64 * 1024 * 1024));
    update(&mut state, Msg::Resize(WIDTH, HEIGHT));
    update(&mut state, Msg::Caller(Ok(CallerIdentity { account: "123456789012".into(), ..CallerIdentity::default() })));
    update(&mut state, Msg::Service { at_ms: NOW - 1_000, result: Ok(Box::new(snapshot())) });
    let lines = log_lines();
    for chunk in lines.chunks(1_000) {
        update(&mut state, Msg::Logs { at_ms: NOW - 500, generation: 0, events: chunk.to_vec() });
    }
    let reports = (0..TASKS)
        .map(|i| FoundReport {
            task_id: task_id(i),
            report: WarmReport { success: 1834, failure: 0, no_change: 12, total: 1846 },
            at_ms: NOW - (30 + i as i64) * 60_000 + 9_800,
        })
        .collect();
    update(&mut state, Msg::WarmReports { found: reports, lookups: Vec::new() });
    update(&mut state, Msg::Waf { at_ms: NOW - 20_000, result: Ok(Box::new(waf())) });
    update(&mut state, Msg::Platform { at_ms: NOW - 15_000, result: Ok(Box::new(platform(0.0, 0.0, 12.0))) });
    // The log filter is set on the logs screen (`/` on the overview filters the tasks), then
    // the overview comes back with it on.
    key(&mut state, KeyCode::Char('l'));
    key(&mut state, KeyCode::Char('/'));
    type_text(&mut state, FILTER);
    key(&mut state, KeyCode::Enter);
    key(&mut state, KeyCode::Char('o'));
    update(&mut state, Msg::Tick(NOW));
    assert_eq!(state.logs.ring().len(), LINES, "every line buffered");
    assert!(state.logs.filter().is_some(), "the filter is on");
    state
}

/// Times `name` by the wall clock, and `name_cpu` by the thread's CPU time (what one frame
/// costs when other processes share the cores).
fn draw(c: &mut Criterion, name: &str, state: &State) {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test backend");
    let mut frame = || {
        let frame = terminal.draw(|f| wpops::ui::render(state, f)).expect("draw");
        black_box(frame.area);
    };
    c.bench_function(name, |b| b.iter(&mut frame));
    c.bench_function(&format!("{name}_cpu"), |b| b.iter_custom(|n| timing::cpu_time(n, &mut frame)));
}

fn frames(c: &mut Criterion) {
    let mut state = busy_state();
    eprintln!(
        "state: {} tasks, {} buffered lines, {} match /{FILTER}/",
        state.tasks().len(),
        state.logs.ring().len(),
        state.logs.matched_len()
    );
    assert!(state.tasks().len() > 40, "more tasks than fit: the compact table");
    draw(c, "frame_200x50/overview", &state);

    key(&mut state, KeyCode::Enter);
    draw(c, "frame_200x50/task_detail", &state);
    key(&mut state, KeyCode::Esc);

    key(&mut state, KeyCode::Char('l'));
    draw(c, "frame_200x50/logs", &state);

    key(&mut state, KeyCode::Char('s'));
    type_text(&mut state, "post-9");
    key(&mut state, KeyCode::Enter);
    draw(c, "frame_200x50/logs_search", &state);

    // The compact table sorted (`o` once: by problem) and filtered to one AZ (`/1a`).
    key(&mut state, KeyCode::Char('o'));
    assert_eq!(state.nav.screen, wpops::app::Screen::Overview, "o on the logs screen: the overview");
    key(&mut state, KeyCode::Char('o'));
    key(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "1a");
    key(&mut state, KeyCode::Enter);
    assert_eq!(state.nav.task_filter.as_deref(), Some("1a"));
    assert_eq!(state.nav.task_sort, wpops::app::TaskSort::Problem);
    // The 34 tasks in 1a, and any whose id holds "1a".
    let rows = state.rows().len();
    assert!((TASKS.div_ceil(3)..TASKS / 2).contains(&rows), "{rows} rows: the tasks in 1a");
    draw(c, "frame_200x50/overview_sorted_filtered", &state);
}

criterion_group!(benches, frames);
criterion_main!(benches);
