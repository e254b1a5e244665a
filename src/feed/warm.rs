//! Finding each task's warm report: the warmer's `success: N failure: N …` line in its own
//! stream, or the same line that php-fpm wrapped as `child N said into stderr`. Looked up once
//! per task after its warmer stopped (retried every 30 s while missing), in batches of up to 50
//! tasks per FilterLogEvents call, drawing from the shared log budget. `find_reports` is the
//! lookup itself, also used by `wpops status`.

use std::collections::{HashMap, HashSet};

use super::budget::Budget;
use super::{FeedContext, now_ms};
use crate::aws::logs::{self, Query};
use crate::aws::{AwsError, Clients};
use crate::model::{ContainerRole, FoundReport, LastStatus, LogSource, Task, TaskDefinition, parse_warm_report};

const RETRY_MS: i64 = 30_000;
/// Tasks per FilterLogEvents call (two streams each: warmer and php-fpm, ≤ 100 names).
pub const TASKS_PER_CALL: usize = 50;
const MAX_PAGES: usize = 4;

/// Which tasks have a report already, and when each missing one was last looked for.
#[derive(Default)]
pub struct Lookup {
    found: HashSet<String>,
    tried: HashMap<String, i64>,
}

impl Lookup {
    /// Looks up reports of tasks whose warmer has stopped and whose report is not known yet.
    /// `None` when there was nothing to look up (no request was made).
    pub async fn look_up(&mut self, ctx: &FeedContext) -> Option<Vec<FoundReport>> {
        let disc = ctx.discovery.borrow().clone();
        let now = now_ms();
        let mut candidates = Vec::new();
        for t in &disc.tasks {
            let warmer_done = t.warmer().is_some_and(|w| w.last_status == LastStatus::Stopped);
            if !warmer_done || self.found.contains(t.id.as_str()) {
                continue;
            }
            if self.tried.get(t.id.as_str()).is_some_and(|at| now - at < RETRY_MS) {
                continue;
            }
            candidates.push(t.clone());
            if candidates.len() == TASKS_PER_CALL {
                break;
            }
        }
        if candidates.is_empty() {
            return None;
        }
        for t in &candidates {
            self.tried.insert(t.id.as_str().to_owned(), now);
        }
        // An error leaves the reports missing; they are looked for again after RETRY_MS.
        let found = find_reports(&ctx.clients, &ctx.log_budget, &candidates, &disc.task_definitions, now)
            .await
            .unwrap_or_default();
        for f in &found {
            self.found.insert(f.task_id.clone());
            self.tried.remove(&f.task_id);
        }
        let live: HashSet<&str> = disc.tasks.iter().map(|t| t.id.as_str()).collect();
        self.tried.retain(|id, _| live.contains(id.as_str()));
        Some(found)
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
) -> Result<Vec<FoundReport>, AwsError> {
    let mut best: HashMap<String, FoundReport> = HashMap::new();
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
            for _ in 0..MAX_PAGES {
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
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
        }
    }
    Ok(best.into_values().collect())
}
