//! The log tailer: follows the warmer, nginx and php-fpm streams of the service's tasks (all
//! interleaved, or one task) with FilterLogEvents, always making progress whatever the rate:
//! - Each query of the scope is a lane with its own reading position. A search pages from the
//!   lane's position minus the overlap; a search that stops at the page limit is continued with
//!   its page token at the next poll instead of being restarted, so every poll moves forward.
//! - The overlap re-read behind the position covers the largest ingestion delay seen recently
//!   (each event carries its `ingestionTime`), within `model::tail`'s bounds; every ten seconds a
//!   late sweep reads a little further back for lines later than that, which widens the overlap.
//!   Events already seen are dropped by `eventId`, so nothing is delivered twice.
//! - When lines arrive faster than the budget lets the tail read them (it falls further behind
//!   over ten seconds), it skips forward to the newest lines and counts what it skipped.
//!
//! Every request draws from the shared log budget (about one a second). Between polls the
//! console's tailer looks up missing warm reports (`warm.rs`).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::sync::mpsc;

use super::backoff::Backoff;
use super::budget::Budget;
use super::livetail::Follower;
use super::{Command, Discovery, FeedContext, now_ms, pause};
use crate::app::{Feed, LogScope, Msg};
use crate::aws::logs::{self, Query, RawEvent};
use crate::aws::{AwsError, Clients};
use crate::model::idset::{IdKeys, IdSet};
use crate::model::tail::{Delays, MAX_OVERLAP_MS, Meter, overlap_for};
use crate::model::{Behind, LogEvent, LogSource, OwnedRawEvent, TailHealth, ingest_owned};

/// How far back the console's tailer starts.
pub const BACKFILL_MS: i64 = 5 * 60_000;
const POLL: Duration = Duration::from_millis(Feed::Logs.idle_every_ms() as u64);
/// Pages fetched per query and poll at most (a longer search continues at the next poll).
pub const MAX_PAGES: usize = 8;
/// Parsed stream names kept at most (a few per task ever seen).
const MAX_SOURCES: usize = 4_096;
/// The late sweep: how often, pages per lane at most, and how far back it starts reaching (it
/// halves its reach when that does not fit in its pages, and doubles it back up to the overlap's
/// bound when it fits).
const SWEEP_EVERY_MS: i64 = 10_000;
const SWEEP_PAGES: usize = 2;
const SWEEP_START_REACH_MS: i64 = 60_000;
/// How far this machine's clock may be ahead of CloudWatch's without a line being missed (a line
/// that would be is still found by the late sweep).
const WATERMARK_SLACK_MS: i64 = 5_000;
/// A tail falling behind looks at the head (one page of its last seconds) at most this often.
const PROBE_EVERY_MS: i64 = 10_000;
const PROBE_SPAN_MS: i64 = 5_000;

/// Event ids seen recently (as 64-bit hashes), bounded, oldest forgotten first.
#[derive(Default)]
pub struct Seen {
    set: IdSet,
    order: VecDeque<(i64, u64)>,
    keys: IdKeys,
    /// Ids of events older than this may have been forgotten.
    forgotten_before: i64,
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
        self.forgotten_before = self.forgotten_before.max(before_ms);
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

/// A search under way: the query as first sent (a token belongs to it) and its next token.
#[derive(Debug, Clone)]
struct Search {
    query: Query,
    token: String,
    /// When its first page was asked for.
    started_ms: i64,
}

/// One query of the scope (a log group, or one stream prefix of it) and where its reading stands.
#[derive(Debug, Clone, Default)]
struct Lane {
    /// The newest event timestamp read in this lane.
    position_ms: i64,
    /// The search to continue at the next poll, if the last one stopped at the page limit.
    pending: Option<Search>,
    /// How far behind the overlap the late sweep reads.
    sweep_reach_ms: i64,
    /// After a skip: where the next search starts (no overlap: nothing before it was read).
    resume_at_ms: Option<i64>,
    /// The late sweep reads nothing before this (the end of the last skip).
    sweep_floor_ms: i64,
    /// The lane's query as the last poll built it (for the head probe).
    base: Query,
    /// Everything ingested up to this time has been read: the newest line read while a search
    /// is under way, the time its first page was asked for once it has ended.
    read_through_ms: i64,
}

/// Lanes are keyed by group and stream prefix: a changing list of stream names (tasks come and
/// go) stays one lane and keeps its position.
type LaneKey = (String, Option<String>);

/// The tailer's position.
pub struct Cursor {
    pub scope: LogScope,
    /// Where the first search of every lane starts.
    origin_ms: i64,
    lanes: HashMap<LaneKey, Lane>,
    pub seen: Seen,
    delays: Delays,
    meter: Meter,
    last_sweep_ms: i64,
    last_probe_ms: i64,
    health: TailHealth,
    /// Stream name → where its lines come from (parsed and sanitised once per stream).
    sources: HashMap<String, LogSource, foldhash::fast::RandomState>,
}

impl Cursor {
    pub fn new(scope: LogScope, now: i64) -> Self {
        Cursor::starting_at(scope, now - BACKFILL_MS)
    }

    /// A cursor whose first query starts at `start_ms` (`wpops logs --since`).
    pub fn starting_at(scope: LogScope, start_ms: i64) -> Self {
        Cursor {
            scope,
            origin_ms: start_ms,
            lanes: HashMap::new(),
            seen: Seen { forgotten_before: start_ms, ..Seen::default() },
            delays: Delays::default(),
            meter: Meter::default(),
            last_sweep_ms: start_ms,
            last_probe_ms: start_ms - PROBE_EVERY_MS,
            health: TailHealth { overlap_ms: overlap_for(0), ..TailHealth::default() },
            sources: HashMap::default(),
        }
    }

    /// How the tail is keeping up.
    pub fn health(&self) -> &TailHealth {
        &self.health
    }

    /// A search stopped at the page limit: the next poll should come at once (the budget paces it).
    pub fn is_reading_behind(&self) -> bool {
        self.lanes.values().any(|l| l.pending.is_some())
    }

    /// While searches are under way, the time up to which every lane has read: lines up to it
    /// are final and in order; a lane still reading may yet return older lines than another's
    /// newest. `None` when no search is under way (everything read is final).
    pub fn final_through_ms(&self) -> Option<i64> {
        self.lanes.values().filter(|l| l.pending.is_some()).map(|l| l.position_ms).min()
    }

    /// The start of a lane's next fresh search: the overlap behind its position, or behind the
    /// time up to which everything ingested was read (less a slack for the clocks' skew) when
    /// that is later — after a burst, a quiet lane does not re-read the burst at every poll.
    fn fresh_start(&self, lane: &Lane) -> i64 {
        let behind = lane.position_ms.max(lane.read_through_ms - WATERMARK_SLACK_MS);
        lane.resume_at_ms.unwrap_or(behind - self.health.overlap_ms).max(self.origin_ms)
    }

    /// Where a lane that appears later (a new log group, prefixes instead of names) starts: where
    /// the slowest lane stands, or the origin.
    fn new_lane(&self) -> Lane {
        let position_ms = self.lanes.values().map(|l| l.position_ms).min().unwrap_or(self.origin_ms);
        Lane {
            position_ms,
            pending: None,
            sweep_reach_ms: SWEEP_START_REACH_MS,
            resume_at_ms: None,
            sweep_floor_ms: i64::MIN,
            base: Query::default(),
            read_through_ms: position_ms,
        }
    }

    /// Keeps the events not seen before, converted to display lines (their text moved, not
    /// copied), oldest first. `late` marks events found by the late sweep.
    fn accept_at(&mut self, raw: Vec<RawEvent>, now: i64, late: bool) -> Vec<LogEvent> {
        self.convert(raw, now, late, true)
    }

    /// Live Tail's events (`livetail.rs`): converted as polled ones are, but not remembered by
    /// id (Live Tail sends none; each is new).
    pub(super) fn accept_live(&mut self, raw: Vec<RawEvent>, now: i64) -> Vec<LogEvent> {
        self.convert(raw, now, false, false)
    }

    fn convert(&mut self, raw: Vec<RawEvent>, now: i64, late: bool, dedupe: bool) -> Vec<LogEvent> {
        let mut out = Vec::with_capacity(raw.len());
        for e in raw {
            if dedupe && !self.seen.insert(e.timestamp_ms, &e.event_id) {
                continue;
            }
            self.delays.observe(now, e.ingestion_ms - e.timestamp_ms);
            if late {
                self.health.late_lines += 1;
            }
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
        // Pages usually come in time order; sorting would still allocate a scratch buffer.
        if !out.is_sorted_by_key(|e| e.ts_ms) {
            out.sort_by_key(|e| e.ts_ms);
        }
        out
    }

    /// `accept_at` for events read in order at an unknown time (benches, tests).
    pub fn accept(&mut self, raw: Vec<RawEvent>) -> Vec<LogEvent> {
        let newest = raw.iter().map(|e| e.timestamp_ms).max();
        let out = self.accept_at(raw, newest.unwrap_or(self.origin_ms), false);
        if let Some(n) = newest {
            let lane = self.lanes.entry(Default::default()).or_default();
            lane.position_ms = lane.position_ms.max(n);
        }
        self.forget_old();
        out
    }

    /// Polling takes over from a Live Tail session that delivered everything ingested up to
    /// `through_ms` (its newest line's ingestion time; `None` if it delivered none): every lane
    /// reads on from there less the overlap (which covers the ingestion delays Live Tail's lines
    /// showed), and the late sweep never reaches behind that, where Live Tail's lines have no
    /// ids to dedupe by. `livetail.rs` drops the re-read lines Live Tail already delivered.
    pub(super) fn resume_after_live(&mut self, through_ms: Option<i64>, now: i64) {
        self.health.max_delay_ms = self.delays.max_recent(now);
        self.health.overlap_ms = overlap_for(self.health.max_delay_ms);
        let Some(t) = through_ms else { return };
        let floor = t - self.health.overlap_ms;
        for lane in self.lanes.values_mut() {
            lane.position_ms = lane.position_ms.max(t);
            lane.read_through_ms = lane.read_through_ms.max(t);
            lane.resume_at_ms = None;
            lane.sweep_floor_ms = lane.sweep_floor_ms.max(floor);
        }
        self.last_sweep_ms = now;
        self.meter.reset();
    }

    /// Forgets the ids no future search or sweep can return again.
    fn forget_old(&mut self) {
        let horizon = self
            .lanes
            .values()
            .map(|l| l.position_ms - self.health.overlap_ms.max(l.sweep_reach_ms) - self.health.overlap_ms)
            .min();
        if let Some(h) = horizon {
            self.seen.forget_before(h);
        }
    }

    /// After a poll that delivered `new` lines: the overlap follows the delays seen, the meter
    /// notes progress, and a tail that is losing ground skips to the newest lines.
    fn settle(&mut self, now: i64, new: usize) {
        self.health.max_delay_ms = self.delays.max_recent(now);
        self.health.overlap_ms = overlap_for(self.health.max_delay_ms);
        let Some(through) = self.lanes.values().map(|l| l.read_through_ms).min() else {
            return;
        };
        self.health.lag_ms = (now - through).max(0);
        self.meter.record(now, new, through);
        self.health.behind = self.meter.behind(now);
        self.forget_old();
    }

    /// Skips the lanes in `keys` to the newest lines: what lay between their position and the
    /// overlap before now is counted (estimated at the rate it was arriving), never read.
    fn skip(&mut self, now: i64, b: Behind, keys: &[LaneKey]) {
        let to = now - self.health.overlap_ms;
        for key in keys {
            let Some(lane) = self.lanes.get_mut(key) else { continue };
            let skipped = (to - lane.position_ms).max(0);
            self.health.skipped_ms += skipped;
            self.health.skipped_lines_est += (b.arrival_per_s * skipped as f64 / 1_000.0).round() as u64;
            lane.pending = None;
            lane.position_ms = lane.position_ms.max(to);
            lane.resume_at_ms = Some(lane.position_ms);
            lane.read_through_ms = to;
            // The late sweep must not read what was skipped: it would all look late.
            lane.sweep_floor_ms = to;
        }
        self.health.skips += 1;
        self.health.last_skip = Some((now, b));
        let through = self.lanes.values().map(|l| l.read_through_ms).min().unwrap_or(to);
        self.health.lag_ms = (now - through).max(0);
        self.meter.reset();
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

/// One query per group and container prefix (`wordpress/nginx/`) of the scope's containers,
/// whichever tasks wrote there: every stream, listed by ECS or not.
pub fn queries_by_prefix(disc: &Discovery, scope: &LogScope, start_ms: i64) -> Vec<Query> {
    let wanted = |name: &str| scope.containers.is_empty() || scope.containers.iter().any(|c| c == name);
    let mut out: Vec<Query> = Vec::new();
    for td in &disc.task_definitions {
        for c in td.containers.iter().filter(|c| wanted(&c.name)) {
            let (Some(group), Some(prefix)) = (c.log_group.clone(), c.log_stream_prefix.as_ref()) else { continue };
            let prefix = Some(format!("{prefix}/{}/", c.name));
            if !out.iter().any(|q| q.group == group && q.prefix == prefix) {
                out.push(Query { group, prefix, start_ms, ..Query::default() });
            }
        }
    }
    out.sort_by(|a, b| (&a.group, &a.prefix).cmp(&(&b.group, &b.prefix)));
    out
}

pub async fn run(ctx: FeedContext, mut rx: mpsc::UnboundedReceiver<Command>) {
    let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
    let mut follower = Follower::new(Cursor::new(scope, now_ms()), ctx.site.live_tail);
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(8));
    let mut reports = super::warm::Lookup::default();
    let mut discovery = ctx.discovery.clone();
    let mut last_health = follower.health();
    let on_command = |follower: &mut Follower, last_health: &mut TailHealth, cmd: Command| match cmd {
        Command::Follow(scope) => {
            follower.follow(scope, now_ms());
            *last_health = TailHealth::default();
        }
        Command::LiveTail(on) => follower.set_wanted(on, now_ms()),
        Command::LogsVisible(v) => follower.set_visible(v, now_ms()),
        Command::Refresh | Command::Fast(_) => {}
    };
    // Wait for the first discovery: without task definitions there is nothing to follow. While
    // the service cannot be read, the log panel says so.
    loop {
        let waiting = {
            let d = discovery.borrow_and_update();
            if !d.task_definitions.is_empty() {
                break;
            }
            d.waiting_error()
        };
        if let Some(error) = waiting {
            let generation = follower.cursor.scope.generation;
            if !ctx.send(Msg::LogsFailed { at_ms: now_ms(), generation, error }).await {
                return;
            }
        }
        let followed = super::discovery_changed(&ctx, &mut discovery, &mut rx, |cmd| {
            on_command(&mut follower, &mut last_health, cmd);
        })
        .await;
        if !followed {
            return;
        }
    }
    loop {
        // A fixed one-second schedule: the next poll starts a second after this one started.
        // With Live Tail open, a step waits for the session's next update instead.
        let poll_started = std::time::Instant::now();
        let wait = match step(&ctx, &mut follower).await {
            Ok(events) => {
                backoff.reset();
                // Every good poll is reported, new lines or none: it clears the panel's error
                // after a failure and dates its data, so a quiet site neither stays in error
                // nor reads as stale.
                let generation = follower.cursor.scope.generation;
                if !ctx.send(Msg::Logs { at_ms: now_ms(), generation, events }).await {
                    return;
                }
                let tail = follower.health();
                if tail != last_health {
                    last_health = tail.clone();
                    if !ctx.send(Msg::LogTail { generation, tail: Box::new(tail) }).await {
                        return;
                    }
                }
                if let Some((found, lookups)) = reports.look_up(&ctx).await
                    && !ctx.send(Msg::WarmReports { found, lookups }).await
                {
                    return;
                }
                // A search that stopped at the page limit goes on at once: the budget paces it.
                if follower.is_live() || follower.cursor.is_reading_behind() {
                    Duration::ZERO
                } else {
                    POLL.saturating_sub(poll_started.elapsed())
                }
            }
            Err(e) => {
                let wait = backoff.next(e.kind);
                let error = e.to_fetch_error(ctx.profile());
                let generation = follower.cursor.scope.generation;
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
            Some(Some(cmd)) => on_command(&mut follower, &mut last_health, cmd),
            Some(None) => {}
        }
        // Commands that came meanwhile (a step with Live Tail open does not pause).
        while let Ok(cmd) = rx.try_recv() {
            on_command(&mut follower, &mut last_health, cmd);
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
    /// Pages per query and poll at most (a longer search continues at the next poll).
    pub max_pages: usize,
    /// Only go on with the searches under way, start none (no sweep either): Live Tail has
    /// taken over from now on (`livetail.rs`) and they end what polling began before it.
    pub only_pending: bool,
    /// A CloudWatch filter pattern for every query (`wpops report`: only the trouble).
    pub pattern: Option<String>,
    /// Read every stream of the containers' prefixes, not only those of the tasks ECS lists (a
    /// window in the past: tasks stopped more than about an hour ago are no longer listed).
    pub every_stream: bool,
}

/// One step of the tail, for the console and `wpops logs` alike: every lane of the cursor's
/// scope continues its search or starts a new one behind its position, at most
/// `step.max_pages` pages each; every ten seconds a lane that has caught up also sweeps for late
/// lines. Every request draws from `budget`. Returns the lines not seen before, oldest first;
/// `cursor.health()` says how the tail is keeping up.
pub async fn poll_once(
    clients: &Clients,
    disc: &Discovery,
    cursor: &mut Cursor,
    budget: &Budget,
    step: &Step,
    now: i64,
) -> Result<Vec<LogEvent>, AwsError> {
    let mut found = Vec::new();
    let mut late = Vec::new();
    // Never on a first poll (a one-shot `wpops logs` is one poll), nor with an end time.
    let sweep_due = step.until_ms.is_none()
        && !step.only_pending
        && !cursor.lanes.is_empty()
        && now - cursor.last_sweep_ms >= SWEEP_EVERY_MS;
    let mut lanes = HashMap::new();
    let queries = if step.every_stream {
        queries_by_prefix(disc, &cursor.scope, cursor.origin_ms)
    } else {
        queries_for(disc, &cursor.scope, cursor.origin_ms)
    };
    for mut q in queries {
        if let Some(group) = &step.group {
            q.group = group.clone();
        }
        q.end_ms = step.until_ms;
        q.pattern = step.pattern.clone();
        let key: LaneKey = (q.group.clone(), q.prefix.clone());
        let mut lane = cursor.lanes.get(&key).cloned().unwrap_or_else(|| cursor.new_lane());
        if step.only_pending && lane.pending.is_none() {
            lanes.insert(key, lane);
            continue;
        }
        q.start_ms = cursor.fresh_start(&lane);
        let base = q.clone();
        lane.base = q.clone();
        // A search under way goes on with its token unless the lane's query changed (tasks
        // came or went): then a new one starts behind the lane's position.
        let (query, token, started_ms) = match lane.pending.take() {
            Some(p) if same_query(&p.query, &q) => (p.query, Some(p.token), p.started_ms),
            _ => (q, None, now),
        };
        let (events, next) = read_pages(clients, &query, token, budget, step.max_pages).await?;
        lane.resume_at_ms = None;
        if let Some(newest) = events.iter().map(|e| e.timestamp_ms).max() {
            lane.position_ms = lane.position_ms.max(newest);
        }
        found.extend(events);
        let through = if next.is_some() { lane.position_ms } else { started_ms };
        lane.read_through_ms = lane.read_through_ms.max(through);
        lane.pending = next.map(|token| Search { query, token, started_ms });
        if sweep_due && lane.pending.is_none() {
            let (events, reach) = sweep(clients, cursor, &lane, base, budget).await?;
            lane.sweep_reach_ms = reach;
            late.extend(events);
        }
        lanes.insert(key, lane);
    }
    if sweep_due {
        cursor.last_sweep_ms = now;
    }
    cursor.lanes = lanes;
    let mut out = cursor.accept_at(found, now, false);
    let late = cursor.accept_at(late, now, true);
    if !late.is_empty() {
        out.extend(late);
        out.sort_by_key(|e| e.ts_ms);
    }
    cursor.settle(now, out.len());
    if let Some(b) = cursor.health.behind
        && now - cursor.last_probe_ms >= PROBE_EVERY_MS
    {
        cursor.last_probe_ms = now;
        let to = now - cursor.health.overlap_ms;
        let mut busy = Vec::new();
        let lagging: Vec<(LaneKey, Query)> = cursor
            .lanes
            .iter()
            .filter(|(_, l)| l.read_through_ms < to)
            .map(|(k, l)| (k.clone(), l.base.clone()))
            .collect();
        for (key, q) in lagging {
            if head_rate(clients, q, budget, now).await? >= b.reading_per_s * 0.9 {
                busy.push(key);
            }
        }
        if !busy.is_empty() {
            cursor.skip(now, b, &busy);
        }
    }
    Ok(out)
}

/// Pages one search from `token` (or its start) to its end or `max_pages`; the events and the
/// token to continue with.
async fn read_pages(
    clients: &Clients,
    q: &Query,
    mut token: Option<String>,
    budget: &Budget,
    max_pages: usize,
) -> Result<(Vec<RawEvent>, Option<String>), AwsError> {
    let mut all = Vec::new();
    for _ in 0..max_pages.max(1) {
        budget.acquire().await;
        let page = logs::filter_page(clients, q, token.take()).await?;
        all.extend(page.events);
        match page.next_token {
            Some(t) => token = Some(t),
            None => return Ok((all, None)),
        }
    }
    Ok((all, token))
}

/// Lines a second at the head of a lane's streams now: one page of the last few seconds. A tail
/// that is behind skips only where the head is as busy as it can read; where the head is quiet
/// (a burst is over) reading on catches up, so it does not skip.
async fn head_rate(clients: &Clients, mut q: Query, budget: &Budget, now: i64) -> Result<f64, AwsError> {
    q.start_ms = now - PROBE_SPAN_MS;
    q.end_ms = None;
    let (events, more) = read_pages(clients, &q, None, budget, 1).await?;
    let newest = events.iter().map(|e| e.timestamp_ms).max().unwrap_or(now);
    let span = if more.is_some() { newest - q.start_ms } else { PROBE_SPAN_MS };
    Ok(events.len() as f64 * 1_000.0 / span.max(1) as f64)
}

/// The late sweep of a lane that has caught up: the time between `reach` behind its overlap and
/// the overlap, which new searches no longer read, where only late lines can be new. Never
/// further back than the ids still remembered (older lines would look new). A sweep that does
/// not end within its pages halves the reach; one that does doubles it.
async fn sweep(
    clients: &Clients,
    cursor: &Cursor,
    lane: &Lane,
    mut q: Query,
    budget: &Budget,
) -> Result<(Vec<RawEvent>, i64), AwsError> {
    let end = lane.position_ms - cursor.health.overlap_ms;
    let start =
        (end - lane.sweep_reach_ms).max(cursor.seen.forgotten_before).max(cursor.origin_ms).max(lane.sweep_floor_ms);
    if start >= end {
        return Ok((Vec::new(), lane.sweep_reach_ms));
    }
    q.start_ms = start;
    q.end_ms = Some(end);
    let (events, more) = read_pages(clients, &q, None, budget, SWEEP_PAGES).await?;
    let reach = if more.is_some() {
        (lane.sweep_reach_ms / 2).max(1_000)
    } else {
        (lane.sweep_reach_ms * 2).min(MAX_OVERLAP_MS)
    };
    Ok((events, reach))
}

/// The same search: everything but the start (which is fixed when the search began).
fn same_query(a: &Query, b: &Query) -> bool {
    a.group == b.group
        && a.streams == b.streams
        && a.prefix == b.prefix
        && a.end_ms == b.end_ms
        && a.pattern == b.pattern
}

/// The console's step: one poll (or Live Tail update) over what the ECS poller discovered.
async fn step(ctx: &FeedContext, follower: &mut Follower) -> Result<Vec<LogEvent>, AwsError> {
    let disc = ctx.discovery.borrow().clone();
    let step = Step { max_pages: MAX_PAGES, ..Step::default() };
    follower.step(&ctx.clients, &disc, &ctx.log_budget, &step, now_ms()).await
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
        let lane = &c.lanes[&LaneKey::default()];
        assert_eq!(c.fresh_start(lane), 999_900 - crate::model::tail::MIN_OVERLAP_MS);
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
