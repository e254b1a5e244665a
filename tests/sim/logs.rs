//! The simulated CloudWatch Logs through the real aws-sdk-cloudwatchlogs client: the default
//! scenario's groups and streams, every operation round-tripping, FilterLogEvents paging through
//! large streams and live traffic without losing or repeating an event (small limits, empty pages
//! with a token, events arriving between pages, late arrivals), filters, and AWS-shaped errors.
//! FilterLogEvents is throttled at about 5 requests/s like AWS: the paging helpers wait (real
//! time, never simulated time) and retry when throttled.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;
use aws_sdk_cloudwatchlogs::operation::filter_log_events::builders::FilterLogEventsFluentBuilder;
use aws_sdk_cloudwatchlogs::types::{FilteredLogEvent, InputLogEvent, OrderBy};
use wpops_fixtures::sim::*;

const GROUP: &str = "/ecs/wordpress";
const ACCOUNT: &str = "123456789012";

async fn client(sim: &wpops::sim::SimHandle) -> Client {
    Client::new(&config(sim).await)
}

fn now_ms(sim: &wpops::sim::SimHandle) -> i64 {
    sim.shared.clock.now_ms()
}

/// One FilterLogEvents call, waiting out throttling.
pub(super) async fn filter_once(req: &FilterLogEventsFluentBuilder) -> FilterLogEventsOutput {
    loop {
        match req.clone().send().await {
            Ok(out) => return out,
            Err(e) if e.code() == Some("ThrottlingException") => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => panic!("FilterLogEvents failed: {:?}", aws_smithy_types::error::display::DisplayErrorContext(e)),
        }
    }
}

/// What a paged search returned.
#[derive(Default)]
pub(super) struct Paged {
    pub(super) events: Vec<FilteredLogEvent>,
    pub(super) pages: usize,
    empty_pages_with_token: usize,
}

/// Pages a search to its end; `between` runs after every page that carries a token.
pub(super) async fn filter_all(req: FilterLogEventsFluentBuilder, mut between: impl AsyncFnMut(usize)) -> Paged {
    let mut paged = Paged::default();
    let mut token: Option<String> = None;
    loop {
        let out = filter_once(&req.clone().set_next_token(token.clone())).await;
        paged.pages += 1;
        assert!(out.events().len() <= 10_000);
        if out.events().is_empty() && out.next_token().is_some() {
            paged.empty_pages_with_token += 1;
        }
        paged.events.extend(out.events().iter().cloned());
        match out.next_token() {
            Some(t) => {
                assert_ne!(Some(t), token.as_deref(), "the token moves on");
                token = Some(t.to_string());
                between(paged.pages).await;
            }
            None => return paged,
        }
        assert!(paged.pages < 2_000, "a search ends");
    }
}

fn ids(events: &[FilteredLogEvent]) -> BTreeSet<String> {
    events.iter().map(|e| e.event_id().unwrap_or_default().to_string()).collect()
}

/// No event twice, and in (timestamp, stream, id) order.
pub(super) fn assert_unique_and_ordered(events: &[FilteredLogEvent]) {
    assert_eq!(ids(events).len(), events.len(), "no event is returned twice");
    let keys: Vec<(i64, &str, &str)> = events
        .iter()
        .map(|e| (e.timestamp().unwrap_or(0), e.log_stream_name().unwrap_or(""), e.event_id().unwrap_or("")))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "ordered by timestamp, stream, event id");
}

/// The ids of the events of `group` visible now whose stream name starts with `prefix`, read
/// from the world directly: what a search started now must return.
fn visible_ids(sim: &wpops::sim::SimHandle, group: &str, prefix: &str) -> BTreeSet<String> {
    sim.with_world(ACCOUNT, REGION, |w| {
        let now = w.now_ms;
        w.logs.group(group).map_or_else(BTreeSet::new, |g| {
            g.streams
                .iter()
                .filter(|(n, _)| n.starts_with(prefix))
                .flat_map(|(_, s)| s.events.iter())
                .filter(|e| e.ingestion_ms <= now)
                .map(|e| e.event_id.clone())
                .collect()
        })
    })
}

fn event(ts: i64, message: impl Into<String>) -> InputLogEvent {
    InputLogEvent::builder().timestamp(ts).message(message).build().unwrap()
}

async fn put(logs: &Client, group: &str, stream: &str, events: Vec<InputLogEvent>) {
    logs.put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(events))
        .send()
        .await
        .unwrap();
}

/// Creates `stream` in `/ecs/wordpress` and puts `n` events one every 50 ms from `first_ms`, in
/// batches of 5,000; every 7th says ERROR.
async fn put_many(logs: &Client, stream: &str, first_ms: i64, n: usize) {
    logs.create_log_stream().log_group_name(GROUP).log_stream_name(stream).send().await.unwrap();
    let all: Vec<InputLogEvent> = (0..n)
        .map(|i| event(first_ms + i as i64 * 50, format!("marked {i:05} {}", if i % 7 == 0 { "ERROR" } else { "ok" })))
        .collect();
    for chunk in all.chunks(5_000) {
        put(logs, GROUP, stream, chunk.to_vec()).await;
    }
}

#[tokio::test]
async fn default_scenario_has_wordpress_streams_and_a_warm_report() {
    let sim = sim("default").await;
    let logs = client(&sim).await;
    let groups = logs.describe_log_groups().send().await.unwrap();
    let g = groups.log_groups().iter().find(|g| g.log_group_name() == Some(GROUP)).expect("the group");
    assert!(g.arn().unwrap().ends_with(":log-group:/ecs/wordpress:*"));
    assert!(g.creation_time().unwrap() < START_MS);

    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let tasks = ecs.list_tasks().cluster("wp-prod").service_name("wordpress").send().await.unwrap();
    assert_eq!(tasks.task_arns().len(), 3);
    let streams = logs.describe_log_streams().log_group_name(GROUP).send().await.unwrap();
    let names: Vec<&str> = streams.log_streams().iter().filter_map(|s| s.log_stream_name()).collect();
    for arn in tasks.task_arns() {
        let id = arn.rsplit('/').next().unwrap();
        for c in ["nginx", "php-fpm", "warmer"] {
            assert!(names.contains(&format!("wp/{c}/{id}").as_str()), "wp/{c}/{id} in {names:?}");
        }
    }
    for s in streams.log_streams() {
        assert!(s.arn().unwrap().contains(":log-group:/ecs/wordpress:log-stream:wp/"));
        assert!(s.creation_time().is_some());
        assert!(s.first_event_timestamp() <= s.last_event_timestamp());
        assert!(s.last_ingestion_time().is_none_or(|t| t <= START_MS));
    }

    let warm = filter_once(
        &logs.filter_log_events().log_group_name(GROUP).log_stream_name_prefix("wp/warmer/").filter_pattern("success"),
    )
    .await;
    assert_eq!(warm.events().len(), 3, "one report per task");
    let re = regex::Regex::new(r"^success: (\d+) \tfailure: 0 \tno_change: 0 \ttotal: (\d+)$").unwrap();
    for e in warm.events() {
        let caps = re.captures(e.message().unwrap()).expect("the warm script's report line");
        assert_eq!(caps[1], caps[2]);
        assert!(e.log_stream_name().unwrap().starts_with("wp/warmer/"));
        assert!(e.ingestion_time().unwrap() > e.timestamp().unwrap());
    }
}

#[tokio::test]
async fn create_put_describe_and_get_round_trip() {
    let sim = sim("quiet").await;
    let logs = client(&sim).await;
    let now = now_ms(&sim);
    logs.create_log_group().log_group_name("/test/app").send().await.unwrap();
    logs.create_log_group().log_group_name("/test/other").send().await.unwrap();
    logs.create_log_stream().log_group_name("/test/app").log_stream_name("one").send().await.unwrap();
    let out = logs
        .put_log_events()
        .log_group_name("/test/app")
        .log_stream_name("one")
        .log_events(event(now - 3_000, "first"))
        .log_events(event(now - 2_000, "second"))
        .log_events(event(now - 2_000, "third"))
        .send()
        .await
        .unwrap();
    assert!(out.next_sequence_token().is_some());
    assert!(out.rejected_log_events_info().is_none());

    let groups = logs.describe_log_groups().log_group_name_prefix("/test/").limit(1).send().await.unwrap();
    assert_eq!(groups.log_groups()[0].log_group_name(), Some("/test/app"));
    let more = logs
        .describe_log_groups()
        .log_group_name_prefix("/test/")
        .next_token(groups.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(more.log_groups()[0].log_group_name(), Some("/test/other"));
    assert!(more.next_token().is_none());

    let streams = logs.describe_log_streams().log_group_identifier("/test/app").send().await.unwrap();
    let s = &streams.log_streams()[0];
    assert_eq!((s.first_event_timestamp(), s.last_event_timestamp()), (Some(now - 3_000), Some(now - 2_000)));
    assert_eq!(s.last_ingestion_time(), Some(now));

    let get = || logs.get_log_events().log_group_name("/test/app").log_stream_name("one");
    let head = get().start_from_head(true).send().await.unwrap();
    let messages: Vec<&str> = head.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(messages, ["first", "second", "third"]);
    assert_eq!(head.events()[0].ingestion_time(), Some(now));
    let forward = head.next_forward_token().unwrap().to_string();
    let idle = get().next_token(&forward).send().await.unwrap();
    assert!(idle.events().is_empty());
    assert_eq!(idle.next_forward_token(), Some(forward.as_str()), "nothing new: the same token");

    sim.advance(secs(5));
    put(&logs, "/test/app", "one", vec![event(now + 4_000, "fourth")]).await;
    let fresh = get().next_token(&forward).send().await.unwrap();
    assert_eq!(fresh.events().len(), 1);
    assert_eq!(fresh.events()[0].message(), Some("fourth"));

    let tail = get().limit(2).send().await.unwrap();
    let messages: Vec<&str> = tail.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(messages, ["third", "fourth"], "without a token: the newest events");
    let back = get().next_token(tail.next_backward_token().unwrap()).limit(2).send().await.unwrap();
    let messages: Vec<&str> = back.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(messages, ["first", "second"]);
    let window = get().start_time(now - 2_000).end_time(now + 4_000).start_from_head(true).send().await.unwrap();
    assert_eq!(window.events().len(), 2, "GetLogEvents: start inclusive, end exclusive");

    // The SDK's own paginator stops on the repeated forward token.
    let pages: Vec<_> = get().start_from_head(true).limit(3).into_paginator().send().collect().await;
    let total: usize = pages.iter().map(|p| p.as_ref().unwrap().events().len()).sum();
    assert_eq!(total, 4);

    logs.create_log_stream().log_group_name("/test/app").log_stream_name("two").send().await.unwrap();
    put(&logs, "/test/app", "two", vec![event(now + 4_500, "newest")]).await;
    let by_time = logs
        .describe_log_streams()
        .log_group_name("/test/app")
        .order_by(OrderBy::LastEventTime)
        .descending(true)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = by_time.log_streams().iter().filter_map(|s| s.log_stream_name()).collect();
    assert_eq!(names, ["two", "one"]);
    let one_page = logs.describe_log_streams().log_group_name("/test/app").limit(1).send().await.unwrap();
    assert_eq!(one_page.log_streams().len(), 1);
    assert!(one_page.next_token().is_some());
}

#[tokio::test]
async fn filter_pages_through_a_large_stream_and_live_traffic_without_loss_or_duplication() {
    let sim = sim("default").await;
    let logs = client(&sim).await;
    let start = now_ms(&sim);
    put_many(&logs, "load/marked", start - 40 * 60_000, 25_000).await;
    sim.advance(secs(120));

    // The big stream alone, default limit: pages of at most 10,000.
    let big =
        filter_all(logs.filter_log_events().log_group_name(GROUP).log_stream_names("load/marked"), async |_| {}).await;
    assert_eq!(big.events.len(), 25_000);
    assert!(big.pages >= 3);
    assert_unique_and_ordered(&big.events);

    // The whole group with a small limit, while traffic, new lines and late lines arrive between
    // pages: the search returns exactly what was visible when it began, each event once.
    let expected = visible_ids(&sim, GROUP, "");
    assert!(expected.len() > 27_000, "the world's traffic is in the group too: {}", expected.len());
    let req = logs.filter_log_events().log_group_name(GROUP).limit(2_500);
    let paged = filter_all(req, async |page| {
        sim.advance(secs(3));
        let now = now_ms(&sim);
        let lines = vec![event(start - 30 * 60_000 + page as i64, format!("late {page}")), event(now, "new")];
        put(&logs, GROUP, "load/marked", lines).await;
    })
    .await;
    assert!(paged.pages >= 10);
    assert_unique_and_ordered(&paged.events);
    assert_eq!(ids(&paged.events), expected, "no event lost or added");

    // Events ingested between the pages of one search belong to the next search.
    let again = filter_all(logs.filter_log_events().log_group_name(GROUP).limit(4_000), async |_| {}).await;
    assert_unique_and_ordered(&again.events);
    assert!(ids(&again.events).is_superset(&expected));
    assert!(again.events.len() > expected.len());
}

#[tokio::test]
async fn puts_between_pages_are_not_lost_or_repeated() {
    let sim = sim("quiet").await;
    let logs = client(&sim).await;
    let start = now_ms(&sim);
    put_many(&logs, "load/a", start - 20 * 60_000, 3_000).await;
    let req = logs.filter_log_events().log_group_name(GROUP).log_stream_name_prefix("load/").limit(500);
    let mut rounds = 0;
    let paged = filter_all(req, async |page| {
        rounds += 1;
        sim.advance(secs(1));
        let now = now_ms(&sim);
        // A line behind the cursor, one ahead of it, and one in a new stream.
        put(&logs, GROUP, "load/a", vec![event(start - 19 * 60_000, "behind"), event(now, "ahead")]).await;
        let stream = format!("load/new-{page}");
        logs.create_log_stream().log_group_name(GROUP).log_stream_name(&stream).send().await.unwrap();
        put(&logs, GROUP, &stream, vec![event(now - 1, "in a new stream")]).await;
    })
    .await;
    assert!(paged.pages >= 6);
    assert_eq!(paged.events.len(), 3_000, "a search is a snapshot as of its first page");
    assert_unique_and_ordered(&paged.events);
    let next =
        filter_all(logs.filter_log_events().log_group_name(GROUP).log_stream_name_prefix("load/"), async |_| {}).await;
    assert_eq!(next.events.len(), 3_000 + rounds * 3);
    assert!(next.events.iter().any(|e| e.message() == Some("behind")));
    assert!(next.events.iter().any(|e| e.message() == Some("ahead")));
    assert_unique_and_ordered(&next.events);
}

#[tokio::test]
async fn empty_pages_with_a_token_are_followed_to_every_match() {
    let sim = sim("quiet").await;
    let logs = client(&sim).await;
    let start = now_ms(&sim);
    logs.create_log_stream().log_group_name(GROUP).log_stream_name("load/needles").send().await.unwrap();
    let lines: Vec<InputLogEvent> = (0..1_000)
        .map(|i| event(start - 600_000 + i * 100, if i % 97 == 5 { format!("NEEDLE {i}") } else { format!("hay {i}") }))
        .collect();
    put(&logs, GROUP, "load/needles", lines).await;
    let req = logs.filter_log_events().log_group_name(GROUP).filter_pattern("NEEDLE").limit(10);
    let paged = filter_all(req, async |_| {}).await;
    assert_eq!(paged.events.len(), 11, "every needle: {:?}", paged.events);
    assert!(paged.empty_pages_with_token > 0, "a page can be empty and still carry a token");
    assert_unique_and_ordered(&paged.events);
}

#[tokio::test]
async fn prefix_stream_name_and_pattern_filters() {
    let sim = sim("default").await;
    let logs = client(&sim).await;
    sim.advance(secs(30));
    let now = now_ms(&sim);
    let recent = || logs.filter_log_events().log_group_name(GROUP).start_time(now - 60_000).end_time(now);

    let nginx = filter_all(recent().log_stream_name_prefix("wp/nginx/"), async |_| {}).await;
    assert!(nginx.events.len() > 100);
    assert!(nginx.events.iter().all(|e| e.log_stream_name().unwrap().starts_with("wp/nginx/")));
    assert!(nginx.events.iter().all(|e| (now - 60_000..=now).contains(&e.timestamp().unwrap())));
    assert!(nginx.events.iter().all(|e| e.ingestion_time().unwrap() <= now), "only ingested events");

    let one = nginx.events[0].log_stream_name().unwrap().to_string();
    let single = filter_all(recent().log_stream_names(&one), async |_| {}).await;
    assert!(!single.events.is_empty());
    assert!(single.events.iter().all(|e| e.log_stream_name() == Some(one.as_str())));
    assert_eq!(single.events.len(), nginx.events.iter().filter(|e| e.log_stream_name() == Some(&one)).count());

    let gets = filter_all(recent().log_stream_name_prefix("wp/nginx/").filter_pattern("GET"), async |_| {}).await;
    assert!(!gets.events.is_empty());
    assert!(gets.events.iter().all(|e| e.message().unwrap().contains("GET")));
    let not_gets = filter_all(recent().log_stream_name_prefix("wp/nginx/").filter_pattern("-GET"), async |_| {}).await;
    assert!(not_gets.events.iter().all(|e| !e.message().unwrap().contains("GET")));
    assert_eq!(gets.events.len() + not_gets.events.len(), nginx.events.len());
    let phrase = filter_all(recent().filter_pattern("\"\\\"GET /\""), async |_| {}).await;
    assert!(!phrase.events.is_empty() && phrase.events.len() <= gets.events.len());
    assert!(phrase.events.iter().all(|e| e.message().unwrap().contains("\"GET /")));
    let either = filter_all(recent().filter_pattern("?\"GET \" ?\"POST \""), async |_| {}).await;
    assert!(either.events.len() >= phrase.events.len());
    assert!(
        either.events.iter().all(|e| e.message().unwrap().contains("GET ") || e.message().unwrap().contains("POST "))
    );

    put_many(&logs, "load/marked", now - 50_000, 200).await;
    let errors =
        filter_all(recent().log_stream_name_prefix("load/").filter_pattern("marked ERROR"), async |_| {}).await;
    assert_eq!(errors.events.len(), 200usize.div_ceil(7));
    assert!(errors.events.iter().all(|e| e.message().unwrap().contains("ERROR")));
}

#[tokio::test]
async fn late_arrivals_appear_in_a_later_search() {
    let sim = sim("default").await;
    let logs = client(&sim).await;
    sim.advance(secs(10));
    let t1 = now_ms(&sim);
    let since = t1 - 8_000;
    let search = || logs.filter_log_events().log_group_name(GROUP).log_stream_name_prefix("wp/").start_time(since);
    let first = filter_all(search(), async |_| {}).await;
    assert!(first.events.iter().all(|e| e.ingestion_time().unwrap() <= t1));
    let newest = first.events.iter().filter_map(|e| e.timestamp()).max().unwrap();

    sim.advance(secs(3));
    let second = filter_all(search(), async |_| {}).await;
    let before = ids(&first.events);
    assert!(ids(&second.events).is_superset(&before));
    let late: Vec<_> = second
        .events
        .iter()
        .filter(|e| !before.contains(e.event_id().unwrap()) && e.timestamp().unwrap() <= newest)
        .collect();
    assert!(!late.is_empty(), "the world's lines arrive 150-1200 ms after their timestamp");
    assert!(late.iter().all(|e| e.ingestion_time().unwrap() > t1));

    // A line put now with a timestamp five minutes ago.
    let now = now_ms(&sim);
    logs.create_log_stream().log_group_name(GROUP).log_stream_name("load/late").send().await.unwrap();
    put(&logs, GROUP, "load/late", vec![event(now - 300_000, "LATE-MARKER")]).await;
    let found = filter_all(
        logs.filter_log_events().log_group_name(GROUP).start_time(now - 600_000).filter_pattern("LATE-MARKER"),
        async |_| {},
    )
    .await;
    assert_eq!(found.events.len(), 1);
    assert_eq!(found.events[0].timestamp(), Some(now - 300_000));
    assert_eq!(found.events[0].ingestion_time(), Some(now));
    let excluded = filter_once(
        &logs.filter_log_events().log_group_name(GROUP).start_time(now - 299_999).filter_pattern("LATE-MARKER"),
    )
    .await;
    assert!(excluded.events().is_empty());
}

#[tokio::test]
async fn pages_stop_at_one_megabyte_of_messages() {
    let sim = sim("quiet").await;
    let logs = client(&sim).await;
    let now = now_ms(&sim);
    logs.create_log_stream().log_group_name(GROUP).log_stream_name("load/wide").send().await.unwrap();
    for batch in 0..4 {
        let lines = (0..3).map(|i| event(now - 10_000 + batch * 10 + i, "x".repeat(200_000))).collect();
        put(&logs, GROUP, "load/wide", lines).await;
    }
    let first = filter_once(&logs.filter_log_events().log_group_name(GROUP).log_stream_names("load/wide")).await;
    let bytes: usize = first.events().iter().map(|e| e.message().unwrap().len()).sum();
    assert!(bytes <= 1_048_576 && first.events().len() == 5, "{} events, {bytes} bytes", first.events().len());
    assert!(first.next_token().is_some());
    let all =
        filter_all(logs.filter_log_events().log_group_name(GROUP).log_stream_names("load/wide"), async |_| {}).await;
    assert_eq!(all.events.len(), 12);
    assert_unique_and_ordered(&all.events);
}

#[tokio::test]
async fn errors_map_to_typed_sdk_errors() {
    let sim = sim("quiet").await;
    let logs = client(&sim).await;
    let now = now_ms(&sim);

    let e = logs.filter_log_events().log_group_name("/nope").send().await.unwrap_err().into_service_error();
    assert!(e.is_resource_not_found_exception());
    assert_eq!(e.message(), Some("The specified log group does not exist."));
    let e = logs
        .filter_log_events()
        .log_group_name(GROUP)
        .log_stream_names("a")
        .log_stream_name_prefix("a")
        .send()
        .await
        .unwrap_err();
    assert!(e.into_service_error().is_invalid_parameter_exception());
    let e = logs.filter_log_events().log_group_name(GROUP).filter_pattern("{ $.level = \"error\" }").send().await;
    let e = e.unwrap_err().into_service_error();
    assert!(e.is_invalid_parameter_exception());
    assert!(e.message().unwrap().contains("not supported"));
    let e = logs.filter_log_events().log_group_name(GROUP).next_token("garbage").send().await.unwrap_err();
    assert!(e.into_service_error().is_invalid_parameter_exception());
    let e = logs.filter_log_events().log_group_name(GROUP).limit(10_001).send().await.unwrap_err();
    assert!(e.into_service_error().is_invalid_parameter_exception());

    let e = logs.create_log_group().log_group_name(GROUP).send().await.unwrap_err();
    assert!(e.into_service_error().is_resource_already_exists_exception());
    let e = logs.create_log_stream().log_group_name("/nope").log_stream_name("s").send().await.unwrap_err();
    assert!(e.into_service_error().is_resource_not_found_exception());
    logs.create_log_stream().log_group_name(GROUP).log_stream_name("s").send().await.unwrap();
    let e = logs.create_log_stream().log_group_name(GROUP).log_stream_name("s").send().await.unwrap_err();
    assert!(e.into_service_error().is_resource_already_exists_exception());

    let put = |stream: &str, events: Vec<InputLogEvent>| {
        logs.put_log_events().log_group_name(GROUP).log_stream_name(stream).set_log_events(Some(events)).send()
    };
    let e = put("s", vec![event(now, "b"), event(now - 1, "a")]).await.unwrap_err();
    assert!(e.into_service_error().is_invalid_parameter_exception());
    let e = put("missing", vec![event(now, "a")]).await.unwrap_err();
    assert!(e.into_service_error().is_resource_not_found_exception());
    let out = put("s", vec![event(now - 7 * 3_600_000, "old"), event(now, "ok"), event(now + 3 * 3_600_000, "new")])
        .await
        .unwrap();
    let rejected = out.rejected_log_events_info().unwrap();
    assert_eq!(rejected.expired_log_event_end_index(), Some(1));
    assert_eq!(rejected.too_new_log_event_start_index(), Some(2));

    let e = logs.get_log_events().log_group_name(GROUP).log_stream_name("missing").send().await.unwrap_err();
    assert!(e.into_service_error().is_resource_not_found_exception());
    let e = logs.describe_log_streams().log_group_name("/nope").send().await.unwrap_err();
    assert!(e.into_service_error().is_resource_not_found_exception());
    let e = logs.describe_log_groups().limit(51).send().await.unwrap_err();
    assert!(e.into_service_error().is_invalid_parameter_exception());
}
