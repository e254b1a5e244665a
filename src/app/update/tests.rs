//! Pure tests of `update`: keys, screens, log scope and generations, filters, follow/pause,
//! rollouts and PollFast, feed errors keeping the last good data, quitting.

use crate::app::*;
use crate::model::{
    ContainerRole, Deployment, DeploymentStatus, FetchError, FetchErrorKind, LastStatus, LineClass, LogEvent,
    RolloutState, Service, ServiceSnapshot, Task,
};

fn site() -> SiteInfo {
    SiteInfo { name: "corp-blog".into(), warm_limit_ms: 120_000, ..SiteInfo::default() }
}

fn task(id: &str) -> Task {
    Task { id: id.into(), last_status: LastStatus::Running, ..Task::default() }
}

fn snapshot(rollout: RolloutState, ids: &[&str]) -> Msg {
    let service = Service {
        deployments: vec![Deployment { status: DeploymentStatus::Primary, rollout, ..Deployment::default() }],
        ..Service::default()
    };
    let tasks = ids.iter().map(|id| task(id)).collect();
    Msg::Service {
        at_ms: 1_000,
        result: Ok(Box::new(ServiceSnapshot { service, tasks, ..ServiceSnapshot::default() })),
    }
}

fn line(n: u64, role: ContainerRole, text: &str) -> LogEvent {
    LogEvent {
        ts_ms: n as i64,
        ingestion_ms: n as i64,
        event_id: format!("e{n}"),
        task_id: "aaaa1111".into(),
        container: role,
        text: text.into(),
        class: LineClass::Plain,
    }
}

fn key(c: char) -> Msg {
    Msg::Key(Key::char(c))
}

fn press(s: &mut State, keys: &str) -> Vec<Effect> {
    keys.chars().flat_map(|c| update(s, key(c))).collect()
}

fn err() -> FetchError {
    FetchError {
        kind: FetchErrorKind::Throttled,
        operation: "ecs:DescribeServices".into(),
        message: "Rate exceeded".into(),
        hint: "wpops backs off".into(),
    }
}

#[test]
fn start_returns_nothing_and_q_quits() {
    let mut s = State::new(site(), 0);
    assert!(update(&mut s, Msg::Tick(10)).is_empty());
    assert!(!s.should_quit());
    assert_eq!(press(&mut s, "q"), []);
    assert!(s.should_quit());
    let mut s = State::new(site(), 0);
    assert_eq!(update(&mut s, Msg::Key(Key::ctrl('c'))), []);
    assert!(s.should_quit());
}

#[test]
fn navigation_and_screens() {
    let mut s = State::new(site(), 0);
    update(&mut s, snapshot(RolloutState::Completed, &["t1", "t2", "t3"]));
    press(&mut s, "jjjj");
    assert_eq!(s.nav.selected, 2);
    update(&mut s, Msg::Key(Key::plain(KeyCode::Up)));
    assert_eq!(s.nav.selected, 1);
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!((s.nav.screen, s.nav.detail_task.as_deref()), (Screen::TaskDetail, Some("t2")));
    press(&mut s, "l");
    assert_eq!(s.nav.screen, Screen::Logs);
    update(&mut s, Msg::Key(Key::plain(KeyCode::Esc)));
    assert_eq!(s.nav.screen, Screen::TaskDetail);
    update(&mut s, Msg::Key(Key::plain(KeyCode::Esc)));
    assert_eq!(s.nav.screen, Screen::Overview);
    press(&mut s, "e");
    assert_eq!(s.nav.screen, Screen::Events);
    press(&mut s, "w");
    assert_eq!(s.nav.screen, Screen::Waf);
    press(&mut s, "?");
    assert!(s.nav.help);
    press(&mut s, "?");
    assert!(!s.nav.help);
    // A snapshot with fewer tasks clamps the selection.
    s.nav.selected = 2;
    update(&mut s, snapshot(RolloutState::Completed, &["t1"]));
    assert_eq!(s.nav.selected, 0);
}

#[test]
fn commands_and_unknown_commands() {
    let mut s = State::new(site(), 0);
    press(&mut s, ":logs");
    assert_eq!(s.nav.input, Input::Command("logs".into()));
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!(s.nav.screen, Screen::Logs);
    press(&mut s, ":bogus");
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert!(s.nav.flash.as_ref().is_some_and(|f| f.error && f.text.contains(":bogus")));
    press(&mut s, ":q");
    assert_eq!(update(&mut s, Msg::Key(Key::plain(KeyCode::Enter))), []);
    assert!(s.should_quit());
}

/// `:report` asks the runtime for the last two hours' report and says it is being written;
/// its answer is flashed with the path (or why not).
#[test]
fn the_report_command_writes_the_last_two_hours_and_says_where() {
    let now = 1_795_842_000_000;
    let mut s = State::new(site(), now);
    press(&mut s, ":report");
    let fx = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!(fx, [Effect::WriteReport { from_ms: now - 2 * 3_600_000, to_ms: now }]);
    assert!(s.nav.flash.as_ref().is_some_and(|f| !f.error && f.text.contains("writing the incident report")));
    update(&mut s, Msg::ReportWritten(Ok("/tmp/wpops-report-x.md".into())));
    assert!(s.nav.flash.as_ref().is_some_and(|f| !f.error && f.text.contains("/tmp/wpops-report-x.md")));
    update(&mut s, Msg::ReportWritten(Err("ecs:DescribeServices: AccessDenied".into())));
    assert!(s.nav.flash.as_ref().is_some_and(|f| f.error && f.text.contains("AccessDenied")));
}

#[test]
fn scope_changes_follow_logs_with_a_new_generation_and_stale_lines_are_dropped() {
    let mut s = State::new(site(), 0);
    update(&mut s, snapshot(RolloutState::Completed, &["aaaa1111"]));
    press(&mut s, "l");
    let fx = press(&mut s, "3");
    let Some(Effect::FollowLogs(scope)) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(scope.generation, 1);
    assert_eq!(scope.containers, ["nginx", "php-fpm"]);
    let fx = press(&mut s, "t");
    assert_eq!(
        fx,
        [Effect::FollowLogs(LogScope {
            containers: vec!["nginx".into(), "php-fpm".into()],
            task: Some("aaaa1111".into()),
            generation: 2
        })]
    );
    update(&mut s, Msg::Logs { at_ms: 5, generation: 1, events: vec![line(1, ContainerRole::Nginx, "old")] });
    assert_eq!(s.logs.ring().len(), 0);
    update(&mut s, Msg::Logs { at_ms: 5, generation: 2, events: vec![line(2, ContainerRole::Nginx, "new")] });
    assert_eq!(s.logs.ring().len(), 1);
    update(&mut s, Msg::LogsFailed { at_ms: 6, generation: 1, error: err() });
    assert!(s.feeds.logs.error.is_none());
    // Turning the last container off is refused.
    press(&mut s, "1");
    assert!(press(&mut s, "2").is_empty());
    assert_eq!(s.logs.show(), [false, true, false]);
}

#[test]
fn a_bad_filter_keeps_the_old_one() {
    let mut s = State::new(site(), 0);
    press(&mut s, "l/50");
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!(s.logs.filter().as_ref().map(|r| r.as_str()), Some("50"));
    press(&mut s, "/");
    update(&mut s, Msg::Key(Key::plain(KeyCode::Backspace)));
    press(&mut s, "(");
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!(s.logs.filter().as_ref().map(|r| r.as_str()), Some("50"));
    assert!(s.logs.filter_error.is_some());
    assert!(s.nav.flash.as_ref().is_some_and(|f| f.error));
    // Control characters typed (pasted) into a filter never get in.
    press(&mut s, "/\u{1b}x");
    assert_eq!(s.nav.input, Input::Filter("50x".into()));
}

#[test]
fn pause_counts_new_lines_and_follow_resumes() {
    let mut s = State::new(site(), 0);
    press(&mut s, "l");
    let batch = |from: u64, to: u64| (from..to).map(|n| line(n, ContainerRole::Nginx, "GET /")).collect();
    update(&mut s, Msg::Logs { at_ms: 1, generation: 0, events: batch(0, 10) });
    press(&mut s, " ");
    assert!(!s.logs.follow);
    update(&mut s, Msg::Logs { at_ms: 2, generation: 0, events: batch(10, 14) });
    assert_eq!(s.logs.new_below(), 4);
    press(&mut s, "k");
    assert_eq!(s.logs.visible_end(), 9);
    press(&mut s, "G");
    assert!(s.logs.follow);
    assert_eq!(s.logs.new_below(), 0);
    press(&mut s, "f");
    assert!(!s.logs.follow);
}

#[test]
fn search_moves_between_hits() {
    let mut s = State::new(site(), 0);
    press(&mut s, "l");
    let events = (0..20).map(|n| line(n, ContainerRole::Nginx, if n % 5 == 0 { "xmlrpc" } else { "GET /" })).collect();
    update(&mut s, Msg::Logs { at_ms: 1, generation: 0, events });
    press(&mut s, "sxmlrpc");
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!(s.logs.search_hit, Some(15));
    press(&mut s, "N");
    assert_eq!(s.logs.search_hit, Some(10));
    press(&mut s, "n");
    assert_eq!(s.logs.search_hit, Some(15));
    press(&mut s, "n");
    assert!(s.nav.flash.is_some());
}

#[test]
fn rollout_start_and_end_switch_fast_polling() {
    let mut s = State::new(site(), 0);
    assert!(update(&mut s, snapshot(RolloutState::Completed, &["t1"])).is_empty());
    assert_eq!(update(&mut s, snapshot(RolloutState::InProgress, &["t1"])), [Effect::PollFast(true)]);
    assert!(update(&mut s, snapshot(RolloutState::InProgress, &["t1"])).is_empty());
    assert_eq!(update(&mut s, snapshot(RolloutState::Completed, &["t1"])), [Effect::PollFast(false)]);
}

#[test]
fn data_is_stale_only_once_its_feeds_refresh_is_overdue() {
    // The WAF and platform feeds read every minute: at 45 s their data is as fresh as it gets.
    let mut s = State::new(site(), 0);
    update(&mut s, snapshot(RolloutState::Completed, &["t1"]));
    s.feeds.waf.at_ms = Some(0);
    s.feeds.platform.at_ms = Some(0);
    update(&mut s, Msg::Tick(45_000));
    assert!(!s.feeds.waf.is_stale(s.now_ms) && !s.feeds.platform.is_stale(s.now_ms));
    update(&mut s, Msg::Tick(80_000));
    assert!(s.feeds.waf.is_stale(s.now_ms) && s.feeds.platform.is_stale(s.now_ms));
    // The service is read at least every 30 s; the log feed about every second.
    let mut s = State::new(site(), 0);
    update(&mut s, snapshot(RolloutState::Completed, &["t1"]));
    let at = s.feeds.service.at_ms.unwrap_or(0);
    assert!(!s.feeds.service.is_stale(at + 40_000));
    assert!(s.feeds.service.is_stale(at + 50_000));
    s.feeds.logs.at_ms = Some(0);
    assert!(!s.feeds.logs.is_stale(29_000) && s.feeds.logs.is_stale(31_000));
}

#[test]
fn a_service_error_keeps_the_last_snapshot_and_marks_it_stale() {
    let mut s = State::new(site(), 0);
    update(&mut s, snapshot(RolloutState::Completed, &["t1"]));
    update(&mut s, Msg::Tick(2_000));
    assert!(!s.feeds.service.is_stale(s.now_ms));
    update(&mut s, Msg::Service { at_ms: 3_000, result: Err(err()) });
    assert_eq!(s.tasks().len(), 1);
    assert!(s.feeds.service.is_stale(s.now_ms));
    assert_eq!(s.feeds.service.age_ms(3_000), Some(2_000));
    update(&mut s, snapshot(RolloutState::Completed, &["t1"]));
    assert!(s.feeds.service.error.is_none());
}

#[test]
fn refresh_and_ticks() {
    let mut s = State::new(site(), 0);
    assert!(press(&mut s, "r").contains(&Effect::Refresh(Feed::Service)));
    press(&mut s, "l");
    assert_eq!(press(&mut s, "r"), [Effect::Refresh(Feed::Logs)]);
    s.dirty = false;
    update(&mut s, Msg::Tick(500));
    assert!(!s.dirty);
    update(&mut s, Msg::Tick(1_200));
    assert!(s.dirty);
}

#[test]
fn the_in_task_report_is_the_first_and_a_rewarm_result_is_kept_per_task() {
    use crate::model::{FoundReport, ReportLookup, WarmOutcome, WarmReport};
    let mut s = State::new(site(), 0);
    let report = |success, no_change, at_ms| FoundReport {
        task_id: "t1".into(),
        report: WarmReport { success, failure: 0, no_change, total: 1834 },
        at_ms,
    };
    update(&mut s, Msg::WarmReports { found: Vec::new(), lookups: vec![("t1".into(), ReportLookup::Looking)] });
    assert_eq!(s.feeds.report_lookups.get("t1"), Some(&ReportLookup::Looking));
    update(&mut s, Msg::WarmReports { found: vec![report(1834, 0, 10_000)], lookups: Vec::new() });
    assert!(s.feeds.report_lookups.is_empty(), "a found report ends the lookup");
    // php-fpm's stderr carries a re-warm's report later: it is not the in-task warmer's.
    update(&mut s, Msg::WarmReports { found: vec![report(0, 1834, 90_000)], lookups: Vec::new() });
    assert_eq!(s.feeds.reports["t1"].report.success, 1834);
    // A lookup answer that comes after the report was found changes nothing.
    update(&mut s, Msg::WarmReports { found: Vec::new(), lookups: vec![("t1".into(), ReportLookup::NotFound)] });
    assert!(s.feeds.report_lookups.is_empty());
    update(&mut s, Msg::Tick(95_000));
    let outcome = WarmOutcome::Warmed { report: report(0, 1834, 0).report };
    let line = WarmLine { task_id: "t1".into(), ip: "10.0.1.2".into(), outcome: outcome.clone(), elapsed_ms: 22_000 };
    update(&mut s, Msg::Op(OpEvent::Warmed(line)));
    let r = &s.ops.rewarmed["t1"];
    assert_eq!((r.outcome.clone(), r.elapsed_ms, r.at_ms), (outcome, 22_000, 95_000));
}

#[test]
fn help_scrolls_by_entry_and_finds_words() {
    let mut s = State::new(site(), 0);
    s.nav.size = (80, 24);
    press(&mut s, "?");
    assert!(s.nav.help);
    press(&mut s, "jj");
    assert_eq!(s.nav.help_top, 2);
    press(&mut s, "k");
    assert_eq!(s.nav.help_top, 1);
    let entries = crate::app::help::entries(s.nav.screen.key_scope());
    press(&mut s, "G");
    assert!(s.nav.help_top > 0 && s.nav.help_top < entries.len(), "{}", s.nav.help_top);
    press(&mut s, "g");
    assert_eq!(s.nav.help_top, 0);
    let enter = |s: &mut State| update(s, Msg::Key(Key::plain(KeyCode::Enter)));
    press(&mut s, "/typed service");
    enter(&mut s);
    assert!(entries[s.nav.help_top].text().contains("typed service"), "{:?}", entries[s.nav.help_top]);
    let first = s.nav.help_top;
    press(&mut s, "/confirm");
    enter(&mut s);
    let at = s.nav.help_top;
    press(&mut s, "n");
    assert_ne!(s.nav.help_top, at, "n goes to the next place");
    assert!(entries[s.nav.help_top].text().to_lowercase().contains("confirm"));
    assert!(first > 0);
    // The overlay's keys do not move the screen underneath; Esc closes it.
    assert_eq!(s.nav.screen, Screen::Overview);
    update(&mut s, Msg::Key(Key::plain(KeyCode::Esc)));
    assert!(!s.nav.help);
}

#[test]
fn l_in_the_logs_screen_toggles_live_tail_and_the_feed_hears_when_no_logs_pane_is_shown() {
    let mut s = State::new(SiteInfo { live_tail: true, ..site() }, 0);
    assert!(s.feeds.live_tail, "--live-tail starts the console with it on");
    press(&mut s, "l");
    assert_eq!(press(&mut s, "L"), [Effect::LiveTail(false)]);
    assert_eq!(press(&mut s, "L"), [Effect::LiveTail(true)]);
    // On the overview `L` is not bound: nothing happens.
    press(&mut s, "o");
    assert_eq!(press(&mut s, "L"), []);
    // The WAF screen shows no logs pane: the next tick says so, once; back on logs, shown again.
    assert_eq!(update(&mut s, Msg::Tick(1_000)), []);
    press(&mut s, "w");
    assert_eq!(update(&mut s, Msg::Tick(2_000)), [Effect::LogsVisible(false)]);
    assert_eq!(update(&mut s, Msg::Tick(3_000)), []);
    press(&mut s, "l");
    assert_eq!(update(&mut s, Msg::Tick(4_000)), [Effect::LogsVisible(true)]);
}
