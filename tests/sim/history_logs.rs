//! The incident scenario's logs across its three hours through the real aws-sdk-cloudwatchlogs
//! client: a window of the past (−170…−155 min) holds the lines of the tasks that ran then (wordpress:41's and
//! the failed deployment's, which ECS no longer lists) and the EFS episode's slow requests;
//! DescribeLogStreams lists their streams with first and last event times; FilterLogEvents pages
//! the whole three hours across all streams with a small limit returning every event exactly once
//! (against GetLogEvents per stream); the same seed gives the same history, another seed other
//! lines at the same times.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
use aws_sdk_cloudwatchlogs::operation::get_log_events::GetLogEventsOutput;
use aws_sdk_cloudwatchlogs::operation::get_log_events::builders::GetLogEventsFluentBuilder;
use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;
use wpops::sim::{SimHandle, SimOptions};
use wpops_fixtures::sim::*;

use super::logs::{assert_unique_and_ordered, filter_all};

const GROUP: &str = "/ecs/wordpress";
const MIN: i64 = 60_000;

async fn logs(sim: &SimHandle) -> Client {
    Client::new(&config(sim).await)
}

async fn seeded(seed: u64) -> SimHandle {
    let opts = SimOptions {
        scenario: "incident".into(),
        paused: true,
        start_ms: Some(START_MS),
        seed,
        ..SimOptions::default()
    };
    wpops::sim::start(opts).await.expect("simulator starts")
}

/// Every event of `[from, to]` in the group, paged with `limit`.
async fn window(sim: &SimHandle, from: i64, to: i64, limit: i32) -> Vec<FilteredLogEvent> {
    let c = logs(sim).await;
    let req = c.filter_log_events().log_group_name(GROUP).start_time(from).end_time(to).limit(limit);
    filter_all(req, async |_| {}).await.events
}

/// The task id of a stream `wp/<container>/<task id>`.
fn task_of(stream: &str) -> &str {
    stream.rsplit('/').next().unwrap_or("")
}

/// The ids of the tasks ECS lists for the service, running and stopped.
async fn listed_tasks(sim: &SimHandle) -> BTreeSet<String> {
    let ecs = aws_sdk_ecs::Client::new(&config(sim).await);
    let mut out = BTreeSet::new();
    for status in [aws_sdk_ecs::types::DesiredStatus::Running, aws_sdk_ecs::types::DesiredStatus::Stopped] {
        let l = ecs.list_tasks().cluster("wp-prod").service_name("wordpress").desired_status(status);
        for arn in l.send().await.unwrap().task_arns() {
            out.insert(arn.rsplit('/').next().unwrap().to_string());
        }
    }
    out
}

/// The request time (last field) of an nginx access line of a visitor (not a health check).
fn visitor_request_time(message: &str) -> Option<f64> {
    if !message.contains("\" ") || message.contains("ELB-HealthChecker") || message.contains("opcache_warmer") {
        return None;
    }
    message.rsplit(' ').next()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_of_the_past_holds_the_tasks_that_ran_then() {
    let sim = sim("incident").await;
    let (from, to) = (START_MS - 170 * MIN, START_MS - 155 * MIN);
    let events = window(&sim, from, to, 10_000).await;
    assert_unique_and_ordered(&events);
    assert!(events.iter().all(|e| (from..=to).contains(&e.timestamp().unwrap())));
    let stream = |e: &FilteredLogEvent| e.log_stream_name().unwrap().to_string();
    let tasks: BTreeSet<String> = events.iter().map(|e| task_of(&stream(e)).to_string()).collect();
    assert_eq!(tasks.len(), 6, "wordpress:41's three tasks and the failed deployment's three: {tasks:?}");
    let listed = listed_tasks(&sim).await;
    assert!(tasks.is_disjoint(&listed), "ECS no longer lists any of them");
    let said =
        |text: &str| events.iter().filter(|e| e.message().unwrap().contains(text)).map(stream).collect::<Vec<_>>();
    let warmers = said("curl: (22) The requested URL returned error: 504");
    assert_eq!(warmers.len(), 3, "each failed task's warmer timed out");
    assert!(warmers.iter().all(|s| s.starts_with("wp/warmer/")));
    let failed: BTreeSet<&str> = warmers.iter().map(|s| task_of(s)).collect();
    assert!(said("executing too slow").iter().all(|s| failed.contains(task_of(s)) && s.starts_with("wp/php-fpm/")));
    let checks = said("\" 499 0 \"-\" \"ELB-HealthChecker/2.0\"");
    assert!(checks.len() >= 3 * 10, "the health checks given up after 5 s: {}", checks.len());
    assert!(checks.iter().all(|s| failed.contains(task_of(s))));
    assert_eq!(said("Finishing ...").len(), 3, "php-fpm of the failed tasks stopped; 41's ran on");
    // EFS at its I/O limit until −155: the served tasks' visitors waited, and some got 504s.
    let times: Vec<f64> = events.iter().filter_map(|e| visitor_request_time(e.message().unwrap())).collect();
    assert!(times.len() > 400, "a visitor every ~4 s per task: {}", times.len());
    let slow = times.iter().filter(|t| **t >= 1.0).count();
    assert!(slow * 2 > times.len(), "most requests slow: {slow} of {}", times.len());
    assert!(!said("upstream timed out (110: Connection timed out)").is_empty());
    let calm = window(&sim, START_MS - 150 * MIN, START_MS - 140 * MIN, 10_000).await;
    let calm: Vec<f64> = calm.iter().filter_map(|e| visitor_request_time(e.message().unwrap())).collect();
    assert!(calm.iter().filter(|t| **t >= 1.0).count() * 20 < calm.len(), "after it, fast");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_log_streams_lists_the_past_streams_with_their_times() {
    let sim = sim("incident").await;
    let c = logs(&sim).await;
    let mut streams = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = c.describe_log_streams().log_group_name(GROUP).set_next_token(token).send().await.unwrap();
        streams.extend(out.log_streams().iter().cloned());
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let tasks: BTreeSet<&str> = streams.iter().map(|s| task_of(s.log_stream_name().unwrap())).collect();
    // 3 running, 2 OOM-killed, 3 of wordpress:41, 3 of the failed deployment.
    assert_eq!(tasks.len(), 11, "{tasks:?}");
    for s in &streams {
        let (first, last) = (s.first_event_timestamp().unwrap(), s.last_event_timestamp().unwrap());
        assert!(s.creation_time().unwrap() <= first && first <= last && last < START_MS + MIN);
    }
    let oldest = streams.iter().map(|s| s.first_event_timestamp().unwrap()).min().unwrap();
    assert!(oldest < START_MS - 179 * MIN, "the logs reach three hours back");
    let failed: Vec<_> = streams.iter().filter(|s| s.last_event_timestamp().unwrap() < START_MS - 150 * MIN).collect();
    assert_eq!(failed.len(), 9, "the failed tasks' nginx, php-fpm and warmer streams ended 2.5 hours back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_three_hours_of_every_stream_returns_each_event_once() {
    let sim = sim("incident").await;
    let c = logs(&sim).await;
    // Lines of the last second are ingested a little after it.
    sim.advance(secs(2));
    let (from, to) = (START_MS - 180 * MIN, START_MS - 1);
    let paged = {
        let req = c.filter_log_events().log_group_name(GROUP).start_time(from).end_time(to).limit(500);
        filter_all(req, async |_| {}).await
    };
    assert_unique_and_ordered(&paged.events);
    assert!(paged.pages > 20, "{} pages", paged.pages);
    let mut filtered: Vec<(String, i64, String)> = paged
        .events
        .iter()
        .map(|e| (e.log_stream_name().unwrap().into(), e.timestamp().unwrap(), e.message().unwrap().into()))
        .collect();
    filtered.sort();
    let names: Vec<String> = {
        let out = c.describe_log_streams().log_group_name(GROUP).limit(50).send().await.unwrap();
        assert!(out.next_token().is_none());
        out.log_streams().iter().map(|s| s.log_stream_name().unwrap().to_string()).collect()
    };
    let mut read = Vec::new();
    for name in &names {
        let mut token: Option<String> = None;
        loop {
            let req = c.get_log_events().log_group_name(GROUP).log_stream_name(name).start_from_head(true);
            let out = get_waiting(req.start_time(from).end_time(to + 1).set_next_token(token.clone())).await;
            read.extend(
                out.events().iter().map(|e| (name.clone(), e.timestamp().unwrap(), e.message().unwrap().into())),
            );
            let next = out.next_forward_token().map(str::to_string);
            if out.events().is_empty() || next == token {
                break;
            }
            token = next;
        }
    }
    read.sort();
    assert_eq!(filtered.len(), read.len());
    assert!(filtered == read, "FilterLogEvents returns what each stream holds, each event once");
    assert!(read.len() > 15_000, "{} events in three hours", read.len());
}

/// One GetLogEvents call, waiting out throttling (about 10 requests/s, as AWS).
async fn get_waiting(req: GetLogEventsFluentBuilder) -> GetLogEventsOutput {
    loop {
        match req.clone().send().await {
            Ok(out) => return out,
            Err(e) if e.code() == Some("ThrottlingException") => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => panic!("GetLogEvents failed: {e:?}"),
        }
    }
}

/// A past window's events as (stream, timestamp, message, event id).
async fn past(sim: &SimHandle) -> Vec<(String, i64, String, String)> {
    let events = window(sim, START_MS - 170 * MIN, START_MS - 140 * MIN, 10_000).await;
    events
        .iter()
        .map(|e| {
            let id = e.event_id().unwrap().to_string();
            (e.log_stream_name().unwrap().into(), e.timestamp().unwrap(), e.message().unwrap().into(), id)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_history_and_another_seed_other_lines() {
    let (a, b, other) = (seeded(42).await, seeded(42).await, seeded(7).await);
    let (pa, pb, po) = (past(&a).await, past(&b).await, past(&other).await);
    assert!(pa.len() > 1_000);
    assert!(pa == pb, "seed 42 twice: the same events, ids included");
    let messages = |p: &[(String, i64, String, String)]| p.iter().map(|e| e.2.clone()).collect::<BTreeSet<_>>();
    let shared = messages(&pa).intersection(&messages(&po)).count();
    assert!(shared * 4 < pa.len(), "another seed, other lines: {shared} of {} shared", pa.len());
    let times = async |s: &SimHandle| {
        let ecs = aws_sdk_ecs::Client::new(&config(s).await);
        let l = ecs.list_service_deployments().cluster("wp-prod").service("wordpress").send().await.unwrap();
        l.service_deployments().iter().map(|d| d.created_at().unwrap().to_millis().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(times(&a).await, times(&other).await, "the known times do not depend on the seed");
}
