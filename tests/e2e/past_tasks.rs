//! A window older than ECS's memory of its tasks (it keeps stopped ones about an hour), through
//! the real SDK against the incident scenario: the failed deployment of wordpress:42 (−163 min,
//! rolled back) and wordpress:41's tasks that served then are listed from their log streams,
//! the service events and the deployment history; one opened shows its whole life's lines and
//! its warmer's own words; the verdict at the window's end judges the tasks as they stood then
//! (the OOM kills came later).

use wpops::app::{Effect, Key, KeyCode, Msg, SiteInfo, State, update};
use wpops::feed::Discovery;
use wpops::feed::budget::Budget;
use wpops::feed::lifetime::LifetimeRead;
use wpops::feed::report::gather_with;
use wpops_fixtures::sim::{REGION, START_MS, clients, sim};
use wpops_fixtures::ui::draw;

const MIN: i64 = 60_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_before_ecs_forgot_its_tasks_lists_and_opens_them() {
    let sim = sim("incident").await;
    let c = clients(&sim, true).await;
    let (from, to) = (START_MS - 170 * MIN, START_MS - 150 * MIN);
    let facts = gather_with(&c, "wp-prod", "wordpress", from, to, false).await.expect("the window is read");
    let snapshot = facts.snapshot.clone();
    let site = wpops_fixtures::sim::report_site();
    let report = facts.report(&site, START_MS);
    let window = facts.window(&site, START_MS);

    // The tasks of the window: wordpress:41's three, running at its end, and the failed
    // deployment's three, stopped in it; none of them listed by ECS any more.
    let running: Vec<_> = window.tasks.iter().filter(|t| t.is_running()).collect();
    let stopped: Vec<_> = window.tasks.iter().filter(|t| t.is_stopped()).collect();
    assert_eq!(running.len(), 3, "{:#?}", window.tasks);
    assert!(running.iter().all(|t| t.revision == 41 && t.from_logs));
    assert_eq!(stopped.len(), 3, "{:#?}", window.tasks);
    assert!(stopped.iter().all(|t| t.revision == 42 && t.from_logs));
    assert!(!snapshot.tasks.iter().any(|t| window.tasks.iter().any(|w| w.id == t.id)), "ECS lists none of them");
    assert_eq!(window.stopped.len(), 1, "{:#?}", window.stopped);
    assert!(
        window.stopped[0].reason.contains("likely its deployment failing (ROLLBACK_SUCCESSFUL"),
        "{}",
        window.stopped[0].reason
    );

    // Their warmers, however old: the failed deployment's wrote curl's 504 and no report.
    let failed: Vec<_> = report.warmers.iter().filter(|w| w.revision == 42).collect();
    assert_eq!(failed.len(), 3, "{:#?}", report.warmers);
    for w in &failed {
        assert!(!w.ok && w.from_logs, "{w:?}");
        assert!(w.output.iter().any(|l| l.contains("curl: (22)") && l.contains("504")), "{w:?}");
    }
    // The verdict at the window's end: no OOM kill yet (they came about 80 minutes later),
    // no stopped task of ECS's last hour counted in it.
    let reasons = report.verdict.reasons.join("\n");
    assert!(!reasons.contains("killed for memory"), "{reasons}");
    assert!(!reasons.contains("image pull failed"), "{reasons}");
    assert!(reasons.contains("EFS"), "the EFS episode is on: {reasons}");

    // The console: the window's tasks in the table; Enter on the stopped group opens its
    // newest task, whose whole life is read from its streams.
    let info =
        SiteInfo { name: "incident".into(), region: REGION.into(), warm_limit_ms: 120_000, ..SiteInfo::default() };
    let mut s = State::new(info, START_MS);
    update(&mut s, Msg::Service { at_ms: START_MS, result: Ok(Box::new(snapshot.clone())) });
    let at = format!(":at {} {}", s.window.clock.hm(from), s.window.clock.hm(to));
    for ch in at.chars() {
        update(&mut s, Msg::Key(Key::char(ch)));
    }
    let asked = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert!(asked.iter().any(|e| matches!(e, Effect::ReadWindow { .. })), "{asked:?}");
    let generation = s.window.generation;
    update(&mut s, Msg::Window { generation, result: Ok(Box::new(window.clone())) });
    let overview = draw(&s, 100, 30);
    assert!(overview.contains("Tasks at") && overview.contains("Stopped in the window"), "{overview}");
    // The first row is wordpress:41's task, running at the window's end, long gone now: it is
    // not replaced (an action acts on ECS's present).
    assert!(update(&mut s, Msg::Key(Key::char('X'))).is_empty());
    assert!(s.ops.dialog.is_none());
    assert!(s.nav.flash.as_ref().is_some_and(|f| f.text.contains("not running now")), "{:?}", s.nav.flash);
    for _ in 0..3 {
        update(&mut s, Msg::Key(Key::char('j')));
    }
    let effects = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    let task = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadTaskLog(t) => Some((**t).clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the forgotten task's life is asked for: {effects:?}"));
    assert!(task.from_logs && task.revision == 42, "{task:?}");
    let disc = Discovery { task_definitions: snapshot.task_definitions.clone(), ..Discovery::default() };
    let budget = Budget::new(100.0, 100.0);
    let read = LifetimeRead {
        clients: &c,
        disc: &disc,
        task: &task,
        containers: &[],
        group: None,
        budget: &budget,
        now: START_MS,
        max_bytes: 16 * 1024 * 1024,
    };
    let log = read.read().await.expect("its life is read");
    assert!(log.is_whole(), "{log:?}");
    assert!(log.events.iter().any(|e| e.text.contains("curl: (22)")), "the warmer's own line is in its life");
    assert!(log.events.iter().any(|e| e.container.name() == "nginx"), "and nginx's");
    update(&mut s, Msg::TaskLog { task_id: task.id.as_str().to_owned(), result: Ok(Box::new(log)) });
    insta::assert_snapshot!("forgotten_task_detail", draw(&s, 100, 30));
}
