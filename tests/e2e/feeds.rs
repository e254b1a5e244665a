//! The feeds end to end through the real SDK against the in-process simulator: the first
//! snapshot, log lines, warm reports, WAF and platform numbers and the caller arrive as `Msg`s;
//! a redeploy shows up as IN_PROGRESS then COMPLETED; an injected throttle shows as an error
//! with a backoff, and the feed recovers by itself when the fault stops; while the service
//! cannot be read, the panels that wait for it say why instead of loading for ever.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use wpops::app::{Effect, Feed, Msg, SiteInfo};
use wpops::aws::Clients;
use wpops::feed::Feeds;
use wpops::feed::runners::WarmSettings;
use wpops::feed::runtime::Runtime;
use wpops::model::{FetchErrorKind, ReportLookup, RolloutState};
use wpops::sim::{self, Faults, SimHandle, SimOptions};
use wpops_fixtures::sim as fixtures;

async fn start() -> (SimHandle, Clients, mpsc::Receiver<Msg>, Feeds, JoinSet<()>) {
    let sim = sim::start(SimOptions { paused: true, ..SimOptions::default() }).await.unwrap();
    let clients = fixtures::clients(&sim, false).await;
    let site = SiteInfo {
        name: "demo".into(),
        region: "ap-northeast-1".into(),
        cluster: "wp-prod".into(),
        service: "wordpress".into(),
        warm_limit_ms: 120_000,
        ..SiteInfo::default()
    };
    let (tx, rx) = mpsc::channel(256);
    let mut set = JoinSet::new();
    let feeds = Feeds::start(clients.clone(), site, tx, &mut set);
    (sim, clients, rx, feeds, set)
}

async fn next(rx: &mut mpsc::Receiver<Msg>) -> Msg {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("a message within 20 s")
        .expect("channel open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_service_cannot_be_read_every_panel_says_why() {
    let sim = sim::start(SimOptions { paused: true, ..SimOptions::default() }).await.unwrap();
    let clients = fixtures::clients(&sim, false).await;
    let site = SiteInfo {
        name: "demo".into(),
        region: "ap-northeast-1".into(),
        cluster: "nope".into(),
        service: "wordpress".into(),
        warm_limit_ms: 120_000,
        ..SiteInfo::default()
    };
    let (tx, mut rx) = mpsc::channel(256);
    let mut set = JoinSet::new();
    let _feeds = Feeds::start(clients, site, tx, &mut set);
    let (mut service, mut waf, mut platform, mut logs) = (None, None, None, None);
    while service.is_none() || waf.is_none() || platform.is_none() || logs.is_none() {
        match next(&mut rx).await {
            Msg::Service { result: Err(e), .. } => service = Some(e),
            Msg::Waf { result: Err(e), .. } => waf = Some(e),
            Msg::Platform { result: Err(e), .. } => platform = Some(e),
            Msg::LogsFailed { error, .. } => logs = Some(error),
            Msg::Service { result: Ok(_), .. } | Msg::Waf { result: Ok(_), .. } => {
                panic!("cluster nope has no service")
            }
            _ => {}
        }
    }
    let service = service.unwrap();
    for e in [waf.unwrap(), platform.unwrap(), logs.unwrap()] {
        assert!(e.message.starts_with("waits for the service, which could not be read: "), "{e:?}");
        assert!(e.message.ends_with(&service.message), "the service's reason: {e:?} / {service:?}");
        assert_eq!(e.kind, service.kind);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_picture_arrives_complete() {
    let (_sim, _c, mut rx, _feeds, _set) = start().await;
    let (mut service, mut logs, mut reports, mut waf, mut platform, mut caller) = (false, 0, 0, false, false, false);
    while !(service && logs > 50 && reports >= 3 && waf && platform && caller) {
        match next(&mut rx).await {
            Msg::Service { result: Ok(s), .. } => {
                assert_eq!(s.service.name, "wordpress");
                assert_eq!(s.tasks.iter().filter(|t| t.is_running()).count(), 3);
                assert_eq!(s.targets.len(), 3);
                assert!(!s.task_definitions.is_empty());
                service = true;
            }
            Msg::Logs { events, .. } => {
                assert!(events.windows(2).all(|w| w[0].ts_ms <= w[1].ts_ms), "oldest first");
                logs += events.len();
            }
            Msg::LogTail { tail, .. } => {
                assert!(tail.behind.is_none() && tail.skips == 0, "a quiet demo is followed line for line: {tail:?}");
            }
            Msg::WarmReports { found, lookups } => {
                for (task, lookup) in &lookups {
                    assert!(
                        !matches!(lookup, ReportLookup::NotFound | ReportLookup::Unreadable { .. }),
                        "every warmer of the demo reports, and nothing fails: {task} {lookup:?}"
                    );
                }
                for f in &found {
                    assert_eq!(f.report.failure, 0);
                    assert_eq!(f.report.total, 1834);
                }
                reports += found.len();
            }
            Msg::Waf { result: Ok(w), .. } => {
                assert_eq!(w.web_acl_name, "wordpress-waf");
                assert_eq!(w.groups.len(), 4);
                assert!(w.total_blocked > 0);
                assert!(w.groups.iter().any(|g| !g.rules.is_empty()), "rules inside the groups");
                assert!(!w.top_uris.is_empty());
                waf = true;
            }
            Msg::Platform { result: Ok(p), .. } => {
                assert!(p.alb_requests.latest().is_some());
                assert!(p.efs_id.is_some());
                platform = true;
            }
            Msg::Caller(Ok(c)) => {
                assert_eq!(c.account, "123456789012");
                caller = true;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeploy_shows_in_progress_then_completed() {
    let (sim, clients, mut rx, feeds, _set) = start().await;
    clients
        .ecs
        .update_service()
        .cluster("wp-prod")
        .service("wordpress")
        .force_new_deployment(true)
        .send()
        .await
        .unwrap();
    feeds.refresh(Feed::Service);
    feeds.poll_fast(true);
    let mut saw_in_progress = false;
    loop {
        sim.advance(Duration::from_secs(3));
        if let Ok(Some(Msg::Service { result: Ok(s), .. })) =
            tokio::time::timeout(Duration::from_millis(300), rx.recv()).await
        {
            let primary = s.service.primary().cloned().unwrap();
            if primary.rollout == RolloutState::InProgress {
                saw_in_progress = true;
            }
            if saw_in_progress && primary.rollout == RolloutState::Completed && s.service.deployments.len() == 1 {
                break;
            }
        }
        assert!(
            sim.shared.clock.now_ms() < wpops::sim::clock::wall_now_ms() + 600_000,
            "completes within 10 virtual minutes"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_shows_as_a_stale_panel_and_recovers() {
    let (sim, _c, mut rx, feeds, _set) = start().await;
    loop {
        if let Msg::Service { result: Ok(_), .. } = next(&mut rx).await {
            break;
        }
    }
    sim.set_faults(Faults { throttle_rate: 1.0, ..Faults::default() });
    feeds.refresh(Feed::Service);
    let mut saw_throttle = false;
    let mut saw_backoff = false;
    while !(saw_throttle && saw_backoff) {
        match next(&mut rx).await {
            Msg::Service { result: Err(e), .. } => {
                assert_eq!(e.kind, FetchErrorKind::Throttled);
                assert!(e.hint.contains("backs off"));
                saw_throttle = true;
            }
            Msg::Backoff { feed: Feed::Service, retry_in_ms, .. } => {
                assert!(retry_in_ms <= 60_000);
                saw_backoff = true;
            }
            _ => {}
        }
    }
    sim.set_faults(Faults::default());
    loop {
        if let Msg::Service { result: Ok(_), .. } = next(&mut rx).await {
            break;
        }
    }
}

/// Without configured sites (the demo, or no config file) the fleet view is answered at once
/// with no rows, so it says so instead of "reading every configured site…" forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_without_a_fleet_answers_the_fleet_view_with_no_sites() {
    let (_sim, clients, _rx, _feeds, _set) = start().await;
    let (tx, mut rx) = mpsc::channel(256);
    let site = SiteInfo { cluster: "wp-prod".into(), service: "wordpress".into(), ..SiteInfo::default() };
    let mut runtime =
        Runtime::start(clients, site, WarmSettings::default(), None, wpops_fixtures::sim::scratch_audit(), tx);
    runtime.run(Effect::WatchFleet);
    let fleet = async {
        loop {
            if let Msg::Fleet { rows, .. } = next(&mut rx).await {
                return rows;
            }
        }
    };
    let rows = tokio::time::timeout(Duration::from_secs(10), fleet).await.expect("the fleet view is answered");
    assert!(rows.is_empty());
}

/// Against an emulator without CloudWatch (moto), the console's WAF panel still gets the web ACL
/// and its groups, the counts marked unknown and what failed named; the platform panel says why
/// it has no numbers (issue 16).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_cloudwatch_the_waf_panel_shows_what_was_read() {
    let (sim, _clients, mut rx, _feeds, _set) = start().await;
    sim.lack(&["monitoring"]);
    let (mut waf, mut platform) = (None, None);
    while waf.is_none() || platform.is_none() {
        match next(&mut rx).await {
            Msg::Waf { result: Ok(w), .. } => waf = Some(w),
            Msg::Waf { result: Err(e), .. } => panic!("the web ACL could be read: {e}"),
            Msg::Platform { result: Err(e), .. } => platform = Some(e),
            Msg::Platform { result: Ok(p), .. } => panic!("CloudWatch is missing: {p:?}"),
            _ => {}
        }
    }
    let (w, p) = (waf.unwrap(), platform.unwrap());
    assert_eq!(w.web_acl_name, "wordpress-waf");
    assert_eq!(w.groups.len(), 4);
    assert!(w.blocked_unknown && !w.samples_unknown, "{w:?}");
    assert!(!w.top_uris.is_empty(), "the samples still came");
    let ops: Vec<&str> = w.unavailable.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(ops, ["cloudwatch:ListMetrics", "cloudwatch:GetMetricData"]);
    assert_eq!(p.operation, "cloudwatch:GetMetricData");
    assert!(p.message.starts_with("the endpoint answered HTTP 404"), "{}", p.message);
}
