//! `wpops logs`: the warmer, nginx and php-fpm lines of the service's tasks, interleaved in time
//! order, printed sanitised (the console's `Cursor`: overlap window + eventId dedupe, so
//! `--follow` neither loses nor repeats a line), as text or one JSON object per line. Follow
//! polls about once a second within a log request budget — or, with `--live-tail`, reads a
//! Live Tail session, polling when it cannot (`feed::livetail`) — and stops cleanly on Ctrl-C
//! (exit 130).
//! It must never print raw log text: only `LogEvent::text`, which `model::ingest` sanitised.

use std::sync::Arc;
use std::time::Duration;

use regex::Regex;
use serde::Serialize;

use crate::app::LogScope;
use crate::aws::AwsError;
use crate::feed::backoff::Backoff;
use crate::feed::budget::Budget;
use crate::feed::lifetime::{FindError, LifetimeRead, find_by_streams};
use crate::feed::livetail::Follower;
use crate::feed::logs::{Cursor, Step, poll_once};
use crate::feed::read::{Depth, ServiceReader};
use crate::feed::{Discovery, now_ms};
use crate::model::{LineClass, LiveTail, LogEvent, TailHealth, Task, TaskLog, format_age, task_prefix, thousands};

use super::args::{Global, LogsArgs, Output};
use super::connect::{self, Session};
use super::exit;
use super::failure::{Failure, Outcome};
use super::output::{self, Color, Style};

/// How often `--follow` polls, and how often it looks for new tasks.
const POLL: Duration = Duration::from_millis(1_000);
const REDISCOVER: Duration = Duration::from_secs(30);
/// Pages per query and poll while following (a burst beyond waits for the next poll).
const FOLLOW_PAGES: usize = 8;
/// Pages per lane and step of a one-shot read (what is final is printed between steps).
const ONE_SHOT_PAGES: usize = 20;

pub use crate::model::window::parse_time;

/// The window `--since`..`--until` as epoch ms, refused when no line could ever be in it: a
/// start in the future, or an end before the start (QUALITY.md item 14: never silence).
pub fn parse_window(since: &str, until: Option<&str>, now: i64) -> Result<(i64, Option<i64>), String> {
    let start = parse_time(since, now).map_err(|e| format!("--since {e}"))?;
    if start > now {
        return Err(format!(
            "--since {since:?} is in the future (it is {} now): no line has been logged there yet",
            output::iso(now)
        ));
    }
    let Some(until) = until else { return Ok((start, None)) };
    let end = parse_time(until, now).map_err(|e| format!("--until {e}"))?;
    if end < start {
        return Err(format!(
            "--until {until:?} ({}) is before --since {since:?} ({}): the window is empty; give --since the earlier time",
            output::iso(end),
            output::iso(start)
        ));
    }
    Ok((start, Some(end)))
}

/// `--since` when no window and no task is given.
pub const DEFAULT_SINCE: &str = "10m";
/// What `wpops logs -t` keeps of a task's life at most (the lines past it are said).
const LIFETIME_BYTES: usize = 8 * crate::feed::lifetime::LIFETIME_BYTES;

pub async fn run(args: LogsArgs, global: &Global) -> Outcome {
    let now = now_ms();
    // A task without a window: its whole life (not with --follow, which starts 10 minutes back).
    let lifetime = args.task.is_some() && args.since.is_none() && args.until.is_none() && !args.follow;
    let since_arg = args.since.as_deref().unwrap_or(DEFAULT_SINCE);
    let (since, until) = match parse_window(since_arg, args.until.as_deref(), now) {
        Ok(w) => w,
        Err(e) => return Err(Failure::usage("logs", e)),
    };
    let filter = match args.filter.as_deref().map(Regex::new).transpose() {
        Ok(f) => f,
        Err(e) => return Err(Failure::usage("logs", format!("--filter: {e}"))),
    };
    let session = connect::open("logs", global).await?;
    // Discovery reads no logs; its budget is never drawn from.
    let reader = ServiceReader::new(session.clients.clone(), Arc::new(Budget::new(1.0, 1.0)));
    let mut disc = match discover(&session, &reader).await {
        Ok(d) => d,
        Err(e) => return Err(Failure::aws("logs", &e, session.profile())),
    };
    let task = match args.task.as_deref() {
        None => None,
        Some(prefix) => Some(resolve_task(&session, &mut disc, prefix).await?),
    };
    let printer = Printer { json: args.output == Output::Json, style: Style::detect(), filter };
    if let (true, Some(task)) = (lifetime, &task) {
        let budget = Budget::new(5.0, 5.0);
        let read = lifetime_read(&session, &disc, task, &args.container, &budget, now, LIFETIME_BYTES);
        let log = read.read().await.map_err(|e| Failure::aws("logs", &e, session.profile()))?;
        if log.events.is_empty() && log.streams.is_empty() {
            return Err(no_streams(task, &args.container));
        }
        eprintln!("wpops logs: {}", lifetime_note(&log));
        printer.print(&log.events);
        return Ok(exit::OK);
    }
    let scope = LogScope {
        containers: args.container.clone(),
        task: task.as_ref().map(|t| t.id.as_str().to_owned()),
        generation: 0,
    };
    let mut cursor = Cursor::starting_at(scope, since);
    let group = session.site.log_group.clone();
    if !args.follow && session.site.live_tail {
        eprintln!("wpops logs: --live-tail applies to --follow only; reading the window with FilterLogEvents");
    }
    if !args.follow {
        let budget = Budget::new(5.0, 5.0);
        // Read a few pages at a time and print what is final (every lane has read past it), so
        // that a long window streams through in time order instead of being held whole (1.1 GiB
        // for an hour of a 150-task service before).
        let mut step = Step {
            group,
            until_ms: until,
            max_pages: ONE_SHOT_PAGES,
            only_pending: false,
            pattern: None,
            // Every stream of the containers: a window in the past holds tasks ECS forgot.
            every_stream: task.is_none(),
        };
        let mut held: Vec<LogEvent> = Vec::new();
        let mut printed = 0usize;
        loop {
            let events = match poll_once(&session.clients, &disc, &mut cursor, &budget, &step, now_ms()).await {
                Ok(events) => events,
                Err(e) => return Err(Failure::aws("logs", &e, session.profile())),
            };
            held.extend(events);
            // After the first step only the searches under way go on (none starts again).
            step.only_pending = true;
            let last = !cursor.is_reading_behind();
            if !held.is_sorted_by_key(|e| e.ts_ms) {
                held.sort_by_key(|e| e.ts_ms);
            }
            let cut = match cursor.final_through_ms() {
                Some(t) if !last => held.partition_point(|e| e.ts_ms <= t),
                _ => held.len(),
            };
            let ready: Vec<LogEvent> = held.drain(..cut).collect();
            printed += ready.len();
            if !printer.print(&ready) {
                return Ok(exit::OK);
            }
            if last {
                break;
            }
        }
        if let (true, Some(task)) = (printed == 0, &task) {
            let read = lifetime_read(&session, &disc, task, &args.container, &budget, now, 0);
            let streams = read.stream_names().await.map_err(|e| Failure::aws("logs", &e, session.profile()))?;
            if streams.is_empty() {
                return Err(no_streams(task, &args.container));
            }
        }
        return Ok(exit::OK);
    }
    // About one log request a second on average (QUALITY.md P5), a small burst allowed.
    let budget = Budget::new(3.0, 1.0);
    let step = Step {
        group,
        until_ms: None,
        max_pages: FOLLOW_PAGES,
        only_pending: false,
        pattern: None,
        every_stream: false,
    };
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
    let mut discovered_at = tokio::time::Instant::now();
    let mut first = true;
    let mut notices = Notices::default();
    let mut follower = Follower::new(cursor, session.site.live_tail);
    // Ctrl-C (and TERM, HUP, QUIT) ends the follow with 128 + the signal's number, by convention.
    let mut signals = crate::signals::Signals::register();
    loop {
        if discovered_at.elapsed() >= REDISCOVER {
            discovered_at = tokio::time::Instant::now();
            if let Ok(d) = discover(&session, &reader).await {
                disc = d;
            }
        }
        // Polls start on a fixed one-second schedule (not one second after the last poll ended),
        // so a line waits half a poll on average; the shared budget keeps the average ≤ 1/s.
        let poll_started = tokio::time::Instant::now();
        let wait = tokio::select! {
            sig = signals.recv() => return Ok(sig.exit_code()),
            r = follower.step(&session.clients, &disc, &budget, &step, now_ms()) => match r {
                Ok(events) => {
                    backoff.reset();
                    first = false;
                    if !printer.print(&events) {
                        return Ok(exit::OK);
                    }
                    notices.say(&follower.health());
                    // A search that stopped at the page limit goes on at once (the budget paces
                    // it); with Live Tail open, the next step waits for the session's update.
                    if follower.is_live() || follower.cursor.is_reading_behind() {
                        Duration::ZERO
                    } else {
                        POLL.saturating_sub(poll_started.elapsed())
                    }
                }
                Err(e) if first => return Err(Failure::aws("logs", &e, session.profile())),
                Err(e) => {
                    let wait = backoff.next(e.kind);
                    eprintln!("wpops logs: {} — retrying in {}s", e.report(session.profile()), wait.as_secs().max(1));
                    wait
                }
            },
        };
        tokio::select! {
            sig = signals.recv() => return Ok(sig.exit_code()),
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// What `--follow` says on stderr about the tail itself, once per change: that it fell behind
/// and skipped (with the rates and the estimated count), and late lines found.
#[derive(Default)]
struct Notices {
    skips: u32,
    late_lines: u64,
    live: LiveTail,
}

impl Notices {
    fn say(&mut self, t: &TailHealth) {
        self.say_live(&t.live);
        if t.skips > self.skips {
            self.skips = t.skips;
            if let Some((_, b)) = t.last_skip {
                eprintln!(
                    "wpops logs: falling behind: {} lines/s arriving, reading {}/s — skipped to the newest lines; ≈{} lines ({} of log time) skipped so far (wpops logs --since/--until reads them)",
                    thousands(b.arrival_per_s.round() as u64),
                    thousands(b.reading_per_s.round() as u64),
                    thousands(t.skipped_lines_est),
                    format_age(t.skipped_ms),
                );
            }
        }
        if t.late_lines > self.late_lines {
            eprintln!(
                "wpops logs: {} lines arrived late (up to {} after their time) and were printed out of order; re-reading {} behind the newest line",
                thousands(t.late_lines - self.late_lines),
                format_age(t.max_delay_ms),
                format_age(t.overlap_ms),
            );
            self.late_lines = t.late_lines;
        }
    }
}

impl Notices {
    /// Live Tail's changes: a session opened, sampled updates, polling instead and why.
    fn say_live(&mut self, live: &LiveTail) {
        let said = std::mem::replace(&mut self.live, live.clone());
        match (&said, live) {
            (LiveTail::Open { since_ms: a, .. }, LiveTail::Open { since_ms: b, sampled_updates }) if a == b => {
                if let LiveTail::Open { sampled_updates: before, .. } = said
                    && *sampled_updates > before
                {
                    eprintln!(
                        "wpops logs: Live Tail sampled this second's lines (over 500/s): some lines were not sent ({sampled_updates} sampled updates so far)"
                    );
                }
            }
            (_, LiveTail::Open { .. }) => {
                eprintln!(
                    "wpops logs: following with CloudWatch Live Tail (a session is open; billed per session-minute)"
                )
            }
            (LiveTail::Polling { reason: a, .. }, LiveTail::Polling { reason: b, .. }) if a == b => {}
            (_, LiveTail::Polling { reason, retry_at_ms }) if reason != "starting" => eprintln!(
                "wpops logs: Live Tail: {reason} — polling FilterLogEvents (nothing lost); trying Live Tail again in {}",
                format_age((retry_at_ms - now_ms()).max(0))
            ),
            _ => {}
        }
    }
}

/// The service's running and recently stopped tasks and their task definitions, read through
/// the one reader.
async fn discover(s: &Session, reader: &ServiceReader) -> Result<Discovery, AwsError> {
    let snap = reader.read(&s.site.cluster, &s.site.service, Depth::DISCOVERY).await?.snapshot;
    Ok(Discovery {
        task_definitions: snap.task_definitions,
        tasks: snap.tasks,
        target_groups: snap.service.target_groups,
        blocked: None,
    })
}

/// The task whose id is `prefix` or starts with it (one only): one ECS lists, or else one
/// whose log streams remain after ECS forgot it (stopped more than about an hour ago), which
/// then joins `disc` so that its streams are read.
async fn resolve_task(session: &Session, disc: &mut Discovery, prefix: &str) -> Result<Task, Failure> {
    let hits: Vec<&Task> = disc.tasks.iter().filter(|t| t.id.starts_with(prefix)).collect();
    match hits.as_slice() {
        [one] => return Ok((*one).clone()),
        [] => {}
        _ => {
            return Err(Failure::usage(
                "logs",
                format!("task prefix {prefix:?} matches {} tasks; give more of the id", hits.len()),
            ));
        }
    }
    match find_by_streams(&session.clients, disc, prefix, session.site.log_group.as_deref()).await {
        Ok(Some(task)) => {
            disc.tasks.push(task.clone());
            Ok(task)
        }
        Ok(None) => {
            let ids: Vec<&str> = disc.tasks.iter().map(|t| task_prefix(&t.id)).collect();
            Err(Failure::usage(
                "logs",
                format!("no task {prefix:?} in the service and no log streams of one; its tasks: {}", ids.join(", ")),
            ))
        }
        Err(FindError::Ambiguous(ids)) => Err(Failure::usage(
            "logs",
            format!(
                "task prefix {prefix:?} matches the log streams of {} tasks ({}); give more of the id",
                ids.len(),
                ids.iter().map(|i| task_prefix(i)).collect::<Vec<_>>().join(", ")
            ),
        )),
        Err(FindError::Aws(e)) => Err(Failure::aws("logs", &e, session.profile())),
    }
}

/// The read of `task`'s life (or, with no byte budget, of its stream names) in the site's group.
fn lifetime_read<'a>(
    session: &'a Session,
    disc: &'a Discovery,
    task: &'a Task,
    containers: &'a [String],
    budget: &'a Budget,
    now: i64,
    max_bytes: usize,
) -> LifetimeRead<'a> {
    let group = session.site.log_group.clone();
    LifetimeRead { clients: &session.clients, disc, task, containers, group, budget, now, max_bytes }
}

/// A task none of whose (chosen) containers has a log stream: exit 1 with why.
fn no_streams(task: &Task, containers: &[String]) -> Failure {
    let which =
        if containers.is_empty() { "its containers have".to_owned() } else { format!("{} has", containers.join(", ")) };
    let why = match (task.never_started(), &task.stopped_reason) {
        (true, Some(reason)) => format!(": it stopped before its containers started ({reason})"),
        (true, None) => ": its containers have not started yet".to_owned(),
        _ => ": they wrote nothing, or the log group's retention removed it".to_owned(),
    };
    Failure::with_code(exit::UNHEALTHY, "logs", format!("task {}: {which} no log stream{why}", task_prefix(&task.id)))
}

/// `task 44bc807d's whole life, 09:12:03 to 09:31:10 UTC (1,234 lines)`, and what was left out.
fn lifetime_note(log: &TaskLog) -> String {
    let end = log.to_ms.map_or_else(|| "now".to_owned(), output::iso);
    let mut note = format!(
        "task {}'s whole life, {} to {end} ({} lines; --since/--until for another window)",
        task_prefix(&log.task_id),
        output::iso(log.from_ms),
        thousands(log.events.len() as u64)
    );
    if !log.is_whole() {
        note.push_str(&format!(
            "; nginx and php-fpm before {} were not read (over {} of lines): --until {} reads them",
            output::iso(log.reached_ms),
            crate::model::format_bytes(LIFETIME_BYTES as f64),
            output::iso(log.reached_ms)
        ));
    }
    note
}

/// One line of `wpops logs --output json` (docs/json.md, `wpops.log/1`).
#[derive(Serialize)]
struct LineJson<'a> {
    time: String,
    ts_ms: i64,
    task_id: &'a str,
    container: &'a str,
    event_id: &'a str,
    text: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
}

struct Printer {
    json: bool,
    style: Style,
    filter: Option<Regex>,
}

impl Printer {
    /// Prints the events that pass the filter; false when stdout has gone.
    fn print(&self, events: &[LogEvent]) -> bool {
        let keep = |e: &&LogEvent| self.filter.as_ref().is_none_or(|re| re.is_match(&e.text));
        let lines: Vec<String> = events.iter().filter(keep).map(|e| self.line(e)).collect();
        lines.is_empty() || output::print_lines(&lines)
    }

    fn line(&self, e: &LogEvent) -> String {
        let (kind, status) = match e.class {
            LineClass::Access { status, .. } => ("access", Some(status)),
            LineClass::PhpTrouble(_) => ("php_trouble", None),
            LineClass::WarmReport(_) => ("warm_report", None),
            LineClass::Plain => ("plain", None),
        };
        if self.json {
            let line = LineJson {
                time: output::iso(e.ts_ms),
                ts_ms: e.ts_ms,
                task_id: &e.task_id,
                container: e.container.name(),
                event_id: &e.event_id,
                text: &e.text,
                kind,
                status,
            };
            return serde_json::to_string(&line).unwrap_or_default();
        }
        let st = self.style;
        let color = match e.class {
            LineClass::Access { status: 500.., .. } | LineClass::PhpTrouble(_) => Some(Color::Red),
            LineClass::Access { status: 400..=499, .. } => Some(Color::Yellow),
            LineClass::WarmReport(r) if r.failure > 0 => Some(Color::Red),
            LineClass::WarmReport(_) => Some(Color::Green),
            _ => None,
        };
        let text = color.map_or_else(|| e.text.clone(), |c| st.paint(c, &e.text));
        let container = format!("{:<7}", e.container.name());
        format!("{} {:<8} {} {text}", output::clock(e.ts_ms), e.task_short(), st.paint(Color::Dim, &container))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_durations_or_rfc3339() {
        assert_eq!(parse_time("10m", 1_000_000), Ok(400_000));
        assert_eq!(parse_time("1970-01-01T00:00:01Z", 0), Ok(1_000));
        assert!(parse_time("yesterday", 0).unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn times_before_1970_are_refused_not_wrapped() {
        let now = 1_795_874_531_000;
        // 300000000 years in ms overflows i64: it used to wrap into a start in the future.
        assert!(parse_time("300000000y", now).unwrap_err().contains("before 1970"), "overflow");
        assert!(parse_time("100y", now).unwrap_err().contains("before 1970"));
        assert!(parse_time("1969-12-31T23:59:59Z", now).unwrap_err().contains("before 1970"));
        assert_eq!(parse_time("50y", now), Ok(now - 50 * 31_557_600_000));
        assert_eq!(parse_time("0s", now), Ok(now));
    }

    #[test]
    fn impossible_windows_are_refused_with_the_reason() {
        let now = 1_795_874_531_000; // 2026-11-28T14:02:11Z
        assert_eq!(parse_window("10m", None, now), Ok((now - 600_000, None)));
        assert_eq!(parse_window("2h", Some("1h"), now), Ok((now - 7_200_000, Some(now - 3_600_000))));
        // An empty window of one instant is possible (events at that millisecond).
        assert_eq!(parse_window("1h", Some("1h"), now), Ok((now - 3_600_000, Some(now - 3_600_000))));
        let future = parse_window("2027-01-01T00:00:00Z", None, now).unwrap_err();
        assert!(future.starts_with("--since") && future.contains("in the future"), "{future}");
        let reversed = parse_window("1h", Some("2h"), now).unwrap_err();
        assert!(reversed.contains("--until \"2h\"") && reversed.contains("is before --since"), "{reversed}");
        let overflow = parse_window("300000000y", None, now).unwrap_err();
        assert!(overflow.starts_with("--since") && overflow.contains("before 1970"), "{overflow}");
        assert!(parse_window("10m", Some("300000000y"), now).unwrap_err().starts_with("--until"));
        assert!(parse_window("10m", Some("soon"), now).unwrap_err().contains("RFC 3339"));
    }
}
