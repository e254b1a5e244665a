//! CloudWatch Logs storage of the simulated world: log groups, streams and their events, with
//! ingestion times so that late arrivals are modelled, bounded retention, the filter-pattern
//! matcher and the opaque page-token codec. It stores and answers queries; it does not generate
//! traffic (the world does) nor speak any wire protocol (`api/logs.rs` does).

use std::collections::BTreeMap;

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

    /// Drops every event older than `cutoff_ms` in all streams (quiet streams included).
    pub fn expire_all(&mut self, cutoff_ms: i64) {
        for g in self.groups.values_mut() {
            for s in g.streams.values_mut() {
                s.expire(cutoff_ms);
            }
        }
    }
}

/// A compiled CloudWatch Logs filter pattern for unstructured text (case-sensitive, as AWS):
/// empty matches all; `ERROR 500` needs every term; `"a phrase"` is one term; `?ERROR ?WARN`
/// needs any one of the `?` terms; `-term` excludes; `%regex%` is a regular-expression term.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    all: Vec<Term>,
    any: Vec<Term>,
    none: Vec<Term>,
}

#[derive(Debug, Clone)]
enum Term {
    Text(String),
    Regex(regex::Regex),
}

impl Term {
    fn found_in(&self, message: &str) -> bool {
        match self {
            Term::Text(t) => message.contains(t.as_str()),
            Term::Regex(r) => r.is_match(message),
        }
    }
}

impl FilterPattern {
    /// Parses a pattern; the error says what is not supported.
    pub fn parse(pattern: &str) -> Result<Self, String> {
        let p = pattern.trim();
        if p.starts_with('{') || p.starts_with('[') {
            return Err(format!(
                "Invalid filter pattern {p:?}: JSON ({{ $.x = ... }}) and space-delimited ([a, b]) patterns are not supported by the simulator; use terms, \"quoted phrases\", ?any, -exclude or %regex%"
            ));
        }
        let mut out = FilterPattern { all: Vec::new(), any: Vec::new(), none: Vec::new() };
        let mut chars = p.chars().peekable();
        loop {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            let Some(&first) = chars.peek() else { break };
            let bucket = match first {
                '?' => Some(&mut out.any),
                '-' => Some(&mut out.none),
                _ => None,
            };
            let bucket = match bucket {
                Some(b) => {
                    chars.next();
                    b
                }
                None => &mut out.all,
            };
            let term = match chars.peek() {
                Some('"') => {
                    chars.next();
                    let mut s = String::new();
                    loop {
                        match chars.next() {
                            Some('\\') => s.extend(chars.next()),
                            Some('"') => break,
                            Some(c) => s.push(c),
                            None => return Err(format!("Invalid filter pattern {p:?}: unterminated quote")),
                        }
                    }
                    Term::Text(s)
                }
                Some('%') => {
                    chars.next();
                    let body: String = chars.by_ref().take_while(|c| *c != '%').collect();
                    let re = regex::Regex::new(&body)
                        .map_err(|e| format!("Invalid filter pattern {p:?}: bad regular expression: {e}"))?;
                    Term::Regex(re)
                }
                _ => {
                    let mut s = String::new();
                    while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                        s.push(c);
                    }
                    Term::Text(s)
                }
            };
            if matches!(&term, Term::Text(t) if t.is_empty()) {
                return Err(format!("Invalid filter pattern {p:?}: empty term"));
            }
            bucket.push(term);
        }
        Ok(out)
    }

    pub fn matches(&self, message: &str) -> bool {
        self.all.iter().all(|t| t.found_in(message))
            && (self.any.is_empty() || self.any.iter().any(|t| t.found_in(message)))
            && !self.none.iter().any(|t| t.found_in(message))
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes bytes as unpadded base64url: page tokens are opaque to callers.
pub fn encode_token(payload: &str) -> String {
    let mut out = String::with_capacity(payload.len() * 4 / 3 + 3);
    for chunk in payload.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes `encode_token`'s output; `None` for anything that is not one.
pub fn decode_token(token: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(token.len() * 3 / 4);
    for chunk in token.as_bytes().chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = B64.iter().position(|b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            bytes.push((n >> (16 - 8 * i)) as u8);
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(p: &str) -> FilterPattern {
        FilterPattern::parse(p).unwrap()
    }

    #[test]
    fn pattern_terms_phrases_any_and_exclusions() {
        assert!(pattern("").matches("anything"));
        assert!(pattern("ERROR").matches("PHP ERROR here"));
        assert!(!pattern("ERROR").matches("php error here"), "case-sensitive as AWS");
        assert!(pattern("ERROR 500").matches("500 ... ERROR"));
        assert!(!pattern("ERROR 500").matches("ERROR 404"));
        assert!(pattern("\"said into stderr\"").matches("child 3 said into stderr: x"));
        assert!(!pattern("\"said into stderr\"").matches("said stderr into"));
        assert!(pattern("?WARNING ?ERROR").matches("a WARNING"));
        assert!(pattern("?WARNING ?ERROR").matches("an ERROR"));
        assert!(!pattern("?WARNING ?ERROR").matches("NOTICE"));
        assert!(pattern("GET -healthz").matches("GET /"));
        assert!(!pattern("GET -healthz").matches("GET /healthz"));
        assert!(pattern("\"a \\\"q\\\"\"").matches("say a \"q\" now"));
        assert!(pattern("%5[0-9]{2}%").matches("HTTP 503"));
        assert!(!pattern("%5[0-9]{2}%").matches("HTTP 404"));
    }

    #[test]
    fn unsupported_patterns_say_so() {
        let e = FilterPattern::parse("{ $.level = \"error\" }").unwrap_err();
        assert!(e.contains("not supported"), "{e}");
        assert!(FilterPattern::parse("[ip, user, status=5*]").is_err());
        assert!(FilterPattern::parse("\"open").is_err());
        assert!(FilterPattern::parse("%(%").is_err());
    }

    #[test]
    fn token_codec_round_trips_and_rejects_junk() {
        for s in ["", "a", "ab", "abc", "v1|1795842000000|17|99|wp/nginx/abc|x", "ünïcode/ß"] {
            let t = encode_token(s);
            assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{t}");
            assert_eq!(decode_token(&t).as_deref(), Some(s));
        }
        assert_eq!(decode_token("a"), None);
        assert_eq!(decode_token("!!!!"), None);
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
