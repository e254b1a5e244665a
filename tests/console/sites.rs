//! The fleet view: `S`/`:sites` shows every configured site and asks the runtime to watch the
//! fleet, rows arrive with `Msg::Fleet`, `j`/`k` select, Enter opens another site (and closes
//! this console); the screen's snapshot on a 160×48 terminal.

use wpops::app::{Effect, Key, KeyCode, Msg, Screen, State, update};
use wpops::model::{FetchErrorKind, FleetRow, RolloutState, ServiceHealth, SiteError};
use wpops_fixtures::ui::*;

fn row(site: &str, verdict: &str, problem: Option<&str>, error: Option<&str>) -> FleetRow {
    FleetRow {
        site: site.into(),
        account: Some("123456789012".into()),
        region: Some("ap-northeast-1".into()),
        cluster: "wp-prod".into(),
        service: site.replace("corp-", ""),
        running: Some(if verdict == "unhealthy" { 2 } else { 3 }),
        desired: Some(3),
        rollout: Some(if verdict == "rollout in progress" {
            RolloutState::InProgress
        } else {
            RolloutState::Completed
        }),
        warmer_failures: Some(u32::from(problem.is_some())),
        elb_5xx_5m: Some(if problem.is_some() { 41 } else { 0 }),
        target_5xx_5m: Some(0),
        waf_blocked_1h: Some(1_204),
        verdict: error.is_none().then(|| match (verdict, problem) {
            (_, Some(p)) => ServiceHealth::Unhealthy { reasons: vec![p.to_string()] },
            ("rollout in progress", None) => {
                ServiceHealth::RolloutInProgress { deployment_id: "ecs-svc/1".into(), since_ms: NOW, notes: vec![] }
            }
            _ => ServiceHealth::Healthy,
        }),
        error: error.map(|e| SiteError { kind: FetchErrorKind::Credentials, message: e.to_string() }),
        read_started_ms: Some(NOW - 4_000),
        ..FleetRow::default()
    }
}

fn fleet_state() -> State {
    let mut s = State::new(site(), NOW);
    update(&mut s, Msg::Key(Key::char('S')));
    update(
        &mut s,
        Msg::Fleet {
            at_ms: NOW - 4_000,
            rows: vec![
                row("corp-blog", "healthy", None, None),
                row("corp-shop", "unhealthy", Some("task 8b41d07a: warmer reported 44 failures"), None),
                row("corp-news", "rollout in progress", None, None),
                row(
                    "corp-legacy",
                    "",
                    None,
                    Some("sts:GetCallerIdentity: The security token included in the request is expired"),
                ),
            ],
        },
    );
    s
}

#[test]
fn sites_are_watched_selected_and_opened() {
    let mut s = State::new(site(), NOW);
    assert_eq!(update(&mut s, Msg::Key(Key::char('S'))), vec![Effect::WatchFleet]);
    assert_eq!(s.nav.screen, Screen::Sites);
    let mut s = fleet_state();
    update(&mut s, Msg::Key(Key::char('j')));
    assert_eq!(s.fleet.selected, 1);
    let effects = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!(effects, vec![Effect::OpenSite("corp-shop".into())]);
    assert!(s.should_quit());
    // Opening the site already shown does nothing.
    let mut s = fleet_state();
    assert!(update(&mut s, Msg::Key(Key::plain(KeyCode::Enter))).is_empty());
    assert!(!s.should_quit());
}

#[test]
fn esc_from_a_site_opened_from_the_fleet_returns_to_the_fleet() {
    use wpops::app::SiteInfo;
    let mut s = State::new(SiteInfo { from_fleet: true, ..site() }, NOW);
    assert_eq!(s.nav.screen, Screen::Overview);
    // Deeper screens go back as before, then the overview goes back to the fleet view.
    update(&mut s, Msg::Key(Key::char('l')));
    assert!(update(&mut s, Msg::Key(Key::plain(KeyCode::Esc))).is_empty());
    assert_eq!(s.nav.screen, Screen::Overview);
    assert_eq!(update(&mut s, Msg::Key(Key::plain(KeyCode::Esc))), vec![Effect::WatchFleet]);
    assert_eq!(s.nav.screen, Screen::Sites);
    // `o` clears the way back, not where the site was opened from.
    update(&mut s, Msg::Key(Key::char('o')));
    assert_eq!(update(&mut s, Msg::Key(Key::plain(KeyCode::Esc))), vec![Effect::WatchFleet]);
    // A site opened directly stays on its overview.
    let mut s = State::new(site(), NOW);
    assert!(update(&mut s, Msg::Key(Key::plain(KeyCode::Esc))).is_empty());
    assert_eq!(s.nav.screen, Screen::Overview);
}

#[test]
fn the_command_line_opens_the_fleet_view() {
    let mut s = State::new(site(), NOW);
    update(&mut s, Msg::Key(Key::char(':')));
    for c in "sites".chars() {
        update(&mut s, Msg::Key(Key::char(c)));
    }
    assert_eq!(update(&mut s, Msg::Key(Key::plain(KeyCode::Enter))), vec![Effect::WatchFleet]);
    assert_eq!(s.nav.screen, Screen::Sites);
}

#[test]
fn fleet_view_snapshot() {
    insta::assert_snapshot!(draw(&fleet_state(), 160, 48));
}

#[test]
fn an_empty_fleet_says_why_and_never_reads_forever() {
    let mut s = State::new(site(), NOW);
    update(&mut s, Msg::Key(Key::char('S')));
    assert!(draw(&s, 100, 12).contains("reading every configured site…"));
    update(&mut s, Msg::Fleet { at_ms: NOW, rows: Vec::new() });
    assert!(draw(&s, 100, 12).contains("no sites in the config file"));
    let mut demo = State::new(wpops::app::SiteInfo { demo: true, ..site() }, NOW);
    update(&mut demo, Msg::Key(Key::char('S')));
    update(&mut demo, Msg::Fleet { at_ms: NOW, rows: Vec::new() });
    assert!(draw(&demo, 100, 12).contains("the demo has no fleet"));
}
