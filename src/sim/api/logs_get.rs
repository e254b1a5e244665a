//! GetLogEvents in the simulator: one stream read forward or backward with AWS's token pair.
//! A token is a boundary in the stream (`f/` = events at or after it, `b/` = events before it);
//! when nothing new has arrived, `nextForwardToken` is the token that was sent, which is how the
//! SDK paginator knows to stop. Reads stop at the first event not yet ingested, so that paging
//! forward never steps over an event still in flight. It must not change the store.

use serde::Deserialize;
use serde_json::{Value, json};

use super::logs::{group_name, limit, stream_not_found};
use super::parse;
use crate::sim::error::ApiError;
use crate::sim::logs::{StoredEvent, decode_token, encode_token};
use crate::sim::world::RegionWorld;

/// A page holds at most this many bytes of messages (AWS: 1 MB).
pub(crate) const PAGE_BYTES: usize = 1_048_576;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetReq {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_name: String,
    start_time: Option<i64>,
    end_time: Option<i64>,
    next_token: Option<String>,
    limit: Option<i64>,
    #[serde(default)]
    start_from_head: bool,
}

/// Where a read starts: at or after a boundary, or backward from before one.
#[derive(Debug, Clone, Copy, PartialEq)]
enum From {
    Forward((i64, u64)),
    Backward((i64, u64)),
    /// No token and not from the head: the newest events.
    Tail,
}

fn token(dir: char, key: (i64, u64)) -> String {
    format!("{dir}/{}", encode_token(&format!("{}|{}", key.0, key.1)))
}

fn parse_token(t: &str) -> Option<From> {
    let (dir, rest) = t.split_once('/')?;
    let text = decode_token(rest)?;
    let (ts, seq) = text.split_once('|')?;
    let key = (ts.parse().ok()?, seq.parse().ok()?);
    match dir {
        "f" => Some(From::Forward(key)),
        "b" => Some(From::Backward(key)),
        _ => None,
    }
}

pub(crate) fn get_log_events(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: GetReq = parse(body)?;
    let group = group_name(w, req.log_group_name.as_deref(), req.log_group_identifier.as_deref())?;
    let stream = w.logs.stream(&group, &req.log_stream_name).ok_or_else(stream_not_found)?;
    let max = limit(req.limit, 10_000)?;
    let start_key = (req.start_time.unwrap_or(i64::MIN), 0);
    let from = match req.next_token.as_deref() {
        Some(t) if !t.is_empty() => {
            parse_token(t).ok_or_else(|| ApiError::invalid_parameter("The specified nextToken is invalid."))?
        }
        _ if req.start_from_head => From::Forward(start_key),
        _ => From::Tail,
    };
    let events = &stream.events;
    let lo = req.start_time.map_or(0, |t| stream.first_at_or_after(t));
    let hi = req.end_time.map_or(events.len(), |t| stream.first_at_or_after(t)).max(lo);
    // Events past the first one still in flight wait for it.
    let frontier = events[lo..hi].iter().position(|e| e.ingestion_ms > w.now_ms).map_or(hi, |i| lo + i);
    let (a, b) = match from {
        From::Forward(k) => {
            let a = stream.lower_bound(k).clamp(lo, frontier);
            (a, a + take(events[a..frontier].iter(), max))
        }
        From::Backward(k) => {
            let b = stream.lower_bound(k).clamp(lo, frontier);
            (b - take(events[lo..b].iter().rev(), max), b)
        }
        From::Tail => (frontier - take(events[lo..frontier].iter().rev(), max), frontier),
    };
    let page = &events[a..b];
    let (forward, backward) = match (page.first(), page.last(), from) {
        (Some(first), Some(last), _) => (token('f', (last.timestamp_ms, last.seq + 1)), token('b', first.key())),
        (_, _, From::Forward(k) | From::Backward(k)) => (token('f', k), token('b', k)),
        (_, _, From::Tail) => (token('f', start_key), token('b', start_key)),
    };
    let out: Vec<Value> = page
        .iter()
        .map(|e| json!({"timestamp": e.timestamp_ms, "message": e.message, "ingestionTime": e.ingestion_ms}))
        .collect();
    Ok(json!({"events": out, "nextForwardToken": forward, "nextBackwardToken": backward}))
}

/// How many of `events` fit in one page of at most `max` events and `PAGE_BYTES` bytes.
fn take<'a>(events: impl Iterator<Item = &'a StoredEvent>, max: usize) -> usize {
    let mut bytes = 0;
    let mut n = 0;
    for e in events.take(max) {
        bytes += e.message.len();
        if bytes > PAGE_BYTES && n > 0 {
            break;
        }
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_with_direction() {
        assert_eq!(parse_token(&token('f', (17, 3))), Some(From::Forward((17, 3))));
        assert_eq!(parse_token(&token('b', (i64::MIN, 0))), Some(From::Backward((i64::MIN, 0))));
        assert_eq!(parse_token("x/abc"), None);
        assert_eq!(parse_token("f/!!"), None);
    }
}
