//! FilterLogEvents in the simulator, paged as AWS pages it. A search merges the chosen streams
//! in (timestamp, stream name, sequence) order, starting each stream by binary search, and sees
//! only events ingested by its snapshot time (the world's now at its first page): the token
//! carries that snapshot and the position of the last event examined, so paging never loses or
//! repeats an event even while new ones arrive; those are for the next search. A page stops at
//! `limit` matches, 1 MB of messages, or a scan budget of `SCAN_FACTOR × limit` events examined:
//! then it may be empty yet carry a `nextToken`, which is absent only once the search is done.
//! It must not change the store.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap};

use serde::Deserialize;
use serde_json::{Value, json};

use super::logs::{group_name, limit};
use super::logs_get::PAGE_BYTES;
use super::parse;
use crate::sim::error::ApiError;
use crate::sim::logs::{FilterPattern, LogStream, decode_token, encode_token};
use crate::sim::world::{RegionWorld, fnv};

/// A page examines at most this many events per event it may return.
pub const SCAN_FACTOR: usize = 5;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FilterReq {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_names: Option<Vec<String>>,
    log_stream_name_prefix: Option<String>,
    start_time: Option<i64>,
    end_time: Option<i64>,
    filter_pattern: Option<String>,
    next_token: Option<String>,
    limit: Option<i64>,
}

/// Where a search stands between pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// Only events ingested at or before this time belong to the search.
    pub snapshot_ms: i64,
    /// Hash of the query the token belongs to.
    pub query: u64,
    /// The last event examined: (timestamp, stream name, sequence).
    pub ts: i64,
    pub stream: String,
    pub seq: u64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        encode_token(&format!("v1|{}|{}|{}|{}|{}", self.snapshot_ms, self.query, self.ts, self.seq, self.stream))
    }

    pub fn decode(token: &str) -> Option<Cursor> {
        let text = decode_token(token)?;
        let mut p = text.splitn(6, '|');
        if p.next()? != "v1" {
            return None;
        }
        let snapshot_ms = p.next()?.parse().ok()?;
        let query = p.next()?.parse().ok()?;
        let ts = p.next()?.parse().ok()?;
        let seq = p.next()?.parse().ok()?;
        Some(Cursor { snapshot_ms, query, ts, seq, stream: p.next()?.to_string() })
    }
}

pub(crate) fn filter_log_events(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: FilterReq = parse(body)?;
    let group = group_name(w, req.log_group_name.as_deref(), req.log_group_identifier.as_deref())?;
    let max = limit(req.limit, 10_000)?;
    let pattern_text = req.filter_pattern.clone().unwrap_or_default();
    let pattern = FilterPattern::parse(&pattern_text).map_err(ApiError::invalid_parameter)?;
    let names: Option<BTreeSet<&str>> = match (&req.log_stream_names, &req.log_stream_name_prefix) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_parameter(
                "You cannot specify both logStreamNames and logStreamNamePrefix in the same request.",
            ));
        }
        (Some(n), None) if n.is_empty() || n.len() > 100 => {
            return Err(ApiError::invalid_parameter("logStreamNames must contain between 1 and 100 names."));
        }
        (Some(n), None) => Some(n.iter().map(String::as_str).collect()),
        (None, _) => None,
    };
    let prefix = req.log_stream_name_prefix.as_deref().unwrap_or("");
    let query = fnv(&format!("{group}\n{names:?}\n{prefix}\n{pattern_text}\n{:?}\n{:?}", req.start_time, req.end_time));
    let cursor = match req.next_token.as_deref() {
        Some(t) if !t.is_empty() => Some(
            Cursor::decode(t)
                .filter(|c| c.query == query)
                .ok_or_else(|| ApiError::invalid_parameter("The specified nextToken is invalid."))?,
        ),
        _ => None,
    };
    let snapshot_ms = cursor.as_ref().map_or(w.now_ms, |c| c.snapshot_ms.min(w.now_ms));
    let streams: Vec<(&str, &LogStream)> = w
        .logs
        .group(&group)
        .map(|g| g.streams.iter())
        .into_iter()
        .flatten()
        .filter(|(n, _)| names.as_ref().map_or(n.starts_with(prefix), |set| set.contains(n.as_str())))
        .map(|(n, s)| (n.as_str(), s))
        .collect();

    // One cursor per stream in a min-heap on (timestamp, stream index = name order, sequence).
    let mut heap = BinaryHeap::new();
    for (i, (name, s)) in streams.iter().enumerate() {
        let from_start = req.start_time.map_or(0, |t| s.first_at_or_after(t));
        let from_cursor = match &cursor {
            None => 0,
            Some(c) => match (*name).cmp(c.stream.as_str()) {
                Ordering::Less => s.first_after(c.ts),
                Ordering::Equal => s.lower_bound((c.ts, c.seq.saturating_add(1))),
                Ordering::Greater => s.first_at_or_after(c.ts),
            },
        };
        let upper = req.end_time.map_or(s.events.len(), |t| s.first_after(t));
        let at = from_start.max(from_cursor);
        if at < upper {
            heap.push(Reverse((s.events[at].timestamp_ms, i, s.events[at].seq, at, upper)));
        }
    }

    let budget = max.saturating_mul(SCAN_FACTOR);
    let mut out = Vec::new();
    let mut bytes = 0;
    let mut examined = 0;
    let mut last: Option<(i64, usize, u64)> = None;
    while let Some(&Reverse((ts, i, seq, at, upper))) = heap.peek() {
        if out.len() >= max || examined >= budget {
            break;
        }
        let (name, s) = streams[i];
        let e = &s.events[at];
        if e.ingestion_ms <= snapshot_ms && pattern.matches(&e.message) {
            if bytes + e.message.len() > PAGE_BYTES && !out.is_empty() {
                break;
            }
            bytes += e.message.len();
            out.push(json!({
                "logStreamName": name, "timestamp": e.timestamp_ms, "message": e.message,
                "ingestionTime": e.ingestion_ms, "eventId": e.event_id,
            }));
        }
        heap.pop();
        examined += 1;
        last = Some((ts, i, seq));
        if at + 1 < upper {
            heap.push(Reverse((s.events[at + 1].timestamp_ms, i, s.events[at + 1].seq, at + 1, upper)));
        }
    }
    let next = match (heap.is_empty(), last) {
        (false, Some((ts, i, seq))) => {
            Some(Cursor { snapshot_ms, query, ts, stream: streams[i].0.to_string(), seq }.encode())
        }
        _ => None,
    };
    let mut reply = json!({"events": out});
    if let (Some(t), Some(obj)) = (next, reply.as_object_mut()) {
        obj.insert("nextToken".into(), json!(t));
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_even_with_bars_in_the_stream_name() {
        let c = Cursor { snapshot_ms: 1_795_842_000_000, query: u64::MAX, ts: -5, stream: "wp/a|b".into(), seq: 42 };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("bm90IGEgdG9rZW4"), None);
    }
}
