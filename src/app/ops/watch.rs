//! What the rollout and warming views follow: a confirmed action (`Run`: what, on what, since
//! when, the ids AWS gave it, how it ended) plus what only its kind has — a rollout's service
//! events and the tasks that existed before, a warming run's targets and per-target results.
//! Plain data and read-only helpers; `update` fills them from `OpEvent`s. No IO, no clock.

use std::collections::HashSet;

use crate::model::{ServiceEvent, Task};

use super::{Op, WarmLine};

/// Most service events a rollout watch keeps.
pub const MAX_WATCH_EVENTS: usize = 200;

/// How an action ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub ok: bool,
    pub summary: String,
    /// Refused before anything was sent (read-only, another deployment in progress…).
    pub refused: bool,
}

/// A confirmed action being carried out, as both views show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub op: Op,
    /// What it acts on, in words: `wordpress:42 → wordpress:41`, the warmer task definition, a task.
    pub subject: String,
    /// When it was confirmed (the console's clock, from ticks).
    pub started_at_ms: i64,
    /// The deployment id, or the one-off / stopped task ids (`OpEvent::Started`).
    pub ids: Vec<String>,
    pub outcome: Option<Outcome>,
    pub ended_at_ms: Option<i64>,
}

impl Run {
    pub fn new(op: Op, subject: String, started_at_ms: i64) -> Run {
        Run { op, subject, started_at_ms, ids: Vec::new(), outcome: None, ended_at_ms: None }
    }

    /// Time since it was confirmed, frozen when it ended (at least what the runtime reported).
    fn elapsed_ms(&self, now_ms: i64, reported_ms: Option<u64>) -> i64 {
        let end = self.ended_at_ms.unwrap_or(now_ms);
        let local = end.saturating_sub(self.started_at_ms).max(0);
        local.max(reported_ms.and_then(|e| i64::try_from(e).ok()).unwrap_or(0))
    }
}

/// A redeploy, rollback or task replacement followed to its end by the rollout view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutWatch {
    pub run: Run,
    /// Service events that arrived since the action started, oldest first.
    pub events: Vec<ServiceEvent>,
    /// The runtime's own elapsed time, as last reported.
    pub reported_elapsed_ms: Option<u64>,
    /// Tasks that existed when it started: every other task is new.
    pub tasks_before: HashSet<String>,
}

impl RolloutWatch {
    pub fn new(run: Run, tasks_before: HashSet<String>) -> RolloutWatch {
        RolloutWatch { run, events: Vec::new(), reported_elapsed_ms: None, tasks_before }
    }

    /// Time since it was confirmed, frozen when it ended.
    pub fn elapsed_ms(&self, now_ms: i64) -> i64 {
        self.run.elapsed_ms(now_ms, self.reported_elapsed_ms)
    }

    /// A task that started after the action (the replacement, the new deployment's tasks).
    pub fn is_new(&self, task: &Task) -> bool {
        !self.tasks_before.contains(task.id.as_str())
    }

    /// Adds service events not seen yet, keeping the newest `MAX_WATCH_EVENTS`.
    pub fn add_events(&mut self, new_events: Vec<ServiceEvent>) {
        for e in new_events {
            if !self.events.iter().any(|old| old.id == e.id) {
                self.events.push(e);
            }
        }
        let extra = self.events.len().saturating_sub(MAX_WATCH_EVENTS);
        self.events.drain(..extra);
    }
}

/// A warming run followed to its end by the warming view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmingWatch {
    pub run: Run,
    /// (task id, private IP, URL) of each target, from the preview.
    pub targets: Vec<(String, String, String)>,
    pub warm_lines: Vec<WarmLine>,
}

impl WarmingWatch {
    pub fn new(run: Run, targets: Vec<(String, String, String)>) -> WarmingWatch {
        WarmingWatch { run, targets, warm_lines: Vec::new() }
    }

    /// Time since it was confirmed, frozen when it ended.
    pub fn elapsed_ms(&self, now_ms: i64) -> i64 {
        self.run.elapsed_ms(now_ms, None)
    }

    /// The result of one warming target, when it arrived.
    pub fn warm_line(&self, task_id: &str) -> Option<&WarmLine> {
        self.warm_lines.iter().rev().find(|l| l.task_id == task_id)
    }
}
