//! The simulated StartLiveTail through the real aws-sdk-cloudwatchlogs client: the SDK's
//! `stream-` host prefix against an endpoint override (fails without wpops's interceptor), a
//! line put with PutLogEvents arriving in a session's `sessionUpdate`, the stream and pattern
//! filters, sampling above 500 events an update, the session's time limit
//! (`SessionTimeoutException`), the concurrent-session quota (`LimitExceededException`), a
//! session ended by the service (`SessionStreamingException`), and a bad log group.

use std::time::Duration;

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
use aws_sdk_cloudwatchlogs::primitives::event_stream::EventReceiver;
use aws_sdk_cloudwatchlogs::types::error::StartLiveTailResponseStreamError;
use aws_sdk_cloudwatchlogs::types::{InputLogEvent, LiveTailSessionUpdate, StartLiveTailResponseStream};
use wpops::aws::host_prefix::KeepEndpointHost;
use wpops::sim::SimHandle;
use wpops::sim::live_tail::LiveTailLimits;
use wpops_fixtures::sim::*;

const GROUP: &str = "/live/tail";
const ACCOUNT: &str = "123456789012";

fn arn(group: &str) -> String {
    format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}")
}

/// A Logs client with wpops's host-prefix interceptor (as `aws::client` builds it).
async fn client(sim: &SimHandle) -> Client {
    let conf = config(sim).await;
    let keep = KeepEndpointHost::for_endpoint(&sim.endpoint_url()).expect("an endpoint with a host");
    Client::from_conf(aws_sdk_cloudwatchlogs::config::Builder::from(&conf).interceptor(keep).build())
}

/// A quiet simulator with a group and two streams, updates every 50 ms.
async fn setup() -> (SimHandle, Client) {
    let sim = sim("quiet").await;
    sim.set_live_tail(LiveTailLimits { update_every_ms: 50, ..LiveTailLimits::default() });
    let c = client(&sim).await;
    c.create_log_group().log_group_name(GROUP).send().await.expect("group");
    for s in ["wp/nginx/a", "wp/php-fpm/a"] {
        c.create_log_stream().log_group_name(GROUP).log_stream_name(s).send().await.expect("stream");
    }
    (sim, c)
}

type Stream = EventReceiver<StartLiveTailResponseStream, StartLiveTailResponseStreamError>;

async fn start(c: &Client, prefixes: Option<Vec<String>>, pattern: Option<&str>) -> Stream {
    let out = c
        .start_live_tail()
        .log_group_identifiers(arn(GROUP))
        .set_log_stream_name_prefixes(prefixes)
        .set_log_event_filter_pattern(pattern.map(str::to_string))
        .send()
        .await
        .unwrap_or_else(|e| panic!("StartLiveTail: {}", aws_smithy_types::error::display::DisplayErrorContext(e)));
    let mut stream = out.response_stream;
    match stream.recv().await {
        Ok(Some(StartLiveTailResponseStream::SessionStart(s))) => {
            assert!(s.session_id().is_some_and(|id| !id.is_empty()));
            assert_eq!(s.log_group_identifiers(), [arn(GROUP)]);
        }
        other => panic!("the first frame is sessionStart: {other:?}"),
    }
    stream
}

async fn put(c: &Client, sim: &SimHandle, stream: &str, messages: &[String]) {
    let now = sim.shared.clock.now_ms();
    let events: Vec<InputLogEvent> =
        messages.iter().map(|m| InputLogEvent::builder().timestamp(now).message(m).build().expect("event")).collect();
    c.put_log_events()
        .log_group_name(GROUP)
        .log_stream_name(stream)
        .set_log_events(Some(events))
        .send()
        .await
        .expect("PutLogEvents");
}

/// The next update that carries events (within 10 s).
async fn next_results(stream: &mut Stream) -> LiveTailSessionUpdate {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, stream.recv()).await.expect("an update within 10 s") {
            Ok(Some(StartLiveTailResponseStream::SessionUpdate(u))) if !u.session_results().is_empty() => return u,
            Ok(Some(_)) => {}
            other => panic!("the session goes on: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_interceptor_the_sdk_sends_live_tail_to_the_stream_prefixed_host() {
    let (sim, _) = setup().await;
    let plain = Client::new(&config(&sim).await);
    let err = plain.start_live_tail().log_group_identifiers(arn(GROUP)).send().await.expect_err("no such host");
    let text = format!("{}", aws_smithy_types::error::display::DisplayErrorContext(&err));
    assert!(text.contains("dispatch failure") || text.contains("stream-127.0.0.1"), "{text}");
    assert_eq!(sim.shared.request_count("logs:StartLiveTail"), 0, "it never reached the simulator");
    // Through wpops's clients (`aws::client`), it does.
    let clients = clients(&sim, true).await;
    let q = wpops::aws::logs::LiveQuery { group_arns: vec![arn(GROUP)], ..Default::default() };
    wpops::aws::logs::start_live_tail(&clients, &q).await.expect("a session, read-only included");
    assert_eq!(sim.shared.request_count("logs:StartLiveTail"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_put_with_put_log_events_arrives_in_the_session_with_its_stream_and_times() {
    let (sim, c) = setup().await;
    let mut stream = start(&c, None, None).await;
    put(&c, &sim, "wp/nginx/a", &["GET /live-marker 200".into()]).await;
    let u = next_results(&mut stream).await;
    assert_eq!(u.session_metadata().map(|m| m.sampled()), Some(false));
    let [e] = u.session_results() else { panic!("one event: {u:?}") };
    assert_eq!(e.message(), Some("GET /live-marker 200"));
    assert_eq!(e.log_stream_name(), Some("wp/nginx/a"));
    assert_eq!(e.log_group_identifier(), Some(arn(GROUP).as_str()));
    assert_eq!(e.timestamp(), Some(sim.shared.clock.now_ms()));
    assert!(e.ingestion_time().is_some());
    // Once only: the next update with events has only the next line.
    put(&c, &sim, "wp/nginx/a", &["GET /second 200".into()]).await;
    let u = next_results(&mut stream).await;
    let texts: Vec<_> = u.session_results().iter().filter_map(|e| e.message()).collect();
    assert_eq!(texts, ["GET /second 200"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_prefixes_and_the_filter_pattern_choose_the_events() {
    let (sim, c) = setup().await;
    let mut stream = start(&c, Some(vec!["wp/nginx/".into()]), Some("\"GET /keep\"")).await;
    put(&c, &sim, "wp/php-fpm/a", &["GET /keep from php-fpm".into()]).await;
    put(&c, &sim, "wp/nginx/a", &["GET /drop 200".into(), "GET /keep 200".into()]).await;
    let u = next_results(&mut stream).await;
    let texts: Vec<_> = u.session_results().iter().filter_map(|e| e.message()).collect();
    assert_eq!(texts, ["GET /keep 200"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_500_events_an_update_holds_500_and_says_it_is_sampled() {
    let (sim, c) = setup().await;
    let mut stream = start(&c, None, None).await;
    let lines: Vec<String> = (0..2_000).map(|i| format!("GET /burst/{i} 200")).collect();
    put(&c, &sim, "wp/nginx/a", &lines).await;
    let u = next_results(&mut stream).await;
    assert_eq!(u.session_results().len(), 500);
    assert_eq!(u.session_metadata().map(|m| m.sampled()), Some(true));
    // Below the limit an update is whole again.
    put(&c, &sim, "wp/nginx/a", &lines[..10]).await;
    let u = next_results(&mut stream).await;
    assert_eq!((u.session_results().len(), u.session_metadata().map(|m| m.sampled())), (10, Some(false)));
}

/// Reads the stream to its end; the error code it ended with.
async fn end_code(stream: &mut Stream) -> String {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.recv()).await.expect("it ends within 10 s") {
            Ok(Some(_)) => {}
            Ok(None) => panic!("the stream ended without an exception"),
            Err(e) => return e.code().unwrap_or("no code").to_string(),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_with_session_timeout_at_its_limit_in_virtual_time() {
    let (sim, c) = setup().await;
    let mut stream = start(&c, None, None).await;
    // Three hours of virtual time (the quiet scenario has no traffic to generate meanwhile).
    sim.advance(Duration::from_secs(3 * 3600));
    assert_eq!(end_code(&mut stream).await, "SessionTimeoutException");
    // A shorter limit, as the fallback tests use.
    sim.set_live_tail(LiveTailLimits { max_session_ms: 2_000, update_every_ms: 50, ..LiveTailLimits::default() });
    let mut stream = start(&c, None, None).await;
    sim.advance(Duration::from_secs(2));
    assert_eq!(end_code(&mut stream).await, "SessionTimeoutException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_can_end_sessions_with_session_streaming_exception() {
    let (sim, c) = setup().await;
    let mut stream = start(&c, None, None).await;
    let (status, _) = http(sim.addr, "POST", "/_sim/live-tail/end?error=SessionStreamingException", "").await;
    assert_eq!(status, 200);
    assert_eq!(end_code(&mut stream).await, "SessionStreamingException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sixteenth_open_session_is_refused_with_limit_exceeded() {
    let (sim, c) = setup().await;
    let mut open = Vec::new();
    for _ in 0..15 {
        open.push(start(&c, None, None).await);
    }
    assert_eq!(sim.live_tails_open(), 15);
    let err = c.start_live_tail().log_group_identifiers(arn(GROUP)).send().await.expect_err("over the quota");
    assert_eq!(err.code(), Some("LimitExceededException"));
    assert!(err.as_service_error().is_some_and(|e| e.is_limit_exceeded_exception()));
    // Hanging up frees a place.
    open.pop();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sim.live_tails_open() > 14 {
        assert!(tokio::time::Instant::now() < deadline, "the closed session is counted out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start(&c, None, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_log_group_gets_the_aws_errors() {
    let (_sim, c) = setup().await;
    let err = c.start_live_tail().log_group_identifiers(arn("/no/such/group")).send().await.expect_err("missing");
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()));
    let err = c.start_live_tail().log_group_identifiers(GROUP).send().await.expect_err("a name, not an ARN");
    assert_eq!(err.code(), Some("InvalidParameterException"));
    let err = c
        .start_live_tail()
        .log_group_identifiers(arn(GROUP))
        .log_stream_names("wp/nginx/a")
        .log_stream_name_prefixes("wp/")
        .send()
        .await
        .expect_err("names and prefixes");
    assert_eq!(err.code(), Some("InvalidParameterException"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_start_is_a_throttling_exception() {
    let (sim, c) = setup().await;
    sim.set_faults(wpops::sim::Faults { throttle_rate: 1.0, ..Default::default() });
    let err = c.start_live_tail().log_group_identifiers(arn(GROUP)).send().await.expect_err("throttled");
    assert_eq!(err.code(), Some("ThrottlingException"));
    assert_eq!(sim.live_tails_open(), 0);
}
