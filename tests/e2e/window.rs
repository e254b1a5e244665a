//! A window in the past, through the real SDK against the incident scenario: its lines load
//! newest first and are exactly the events the simulator holds for it (none lost or repeated
//! across slices, pages and throttling); what the console shows of it (the timeline, the
//! metrics, the windowed overview) is a snapshot of the seeded world.

use std::collections::BTreeMap;

use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;

use wpops::app::{Key, KeyCode, Msg, SiteInfo, State, update};
use wpops::feed::Discovery;
use wpops::feed::budget::Budget;
use wpops::feed::read::{Depth, ServiceReader};
use wpops::feed::report::gather_with;
use wpops::feed::window::WindowLoader;
use wpops::sim::Faults;
use wpops_fixtures::sim::{KEY, REGION, START_MS, config_for, sim};
use wpops_fixtures::ui::draw;

async fn retrying_clients(sim: &wpops::sim::SimHandle) -> wpops::aws::Clients {
    let target = wpops::aws::Target {
        region: Some(REGION.into()),
        endpoint_url: Some(sim.endpoint_url()),
        static_credentials: Some((KEY.into(), "secret".into())),
        max_attempts: 10,
        read_only: true,
        ..wpops::aws::Target::interactive()
    };
    wpops::aws::Clients::connect(&target).await.expect("clients connect to the simulator")
}

/// Every event of `group` in `[from, to]`, read stream by stream with GetLogEvents: (time,
/// message) → how many.
async fn held(sim: &wpops::sim::SimHandle, group: &str, from: i64, to: i64) -> BTreeMap<(i64, String), u32> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config_for(sim, KEY, true).await);
    let mut out = BTreeMap::new();
    let mut token = None;
    loop {
        let page = logs.describe_log_streams().log_group_name(group).set_next_token(token).send().await.unwrap();
        for s in page.log_streams() {
            let mut next = None;
            loop {
                let req = logs
                    .get_log_events()
                    .log_group_name(group)
                    .log_stream_name(s.log_stream_name().unwrap_or_default())
                    .start_time(from)
                    .end_time(to + 1)
                    .start_from_head(true)
                    .set_next_token(next.clone());
                // The simulator keeps CloudWatch Logs' request rate: wait out a throttle.
                let got = loop {
                    match req.clone().send().await {
                        Ok(got) => break got,
                        Err(e) if e.code() == Some("ThrottlingException") => {
                            tokio::time::sleep(std::time::Duration::from_millis(200)).await
                        }
                        Err(e) => panic!("GetLogEvents: {e:?}"),
                    }
                };
                if got.events().is_empty() {
                    break;
                }
                for e in got.events() {
                    for line in e.message().unwrap_or_default().lines() {
                        *out.entry((e.timestamp().unwrap_or_default(), line.to_owned())).or_insert(0) += 1;
                    }
                }
                if got.next_forward_token().map(str::to_owned) == next {
                    break;
                }
                next = got.next_forward_token().map(str::to_owned);
            }
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_in_the_past_loads_exactly_the_events_the_simulator_holds() {
    let sim = sim("incident").await;
    let c = retrying_clients(&sim).await;
    let reading = ServiceReader::new(c.clone(), std::sync::Arc::new(Budget::new(100.0, 100.0)))
        .read("wp-prod", "wordpress", Depth::STATUS)
        .await
        .expect("the service is read");
    let disc = Discovery { task_definitions: reading.snapshot.task_definitions.clone(), ..Discovery::default() };
    let group = disc.task_definitions[0].containers[0].log_group.clone().expect("awslogs");
    let (from, to) = (START_MS - 9 * 60_000, START_MS - 60_000);
    let expected = held(&sim, &group, from, to).await;
    assert!(expected.values().sum::<u32>() > 1_000, "the window holds lines: {}", expected.len());
    // A third of the requests throttled: the SDK retries, nothing is lost or read twice.
    sim.set_faults(Faults { throttle_rate: 0.3, ..Faults::default() });
    let budget = Budget::new(100.0, 100.0);
    let mut loader = WindowLoader::new(disc, from, to, 256 * 1024 * 1024);
    let mut got: BTreeMap<(i64, String), u32> = BTreeMap::new();
    let mut newest_first = i64::MAX;
    let mut slices = 0;
    while let Some((events, progress)) = loader.next(&c, &budget, START_MS).await.expect("the window loads") {
        slices += 1;
        if let Some(last) = events.last() {
            assert!(last.ts_ms < newest_first, "each slice is older than the one before");
            newest_first = events[0].ts_ms;
        }
        for e in events {
            *got.entry((e.ts_ms, e.text)).or_insert(0) += 1;
        }
        assert!(progress.reached_ms >= from);
    }
    sim.set_faults(Faults::default());
    assert!(slices > 1, "the window came in slices: {slices}");
    assert_eq!(got.values().sum::<u32>(), expected.values().sum::<u32>(), "as many lines as the simulator holds");
    assert_eq!(got, expected);
    assert!(loader.progress().done && !loader.progress().cut);
    assert!(loader.progress().pages >= slices, "{:?}", loader.progress());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_a_window_in_the_past() {
    let sim = sim("incident").await;
    let c = retrying_clients(&sim).await;
    let from = START_MS - 3_600_000;
    let facts = gather_with(&c, "wp-prod", "wordpress", from, START_MS, false).await.expect("the window is read");
    let snapshot = facts.snapshot.clone();
    let site = wpops_fixtures::sim::report_site();
    let window = facts.window(&site, START_MS);
    let info =
        SiteInfo { name: "incident".into(), region: REGION.into(), warm_limit_ms: 120_000, ..SiteInfo::default() };
    let mut s = State::new(info, START_MS);
    update(&mut s, Msg::Service { at_ms: START_MS, result: Ok(Box::new(snapshot.clone())) });
    for ch in ":since 1h".chars() {
        update(&mut s, Msg::Key(Key::char(ch)));
    }
    let effects = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert_eq!(effects.len(), 2, "the window's read and its lines are asked for: {effects:?}");
    let generation = s.window.generation;
    // An older window's answer is dropped.
    update(&mut s, Msg::Window { generation: generation - 1, result: Ok(Box::new(window.clone())) });
    assert!(s.window.facts().is_none());
    update(&mut s, Msg::Window { generation, result: Ok(Box::new(window)) });
    let disc = Discovery { task_definitions: snapshot.task_definitions.clone(), ..Discovery::default() };
    let mut loader = WindowLoader::new(disc, START_MS - 3 * 60_000, START_MS, 8 * 1024 * 1024);
    let budget = Budget::new(100.0, 100.0);
    while let Some(slice) = loader.next(&c, &budget, START_MS).await.expect("lines") {
        update(&mut s, Msg::WindowLogs { generation, result: Ok(slice) });
    }
    let screen = draw(&s, 160, 48);
    assert!(screen.contains("◷ window"), "{screen}");
    insta::assert_snapshot!("window_overview", screen);
    for ch in "H".chars() {
        update(&mut s, Msg::Key(Key::char(ch)));
    }
    let timeline = draw(&s, 160, 48);
    assert!(timeline.contains("stopped"), "{timeline}");
    insta::assert_snapshot!("window_timeline", timeline);
    update(&mut s, Msg::Key(Key::char('m')));
    insta::assert_snapshot!("window_metrics", draw(&s, 160, 48));
    // Enter on an entry moves the window around it; :live puts the live view back.
    update(&mut s, Msg::Key(Key::char('H')));
    let effects = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert!(effects.iter().any(|e| matches!(e, wpops::app::Effect::ReadWindow { .. })), "{effects:?}");
    for ch in ":live".chars() {
        update(&mut s, Msg::Key(Key::char(ch)));
    }
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)));
    assert!(s.window.window.is_live() && s.window.live_logs.is_none());
}
