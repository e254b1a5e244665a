//! The log tailer: follows the warmer, nginx and php-fpm streams of the service's tasks (all
//! interleaved, or one task) with FilterLogEvents. Each poll re-reads an overlap window behind
//! the newest line, pages to the end, and drops events already seen (by `eventId`), so late
//! arrivals, retries and page boundaries neither lose nor duplicate a line. Every request draws
//! from the shared log budget (about one a second). Between polls it looks up missing warm
//! reports (`warm.rs`).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::sync::mpsc;

use super::backoff::Backoff;
use super::budget::Budget;
use super::{Command, Discovery, FeedContext, now_ms, pause};
use crate::app::{Feed, LogScope, Msg};
use crate::aws::logs::{self, Query, RawEvent};
use crate::aws::{AwsError, Clients};
use crate::model::idset::{IdKeys, IdSet};
use crate::model::{LogEvent, LogSource, OwnedRawEvent, ingest_owned};

/// How far back the tailer starts, and how much it re-reads behind the newest line.
pub const BACKFILL_MS: i64 = 5 * 60_000;
pub const OVERLAP_MS: i64 = 30_000;
const POLL: Duration = Duration::from_millis(1_000);
/// Pages fetched per query and poll at most (a burst beyond that waits for the next poll).
pub const MAX_PAGES: usize = 8;
/// Parsed stream names kept at most (a few per task ever seen).
const MAX_SOURCES: usize = 4_096;

/// Event ids seen recently (as 64-bit hashes), bounded, oldest forgotten first.
#[derive(Default)]
pub struct Seen {
    set: IdSet,
    order: VecDeque<(i64, u64)>,
    keys: IdKeys,
}

impl Seen {
    /// Remembers an id; false if it was already there.
    pub fn insert(&mut self, ts_ms: i64, id: &str) -> bool {
        let key = self.keys.key(id);
        if !self.set.insert(key) {
            return false;
        }
        self.order.push_back((ts_ms, key));
        true
    }

    /// Forgets ids of events older than `before_ms` (they are outside every future query).
    pub fn forget_before(&mut self, before_ms: i64) {
        while self.order.front().is_some_and(|(ts, _)| *ts < before_ms) && self.order.len() > 1 {
            if let Some((_, key)) = self.order.pop_front() {
                self.set.remove(&key);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.set.len()
    }
}

/// The tailer's position.
pub struct Cursor {
    pub scope: LogScope,
    /// Newest event timestamp seen (the next query starts an overlap window before it).
    pub newest_ms: i64,
    pub seen: Seen,
    /// Stream name → where its lines come from (parsed and sanitised once per stream).
    sources: HashMap<String, LogSource, foldhash::fast::RandomState>,
}

impl Cursor {
    pub fn new(scope: LogScope, now: i64) -> Self {
        Cursor::starting_at(scope, now - BACKFILL_MS)
    }

    /// A cursor whose first query starts at `start_ms` (`wpops logs --since`).
    pub fn starting_at(scope: LogScope, start_ms: i64) -> Self {
        Cursor { scope, newest_ms: start_ms + OVERLAP_MS, seen: Seen::default(), sources: HashMap::default() }
    }

    pub fn start_ms(&self) -> i64 {
        self.newest_ms - OVERLAP_MS
    }

    /// Keeps the events not seen before, converted to display lines (their text moved, not
    /// copied), oldest first.
    pub fn accept(&mut self, raw: Vec<RawEvent>) -> Vec<LogEvent> {
        let mut out = Vec::with_capacity(raw.len());
        for e in raw {
            if !self.seen.insert(e.timestamp_ms, &e.event_id) {
                continue;
            }
            self.newest_ms = self.newest_ms.max(e.timestamp_ms);
            if !self.sources.contains_key(&e.stream) {
                // Streams of replaced tasks pile up over days; start over now and then.
                if self.sources.len() >= MAX_SOURCES {
                    self.sources.clear();
                }
                self.sources.insert(e.stream.clone(), LogSource::from_stream_name(&e.stream));
            }
            let source = &self.sources[&e.stream];
            let RawEvent { event_id, timestamp_ms, ingestion_ms, message, .. } = e;
            ingest_owned(source, OwnedRawEvent { event_id, timestamp_ms, ingestion_ms, message }, &mut out);
        }
        self.seen.forget_before(self.start_ms() - OVERLAP_MS);
        // Pages usually come in time order; sorting would still allocate a scratch buffer.
        if !out.is_sorted_by_key(|e| e.ts_ms) {
            out.sort_by_key(|e| e.ts_ms);
        }
        out
    }
}

/// The queries that cover a scope, from what discovery found: stream names when they fit in
/// one call (≤ 100), else one prefix per container, else the whole group.
pub fn queries_for(disc: &Discovery, scope: &LogScope, start_ms: i64) -> Vec<Query> {
    let wanted = |name: &str| scope.containers.is_empty() || scope.containers.iter().any(|c| c == name);
    let mut by_group: std::collections::BTreeMap<String, (Vec<String>, Vec<String>)> = Default::default();
    for td in &disc.task_definitions {
        for c in td.containers.iter().filter(|c| wanted(&c.name)) {
            let Some(group) = c.log_group.clone() else { continue };
            let entry = by_group.entry(group).or_default();
            if let Some(prefix) = &c.log_stream_prefix {
                let p = format!("{prefix}/{}/", c.name);
                if !entry.1.contains(&p) {
                    entry.1.push(p);
                }
            }
            for t in disc.tasks.iter().filter(|t| t.task_definition == td.arn) {
                if scope.task.as_ref().is_some_and(|id| *id != t.id) {
                    continue;
                }
                if let Some(stream) = c.log_stream(&t.id) {
                    entry.0.push(stream);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (group, (mut streams, prefixes)) in by_group {
        streams.sort();
        streams.dedup();
        let base = Query { group: group.clone(), start_ms, ..Query::default() };
        if streams.is_empty() {
            continue;
        } else if streams.len() <= 100 {
            out.push(Query { streams, ..base });
        } else if prefixes.len() < 3 || !scope.containers.is_empty() {
            out.extend(prefixes.into_iter().map(|p| Query { prefix: Some(p), ..base.clone() }));
        } else {
            out.push(base);
        }
    }
    out
}

pub async fn run(ctx: FeedContext, mut rx: mpsc::UnboundedReceiver<Command>) {
    let mut cursor = Cursor::new(LogScope { containers: Vec::new(), task: None, generation: 0 }, now_ms());
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
    let mut reports = super::warm::Lookup::default();
    let mut discovery = ctx.discovery.clone();
    // Wait for the first discovery: without task definitions there is nothing to follow.
    if discovery.borrow().task_definitions.is_empty() {
        tokio::select! {
            _ = ctx.cancel.cancelled() => return,
            _ = discovery.changed() => {}
        }
    }
    loop {
        // A fixed one-second schedule: the next poll starts a second after this one started.
        let poll_started = std::time::Instant::now();
        let wait = match poll(&ctx, &mut cursor).await {
            Ok(events) => {
                backoff.reset();
                // Every good poll is reported, new lines or none: it clears the panel's error
                // after a failure and dates its data, so a quiet site neither stays in error
                // nor reads as stale.
                let generation = cursor.scope.generation;
                if !ctx.send(Msg::Logs { at_ms: now_ms(), generation, events }).await {
                    return;
                }
                if let Some(found) = reports.look_up(&ctx).await
                    && !found.is_empty()
                    && !ctx.send(Msg::WarmReports(found)).await
                {
                    return;
                }
                POLL.saturating_sub(poll_started.elapsed())
            }
            Err(e) => {
                let wait = backoff.next(e.kind);
                let error = e.to_fetch_error(ctx.profile());
                let generation = cursor.scope.generation;
                if !ctx.send(Msg::LogsFailed { at_ms: now_ms(), generation, error }).await {
                    return;
                }
                ctx.send(Msg::Backoff { feed: Feed::Logs, at_ms: now_ms(), retry_in_ms: wait.as_millis() as u64 })
                    .await;
                wait
            }
        };
        match pause(&ctx, &mut rx, wait).await {
            None => return,
            Some(Some(Command::Follow(scope))) => cursor = Cursor::new(scope, now_ms()),
            Some(_) => {}
        }
    }
}

/// How one tailer step reads.
#[derive(Debug, Clone, Default)]
pub struct Step {
    /// The site's configured log group, instead of the task definitions' (`wpops logs`).
    pub group: Option<String>,
    /// No lines after this time (`wpops logs --until`).
    pub until_ms: Option<i64>,
    /// Pages per query at most.
    pub max_pages: usize,
}

/// One step of the tail, for the console and `wpops logs` alike: every query of the cursor's
/// scope from its overlap window on, each paged to its end (at most `step.max_pages` pages),
/// every request drawing from `budget`; the lines not seen before, oldest first.
pub async fn poll_once(
    clients: &Clients,
    disc: &Discovery,
    cursor: &mut Cursor,
    budget: &Budget,
    step: &Step,
) -> Result<Vec<LogEvent>, AwsError> {
    let mut all = Vec::new();
    for mut q in queries_for(disc, &cursor.scope, cursor.start_ms()) {
        if let Some(group) = &step.group {
            q.group = group.clone();
        }
        q.end_ms = step.until_ms;
        let mut token = None;
        for _ in 0..step.max_pages {
            budget.acquire().await;
            let page = logs::filter_page(clients, &q, token.take()).await?;
            all.extend(page.events);
            match page.next_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    Ok(cursor.accept(all))
}

/// The console's poll: one step over what the ECS poller discovered.
async fn poll(ctx: &FeedContext, cursor: &mut Cursor) -> Result<Vec<LogEvent>, AwsError> {
    let disc = ctx.discovery.borrow().clone();
    poll_once(&ctx.clients, &disc, cursor, &ctx.log_budget, &Step { max_pages: MAX_PAGES, ..Step::default() }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, ts: i64) -> RawEvent {
        RawEvent {
            stream: "wp/nginx/abc".into(),
            event_id: id.into(),
            timestamp_ms: ts,
            ingestion_ms: ts,
            message: format!("line {id}"),
        }
    }

    #[test]
    fn overlapping_polls_do_not_duplicate_and_late_events_still_arrive() {
        let mut c = Cursor::new(LogScope { containers: vec![], task: None, generation: 1 }, 1_000_000);
        let first = c.accept(vec![ev("a", 999_000), ev("b", 999_500)]);
        assert_eq!(first.len(), 2);
        // The next poll re-reads the overlap: a and b again, plus a late event older than b.
        let second = c.accept(vec![ev("a", 999_000), ev("late", 999_200), ev("b", 999_500), ev("c", 999_900)]);
        let ids: Vec<&str> = second.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids, vec!["late", "c"]);
        assert_eq!(c.start_ms(), 999_900 - OVERLAP_MS);
    }

    #[test]
    fn seen_ids_are_forgotten_once_outside_the_window() {
        let mut s = Seen::default();
        assert!(s.insert(1, "x"));
        assert!(!s.insert(1, "x"));
        assert!(s.insert(5, "y"));
        s.forget_before(3);
        assert_eq!(s.len(), 1);
        assert!(s.insert(1, "x"));
    }
}
