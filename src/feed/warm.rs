//! Finding each task's warm report: the warmer's `success: N failure: N …` line in its own
//! stream, or the same line that php-fpm wrapped as `child N said into stderr`. Looked up per
//! task after its warmer stopped, in batches of up to 50 tasks per FilterLogEvents call,
//! drawing from the shared log budget. `Lookup` keeps where each task's search stands (looking,
//! not found after covering the warmer's whole run, couldn't read) and says so with what it
//! found; `find_reports` is the lookup itself, also used by `wpops status`.

use std::collections::{HashMap, HashSet};

use super::budget::Budget;
use super::{FeedContext, now_ms};
use crate::aws::logs::{self, Query};
use crate::aws::{AwsError, Clients};
use crate::model::{
    ContainerRole, FoundReport, LastStatus, LogSource, ReportLookup, Task, TaskDefinition, lookup_after_miss,
    parse_warm_report,
};

/// A task whose report was not found is looked for again this soon while it may still arrive…
const LOOKING_RETRY_MS: i64 = 5_000;
/// …and this often once a lookup covered its warmer's whole run.
const NOT_FOUND_RETRY_MS: i64 = 30_000;
/// After a failed read: this, doubled per consecutive failure, up to `NOT_FOUND_RETRY_MS`.
const ERROR_RETRY_MS: i64 = 4_000;
/// Tasks per FilterLogEvents call (two streams each: warmer and php-fpm, ≤ 100 names).
pub const TASKS_PER_CALL: usize = 50;
const MAX_PAGES: usize = 4;

/// What one lookup found.
#[derive(Debug, Clone, Default)]
pub struct FoundReports {
    pub found: Vec<FoundReport>,
    /// Every page of every query was read: a task without a report has none in that window.
    pub complete: bool,
}

/// Where each task's search stands: found, when its warmer was first seen stopped, when it is
/// looked for next.
#[derive(Default)]
pub struct Lookup {
    found: HashSet<String>,
    stopped_seen: HashMap<String, i64>,
    next_at: HashMap<String, i64>,
    failures: u32,
}

impl Lookup {
    /// Looks up reports of tasks whose warmer has stopped and whose report is not known yet:
    /// the reports found and where the search stands for the others. `None` when there was
    /// nothing to look up (no request was made).
    pub async fn look_up(&mut self, ctx: &FeedContext) -> Option<(Vec<FoundReport>, Vec<(String, ReportLookup)>)> {
        let disc = ctx.discovery.borrow().clone();
        let now = now_ms();
        let candidates = self.candidates(&disc.tasks, now);
        if candidates.is_empty() {
            return None;
        }
        let result = find_reports(&ctx.clients, &ctx.log_budget, &candidates, &disc.task_definitions, now).await;
        Some(self.record(&candidates, result.map_err(|e| e.kind), now))
    }

    /// Tasks due a lookup (at most one call's worth); notes when each warmer was first seen stopped.
    fn candidates(&mut self, tasks: &[Task], now: i64) -> Vec<Task> {
        let live: HashSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        self.stopped_seen.retain(|id, _| live.contains(id.as_str()));
        self.next_at.retain(|id, _| live.contains(id.as_str()));
        let mut out = Vec::new();
        for t in tasks {
            let warmer_done = t.warmer().is_some_and(|w| w.last_status == LastStatus::Stopped);
            if !warmer_done || self.found.contains(t.id.as_str()) {
                continue;
            }
            self.stopped_seen.entry(t.id.as_str().to_owned()).or_insert(now);
            if self.next_at.get(t.id.as_str()).is_some_and(|at| now < *at) {
                continue;
            }
            if out.len() < TASKS_PER_CALL {
                out.push(t.clone());
            }
        }
        out
    }

    /// Records one lookup's result (made at `now`) and says where each candidate stands.
    fn record(
        &mut self,
        candidates: &[Task],
        result: Result<FoundReports, crate::aws::AwsErrorKind>,
        now: i64,
    ) -> (Vec<FoundReport>, Vec<(String, ReportLookup)>) {
        let mut states = Vec::new();
        let reports = match result {
            Ok(r) => r,
            Err(kind) => {
                self.failures = self.failures.saturating_add(1);
                let wait = (ERROR_RETRY_MS << self.failures.saturating_sub(1).min(4)).min(NOT_FOUND_RETRY_MS);
                for t in candidates {
                    self.next_at.insert(t.id.as_str().to_owned(), now + wait);
                    states.push((
                        t.id.as_str().to_owned(),
                        ReportLookup::Unreadable { kind, retry_at_ms: Some(now + wait) },
                    ));
                }
                return (Vec::new(), states);
            }
        };
        self.failures = 0;
        for f in &reports.found {
            self.found.insert(f.task_id.clone());
            self.next_at.remove(&f.task_id);
        }
        for t in candidates.iter().filter(|t| !self.found.contains(t.id.as_str())) {
            let id = t.id.as_str().to_owned();
            let seen = self.stopped_seen.get(&id).copied().unwrap_or(now);
            let state = lookup_after_miss(seen, now, reports.complete);
            let retry = if state == ReportLookup::NotFound { NOT_FOUND_RETRY_MS } else { LOOKING_RETRY_MS };
            self.next_at.insert(id.clone(), now + retry);
            states.push((id, state));
        }
        (reports.found, states)
    }
}

/// Looks up the warm reports of `tasks` (at most [`TASKS_PER_CALL`] per request, each request
/// drawing from `budget`): for each task the first report line after it started, from the
/// warmer's stream or php-fpm's.
pub async fn find_reports(
    clients: &Clients,
    budget: &Budget,
    tasks: &[Task],
    defs: &[TaskDefinition],
    now: i64,
) -> Result<FoundReports, AwsError> {
    let mut best: HashMap<String, FoundReport> = HashMap::new();
    let mut complete = true;
    for batch in tasks.chunks(TASKS_PER_CALL) {
        let mut by_group: HashMap<String, Vec<String>> = HashMap::new();
        let mut start = now;
        for t in batch {
            start = start.min(t.started_at_ms.unwrap_or(now) - 60_000);
            let Some(td) = defs.iter().find(|d| d.arn == t.task_definition) else { continue };
            for role in [ContainerRole::Warmer, ContainerRole::PhpFpm] {
                if let Some(c) = td.container(&role)
                    && let (Some(group), Some(stream)) = (c.log_group.clone(), c.log_stream(&t.id))
                {
                    by_group.entry(group).or_default().push(stream);
                }
            }
        }
        for (group, streams) in by_group {
            let q = Query {
                group,
                streams,
                start_ms: start,
                pattern: Some("success failure total".into()),
                ..Query::default()
            };
            let mut token = None;
            for page_no in 0..MAX_PAGES {
                budget.acquire().await;
                let page = logs::filter_page(clients, &q, token.take()).await?;
                for e in &page.events {
                    let Some(report) = parse_warm_report(&e.message) else { continue };
                    let task_id = LogSource::from_stream_name(&e.stream).task_id.to_string();
                    let entry =
                        best.entry(task_id.clone()).or_insert(FoundReport { task_id, report, at_ms: e.timestamp_ms });
                    // The first report after the task started is the in-task warmer's.
                    if e.timestamp_ms < entry.at_ms {
                        *entry = FoundReport { task_id: entry.task_id.clone(), report, at_ms: e.timestamp_ms };
                    }
                }
                match page.next_token {
                    Some(_) if page_no + 1 == MAX_PAGES => complete = false,
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
        }
    }
    Ok(FoundReports { found: best.into_values().collect(), complete })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Container, REPORT_GRACE_MS, WarmReport};

    fn stopped_warmer(id: &str) -> Task {
        let warmer = Container {
            name: "warmer".into(),
            role: ContainerRole::Warmer,
            last_status: LastStatus::Stopped,
            exit_code: Some(0),
            ..Container::default()
        };
        Task { id: id.into(), last_status: LastStatus::Running, containers: vec![warmer], ..Task::default() }
    }

    #[test]
    fn a_miss_is_looking_until_the_lookup_covered_the_run_and_a_failed_read_is_unreadable() {
        let tasks = [stopped_warmer("a"), stopped_warmer("b")];
        let mut l = Lookup::default();
        let t0 = 1_000_000;
        let c = l.candidates(&tasks, t0);
        assert_eq!(c.len(), 2);
        // A throttled read: couldn't read, retried soon — not a missing report.
        let (found, states) = l.record(&c, Err(crate::aws::AwsErrorKind::Throttled), t0);
        assert!(found.is_empty());
        let unreadable = ReportLookup::Unreadable {
            kind: crate::aws::AwsErrorKind::Throttled,
            retry_at_ms: Some(t0 + ERROR_RETRY_MS),
        };
        assert_eq!(states, [("a".to_owned(), unreadable.clone()), ("b".to_owned(), unreadable)]);
        assert!(l.candidates(&tasks, t0 + ERROR_RETRY_MS - 1).is_empty(), "waits for the retry");
        // Read, but right after the warmer stopped: still looking.
        let at = t0 + ERROR_RETRY_MS;
        let c = l.candidates(&tasks, at);
        let report = FoundReport {
            task_id: "a".into(),
            report: WarmReport { success: 1, failure: 0, no_change: 0, total: 1 },
            at_ms: t0,
        };
        let (found, states) = l.record(&c, Ok(FoundReports { found: vec![report], complete: true }), at);
        assert_eq!(found.len(), 1);
        assert_eq!(states, [("b".to_owned(), ReportLookup::Looking)]);
        // Pages left unread: still looking, however late.
        let late = t0 + REPORT_GRACE_MS;
        let c = l.candidates(&tasks, late);
        assert_eq!(c.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["b"]);
        let (_, states) = l.record(&c, Ok(FoundReports { found: Vec::new(), complete: false }), late);
        assert_eq!(states, [("b".to_owned(), ReportLookup::Looking)]);
        // Every page read, long enough after it stopped: not found.
        let later = late + LOOKING_RETRY_MS;
        let c = l.candidates(&tasks, later);
        let (_, states) = l.record(&c, Ok(FoundReports { found: Vec::new(), complete: true }), later);
        assert_eq!(states, [("b".to_owned(), ReportLookup::NotFound)]);
    }
}
