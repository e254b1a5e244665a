//! Following with Live Tail: the tailer's other input. A `Follower` wraps the polling tailer's
//! `Cursor`; while Live Tail is wanted it opens a StartLiveTail session over the scope's streams
//! (stream prefixes for all tasks, so that tasks coming and going do not change the session;
//! stream names for one task) and takes its updates instead of polling FilterLogEvents, which
//! saves the account's ~5 requests/s filter quota. When a session cannot start or ends (3-hour
//! limit, an error, throttling, the connection), polling takes over at once, and tries Live Tail
//! again later; a session also closes when no logs pane has been shown for a few minutes
//! (Live Tail is billed per session-minute).
//!
//! Nothing is lost or doubled across a switch. Live Tail's events carry no `eventId`, so the
//! lines of each side are remembered by content (time, task, container, text) as a multiset:
//! - poll → live: after the session has started, one more poll reads up to now (when that poll
//!   stops at its page limit, in a burst, its searches go on to their end while the session's
//!   updates wait); live lines that the polls already delivered are dropped (one for one), and
//!   polled lines the session already delivered too.
//! - live → poll: polling reads on from the newest ingestion time the session delivered, less
//!   the overlap (`Cursor::resume_after_live`); re-read lines the session delivered are dropped.
//!
//! It does not draw: the state travels in `TailHealth::live`.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Discovery;
use super::budget::Budget;
use super::logs::{Cursor, Step, poll_once};
use crate::app::LogScope;
use crate::aws::logs::{self, LiveQuery, LiveUpdate};
use crate::aws::{AwsError, Clients};
use crate::model::tail::MAX_OVERLAP_MS;
use crate::model::{LiveTail, LogEvent, TailHealth};

/// After a session failed to start or broke, polling lasts this long before Live Tail is tried
/// again (a session that reached its time limit is reopened at once).
pub const RETRY_AFTER_MS: i64 = 60_000;
/// A session closes when no logs pane has been shown this long.
pub const IDLE_CLOSE_MS: i64 = 3 * 60_000;
/// A step waits this long for the session's next update (about one a second) before returning
/// nothing, so that its caller can look at its commands.
const UPDATE_WAIT: Duration = Duration::from_millis(1_500);
/// A session that has sent no update this long (CloudWatch sends one a second) is taken for
/// dead.
const SILENT_LIMIT: Duration = Duration::from_secs(10);
/// Live lines are remembered this far behind the newest one (the overlap's bound, and a minute
/// for the late sweep's floor and clock skew).
const LIVE_MEMORY_MS: i64 = MAX_OVERLAP_MS + 60_000;
/// Polled lines are kept for a new session this long after it opened (or after the last poll
/// that finished a search begun before it).
const POLLED_MEMORY_MS: i64 = 30_000;

/// Lines by content, counted (identical lines are distinct events): oldest forgotten first.
#[derive(Default)]
struct Lines {
    counts: HashMap<u64, u32>,
    order: VecDeque<(i64, u64)>,
}

fn key(e: &LogEvent) -> u64 {
    // A fixed seed: the same line gives the same key in every run (nothing secret is hashed).
    foldhash::fast::FixedState::with_seed(0x1f0_11e5).hash_one((e.ts_ms, &*e.task_id, e.container.name(), &e.text))
}

impl Lines {
    fn add(&mut self, e: &LogEvent) {
        self.add_key((e.ts_ms, key(e)));
    }

    fn add_key(&mut self, (ts_ms, k): (i64, u64)) {
        *self.counts.entry(k).or_default() += 1;
        self.order.push_back((ts_ms, k));
    }

    /// Takes one of these lines away; false if there was none.
    fn take(&mut self, e: &LogEvent) -> bool {
        match self.counts.get_mut(&key(e)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    fn forget_before(&mut self, ts_ms: i64) {
        while let Some(&(ts, k)) = self.order.front() {
            if ts >= ts_ms {
                break;
            }
            self.order.pop_front();
            if let Some(n) = self.counts.get_mut(&k) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.counts.remove(&k);
                }
            }
        }
    }

    fn clear(&mut self) {
        self.counts.clear();
        self.order.clear();
    }
}

/// An open session: its updates come through a channel from the task that reads the stream
/// (so that waiting for one can time out safely); dropping it hangs up.
struct Open {
    rx: mpsc::Receiver<Result<LiveUpdate, AwsError>>,
    task: JoinHandle<()>,
    query: LiveQuery,
    since_ms: i64,
    /// The newest ingestion time among the lines the session delivered.
    through_ms: Option<i64>,
    /// How the stream ended, when that came behind updates taken in the same step.
    ended: Option<Option<Result<LiveUpdate, AwsError>>>,
    /// When the last update came (or the session opened).
    heard_at: tokio::time::Instant,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The tailer with its Live Tail input.
pub struct Follower {
    pub cursor: Cursor,
    wanted: bool,
    open: Option<Open>,
    retry_at_ms: i64,
    /// Whether a logs pane is shown, and since when none is.
    hidden_since_ms: Option<i64>,
    state: LiveTail,
    sampled_updates: u64,
    /// Lines the sessions delivered (for the polls after one), and the lines the last two polls
    /// delivered (for the session that opens next).
    live_lines: Lines,
    polled_lines: Lines,
    /// The polled lines are forgotten after this time (they can no longer come live).
    polled_until_ms: i64,
    last_polls: [Vec<(i64, u64)>; 2],
    next_id: u64,
}

impl Follower {
    pub fn new(cursor: Cursor, live_tail: bool) -> Self {
        let mut f = Follower {
            cursor,
            wanted: false,
            open: None,
            retry_at_ms: i64::MIN,
            hidden_since_ms: None,
            state: LiveTail::Off,
            sampled_updates: 0,
            live_lines: Lines::default(),
            polled_lines: Lines::default(),
            polled_until_ms: i64::MIN,
            last_polls: Default::default(),
            next_id: 0,
        };
        f.set_wanted(live_tail, i64::MIN);
        f
    }

    /// Follows other streams (a new cursor); an open session is closed (its scope changed).
    pub fn follow(&mut self, scope: LogScope, now: i64) {
        self.cursor = Cursor::new(scope, now);
        self.close(now, None);
        self.retry_at_ms = i64::MIN;
        self.live_lines.clear();
        self.polled_lines.clear();
        self.last_polls = Default::default();
    }

    /// Turns Live Tail on or off (`L`, `--live-tail`). Off closes the session; polling goes on
    /// from where it delivered.
    pub fn set_wanted(&mut self, on: bool, now: i64) {
        self.wanted = on;
        if on {
            self.retry_at_ms = i64::MIN;
            if self.state == LiveTail::Off {
                self.state = LiveTail::Polling { reason: "starting".into(), retry_at_ms: now };
            }
        } else {
            self.close(now, None);
            self.state = LiveTail::Off;
        }
    }

    /// Whether a logs pane is shown now (the console says on every change).
    pub fn set_visible(&mut self, visible: bool, now: i64) {
        self.hidden_since_ms = if visible { None } else { self.hidden_since_ms.or(Some(now)) };
    }

    /// Reading a session: the caller's next step should come at once (it waits for an update).
    pub fn is_live(&self) -> bool {
        self.open.is_some()
    }

    /// How the tail keeps up, Live Tail's state included.
    pub fn health(&self) -> TailHealth {
        TailHealth { live: self.state.clone(), ..self.cursor.health().clone() }
    }

    /// One step: an update of the open session, or a poll. Opens a session when it is wanted
    /// and due (with the catch-up poll), and falls back to polling when it ends.
    pub async fn step(
        &mut self,
        clients: &Clients,
        disc: &Discovery,
        budget: &Budget,
        step: &Step,
        now: i64,
    ) -> Result<Vec<LogEvent>, AwsError> {
        self.close_if_idle(now);
        let query = live_query(disc, &self.cursor.scope, step.group.as_deref());
        if self.open.as_ref().is_some_and(|o| Some(&o.query) != query.as_ref()) {
            // The scope's streams changed (a task's own streams, a new log group): reopen.
            self.close(now, None);
            self.retry_at_ms = now;
        }
        // Not while polling still reads behind (a burst): the session would start past lines the
        // searches under way have not reached.
        let due = self.wanted && self.open.is_none() && self.hidden_since_ms.is_none() && now >= self.retry_at_ms;
        if due && !self.cursor.is_reading_behind() {
            match query {
                Some(q) => match self.start(clients, q, disc, budget, step, now).await {
                    Ok(lines) => return Ok(lines),
                    Err(Started::Poll(e)) => return Err(e),
                    Err(Started::Session(e)) => self.give_up(now, &e),
                },
                None => {
                    let reason = "the scope has no log group, or more than 10".to_string();
                    self.state = LiveTail::Polling { reason, retry_at_ms: now + RETRY_AFTER_MS };
                    self.retry_at_ms = now + RETRY_AFTER_MS;
                }
            }
        }
        if self.open.is_some() && self.cursor.is_reading_behind() {
            // The catch-up poll stopped at its page limit (a burst): its searches go on to their
            // end while the session's updates wait in their channel. Their lines and the
            // session's overlap where both saw them: each side drops what the other delivered.
            let only = Step { only_pending: true, ..step.clone() };
            let mut lines = poll_once(clients, disc, &mut self.cursor, budget, &only, now).await?;
            lines.retain(|e| !self.live_lines.take(e));
            for e in &lines {
                self.polled_lines.add(e);
            }
            self.polled_until_ms = now + POLLED_MEMORY_MS;
            return Ok(lines);
        }
        if let Some(open) = &mut self.open {
            let next = match open.ended.take() {
                Some(end) => Ok(end),
                None => tokio::time::timeout(UPDATE_WAIT, open.rx.recv()).await,
            };
            match next {
                // CloudWatch sends an update every second, empty or not: a silent session is a
                // dead connection, and polling takes over.
                Err(_) if open.heard_at.elapsed() >= SILENT_LIMIT => {
                    self.close(now, Some(format!("no update for {} s", SILENT_LIMIT.as_secs())));
                }
                Err(_) => return Ok(Vec::new()),
                Ok(Some(Ok(mut update))) => {
                    open.heard_at = tokio::time::Instant::now();
                    // Updates that queued up meanwhile come in the same step; an end behind them
                    // is taken at the next.
                    while let Ok(more) = open.rx.try_recv() {
                        match more {
                            Ok(u) => {
                                update.sampled |= u.sampled;
                                update.events.extend(u.events);
                            }
                            Err(e) => {
                                open.ended = Some(Some(Err(e)));
                                break;
                            }
                        }
                    }
                    return Ok(self.take_update(update, now));
                }
                Ok(Some(Err(e))) => {
                    let reason = e.code.clone().unwrap_or_else(|| e.message.clone());
                    let timed_out = e.code.as_deref() == Some("SessionTimeoutException");
                    self.close(now, Some(reason.clone()));
                    if timed_out {
                        // The 3-hour limit: a new session at once.
                        self.retry_at_ms = now;
                        self.state = LiveTail::Polling { reason, retry_at_ms: now };
                    }
                }
                Ok(None) => self.close(now, Some("the session ended".into())),
            }
        }
        let mut lines = poll_once(clients, disc, &mut self.cursor, budget, step, now).await?;
        lines.retain(|e| !self.live_lines.take(e));
        if self.wanted {
            self.last_polls.swap(0, 1);
            self.last_polls[1] = lines.iter().map(|e| (e.ts_ms, key(e))).collect();
        }
        Ok(lines)
    }

    async fn start(
        &mut self,
        clients: &Clients,
        query: LiveQuery,
        disc: &Discovery,
        budget: &Budget,
        step: &Step,
        now: i64,
    ) -> Result<Vec<LogEvent>, Started> {
        let mut session = logs::start_live_tail(clients, &query).await.map_err(Started::Session)?;
        let (tx, rx) = mpsc::channel(64);
        let task = tokio::spawn(async move {
            loop {
                let next = session.next().await.transpose();
                let Some(item) = next else { return };
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    return;
                }
            }
        });
        let heard_at = tokio::time::Instant::now();
        let open = Open { rx, task, query, since_ms: now, through_ms: None, ended: None, heard_at };
        // What was ingested before the session started: one more poll, up to now.
        let mut lines = poll_once(clients, disc, &mut self.cursor, budget, step, now).await.map_err(Started::Poll)?;
        lines.retain(|e| !self.live_lines.take(e));
        self.polled_lines.clear();
        for k in self.last_polls.iter().flatten() {
            self.polled_lines.add_key(*k);
        }
        for e in &lines {
            self.polled_lines.add(e);
        }
        self.last_polls = Default::default();
        self.polled_until_ms = now + POLLED_MEMORY_MS;
        self.open = Some(open);
        self.state = LiveTail::Open { since_ms: now, sampled_updates: self.sampled_updates };
        Ok(lines)
    }

    fn take_update(&mut self, update: LiveUpdate, now: i64) -> Vec<LogEvent> {
        let Some(open) = &mut self.open else { return Vec::new() };
        if update.sampled {
            self.sampled_updates += 1;
            self.state = LiveTail::Open { since_ms: open.since_ms, sampled_updates: self.sampled_updates };
        }
        let newest = update.events.iter().map(|e| e.ingestion_ms).max();
        open.through_ms = open.through_ms.max(newest);
        let wanted = |stream: &str| {
            open.query.streams.iter().any(|s| s == stream)
                || open.query.prefixes.iter().any(|p| stream.starts_with(p.as_str()))
                || (open.query.streams.is_empty() && open.query.prefixes.is_empty())
        };
        let mut raw = update.events;
        raw.retain(|e| wanted(&e.stream));
        for e in &mut raw {
            self.next_id += 1;
            e.event_id = format!("live-{}", self.next_id);
        }
        let mut lines = self.cursor.accept_live(raw, now);
        if now > self.polled_until_ms {
            self.polled_lines.clear();
        }
        lines.retain(|e| !self.polled_lines.take(e));
        for e in &lines {
            self.live_lines.add(e);
        }
        if let Some(newest) = lines.iter().map(|e| e.ts_ms).max() {
            self.live_lines.forget_before(newest - LIVE_MEMORY_MS);
        }
        lines
    }

    /// Closes the session (if one is open); polling reads on from what it delivered. With a
    /// reason, the session broke: polling lasts until the retry time.
    fn close(&mut self, now: i64, reason: Option<String>) {
        let Some(open) = self.open.take() else { return };
        self.cursor.resume_after_live(open.through_ms, now);
        if let Some(reason) = reason {
            self.retry_at_ms = now + RETRY_AFTER_MS;
            self.state = LiveTail::Polling { reason, retry_at_ms: self.retry_at_ms };
        }
    }

    fn give_up(&mut self, now: i64, e: &AwsError) {
        self.retry_at_ms = now + RETRY_AFTER_MS;
        let reason = e.code.clone().map_or_else(|| e.message.clone(), |c| format!("{c}: {}", e.message));
        self.state = LiveTail::Polling { reason, retry_at_ms: self.retry_at_ms };
    }

    fn close_if_idle(&mut self, now: i64) {
        match self.hidden_since_ms {
            Some(since)
                if self.wanted
                    && now - since >= IDLE_CLOSE_MS
                    && (self.open.is_some() || !matches!(self.state, LiveTail::Idle { .. })) =>
            {
                self.close(now, None);
                self.state = LiveTail::Idle { since_ms: now };
            }
            None if matches!(self.state, LiveTail::Idle { .. }) => {
                self.state = LiveTail::Polling { reason: "reopening".into(), retry_at_ms: now };
                self.retry_at_ms = now;
            }
            _ => {}
        }
    }
}

/// Why a start failed: the session could not start (poll instead), or the catch-up poll failed.
enum Started {
    Session(AwsError),
    Poll(AwsError),
}

/// The session that covers a scope: the log groups as ARNs (account and partition from the
/// task definitions' ARNs), with stream prefixes (all tasks) or names (one task) when the scope
/// has one group. `None` when there is no group or more than 10.
pub fn live_query(disc: &Discovery, scope: &LogScope, group: Option<&str>) -> Option<LiveQuery> {
    let wanted = |name: &str| scope.containers.is_empty() || scope.containers.iter().any(|c| c == name);
    let mut groups: Vec<(String, String)> = Vec::new();
    let mut streams = Vec::new();
    let mut prefixes = Vec::new();
    for td in &disc.task_definitions {
        // arn:PARTITION:ecs:REGION:ACCOUNT:task-definition/…
        let parts: Vec<&str> = td.arn.as_str().splitn(6, ':').collect();
        let [_, partition, _, region, account, _] = parts[..] else { continue };
        for c in td.containers.iter().filter(|c| wanted(&c.name)) {
            let Some(g) = group.map(str::to_string).or_else(|| c.log_group.clone()) else { continue };
            let arn = format!("arn:{partition}:logs:{region}:{account}:log-group:{g}");
            if !groups.iter().any(|(a, _)| *a == arn) {
                groups.push((arn, g));
            }
            match (&scope.task, &c.log_stream_prefix) {
                (None, Some(p)) => prefixes.push(format!("{p}/{}/", c.name)),
                _ => streams.extend(
                    disc.tasks
                        .iter()
                        .filter(|t| t.task_definition == td.arn)
                        .filter(|t| scope.task.as_ref().is_none_or(|id| *id == t.id))
                        .filter_map(|t| c.log_stream(&t.id)),
                ),
            }
        }
    }
    if groups.is_empty() || groups.len() > 10 {
        return None;
    }
    streams.sort();
    streams.dedup();
    prefixes.sort();
    prefixes.dedup();
    if scope.task.is_some() && streams.is_empty() {
        return None;
    }
    let q = LiveQuery { group_arns: groups.into_iter().map(|(a, _)| a).collect(), streams, prefixes, pattern: None };
    // With several groups, streams are chosen here from what arrives (CloudWatch takes stream
    // filters only with one group).
    Some(q)
}
