//! PutLogEvents refuses what CloudWatch refuses, in CloudWatch's words, through the real SDK: an
//! event over the per-event limit (message bytes + 26) or a batch over 1,048,576 bytes fails the
//! whole call with InvalidParameterException and stores nothing; the largest allowed event and
//! batch are accepted.

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use wpops_fixtures::sim::*;

const GROUP: &str = "/test/limits";

fn event(ts: i64, bytes: usize) -> InputLogEvent {
    InputLogEvent::builder().timestamp(ts).message("x".repeat(bytes)).build().unwrap()
}

async fn put(logs: &Client, stream: &str, events: Vec<InputLogEvent>) -> Result<(), (String, String)> {
    logs.put_log_events()
        .log_group_name(GROUP)
        .log_stream_name(stream)
        .set_log_events(Some(events))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            let e = e.into_service_error();
            (e.code().unwrap_or_default().to_string(), e.message().unwrap_or_default().to_string())
        })
}

async fn stored(logs: &Client, stream: &str) -> usize {
    let out = logs.get_log_events().log_group_name(GROUP).log_stream_name(stream).start_from_head(true).send();
    out.await.unwrap().events().len()
}

#[tokio::test]
async fn oversize_events_and_batches_fail_the_whole_call_as_cloudwatch_says() {
    let sim = sim("quiet").await;
    let logs = Client::new(&config(&sim).await);
    logs.create_log_group().log_group_name(GROUP).send().await.unwrap();
    for s in ["big", "batch", "ok"] {
        logs.create_log_stream().log_group_name(GROUP).log_stream_name(s).send().await.unwrap();
    }
    let now = sim.shared.clock.now_ms();

    // One small event and one a byte over the limit: the call fails, nothing is stored.
    let (code, message) = put(&logs, "big", vec![event(now - 2, 10), event(now - 1, 1_048_551)]).await.unwrap_err();
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(message, "Log event too large: 1048577 bytes exceeds limit of 1048576");
    assert_eq!(stored(&logs, "big").await, 0, "an over-size event fails the whole call");

    // Events each within the limit, together over the batch limit.
    let (code, message) =
        put(&logs, "batch", vec![event(now - 2, 600_000), event(now - 1, 600_000)]).await.unwrap_err();
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(message, "Upload too large: 1200052 bytes exceeds limit of 1048576");
    assert_eq!(stored(&logs, "batch").await, 0);

    // The largest event, and a full batch of 10,000 small ones, go in.
    put(&logs, "ok", vec![event(now - 1, 1_048_550)]).await.unwrap();
    put(&logs, "ok", (0..10_000).map(|_| event(now, 78)).collect()).await.unwrap();
    assert!(put(&logs, "ok", (0..10_001).map(|_| event(now, 1)).collect()).await.is_err(), "10,001 events");
    assert_eq!(sim.shared.request_count("logs:PutLogEvents"), 5);
}
