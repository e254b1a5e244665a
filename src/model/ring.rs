//! `LogRing`: the buffered log lines, bounded by bytes (QUALITY.md P3), oldest evicted and
//! counted as dropped, kept in timestamp order, with a bounded memory of recently seen event
//! ids so a tailer's overlapping re-queries never duplicate a line. No IO, no clock.

use std::collections::VecDeque;

use regex::Regex;

use super::idset::{IdKeys, IdSet};
use super::logline::LogEvent;

/// Default byte budget of the ring (text plus per-event overhead estimate).
pub const DEFAULT_RING_BYTES: usize = 32 * 1024 * 1024;
/// How many recent event ids `push_unique` remembers at most (at least half of it, 32,768;
/// about 1 MB): more than a tailer's overlap window holds below ~3,000 lines/s with a 10 s
/// overlap. A tailer expecting more sizes it with `LogRing::with_limits`.
pub const DEFAULT_SEEN_IDS: usize = 65_536;

/// Recently seen event ids, remembered as 64-bit hashes (a collision among 65,536 ids has a
/// chance of about 1e-10) in two generations of `cap / 2`: when the current one fills up, the
/// previous one is forgotten. So the last `cap / 2` to `cap` ids are remembered, with no
/// per-id removal (which made a single set with a FIFO of ids several times slower).
#[derive(Debug, Clone)]
struct SeenIds {
    current: IdSet,
    previous: IdSet,
    generation: usize,
    keys: IdKeys,
}

impl SeenIds {
    fn new(cap: usize) -> Self {
        SeenIds {
            current: IdSet::default(),
            previous: IdSet::default(),
            generation: (cap / 2).max(1),
            keys: IdKeys::default(),
        }
    }

    /// True if `id` was not seen recently (and remembers it).
    fn insert(&mut self, id: &str) -> bool {
        let key = self.keys.key(id);
        if self.previous.contains(&key) || !self.current.insert(key) {
            return false;
        }
        if self.current.len() >= self.generation {
            std::mem::swap(&mut self.previous, &mut self.current);
            self.current.clear();
        }
        true
    }
}

/// The log buffer behind the log view and `wpops logs`.
#[derive(Debug, Clone)]
pub struct LogRing {
    events: VecDeque<LogEvent>,
    bytes: usize,
    max_bytes: usize,
    dropped: u64,
    pushed: u64,
    seen: SeenIds,
}

impl Default for LogRing {
    fn default() -> Self {
        LogRing::new(DEFAULT_RING_BYTES)
    }
}

impl LogRing {
    pub fn new(max_bytes: usize) -> Self {
        LogRing::with_limits(max_bytes, DEFAULT_SEEN_IDS)
    }

    pub fn with_limits(max_bytes: usize, seen_ids: usize) -> Self {
        LogRing { events: VecDeque::new(), bytes: 0, max_bytes, dropped: 0, pushed: 0, seen: SeenIds::new(seen_ids) }
    }

    /// Adds an event in timestamp order (after any with the same timestamp), then evicts the
    /// oldest until the ring fits its budget. The newest event always stays, however large.
    pub fn push(&mut self, ev: LogEvent) {
        self.bytes += ev.approx_bytes();
        self.pushed += 1;
        let in_order = self.events.back().is_none_or(|last| last.ts_ms <= ev.ts_ms);
        if in_order {
            self.events.push_back(ev);
        } else {
            let at = self.events.partition_point(|e| e.ts_ms <= ev.ts_ms);
            self.events.insert(at, ev);
        }
        while self.bytes > self.max_bytes && self.events.len() > 1 {
            if let Some(old) = self.events.pop_front() {
                self.bytes = self.bytes.saturating_sub(old.approx_bytes());
                self.dropped += 1;
            }
        }
    }

    /// The index an event with timestamp `ts_ms` would be pushed at (after any with the same
    /// timestamp): the end, or before the first newer line for a late arrival.
    pub fn insertion_index(&self, ts_ms: i64) -> usize {
        if self.events.back().is_none_or(|last| last.ts_ms <= ts_ms) {
            self.events.len()
        } else {
            self.events.partition_point(|e| e.ts_ms <= ts_ms)
        }
    }

    /// As [`push`](Self::push), unless an event with this id was pushed recently: then `false`.
    pub fn push_unique(&mut self, ev: LogEvent) -> bool {
        if !self.seen.insert(&ev.event_id) {
            return false;
        }
        self.push(ev);
        true
    }

    /// Adds lines older than those held (oldest first) before them, skipping ids seen before;
    /// once the budget is full the rest (the oldest) are dropped and counted as such. A line
    /// newer than the oldest held goes in its place. Returns how many were put before the
    /// lines held.
    pub fn prepend(&mut self, older: Vec<LogEvent>) -> usize {
        let mut kept = 0;
        for ev in older.into_iter().rev() {
            if !self.seen.insert(&ev.event_id) {
                continue;
            }
            if self.events.front().is_some_and(|first| first.ts_ms < ev.ts_ms) {
                self.push(ev);
                continue;
            }
            self.pushed += 1;
            let size = ev.approx_bytes();
            if self.bytes + size > self.max_bytes && !self.events.is_empty() {
                self.dropped += 1;
                continue;
            }
            self.bytes += size;
            self.events.push_front(ev);
            kept += 1;
        }
        kept
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Oldest to newest.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &LogEvent> + ExactSizeIterator {
        self.events.iter()
    }

    /// Events whose sanitised text matches `filter`, oldest to newest.
    pub fn iter_filtered<'a>(&'a self, filter: &'a Regex) -> impl DoubleEndedIterator<Item = &'a LogEvent> + 'a {
        self.events.iter().filter(|e| filter.is_match(&e.text))
    }

    /// The `i`-th event, oldest first.
    pub fn get(&self, i: usize) -> Option<&LogEvent> {
        self.events.get(i)
    }

    /// The newest event's timestamp (a tailer's next start time, minus its overlap).
    pub fn newest_ts_ms(&self) -> Option<i64> {
        self.events.back().map(|e| e.ts_ms)
    }

    /// Lines evicted to stay within the budget.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Lines ever pushed (duplicates refused by `push_unique` are not counted).
    pub fn pushed(&self) -> u64 {
        self.pushed
    }

    /// Estimated bytes held now.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Empties the buffer; the seen ids are kept, so a re-query does not bring lines back.
    pub fn clear(&mut self) {
        self.events.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::logline::{ContainerRole, LineClass};
    use proptest::prelude::*;

    fn ev(id: &str, ts: i64, text: &str) -> LogEvent {
        LogEvent {
            ts_ms: ts,
            ingestion_ms: ts,
            event_id: id.to_owned(),
            task_id: "3f2a9c1e".into(),
            container: ContainerRole::Nginx,
            text: text.to_owned(),
            class: LineClass::Plain,
        }
    }

    fn ts_of(ring: &LogRing) -> Vec<i64> {
        ring.iter().map(|e| e.ts_ms).collect()
    }

    #[test]
    fn keeps_timestamp_order_for_late_arrivals() {
        let mut ring = LogRing::default();
        for (i, ts) in [10, 20, 30, 25, 5, 30, 31].into_iter().enumerate() {
            ring.push(ev(&i.to_string(), ts, "x"));
        }
        assert_eq!(ts_of(&ring), [5, 10, 20, 25, 30, 30, 31]);
        // Equal timestamps keep arrival order.
        let ids: Vec<_> = ring.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids, ["4", "0", "1", "3", "2", "5", "6"]);
        assert_eq!(ring.newest_ts_ms(), Some(31));
        assert_eq!(ring.get(0).map(|e| e.ts_ms), Some(5));
    }

    #[test]
    fn evicts_oldest_by_bytes_and_counts_dropped() {
        let one = ev("00", 0, &"a".repeat(100)).approx_bytes();
        let mut ring = LogRing::new(one * 10);
        for i in 0..25 {
            ring.push(ev(&format!("{i:02}"), i, &"a".repeat(100)));
        }
        assert_eq!(ring.len(), 10);
        assert_eq!(ring.dropped(), 15);
        assert_eq!(ring.pushed(), 25);
        assert_eq!(ts_of(&ring).first(), Some(&15));
        assert!(ring.bytes() <= ring.max_bytes());
    }

    #[test]
    fn a_huge_line_stays_alone() {
        let mut ring = LogRing::new(1000);
        ring.push(ev("a", 1, "small"));
        ring.push(ev("b", 2, &"x".repeat(10_000)));
        assert_eq!(ring.len(), 1);
        assert_eq!(ring.dropped(), 1);
    }

    #[test]
    fn push_unique_skips_recent_duplicates() {
        let mut ring = LogRing::with_limits(DEFAULT_RING_BYTES, 4);
        assert!(ring.push_unique(ev("1", 1, "a")));
        assert!(!ring.push_unique(ev("1", 1, "a")));
        assert!(ring.push_unique(ev("1#1", 1, "b")));
        // Two generations of 2 ids: "1" and "1#1" are now the previous generation.
        assert!(!ring.push_unique(ev("1", 1, "a")));
        assert!(ring.push_unique(ev("2", 2, "c")));
        assert!(ring.push_unique(ev("3", 3, "d")));
        // The generation of "1" has been forgotten.
        assert!(ring.push_unique(ev("1", 1, "a")));
        assert!(!ring.push_unique(ev("3", 3, "d")));
        assert_eq!(ring.len(), 5);
        assert_eq!(ring.pushed(), 5);
        ring.clear();
        assert!(ring.is_empty());
        assert_eq!(ring.bytes(), 0);
        assert!(!ring.push_unique(ev("3", 3, "d")));
    }

    #[test]
    fn remembers_at_least_half_its_capacity() {
        let mut ring = LogRing::with_limits(1 << 20, 1000);
        for i in 0..10_000 {
            assert!(ring.push_unique(ev(&i.to_string(), i, "x")));
            let back = i - 499;
            if back >= 0 {
                assert!(!ring.push_unique(ev(&back.to_string(), back, "x")));
            }
        }
    }

    #[test]
    fn filters_by_regex_on_sanitised_text() {
        let mut ring = LogRing::default();
        ring.push(ev("1", 1, "GET / 200"));
        ring.push(ev("2", 2, "GET /x 502"));
        ring.push(ev("3", 3, "POST /xmlrpc.php 403"));
        let re = Regex::new(r"5\d\d").unwrap();
        let hits: Vec<_> = ring.iter_filtered(&re).map(|e| e.event_id.as_str()).collect();
        assert_eq!(hits, ["2"]);
        assert_eq!(ring.iter().next_back().map(|e| e.ts_ms), Some(3));
    }

    proptest! {
        #[test]
        fn always_sorted_and_within_budget(stamps in prop::collection::vec(0i64..1000, 0..300), budget in 1_000usize..50_000) {
            let mut ring = LogRing::new(budget);
            for (i, ts) in stamps.iter().enumerate() {
                ring.push(ev(&i.to_string(), *ts, "some log text"));
            }
            let ts = ts_of(&ring);
            prop_assert!(ts.windows(2).all(|w| w[0] <= w[1]));
            prop_assert!(ring.bytes() <= budget || ring.len() == 1);
            prop_assert_eq!(ring.len() as u64 + ring.dropped(), stamps.len() as u64);
            let held: usize = ring.iter().map(LogEvent::approx_bytes).sum();
            prop_assert_eq!(held, ring.bytes());
        }
    }
}
