//! StartLiveTail's wire shapes in the simulator: the request (`logGroupIdentifiers` as ARNs,
//! `logStreamNames` or `logStreamNamePrefixes`, `logEventFilterPattern`) checked as CloudWatch
//! checks it, the `sessionStart` payload, and each `sessionUpdate`'s events: those ingested since
//! the last update in the chosen streams that match the pattern, at most 500, sampled above that
//! (`sessionMetadata.sampled`). Framing them as `application/vnd.amazon.eventstream` messages is
//! here too; the session's life (its clock, limits and end) is `sim::live_tail`'s. It must not
//! change the store.

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use crate::sim::error::ApiError;
use crate::sim::logs::FilterPattern;
use crate::sim::world::RegionWorld;

/// Events in one update at most; above it the update is a sample.
pub const MAX_EVENTS_PER_UPDATE: usize = 500;
/// An update looks this far back in event time for events ingested since the last one (events
/// put with older timestamps than this are not shown live; FilterLogEvents still finds them).
const LOOKBACK_MS: i64 = 2 * 3_600_000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartReq {
    #[serde(default)]
    log_group_identifiers: Vec<String>,
    log_stream_names: Option<Vec<String>>,
    log_stream_name_prefixes: Option<Vec<String>>,
    log_event_filter_pattern: Option<String>,
}

/// What a session follows, checked.
#[derive(Debug, Clone)]
pub struct Plan {
    /// (ARN as given, group name).
    pub groups: Vec<(String, String)>,
    pub names: Option<Vec<String>>,
    pub prefixes: Option<Vec<String>>,
    pub pattern_text: Option<String>,
    pattern: FilterPattern,
}

/// Where a session's reading stands: every event visible at `now_ms` whose sequence is at most
/// `seq` has been considered.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    pub now_ms: i64,
    pub seq: u64,
}

/// One update's events (wire JSON) and whether they are a sample.
pub struct Update {
    pub events: Vec<Value>,
    pub sampled: bool,
}

/// Checks a StartLiveTail request against the world as CloudWatch does.
pub fn plan(w: &RegionWorld, body: &[u8]) -> Result<Plan, ApiError> {
    let req: StartReq = parse(body)?;
    let n = req.log_group_identifiers.len();
    if n == 0 || n > 10 {
        return Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value at 'logGroupIdentifiers' failed to satisfy constraint: Member must have length between 1 and 10, got {n}"
        )));
    }
    let mut groups = Vec::new();
    for id in &req.log_group_identifiers {
        if id.ends_with('*') {
            return Err(ApiError::invalid_parameter(format!(
                "Log group identifier {id} must not end with an asterisk (*)."
            )));
        }
        let Some((head, name)) = id.split_once(":log-group:") else {
            return Err(ApiError::invalid_parameter(format!(
                "Log group identifier {id} is not a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)."
            )));
        };
        let ours = format!("arn:aws:logs:{}:{}", w.region, w.account);
        if head != ours || w.logs.group(name).is_none() {
            return Err(ApiError::client(
                "ResourceNotFoundException",
                format!("The specified log group does not exist: {id}"),
            ));
        }
        groups.push((id.clone(), name.to_string()));
    }
    let (names, prefixes) = (req.log_stream_names, req.log_stream_name_prefixes);
    if names.is_some() && prefixes.is_some() {
        return Err(ApiError::invalid_parameter(
            "logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.",
        ));
    }
    if let Some(list) = names.as_ref().or(prefixes.as_ref()) {
        if groups.len() != 1 {
            return Err(ApiError::invalid_parameter(
                "Log stream names or prefixes can be given only with exactly one log group.",
            ));
        }
        if list.is_empty() || list.len() > 100 {
            return Err(ApiError::invalid_parameter("Log stream names or prefixes must number between 1 and 100."));
        }
    }
    let pattern = FilterPattern::parse(req.log_event_filter_pattern.as_deref().unwrap_or(""))
        .map_err(ApiError::invalid_parameter)?;
    Ok(Plan { groups, names, prefixes, pattern_text: req.log_event_filter_pattern, pattern })
}

/// The `sessionStart` payload.
pub fn session_start(plan: &Plan, request_id: &str, session_id: &str) -> Value {
    let mut v = json!({
        "requestId": request_id,
        "sessionId": session_id,
        "logGroupIdentifiers": plan.groups.iter().map(|(arn, _)| arn).collect::<Vec<_>>(),
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(n) = &plan.names {
            obj.insert("logStreamNames".into(), json!(n));
        }
        if let Some(p) = &plan.prefixes {
            obj.insert("logStreamNamePrefixes".into(), json!(p));
        }
        if let Some(p) = &plan.pattern_text {
            obj.insert("logEventFilterPattern".into(), json!(p));
        }
    }
    v
}

/// Where reading starts: only what is ingested after the session started.
pub fn mark(w: &RegionWorld) -> Mark {
    Mark { now_ms: w.now_ms, seq: w.logs.last_seq() }
}

/// The events ingested since `since` (visible now and not visible then, or put since), oldest
/// first, sampled down to 500; and the new mark.
pub fn update(w: &RegionWorld, plan: &Plan, since: Mark) -> (Update, Mark) {
    let now = w.now_ms;
    let mut found: Vec<(i64, u64, Value)> = Vec::new();
    for (arn, group) in &plan.groups {
        let Some(g) = w.logs.group(group) else { continue };
        for (name, s) in &g.streams {
            let wanted = match (&plan.names, &plan.prefixes) {
                (Some(n), _) => n.iter().any(|x| x == name),
                (None, Some(p)) => p.iter().any(|x| name.starts_with(x.as_str())),
                (None, None) => true,
            };
            if !wanted {
                continue;
            }
            let from = s.first_at_or_after(since.now_ms.min(now) - LOOKBACK_MS);
            for e in &s.events[from..] {
                let seen = e.ingestion_ms <= since.now_ms && e.seq <= since.seq;
                if e.ingestion_ms > now || seen || !plan.pattern.matches(&e.message) {
                    continue;
                }
                found.push((
                    e.timestamp_ms,
                    e.seq,
                    json!({
                        "logStreamName": name, "logGroupIdentifier": arn, "message": e.message,
                        "timestamp": e.timestamp_ms, "ingestionTime": e.ingestion_ms,
                    }),
                ));
            }
        }
    }
    found.sort_by_key(|(ts, seq, _)| (*ts, *seq));
    let sampled = found.len() > MAX_EVENTS_PER_UPDATE;
    let events = if sampled {
        let n = found.len();
        let mut picked = Vec::with_capacity(MAX_EVENTS_PER_UPDATE);
        let mut it = found.into_iter().enumerate();
        for k in 0..MAX_EVENTS_PER_UPDATE {
            let want = k * n / MAX_EVENTS_PER_UPDATE;
            for (i, (_, _, v)) in it.by_ref() {
                if i == want {
                    picked.push(v);
                    break;
                }
            }
        }
        picked
    } else {
        found.into_iter().map(|(_, _, v)| v).collect()
    };
    (Update { events, sampled }, mark(w))
}

/// The `sessionUpdate` payload.
pub fn session_update(u: &Update) -> Value {
    json!({"sessionMetadata": {"sampled": u.sampled}, "sessionResults": u.events})
}

/// One event-stream message: an event (`:message-type` event, `:event-type`) or, with
/// `exception`, an exception (`:exception-type`), its payload JSON.
pub fn frame(kind: &str, payload: &Value, exception: bool) -> Vec<u8> {
    use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
    let (message_type, type_header) =
        if exception { ("exception", ":exception-type") } else { ("event", ":event-type") };
    let message = Message::new(payload.to_string().into_bytes())
        .add_header(Header::new(":message-type", HeaderValue::String(message_type.into())))
        .add_header(Header::new(type_header, HeaderValue::String(kind.to_string().into())))
        .add_header(Header::new(":content-type", HeaderValue::String("application/json".into())));
    let mut out = Vec::new();
    // Writing fails only for headers or payloads beyond the format's limits (16 MB), which
    // an update of at most 500 events of at most 1 MB each does not reach in practice.
    if aws_smithy_eventstream::frame::write_message_to(&message, &mut out).is_err() {
        out.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_back_with_their_headers() {
        let bytes = frame("sessionUpdate", &json!({"sessionResults": []}), false);
        let m = aws_smithy_eventstream::frame::read_message_from(&bytes[..]).unwrap();
        let h = aws_smithy_eventstream::smithy::parse_response_headers(&m).unwrap();
        assert_eq!(h.message_type.as_str(), "event");
        assert_eq!(h.smithy_type.as_str(), "sessionUpdate");
        let bytes = frame("SessionTimeoutException", &json!({"message": "x"}), true);
        let m = aws_smithy_eventstream::frame::read_message_from(&bytes[..]).unwrap();
        let h = aws_smithy_eventstream::smithy::parse_response_headers(&m).unwrap();
        assert_eq!((h.message_type.as_str(), h.smithy_type.as_str()), ("exception", "SessionTimeoutException"));
    }
}
