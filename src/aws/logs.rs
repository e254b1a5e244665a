//! CloudWatch Logs reads: one FilterLogEvents page (stream names or a prefix, a start time, a
//! token), returned as plain owned events for the tailer to dedupe, sanitise and classify.

use super::Clients;
use super::error::{AwsError, from_sdk};

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
