//! CloudWatch Logs reads: one FilterLogEvents page (stream names or a prefix, a start time, a
//! token), returned as plain owned events for the tailer to dedupe, sanitise and classify; and
//! a Live Tail session (StartLiveTail), whose updates arrive as the same plain events. SDK types
//! stay here: a `LiveSession` hands out `LiveUpdate`s.

use super::Clients;
use super::error::{AwsError, AwsErrorKind, from_sdk};

/// One raw event as CloudWatch returned it (not yet sanitised: parsers read the original).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    pub stream: String,
    pub event_id: String,
    pub timestamp_ms: i64,
    pub ingestion_ms: i64,
    pub message: String,
}

/// One page of results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub events: Vec<RawEvent>,
    pub next_token: Option<String>,
}

/// What to ask FilterLogEvents for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub group: String,
    /// At most 100 stream names; empty means "use the prefix" (or the whole group).
    pub streams: Vec<String>,
    pub prefix: Option<String>,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub pattern: Option<String>,
    pub limit: Option<i32>,
}

/// One FilterLogEvents call.
pub async fn filter_page(c: &Clients, q: &Query, token: Option<String>) -> Result<Page, AwsError> {
    let mut req = c.logs.filter_log_events().log_group_name(&q.group).start_time(q.start_ms).set_next_token(token);
    if !q.streams.is_empty() {
        req = req.set_log_stream_names(Some(q.streams.clone()));
    } else if let Some(p) = &q.prefix {
        req = req.log_stream_name_prefix(p);
    }
    if let Some(end) = q.end_ms {
        req = req.end_time(end);
    }
    if let Some(p) = &q.pattern {
        req = req.filter_pattern(p);
    }
    if let Some(l) = q.limit {
        req = req.limit(l);
    }
    let out = req.send().await.map_err(|e| from_sdk("logs:FilterLogEvents", e))?;
    let events = out
        .events()
        .iter()
        .map(|e| RawEvent {
            stream: e.log_stream_name().unwrap_or_default().to_string(),
            event_id: e.event_id().unwrap_or_default().to_string(),
            timestamp_ms: e.timestamp().unwrap_or(0),
            ingestion_ms: e.ingestion_time().unwrap_or(0),
            message: e.message().unwrap_or_default().to_string(),
        })
        .collect();
    Ok(Page { events, next_token: out.next_token().filter(|t| !t.is_empty()).map(str::to_string) })
}

/// A log stream and the span of its events, as DescribeLogStreams reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamSpan {
    pub name: String,
    pub first_event_ms: Option<i64>,
    pub last_event_ms: Option<i64>,
}

/// The streams of `group` whose names start with `prefix` (DescribeLogStreams, paged, at most
/// `max_pages` pages of 50).
pub async fn streams(c: &Clients, group: &str, prefix: &str, max_pages: usize) -> Result<Vec<StreamSpan>, AwsError> {
    let mut out = Vec::new();
    let mut token = None;
    for _ in 0..max_pages.max(1) {
        let page = c
            .logs
            .describe_log_streams()
            .log_group_name(group)
            .log_stream_name_prefix(prefix)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| from_sdk("logs:DescribeLogStreams", e))?;
        out.extend(page.log_streams().iter().map(|s| StreamSpan {
            name: s.log_stream_name().unwrap_or_default().to_string(),
            first_event_ms: s.first_event_timestamp(),
            last_event_ms: s.last_event_timestamp(),
        }));
        token = page.next_token().filter(|t| !t.is_empty()).map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// What to follow with Live Tail: log group ARNs (at most 10) and, with exactly one group,
/// stream names or prefixes (at most 100; not both).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveQuery {
    pub group_arns: Vec<String>,
    pub streams: Vec<String>,
    pub prefixes: Vec<String>,
    pub pattern: Option<String>,
}

/// One `sessionUpdate`: its events (without event ids: Live Tail sends none) and whether
/// CloudWatch sampled them (more than 500 in the second).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveUpdate {
    pub events: Vec<RawEvent>,
    pub sampled: bool,
}

/// An open Live Tail session.
#[derive(Debug)]
pub struct LiveSession {
    pub session_id: String,
    stream: aws_sdk_cloudwatchlogs::primitives::event_stream::EventReceiver<
        aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream,
        aws_sdk_cloudwatchlogs::types::error::StartLiveTailResponseStreamError,
    >,
}

const LIVE_OP: &str = "logs:StartLiveTail";

/// Starts a session; returns once CloudWatch has sent its `sessionStart`.
pub async fn start_live_tail(c: &Clients, q: &LiveQuery) -> Result<LiveSession, AwsError> {
    let mut req = c.logs.start_live_tail().set_log_group_identifiers(Some(q.group_arns.clone()));
    // CloudWatch takes stream filters with exactly one group, at most 100 of them; otherwise
    // the session covers the whole groups and the caller keeps the streams it wants.
    if q.group_arns.len() == 1 {
        if !q.streams.is_empty() && q.streams.len() <= 100 {
            req = req.set_log_stream_names(Some(q.streams.clone()));
        } else if q.streams.is_empty() && !q.prefixes.is_empty() && q.prefixes.len() <= 100 {
            req = req.set_log_stream_name_prefixes(Some(q.prefixes.clone()));
        }
    }
    if let Some(p) = &q.pattern {
        req = req.log_event_filter_pattern(p);
    }
    let mut out = req.send().await.map_err(|e| from_sdk(LIVE_OP, e))?;
    // The first frame is the session's start (the SDK has already read it to return).
    use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream as S;
    match out.response_stream.recv().await {
        Ok(Some(S::SessionStart(s))) => {
            Ok(LiveSession { session_id: s.session_id().unwrap_or_default().to_string(), stream: out.response_stream })
        }
        Ok(_) => Err(AwsError::new(AwsErrorKind::Other, LIVE_OP, "the session did not start with a sessionStart")),
        Err(e) => Err(stream_error(e)),
    }
}

impl LiveSession {
    /// The next update; `Ok(None)` when the stream has ended without an error.
    pub async fn next(&mut self) -> Result<Option<LiveUpdate>, AwsError> {
        use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream as S;
        loop {
            match self.stream.recv().await {
                Ok(Some(S::SessionUpdate(u))) => {
                    let sampled = u.session_metadata().is_some_and(|m| m.sampled());
                    let events = u
                        .session_results()
                        .iter()
                        .map(|e| RawEvent {
                            stream: e.log_stream_name().unwrap_or_default().to_string(),
                            event_id: String::new(),
                            timestamp_ms: e.timestamp().unwrap_or(0),
                            ingestion_ms: e.ingestion_time().unwrap_or(0),
                            message: e.message().unwrap_or_default().to_string(),
                        })
                        .collect();
                    return Ok(Some(LiveUpdate { events, sampled }));
                }
                // A second start or an event this SDK does not know: skip it.
                Ok(Some(_)) => continue,
                Ok(None) => return Ok(None),
                Err(e) => return Err(stream_error(e)),
            }
        }
    }
}

/// An error inside the stream (an exception frame, or the connection) as an `AwsError` with
/// the exception's code (`SessionTimeoutException`, `SessionStreamingException`).
fn stream_error<R: std::fmt::Debug>(
    e: aws_smithy_runtime_api::client::result::SdkError<
        aws_sdk_cloudwatchlogs::types::error::StartLiveTailResponseStreamError,
        R,
    >,
) -> AwsError {
    use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
    use aws_smithy_runtime_api::client::result::SdkError;
    match &e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            // The modelled exceptions by their variant (the payload may not name its type).
            let code = if err.is_session_timeout_exception() {
                Some("SessionTimeoutException".to_string())
            } else if err.is_session_streaming_exception() {
                Some("SessionStreamingException".to_string())
            } else {
                err.code().map(str::to_string)
            };
            let kind = code.as_deref().map(super::error::kind_of_code).unwrap_or(AwsErrorKind::Other);
            let message = err.message().unwrap_or("the Live Tail session ended with an error").to_string();
            AwsError { code, ..AwsError::new(kind, LIVE_OP, message) }
        }
        other => {
            let text = aws_smithy_types::error::display::DisplayErrorContext(other).to_string();
            AwsError::new(AwsErrorKind::Network, LIVE_OP, crate::model::sanitize::sanitize_line(&text))
        }
    }
}
