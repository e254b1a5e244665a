//! Snapshots of every screen on a fixed 160×48 TestBackend, from constructed states at a fixed
//! time: the healthy overview, the incident, task detail, logs with a filter, WAF, events, help,
//! the error panels, the actions' confirm dialogs and the rollout and warming views.

use wpops::app::{Key, KeyCode, Msg, State, update};
use wpops_fixtures::ui::{self as ui_fixtures, draw, errors, healthy, incident, ops};

fn keys(state: &mut State, keys: &str) {
    for c in keys.chars() {
        update(state, Msg::Key(Key::char(c)));
    }
}

fn enter(state: &mut State) {
    update(state, Msg::Key(Key::plain(KeyCode::Enter)));
}

fn snap(state: &State) -> String {
    draw(state, 160, 48)
}

#[test]
fn overview_healthy() {
    insta::assert_snapshot!(snap(&healthy()));
}

#[test]
fn overview_incident() {
    let mut s = incident();
    keys(&mut s, "jj");
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn task_detail() {
    let mut s = incident();
    keys(&mut s, "jj");
    enter(&mut s);
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn task_detail_of_a_stopped_task() {
    let mut s = incident();
    keys(&mut s, "jjjjj");
    enter(&mut s);
    insta::assert_snapshot!(snap(&s));
}

/// The stopped task's whole life as read on open (`Msg::TaskLog`): its warmer's report at its
/// start, then php-fpm's children killed for memory and nginx losing its upstream, up to its stop.
#[test]
fn task_detail_of_a_stopped_task_with_its_whole_life() {
    use wpops_fixtures::ui::logs::{access, log};
    let mut s = incident();
    keys(&mut s, "jjjjjj");
    enter(&mut s);
    let task = s.detail().expect("a stopped task opened").clone();
    assert!(task.is_stopped(), "{task:?}");
    let id = task.id.as_str().to_owned();
    let (start, stop) = (task.started_at_ms.unwrap(), task.stopped_at_ms.unwrap());
    let ago = |t: i64| wpops_fixtures::ui::NOW - t;
    let mut events =
        log("warmer", &id, ago(start + 9_800), 0, "success: 1834 \tfailure: 0 \tno_change: 0 \ttotal: 1834");
    for i in 0..3 {
        let at = stop - 90_000 + i * 25_000;
        events.extend(log("php-fpm", &id, ago(at), 0, &format!("[28-Nov-2025 14:02:11] WARNING: [pool www] child {} exited on signal 9 (SIGKILL) after 1183.2 seconds from start", 40 + i)));
        events.extend(log(
            "nginx",
            &id,
            ago(at + 5),
            0,
            &access("198.51.100.7", "GET /shop/", 502, 0.5, "Mozilla/5.0"),
        ));
    }
    events.sort_by_key(|e| e.ts_ms);
    let log = wpops::model::TaskLog {
        task_id: id.clone(),
        from_ms: start - 120_000,
        to_ms: Some(stop + 60_000),
        reached_ms: start - 120_000,
        streams: vec!["nginx".into(), "php-fpm".into(), "warmer".into()],
        events,
    };
    update(&mut s, Msg::TaskLog { task_id: id, result: Ok(Box::new(log)) });
    insta::assert_snapshot!(snap(&s));
}

/// A task whose containers never started: no streams, and the pane says so (not "loading").
#[test]
fn task_detail_of_a_task_that_never_started() {
    let mut s = incident();
    keys(&mut s, "jjjj");
    enter(&mut s);
    let task = s.detail().expect("a stopped task opened").clone();
    assert!(task.stopped_reason.as_deref().unwrap_or("").contains("CannotPullContainerError"), "{task:?}");
    let id = task.id.as_str().to_owned();
    let log = wpops::model::TaskLog { task_id: id.clone(), from_ms: 0, to_ms: Some(1), ..Default::default() };
    update(&mut s, Msg::TaskLog { task_id: id, result: Ok(Box::new(log)) });
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn logs_with_a_filter_and_search() {
    let mut s = incident();
    keys(&mut s, "l/\" 50[0-9] |max_children");
    enter(&mut s);
    keys(&mut s, "sadmin");
    enter(&mut s);
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn logs_paused_with_new_lines() {
    let mut s = healthy();
    keys(&mut s, "l ");
    let more = ui_fixtures::log_lines(&["3f2a9c1e5b7d4e0f8a9b1c2d3e4f5a6b"], true)
        .into_iter()
        .map(|mut e| {
            e.ts_ms += 60_000;
            e.event_id.push_str("-later");
            e
        })
        .collect();
    update(&mut s, Msg::Logs { at_ms: ui_fixtures::NOW, generation: 0, events: more });
    keys(&mut s, "wT");
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn scrolling_up_the_logs_counts_lines_below_not_as_new() {
    let mut s = healthy();
    keys(&mut s, "lkkk");
    let screen = snap(&s);
    let title = screen.lines().find(|l| l.contains("PAUSED")).unwrap_or_default();
    assert!(title.contains("PAUSED · 3 below · 0 new"), "{title}");
}

#[test]
fn at_80_columns_an_access_line_keeps_status_latency_and_client_and_shortens_the_uri() {
    use wpops_fixtures::ui::logs::{access, log};
    let mut s = healthy();
    let uri = "/wp-content/uploads/2026/11/a-very-long-file-name-that-goes-on-and-on-and-on.jpg?ver=6.4.2&size=large";
    let text = access("198.51.100.77", &format!("GET {uri}"), 404, 0.25, "Mozilla/5.0");
    let ev = log("nginx", "3f2a9c1e5b7d4e0f8a9b1c2d3e4f5a6b", 1_000, 900, &text).remove(0);
    update(&mut s, Msg::Logs { at_ms: ui_fixtures::NOW, generation: 0, events: vec![ev] });
    keys(&mut s, "l");
    let screen = draw(&s, 80, 24);
    let line = screen.lines().find(|l| l.contains("404")).unwrap_or_default();
    assert!(line.contains("404  0.250s GET"), "status and latency first: {line}");
    assert!(line.contains("198.51.100.77"), "the client stays: {line}");
    assert!(
        line.contains("/wp-conten") && line.contains("…") && line.contains("=large"),
        "the URI in its middle: {line}"
    );
}

#[test]
fn tasks_sort_and_narrow_to_problems_keeping_the_selected_task() {
    use wpops::app::{Row, TaskSort};
    let mut s = incident();
    keys(&mut s, "j");
    let selected = s.selected_id();
    keys(&mut s, "o");
    assert_eq!(s.nav.task_sort, TaskSort::Problem);
    assert_eq!(s.selected_id(), selected, "the selection follows its task to its new row");
    let order: Vec<bool> = s
        .rows()
        .iter()
        .filter_map(|r| match r {
            Row::Task(i) => Some(s.has_problem(&s.tasks()[*i])),
            Row::Stopped(_) => None,
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] >= w[1]), "problems first: {order:?}");
    keys(&mut s, "p");
    let tasks: Vec<usize> =
        s.rows().iter().filter_map(|r| if let Row::Task(i) = r { Some(*i) } else { None }).collect();
    assert!(!tasks.is_empty() && tasks.iter().all(|i| s.has_problem(&s.tasks()[*i])));
    let screen = snap(&s);
    assert!(screen.contains("sorted by problem") && screen.contains("with a problem"), "{screen}");
    // Kept across a refresh, with the selected task, wherever its row now is.
    keys(&mut s, "j");
    let selected = s.selected_id();
    let mut snapshot = s.feeds.service.data.clone().expect("a snapshot");
    snapshot.tasks.reverse();
    update(&mut s, Msg::Service { at_ms: ui_fixtures::NOW, result: Ok(Box::new(snapshot)) });
    assert_eq!((s.nav.task_sort, s.nav.problems_only), (TaskSort::Problem, true));
    assert_eq!(s.selected_id(), selected);
    keys(&mut s, "p");
    assert!(!s.nav.problems_only);
}

#[test]
fn waf() {
    let mut s = healthy();
    keys(&mut s, "w");
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn events() {
    let mut s = incident();
    keys(&mut s, "e");
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn help_overlay() {
    let mut s = healthy();
    keys(&mut s, "?");
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn error_panels() {
    insta::assert_snapshot!(snap(&errors()));
}

#[test]
fn at_80_columns_an_error_keeps_its_hint_and_the_header_keeps_the_service() {
    let screen = draw(&errors(), 80, 24);
    let flat: String = screen.lines().map(|l| l.trim_matches('│')).collect::<Vec<_>>().join("");
    assert!(flat.contains("check the network or --endpoint-url"), "the Tasks pane wraps it whole:\n{screen}");
    let header = screen.lines().next().unwrap_or_default();
    assert!(header.contains("account ?"), "{header}");
    assert!(!header.contains("SSO session"), "the reason is in the panels, not pushing the header off: {header}");
}

#[test]
fn unknown_command() {
    let mut s = healthy();
    keys(&mut s, ":deploy");
    enter(&mut s);
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn loading() {
    let s = State::new(ui_fixtures::site(), ui_fixtures::NOW);
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn logs_that_never_arrived_show_their_error_not_an_empty_match() {
    let mut s = State::new(ui_fixtures::site(), ui_fixtures::NOW);
    let error = ui_fixtures::fetch_error(
        "ecs:DescribeServices",
        wpops::model::FetchErrorKind::Credentials,
        "waits for the service, which could not be read: no AWS credentials found",
        "run aws sso login",
    );
    let generation = s.log_scope.generation;
    update(&mut s, Msg::LogsFailed { at_ms: ui_fixtures::NOW, generation, error });
    keys(&mut s, "l");
    let screen = draw(&s, 100, 12);
    assert!(screen.contains("waits for the service"), "{screen}");
    assert!(!screen.contains("no lines match"), "no line was ever read: {screen}");
}

#[test]
fn redeploy_confirm() {
    let mut s = healthy();
    keys(&mut s, "R");
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn rollback_with_the_mutable_tag_warning() {
    let mut s = healthy();
    keys(&mut s, "B");
    update(&mut s, ops::rollback_preview());
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn warm_with_a_missing_warmer() {
    let mut s = healthy();
    keys(&mut s, "W");
    update(&mut s, ops::warm_preview(true));
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn foreign_deployment_needs_a_second_confirmation() {
    let mut s = incident();
    keys(&mut s, "Ry");
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn rollout_in_progress() {
    insta::assert_snapshot!(snap(&ops::rolling_out()));
}

#[test]
fn a_redeploy_just_started_does_not_borrow_the_old_deployments_completed() {
    let screen = snap(&ops::redeploy_started());
    let status = screen.lines().find(|l| l.contains("rolling out…")).unwrap_or_default();
    assert!(status.contains("waiting for ECS to show deployment ecs-svc/"), "{status}");
    assert!(!status.contains("COMPLETED"), "{status}");
}

#[test]
fn rollout_finished_rolled_back() {
    insta::assert_snapshot!(snap(&ops::rolled_back()));
}

#[test]
fn warm_results() {
    insta::assert_snapshot!(snap(&ops::warm_results()));
}

#[test]
fn read_only_footer_and_flash() {
    let mut s = healthy();
    s.site.read_only = true;
    keys(&mut s, "R");
    insta::assert_snapshot!(snap(&s));
}

/// The task table scrolls to keep the selected row in view on a short terminal: the frames as
/// the selection walks down every task and stopped group (only the rows in view are drawn).
#[test]
fn overview_scrolls_with_the_selection() {
    let mut state = incident();
    let mut frames = Vec::new();
    for _ in 0..8 {
        frames.push(draw(&state, 120, 22));
        keys(&mut state, "j");
    }
    insta::assert_snapshot!(frames.join("\n"));
}

/// A panel in error counts down to its next attempt as the clock ticks, then says it is
/// retrying (it once showed the same "retry in 8.0s" until the next message).
#[test]
fn the_retry_countdown_follows_the_clock() {
    let mut s = errors();
    let retry = |s: &State| {
        let screen = draw(s, 160, 48);
        screen.lines().find(|l| l.contains("ecs:DescribeServices")).map(|l| l.to_owned()).unwrap_or_default()
    };
    assert!(retry(&s).contains("retry in 8s"), "{}", retry(&s));
    update(&mut s, Msg::Tick(ui_fixtures::NOW + 3_000));
    assert!(retry(&s).contains("retry in 5s"), "{}", retry(&s));
    update(&mut s, Msg::Tick(ui_fixtures::NOW + 9_000));
    assert!(retry(&s).contains("retrying…"), "{}", retry(&s));
}

/// A tail that fell behind says so in the log pane and the logs screen, with the rates, what it
/// skipped and the late lines; it never shows a plain `follow` over lines it is not reading.
#[test]
fn logs_falling_behind_says_what_it_skipped() {
    use wpops::model::{Behind, TailHealth};
    let mut s = healthy();
    let b = Behind { arrival_per_s: 12_000.0, reading_per_s: 6_000.0, lag_ms: 41_000 };
    let tail = TailHealth {
        lag_ms: 41_000,
        behind: Some(b),
        skips: 1,
        skipped_ms: 20_000,
        skipped_lines_est: 240_000,
        last_skip: Some((ui_fixtures::NOW - 12_000, b)),
        late_lines: 70,
        max_delay_ms: 45_000,
        overlap_ms: 68_500,
        ..TailHealth::default()
    };
    update(&mut s, Msg::LogTail { generation: 0, tail: Box::new(tail) });
    let overview = ui_fixtures::draw(&s, 200, 50);
    assert!(overview.contains("falling behind 41s: 12,000 lines/s, reading 6,000/s"), "{overview}");
    keys(&mut s, "l");
    let screen = ui_fixtures::draw(&s, 200, 50);
    assert!(screen.contains("skipped ≈240,000 lines (20s of log time, last 12s ago)"), "{screen}");
    assert!(screen.contains("70 late lines (up to 45s late)"), "{screen}");
}

/// QUALITY.md item 15: a container name too long for its column (here one that came from hostile
/// input, sanitised to visible tokens) is cut with a mark and keeps the gap before its status.
#[test]
fn a_long_container_name_is_cut_marked_and_keeps_its_gap() {
    let mut s = healthy();
    let mut snapshot = s.feeds.service.data.clone().expect("a snapshot");
    let last = snapshot.tasks[0].containers.last_mut().expect("a container");
    last.name = "side␛]52;cZWNobyBoaQ==".into();
    let at_ms = s.now_ms;
    update(&mut s, Msg::Service { at_ms, result: Ok(Box::new(snapshot)) });
    let screen = snap(&s);
    let row = screen.lines().find(|l| l.contains("└ side")).unwrap_or_else(|| panic!("no container row:\n{screen}"));
    assert!(row.contains("└ side␛]52… STOPPED"), "cut, marked, one space before the status: {row}");
}

#[test]
fn overview_after_rewarming_shows_the_newest_warm_state() {
    let s = ops::rewarmed();
    assert_eq!(s.nav.screen, wpops::app::Screen::Overview);
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn overview_while_reports_are_looked_for_or_unreadable() {
    insta::assert_snapshot!(snap(&ui_fixtures::reports_pending()));
}

#[test]
fn replacing_a_task_reads_as_a_replacement_not_a_rollout_or_a_failure() {
    let s = ops::replacing();
    assert_eq!(s.nav.screen, wpops::app::Screen::Rollout);
    insta::assert_snapshot!(snap(&s));
}

#[test]
fn an_open_live_tail_session_shows_how_long_it_has_been_open_and_polling_says_why() {
    use wpops::model::{LiveTail, TailHealth};
    let mut s = healthy();
    keys(&mut s, "l");
    let live = LiveTail::Open { since_ms: ui_fixtures::NOW - 192_000, sampled_updates: 0 };
    update(&mut s, Msg::LogTail { generation: 0, tail: Box::new(TailHealth { live, ..TailHealth::default() }) });
    let screen = ui_fixtures::draw(&s, 200, 50);
    assert!(screen.contains("live tail 3m12s"), "{screen}");
    let live = LiveTail::Open { since_ms: ui_fixtures::NOW - 5_000, sampled_updates: 2 };
    update(&mut s, Msg::LogTail { generation: 0, tail: Box::new(TailHealth { live, ..TailHealth::default() }) });
    let screen = ui_fixtures::draw(&s, 200, 50);
    assert!(screen.contains("live tail 0m05s · sampled 2×"), "{screen}");
    let live = LiveTail::Polling { reason: "SessionTimeoutException".into(), retry_at_ms: ui_fixtures::NOW + 60_000 };
    update(&mut s, Msg::LogTail { generation: 0, tail: Box::new(TailHealth { live, ..TailHealth::default() }) });
    let screen = ui_fixtures::draw(&s, 200, 50);
    assert!(screen.contains("polling (live tail: SessionTimeoutException; again in 1m)"), "{screen}");
    let help = {
        keys(&mut s, "?");
        ui_fixtures::draw(&s, 200, 50)
    };
    assert!(help.contains("follow with CloudWatch Live Tail"), "{help}");
}

#[test]
fn findings_screen_lists_worst_first_with_evidence_and_what_to_do() {
    let mut s = incident();
    keys(&mut s, "f");
    let screen = snap(&s);
    assert!(screen.contains("Findings · "), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn enter_on_a_finding_opens_its_actions_confirmation_and_runs_nothing() {
    let mut s = incident();
    keys(&mut s, "f");
    let items = s.assessment().expect("the service is read").findings.items;
    let at = items.iter().position(|f| f.action.is_some()).expect("a finding with an action");
    for _ in 0..at {
        keys(&mut s, "j");
    }
    let effects = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert!(s.ops.dialog.is_some(), "the action's own confirmation opens");
    assert!(!effects.iter().any(|e| matches!(e, wpops::app::Effect::Run(_))), "nothing runs: {effects:?}");
    // A finding without an action says what to change instead, and opens nothing.
    let mut s = incident();
    keys(&mut s, "f");
    let items = s.assessment().unwrap().findings.items;
    let at = items.iter().position(|f| f.action.is_none()).expect("a finding without an action");
    for _ in 0..at {
        keys(&mut s, "j");
    }
    enter(&mut s);
    assert!(s.ops.dialog.is_none());
    let flash = s.nav.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert_eq!(Some(flash.as_str()), items[at].change.as_deref());
}

#[test]
fn the_health_line_names_the_worst_finding_first() {
    let s = incident();
    let worst = s.assessment().unwrap().findings.items[0].title.clone();
    let screen = snap(&s);
    let health = screen.lines().find(|l| l.contains("Health")).unwrap();
    assert!(health.contains(&worst), "{health} / {worst}");
}

#[test]
fn slash_filters_the_tasks_by_id_ip_az_status_or_revision_and_keeps_it_across_refreshes() {
    use wpops::app::Row;
    let mut s = incident();
    let running: Vec<String> = s.tasks().iter().filter(|t| !t.is_stopped()).map(|t| t.id.to_string()).collect();
    let first = running[0].clone();
    keys(&mut s, &format!("/{}", &first[..6]));
    enter(&mut s);
    let tasks = |s: &State| -> Vec<String> {
        s.rows()
            .iter()
            .filter_map(|r| if let Row::Task(i) = r { Some(s.tasks()[*i].id.to_string()) } else { None })
            .collect()
    };
    assert_eq!(tasks(&s), vec![first]);
    assert!(snap(&s).contains("· 1 containing"), "{}", snap(&s));
    // A revision, case-insensitively; the filter survives a refresh.
    keys(&mut s, "/");
    for _ in 0..6 {
        update(&mut s, Msg::Key(Key::plain(KeyCode::Backspace)));
    }
    keys(&mut s, "WORDPRESS:43");
    enter(&mut s);
    let on_43 = tasks(&s);
    assert!(!on_43.is_empty() && on_43.len() < running.len(), "{on_43:?}");
    let snapshot = s.feeds.service.data.clone().expect("a snapshot");
    update(&mut s, Msg::Service { at_ms: ui_fixtures::NOW, result: Ok(Box::new(snapshot)) });
    assert_eq!(tasks(&s), on_43);
    // Nothing matches: said, not an empty table; an empty filter shows them all again.
    keys(&mut s, "/zzz");
    enter(&mut s);
    assert!(snap(&s).contains("no task contains"), "{}", snap(&s));
    keys(&mut s, "/");
    for _ in 0..20 {
        update(&mut s, Msg::Key(Key::plain(KeyCode::Backspace)));
    }
    enter(&mut s);
    assert_eq!(tasks(&s).len(), running.len());
}

#[test]
fn a_sampled_request_opens_with_its_headers_and_allowed_ones_are_listed_too() {
    let mut s = incident();
    keys(&mut s, "w");
    let list = snap(&s);
    assert!(list.contains("ALLOW") && list.contains("BLOCK"), "{list}");
    assert!(list.contains("1 allowed or counted"), "{list}");
    keys(&mut s, "j");
    enter(&mut s);
    let open = snap(&s);
    assert!(open.contains("BLOCK POST /xmlrpc.php HTTP/1.1"), "{open}");
    assert!(open.contains("User-Agent: Mozilla/5.0 (compatible; WPScan)"), "{open}");
    assert!(open.contains("stands for 611 requests"), "{open}");
    // Esc closes the request first, then leaves the screen.
    update(&mut s, Msg::Key(Key::plain(KeyCode::Esc)));
    assert!(!s.nav.scroll.waf_sample_open);
    assert_eq!(s.nav.screen, wpops::app::Screen::Waf);
}

#[test]
fn a_findings_replace_opens_the_replacement_of_that_very_task() {
    use wpops::model::FindingAction;
    let mut s = incident();
    keys(&mut s, "f");
    let items = s.assessment().unwrap().findings.items;
    let (at, task_id) = items
        .iter()
        .enumerate()
        .find_map(|(i, f)| match &f.action {
            Some(FindingAction::Replace { task_id }) => Some((i, task_id.clone())),
            _ => None,
        })
        .expect("a finding that replaces a task");
    assert!(s.task(&task_id).is_some(), "the finding names the task by its full id: {task_id}");
    for _ in 0..at {
        keys(&mut s, "j");
    }
    enter(&mut s);
    let dialog = s.ops.dialog.as_ref().expect("the replacement's confirmation");
    assert_eq!(dialog.task_id.as_deref(), Some(task_id.as_str()));
}
