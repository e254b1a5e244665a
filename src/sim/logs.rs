//! CloudWatch Logs storage of the simulated world: log groups, streams and their events, with
//! ingestion times so that late arrivals are modelled. It stores and answers queries; it does
//! not generate traffic (the world does) nor speak any wire protocol (`api/logs.rs` does).

use std::collections::BTreeMap;

/// One stored log event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub timestamp_ms: i64,
    pub ingestion_ms: i64,
    pub message: String,
    /// Unique, stable id of this event (AWS `eventId`).
    pub event_id: String,
}

/// One log stream.
#[derive(Debug, Clone, Default)]
pub struct LogStream {
    pub created_ms: i64,
    /// Events in insertion order (roughly, but not strictly, by timestamp).
    pub events: Vec<StoredEvent>,
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

    /// Appends one event, creating the group and stream when needed.
    pub fn put(&mut self, group: &str, stream: &str, ts_ms: i64, ingestion_ms: i64, message: String) {
        self.next_seq += 1;
        let event_id = format!("{:020}{:016}", ts_ms.max(0), self.next_seq);
        let g = self
            .groups
            .entry(group.to_string())
            .or_insert_with(|| LogGroup { created_ms: ts_ms, streams: BTreeMap::new() });
        let s =
            g.streams.entry(stream.to_string()).or_insert_with(|| LogStream { created_ms: ts_ms, events: Vec::new() });
        s.events.push(StoredEvent { timestamp_ms: ts_ms, ingestion_ms, message, event_id });
    }
}
