//! CloudWatch Logs storage of the simulated world: log groups, streams and their events, with
//! ingestion times so that late arrivals are modelled, and bounded retention; the filter-pattern
//! matcher and the opaque page-token codec are in `query.rs`. It stores and answers queries; it
//! does not generate traffic (the world does) nor speak any wire protocol (`api/logs.rs` does).

use std::collections::BTreeMap;

mod query;
pub use query::{FilterPattern, decode_token, encode_token};

/// At most this many events are kept per stream; the oldest go first.
pub const MAX_EVENTS_PER_STREAM: usize = 50_000;
/// Events whose timestamp is older than this (virtual time) are dropped.
pub const RETENTION_MS: i64 = 6 * 3_600_000;
/// Every this many puts, all streams are swept for expired events.
const SWEEP_EVERY: u64 = 4_096;

/// One stored log event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub timestamp_ms: i64,
    pub ingestion_ms: i64,
    pub message: String,
    /// Unique, stable id of this event (AWS `eventId`).
    pub event_id: String,
    /// Store-wide insertion sequence number: breaks timestamp ties, part of page positions.
    pub seq: u64,
}

impl StoredEvent {
    /// The position of this event in its stream: (timestamp, sequence).
    pub fn key(&self) -> (i64, u64) {
        (self.timestamp_ms, self.seq)
    }
}

/// One log stream.
#[derive(Debug, Clone, Default)]
pub struct LogStream {
    pub created_ms: i64,
    /// Events sorted by (timestamp, seq): late arrivals are inserted in place from the back.
    pub events: Vec<StoredEvent>,
    /// The largest ingestion time ever stored (may lie ahead of the world's now).
    pub last_ingestion_ms: Option<i64>,
}

impl LogStream {
    /// Index of the first event whose key is at least `key`.
    pub fn lower_bound(&self, key: (i64, u64)) -> usize {
        self.events.partition_point(|e| e.key() < key)
    }

    /// Index of the first event with timestamp at least `ts_ms`.
    pub fn first_at_or_after(&self, ts_ms: i64) -> usize {
        self.events.partition_point(|e| e.timestamp_ms < ts_ms)
    }

    /// Index of the first event with timestamp strictly after `ts_ms`.
    pub fn first_after(&self, ts_ms: i64) -> usize {
        self.events.partition_point(|e| e.timestamp_ms <= ts_ms)
    }

    /// The first and last timestamps and the last ingestion time of the events visible at
    /// `now_ms`, or `None` if there are none.
    pub fn visible_bounds(&self, now_ms: i64) -> Option<(i64, i64, i64)> {
        let first = self.events.iter().find(|e| e.ingestion_ms <= now_ms)?.timestamp_ms;
        let last = self.events.iter().rev().find(|e| e.ingestion_ms <= now_ms)?.timestamp_ms;
        let ingested = match self.last_ingestion_ms {
            Some(t) if t <= now_ms => t,
            // Not yet visible at the tail: the newest visible ingestion is near the end.
            _ => self
                .events
                .iter()
                .rev()
                .take(2_000)
                .filter(|e| e.ingestion_ms <= now_ms)
                .map(|e| e.ingestion_ms)
                .max()?,
        };
        Some((first, last, ingested))
    }

    fn insert(&mut self, event: StoredEvent) {
        let key = event.key();
        let at = if self.events.last().is_none_or(|e| e.key() <= key) {
            self.events.len()
        } else {
            // Nearly sorted: the place is usually a few events from the back.
            self.events.partition_point(|e| e.key() <= key)
        };
        self.last_ingestion_ms = Some(self.last_ingestion_ms.map_or(event.ingestion_ms, |t| t.max(event.ingestion_ms)));
        self.events.insert(at, event);
        if self.events.len() > MAX_EVENTS_PER_STREAM {
            // Drop a chunk at a time so that a busy stream does not shift its Vec on every put.
            let drop = self.events.len() - MAX_EVENTS_PER_STREAM + MAX_EVENTS_PER_STREAM / 16;
            self.events.drain(..drop);
        }
    }

    fn expire(&mut self, cutoff_ms: i64) {
        if self.events.first().is_some_and(|e| e.timestamp_ms < cutoff_ms) {
            let n = self.first_at_or_after(cutoff_ms);
            self.events.drain(..n);
        }
    }
}

/// One log group.
#[derive(Debug, Clone, Default)]
pub struct LogGroup {
    pub created_ms: i64,
    pub streams: BTreeMap<String, LogStream>,
}

/// All log groups of one account and region.
#[derive(Debug, Clone, Default)]
pub struct LogStore {
    pub groups: BTreeMap<String, LogGroup>,
    next_seq: u64,
}

impl LogStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates a group if it does not exist.
    pub fn create_group(&mut self, name: &str, created_ms: i64) {
        self.groups.entry(name.to_string()).or_insert_with(|| LogGroup { created_ms, streams: BTreeMap::new() });
    }

    /// Creates a stream in an existing group; false if the group is missing or the stream exists.
    pub fn create_stream(&mut self, group: &str, stream: &str, created_ms: i64) -> bool {
        match self.groups.get_mut(group) {
            Some(g) if !g.streams.contains_key(stream) => {
                g.streams.insert(stream.to_string(), LogStream { created_ms, ..LogStream::default() });
                true
            }
            _ => false,
        }
    }

    /// The sequence number of the newest event put into the store.
    pub fn last_seq(&self) -> u64 {
        self.next_seq
    }

    pub fn group(&self, name: &str) -> Option<&LogGroup> {
        self.groups.get(name)
    }

    pub fn stream(&self, group: &str, name: &str) -> Option<&LogStream> {
        self.groups.get(group)?.streams.get(name)
    }

    /// Appends one event, creating the group and stream when needed.
    pub fn put(&mut self, group: &str, stream: &str, ts_ms: i64, ingestion_ms: i64, message: String) {
        self.next_seq += 1;
        let seq = self.next_seq;
        let event_id = format!("{:020}{:016}", ts_ms.max(0), seq);
        let cutoff = ingestion_ms - RETENTION_MS;
        let g = self
            .groups
            .entry(group.to_string())
            .or_insert_with(|| LogGroup { created_ms: ts_ms, streams: BTreeMap::new() });
        let s = g
            .streams
            .entry(stream.to_string())
            .or_insert_with(|| LogStream { created_ms: ts_ms, ..LogStream::default() });
        if ts_ms >= cutoff {
            s.insert(StoredEvent { timestamp_ms: ts_ms, ingestion_ms, message, event_id, seq });
        }
        s.expire(cutoff);
        if seq.is_multiple_of(SWEEP_EVERY) {
            self.expire_all(cutoff);
        }
    }

    /// Adds a stream's past lines at once, `(timestamp, ingestion time, message)` in any order:
    /// one merge instead of an insertion per event (`sim::history` writes a task's lifetime
    /// after its recent lines). Sequence numbers follow the lines' time order. The group and
    /// stream are created when needed; a stream created by a later line starts at the earliest.
    pub fn put_many(&mut self, group: &str, stream: &str, mut lines: Vec<(i64, i64, String)>) {
        let Some(first_ts) = lines.iter().map(|l| l.0).min() else { return };
        lines.sort_by_key(|l| l.0);
        let newest_ingestion = lines.iter().map(|l| l.1).max().unwrap_or(first_ts);
        let mut batch = Vec::with_capacity(lines.len());
        for (ts_ms, ingestion_ms, message) in lines {
            self.next_seq += 1;
            let seq = self.next_seq;
            let event_id = format!("{:020}{:016}", ts_ms.max(0), seq);
            batch.push(StoredEvent { timestamp_ms: ts_ms, ingestion_ms, message, event_id, seq });
        }
        let g = self
            .groups
            .entry(group.to_string())
            .or_insert_with(|| LogGroup { created_ms: first_ts, streams: BTreeMap::new() });
        g.created_ms = g.created_ms.min(first_ts);
        let s = g
            .streams
            .entry(stream.to_string())
            .or_insert_with(|| LogStream { created_ms: first_ts, ..LogStream::default() });
        s.created_ms = s.created_ms.min(first_ts);
        s.last_ingestion_ms = Some(s.last_ingestion_ms.map_or(newest_ingestion, |t| t.max(newest_ingestion)));
        let old = std::mem::take(&mut s.events);
        let mut merged = Vec::with_capacity(old.len() + batch.len());
        let (mut a, mut b) = (old.into_iter().peekable(), batch.into_iter().peekable());
        loop {
            let take_old = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => x.key() <= y.key(),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            merged.extend(if take_old { a.next() } else { b.next() });
        }
        if merged.len() > MAX_EVENTS_PER_STREAM {
            merged.drain(..merged.len() - MAX_EVENTS_PER_STREAM);
        }
        s.events = merged;
        s.expire(newest_ingestion - RETENTION_MS);
    }

    /// Drops every event older than `cutoff_ms` in all streams (quiet streams included).
    pub fn expire_all(&mut self, cutoff_ms: i64) {
        for g in self.groups.values_mut() {
            for s in g.streams.values_mut() {
                s.expire(cutoff_ms);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_lines_merge_in_time_order_and_start_the_stream_earlier() {
        let mut store = LogStore::new();
        let now = 10 * RETENTION_MS;
        store.put("g", "s", now + 500, now + 600, "recent".into());
        store.put("g", "s", now + 1_500, now + 1_600, "later".into());
        let past = vec![(now + 1_000, now + 1_100, "between".into()), (now, now + 90, "first".into())];
        store.put_many("g", "s", past);
        let s = store.stream("g", "s").unwrap();
        let order: Vec<&str> = s.events.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(order, ["first", "recent", "between", "later"]);
        assert!(s.events.windows(2).all(|w| w[0].key() < w[1].key()));
        assert_eq!(s.created_ms, now, "the stream starts with its earliest line");
        assert_eq!(s.last_ingestion_ms, Some(now + 1_600));
        let ids: std::collections::BTreeSet<&str> = s.events.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids.len(), 4, "event ids stay unique");
        store.put_many("g", "new", vec![(now, now + 1, "only".into())]);
        assert_eq!(store.stream("g", "new").unwrap().events.len(), 1);
    }

    #[test]
    fn streams_stay_sorted_and_bounded() {
        let mut store = LogStore::new();
        let now = 10 * RETENTION_MS;
        for i in 0..10 {
            store.put("g", "s", now + i * 10, now, format!("{i}"));
        }
        store.put("g", "s", now + 15, now, "late".into());
        let s = store.stream("g", "s").unwrap();
        assert!(s.events.windows(2).all(|w| w[0].key() < w[1].key()));
        assert_eq!(s.events[2].message, "late");
        store.put("g", "s", now - RETENTION_MS - 1, now, "too old".into());
        assert_eq!(store.stream("g", "s").unwrap().events.len(), 11);
        store.put("g", "s", now + 2 * RETENTION_MS, now + 2 * RETENTION_MS, "later".into());
        let s = store.stream("g", "s").unwrap();
        assert_eq!(s.events.len(), 1, "older than six hours expire");
        for i in 0..(MAX_EVENTS_PER_STREAM as i64 + 10) {
            store.put("g", "big", now + i, now, String::new());
        }
        let big = store.stream("g", "big").unwrap();
        assert!(big.events.len() <= MAX_EVENTS_PER_STREAM);
        assert_eq!(big.events.last().unwrap().timestamp_ms, now + MAX_EVENTS_PER_STREAM as i64 + 9);
    }
}
