//! A task's whole life in its logs, the one reader behind the task detail (`Effect::LoadTaskLog`)
//! and `wpops logs -t`: the warmer's stream whole (it is short, and its output is what a cold
//! task's diagnosis needs however long ago it ran), then nginx and php-fpm newest first, in
//! time slices walking back from the task's stop (or now) to its start, until the start or the
//! byte budget is reached (`TaskLog::reached_ms` says how far). Each slice is read whole with
//! the tailer's step (`logs::poll_once`: its dedupe, sanitising and classifying), drawing every
//! request from the caller's log budget. A task no longer listed by ECS (stopped more than about
//! an hour ago) is found by its log streams (`find_by_streams`).

use super::Discovery;
use super::budget::Budget;
use super::logs::{Cursor, Step, poll_once};
use crate::app::LogScope;
use crate::aws::logs::streams;
use crate::aws::{AwsError, Clients};
use crate::model::past::min_opt;
use crate::model::{LastStatus, LogEvent, Task, TaskLog, lifetime_window};

/// The byte budget of one task's lines (the detail keeps one task's at a time).
pub const LIFETIME_BYTES: usize = 16 * 1024 * 1024;
/// The first slice back from the end, doubled while slices come back small.
const FIRST_SLICE_MS: i64 = 15 * 60_000;
const MAX_SLICE_MS: i64 = 6 * 3_600_000;
/// A slice is read to its end (a day of a busy task is a few hundred pages).
const PAGES_PER_SLICE: usize = 10_000;

/// What to read.
pub struct LifetimeRead<'a> {
    pub clients: &'a Clients,
    /// The task definitions (stream names come from their `awslogs` options).
    pub disc: &'a Discovery,
    pub task: &'a Task,
    /// Container names; empty = every container.
    pub containers: &'a [String],
    /// The site's configured log group instead of the task definitions' (`wpops logs`).
    pub group: Option<String>,
    pub budget: &'a Budget,
    pub now: i64,
    pub max_bytes: usize,
}

impl LifetimeRead<'_> {
    fn wanted(&self, name: &str) -> bool {
        self.containers.is_empty() || self.containers.iter().any(|c| c == name)
    }

    /// The task's containers by name, as its task definition lists them.
    fn container_names(&self) -> Vec<String> {
        self.disc
            .task_definitions
            .iter()
            .filter(|td| td.arn == self.task.task_definition)
            .flat_map(|td| td.containers.iter().map(|c| c.name.clone()))
            .filter(|n| self.wanted(n))
            .collect()
    }

    /// One slice, `[start, end]` inclusive, of `containers`, read whole; `one` is discovery
    /// holding this task alone.
    async fn slice(
        &self,
        one: &Discovery,
        containers: Vec<String>,
        start: i64,
        end: Option<i64>,
    ) -> Result<Vec<LogEvent>, AwsError> {
        let scope = LogScope { containers, task: Some(self.task.id.as_str().to_owned()), generation: 0 };
        let mut cursor = Cursor::starting_at(scope, start);
        let step = Step {
            group: self.group.clone(),
            until_ms: end,
            max_pages: PAGES_PER_SLICE,
            only_pending: false,
            pattern: None,
            every_stream: false,
        };
        poll_once(self.clients, one, &mut cursor, self.budget, &step, self.now).await
    }

    /// Reads the task's life.
    pub async fn read(&self) -> Result<TaskLog, AwsError> {
        let (from, to) = lifetime_window(self.task);
        let names = self.container_names();
        let mut log = TaskLog {
            task_id: self.task.id.as_str().to_owned(),
            from_ms: from,
            to_ms: to,
            reached_ms: from,
            ..TaskLog::default()
        };
        let one = Discovery {
            task_definitions: self.disc.task_definitions.clone(),
            tasks: vec![self.task.clone()],
            ..Discovery::default()
        };
        let mut events = Vec::new();
        if names.iter().any(|n| n == "warmer") {
            events = self.slice(&one, vec!["warmer".to_owned()], from, to).await?;
        }
        let rest: Vec<String> = names.iter().filter(|n| *n != "warmer").cloned().collect();
        let mut bytes: usize = events.iter().map(LogEvent::approx_bytes).sum();
        let mut end = to.unwrap_or(self.now).max(from);
        let mut width = FIRST_SLICE_MS;
        let mut newer: Vec<Vec<LogEvent>> = Vec::new();
        while !rest.is_empty() && end >= from {
            let start = (end - width + 1).max(from);
            let mut chunk = self.slice(&one, rest.clone(), start, Some(end)).await?;
            let size: usize = chunk.iter().map(LogEvent::approx_bytes).sum();
            if bytes + size > self.max_bytes {
                // This slice is as far back as it goes.
                keep_newest(&mut chunk, bytes, self.max_bytes);
                log.reached_ms = chunk.first().map_or(end + 1, |e| e.ts_ms);
                newer.push(chunk);
                break;
            }
            bytes += size;
            newer.push(chunk);
            if size < self.max_bytes / 16 {
                width = (width * 2).min(MAX_SLICE_MS);
            }
            end = start - 1;
        }
        events.extend(newer.into_iter().rev().flatten());
        events.sort_by_key(|e| e.ts_ms);
        log.events = events;
        if log.events.is_empty() {
            log.streams = self.stream_names().await?;
        } else {
            let mut seen: Vec<String> = Vec::new();
            for e in &log.events {
                if !seen.iter().any(|n| n == e.container.name()) {
                    seen.push(e.container.name().to_owned());
                }
            }
            log.streams = seen;
        }
        Ok(log)
    }

    /// The streams the task's (wanted) containers have, asked of DescribeLogStreams.
    pub async fn stream_names(&self) -> Result<Vec<String>, AwsError> {
        let mut out = Vec::new();
        for td in self.disc.task_definitions.iter().filter(|td| td.arn == self.task.task_definition) {
            for c in td.containers.iter().filter(|c| self.wanted(&c.name)) {
                let (Some(group), Some(stream)) =
                    (self.group.clone().or_else(|| c.log_group.clone()), c.log_stream(self.task.id.as_str()))
                else {
                    continue;
                };
                out.extend(streams(self.clients, &group, &stream, 1).await?.into_iter().map(|s| s.name));
            }
        }
        Ok(out)
    }
}

/// Keeps the newest lines of `chunk` (oldest first) that fit in `max_bytes` beside the `used`
/// ones, dropping the older; returns the bytes kept. The newest-first reads (a task's life, a
/// window) stop where this cuts.
pub(crate) fn keep_newest(chunk: &mut Vec<LogEvent>, used: usize, max_bytes: usize) -> usize {
    let mut kept = 0;
    let mut cut = chunk.len();
    while cut > 0 && used + kept + chunk[cut - 1].approx_bytes() <= max_bytes {
        cut -= 1;
        kept += chunk[cut].approx_bytes();
    }
    chunk.drain(..cut);
    kept
}

/// A task ECS no longer lists, found by its log streams: `<prefix>/<container>/<id…>` under the
/// task definitions' groups. The task it returns knows only its id, its task definition (one
/// whose containers log there) and the span of its streams' events, as start and stop.
/// `Ok(None)` when no stream matches; an error naming the candidates when several tasks do.
pub async fn find_by_streams(
    clients: &Clients,
    disc: &Discovery,
    id_prefix: &str,
    group: Option<&str>,
) -> Result<Option<Task>, FindError> {
    let mut found: Vec<(String, String, Option<i64>, Option<i64>)> = Vec::new();
    let mut asked: Vec<(String, String)> = Vec::new();
    for td in &disc.task_definitions {
        for c in &td.containers {
            let (Some(group), Some(prefix)) =
                (group.map(str::to_owned).or_else(|| c.log_group.clone()), c.log_stream_prefix.clone())
            else {
                continue;
            };
            let stream_prefix = format!("{prefix}/{}/{id_prefix}", c.name);
            if asked.contains(&(group.clone(), stream_prefix.clone())) {
                continue;
            }
            asked.push((group.clone(), stream_prefix.clone()));
            for s in streams(clients, &group, &stream_prefix, 4).await.map_err(FindError::Aws)? {
                let Some(id) = s.name.rsplit('/').next().map(str::to_owned) else { continue };
                match found.iter_mut().find(|f| f.0 == id) {
                    Some(f) => {
                        f.2 = min_opt(f.2, s.first_event_ms);
                        f.3 = f.3.max(s.last_event_ms);
                    }
                    None => found.push((id, td.arn.as_str().to_owned(), s.first_event_ms, s.last_event_ms)),
                }
            }
        }
    }
    match found.len() {
        0 => Ok(None),
        1 => {
            let (id, td, first, last) = found.remove(0);
            Ok(Some(Task {
                id: id.as_str().into(),
                task_definition: td.as_str().into(),
                last_status: LastStatus::Stopped,
                started_at_ms: first,
                stopped_at_ms: last,
                ..Task::default()
            }))
        }
        _ => Err(FindError::Ambiguous(found.into_iter().map(|f| f.0).collect())),
    }
}

/// Why `find_by_streams` found no one task.
#[derive(Debug)]
pub enum FindError {
    Aws(AwsError),
    /// Several tasks' streams start with the prefix.
    Ambiguous(Vec<String>),
}
