//! CloudWatch Logs (awsJson1_1, `Logs_20140328.<Op>`) in the simulator: operation dispatch, the
//! group and stream operations (CreateLogGroup, CreateLogStream, DescribeLogGroups,
//! DescribeLogStreams) and PutLogEvents, which lets tests and benchmarks feed lines in. Reading
//! events is in `logs_filter.rs` (FilterLogEvents) and `logs_get.rs` (GetLogEvents). Timestamps
//! on this wire are epoch milliseconds. It must not hold state of its own: the store is `sim::logs`.

use serde::Deserialize;
use serde_json::{Value, json};

use super::ecs_shapes::prune;
use super::{Caller, Reply, paginate, parse};
use crate::sim::error::ApiError;
use crate::sim::logs::{LogStream, RETENTION_MS};
use crate::sim::world::RegionWorld;

use super::logs_filter as filter;
use super::logs_get as get;

pub fn handle(w: &mut RegionWorld, _caller: &Caller, op: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let v = match op {
        "CreateLogGroup" => create_log_group(w, body)?,
        "CreateLogStream" => create_log_stream(w, body)?,
        "DescribeLogGroups" => describe_log_groups(w, body)?,
        "DescribeLogStreams" => describe_log_streams(w, body)?,
        "PutLogEvents" => put_log_events(w, body)?,
        "GetLogEvents" => get::get_log_events(w, body)?,
        "FilterLogEvents" => filter::filter_log_events(w, body)?,
        _ => return Err(ApiError::unknown_operation(op)),
    };
    Ok(Reply::Json(v))
}

pub(crate) fn group_not_found() -> ApiError {
    ApiError::client("ResourceNotFoundException", "The specified log group does not exist.")
}

pub(crate) fn stream_not_found() -> ApiError {
    ApiError::client("ResourceNotFoundException", "The specified log stream does not exist.")
}

/// The group name from `logGroupName` or `logGroupIdentifier` (a name or an ARN, with or without
/// the trailing `:*`), exactly one of them, checked to exist.
pub(crate) fn group_name(w: &RegionWorld, name: Option<&str>, identifier: Option<&str>) -> Result<String, ApiError> {
    let name = match (name, identifier) {
        (Some(n), None) => n.to_string(),
        (None, Some(id)) => {
            let id = id.strip_suffix(":*").unwrap_or(id);
            id.split_once(":log-group:").map(|(_, n)| n).unwrap_or(id).to_string()
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_parameter(
                "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
            ));
        }
        (None, None) => {
            return Err(ApiError::invalid_parameter("Either logGroupName or logGroupIdentifier is required."));
        }
    };
    if w.logs.group(&name).is_some() { Ok(name) } else { Err(group_not_found()) }
}

/// A `limit` within 1..=max, or the default.
pub(crate) fn limit(l: Option<i64>, max: usize) -> Result<usize, ApiError> {
    match l {
        None => Ok(max),
        Some(n) if n >= 1 && n as usize <= max => Ok(n as usize),
        Some(n) => Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {max}"
        ))),
    }
}

fn check_name(kind: &str, name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > 512 || name.contains(':') || (kind == "logStreamName" && name.contains('*')) {
        return Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{name}' at '{kind}' failed to satisfy constraint"
        )));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateGroupReq {
    log_group_name: String,
}

fn create_log_group(w: &mut RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: CreateGroupReq = parse(body)?;
    check_name("logGroupName", &req.log_group_name)?;
    if w.logs.group(&req.log_group_name).is_some() {
        return Err(ApiError::client("ResourceAlreadyExistsException", "The specified log group already exists"));
    }
    w.logs.create_group(&req.log_group_name, w.now_ms);
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateStreamReq {
    log_group_name: String,
    log_stream_name: String,
}

fn create_log_stream(w: &mut RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: CreateStreamReq = parse(body)?;
    check_name("logStreamName", &req.log_stream_name)?;
    if w.logs.group(&req.log_group_name).is_none() {
        return Err(group_not_found());
    }
    if !w.logs.create_stream(&req.log_group_name, &req.log_stream_name, w.now_ms) {
        return Err(ApiError::client("ResourceAlreadyExistsException", "The specified log stream already exists"));
    }
    Ok(json!({}))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DescribeGroupsReq {
    log_group_name_prefix: Option<String>,
    next_token: Option<String>,
    limit: Option<i64>,
}

fn describe_log_groups(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: DescribeGroupsReq = parse(body)?;
    let prefix = req.log_group_name_prefix.unwrap_or_default();
    let groups: Vec<Value> = w
        .logs
        .groups
        .iter()
        .filter(|(name, _)| name.starts_with(&prefix))
        .map(|(name, g)| {
            let arn = w.arn("logs", &format!("log-group:{name}"));
            json!({
                "logGroupName": name, "creationTime": g.created_ms, "metricFilterCount": 0,
                "arn": format!("{arn}:*"), "logGroupArn": arn, "storedBytes": 0, "logGroupClass": "STANDARD",
            })
        })
        .collect();
    let (page, next) = paginate(&groups, req.next_token.as_deref(), limit(req.limit, 50)?)?;
    Ok(prune(json!({"logGroups": page, "nextToken": next})))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DescribeStreamsReq {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_name_prefix: Option<String>,
    order_by: Option<String>,
    #[serde(default)]
    descending: bool,
    next_token: Option<String>,
    limit: Option<i64>,
}

fn describe_log_streams(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: DescribeStreamsReq = parse(body)?;
    let group = group_name(w, req.log_group_name.as_deref(), req.log_group_identifier.as_deref())?;
    let by_time = match req.order_by.as_deref() {
        None | Some("LogStreamName") => false,
        Some("LastEventTime") => true,
        Some(o) => return Err(ApiError::invalid_parameter(format!("Invalid orderBy {o:?}"))),
    };
    if by_time && req.log_stream_name_prefix.is_some() {
        return Err(ApiError::invalid_parameter("Cannot order by LastEventTime with a logStreamNamePrefix."));
    }
    let prefix = req.log_stream_name_prefix.unwrap_or_default();
    let max = limit(req.limit, 50)?;
    let now = w.now_ms;
    let mut rows: Vec<(Option<i64>, Value)> = w
        .logs
        .group(&group)
        .map(|g| g.streams.iter())
        .into_iter()
        .flatten()
        .filter(|(name, _)| name.starts_with(&prefix))
        .map(|(name, s)| (s.visible_bounds(now).map(|b| b.1), stream_shape(w, &group, name, s)))
        .collect();
    if by_time {
        rows.sort_by_key(|(last, _)| *last);
    }
    if req.descending {
        rows.reverse();
    }
    let streams: Vec<Value> = rows.into_iter().map(|(_, v)| v).collect();
    let (page, next) = paginate(&streams, req.next_token.as_deref(), max)?;
    Ok(prune(json!({"logStreams": page, "nextToken": next})))
}

fn stream_shape(w: &RegionWorld, group: &str, name: &str, s: &LogStream) -> Value {
    let bounds = s.visible_bounds(w.now_ms);
    json!({
        "logStreamName": name,
        "creationTime": s.created_ms,
        "firstEventTimestamp": bounds.map(|b| b.0),
        "lastEventTimestamp": bounds.map(|b| b.1),
        "lastIngestionTime": bounds.map(|b| b.2),
        "arn": w.arn("logs", &format!("log-group:{group}:log-stream:{name}")),
        "storedBytes": 0,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutReq {
    log_group_name: String,
    log_stream_name: String,
    log_events: Vec<InputEvent>,
}

#[derive(Deserialize)]
struct InputEvent {
    timestamp: i64,
    message: String,
}

/// PutLogEvents limits (aws-sdk-cloudwatchlogs 1.162's model: "Each log event can be no larger
/// than 1 MB", a batch at most 1,048,576 bytes, each event counted as its UTF-8 message plus 26
/// bytes). CloudWatch's per-event limit was 256 KB (262,144) until 2025; the error reads
/// `Log event too large: N bytes exceeds limit of L` either way.
const EVENT_OVERHEAD: usize = 26;
const MAX_EVENT_BYTES: usize = 1_048_576;
const MAX_BATCH_BYTES: usize = 1_048_576;

/// AWS refuses events more than two hours ahead and (here) older than the store's retention.
const TOO_NEW_MS: i64 = 2 * 3_600_000;
const TOO_OLD_MS: i64 = 14 * 24 * 3_600_000;

fn put_log_events(w: &mut RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: PutReq = parse(body)?;
    if w.logs.group(&req.log_group_name).is_none() {
        return Err(group_not_found());
    }
    if w.logs.stream(&req.log_group_name, &req.log_stream_name).is_none() {
        return Err(stream_not_found());
    }
    let events = req.log_events;
    if events.is_empty() || events.len() > 10_000 {
        return Err(ApiError::invalid_parameter("logEvents must contain between 1 and 10000 events."));
    }
    if events.windows(2).any(|p| p[1].timestamp < p[0].timestamp) {
        return Err(ApiError::invalid_parameter(
            "Log events in a single PutLogEvents request must be in chronological order.",
        ));
    }
    if let (Some(first), Some(last)) = (events.first(), events.last())
        && last.timestamp - first.timestamp > 24 * 3_600_000
    {
        return Err(ApiError::invalid_parameter(
            "A batch of log events in a single request cannot span more than 24 hours.",
        ));
    }
    // Sizes as CloudWatch counts them: the message's UTF-8 bytes plus 26 per event. One event
    // over its limit fails the whole call, with CloudWatch's own words.
    if let Some(size) = events.iter().map(|e| e.message.len() + EVENT_OVERHEAD).find(|n| *n > MAX_EVENT_BYTES) {
        return Err(ApiError::invalid_parameter(format!(
            "Log event too large: {size} bytes exceeds limit of {MAX_EVENT_BYTES}"
        )));
    }
    let bytes: usize = events.iter().map(|e| e.message.len() + EVENT_OVERHEAD).sum();
    if bytes > MAX_BATCH_BYTES {
        return Err(ApiError::invalid_parameter(format!(
            "Upload too large: {bytes} bytes exceeds limit of {MAX_BATCH_BYTES}"
        )));
    }
    let now = w.now_ms;
    let too_old_end = events.partition_point(|e| e.timestamp < now - TOO_OLD_MS);
    let expired_end = events.partition_point(|e| e.timestamp < now - RETENTION_MS);
    let too_new_start = events.partition_point(|e| e.timestamp <= now + TOO_NEW_MS);
    let count = events.len();
    for e in events.into_iter().take(too_new_start).skip(expired_end) {
        w.logs.put(&req.log_group_name, &req.log_stream_name, e.timestamp, now, e.message);
    }
    let rejected = (too_old_end > 0 || expired_end > 0 || too_new_start < count).then(|| {
        json!({
            "tooOldLogEventEndIndex": (too_old_end > 0).then_some(too_old_end),
            "expiredLogEventEndIndex": (expired_end > 0).then_some(expired_end),
            "tooNewLogEventStartIndex": (too_new_start < count).then_some(too_new_start),
        })
    });
    let token = format!("{:056}", w.logs.last_seq());
    Ok(prune(json!({"nextSequenceToken": token, "rejectedLogEventsInfo": rejected})))
}
