//! The tasks ECS no longer lists, for a window in the past (`model::past`): their log streams
//! (DescribeLogStreams over each container's `<prefix>/<container>/`, paged), the task
//! definitions of the revisions they ran (described when the service's read lacks them), and
//! their warmers' evidence (the report lookup over their streams, and a failed warmer's own
//! lines), so a task however old is judged and shown by what its logs say. Only reads.

use std::collections::HashMap;

use super::Discovery;
use super::budget::Budget;
use super::lifetime::LifetimeRead;
use super::warm::find_reports;
use crate::aws::ecs::describe_task_definition;
use crate::aws::logs::streams;
use crate::aws::{AwsError, Clients};
use crate::model::past::{PastRecords, TaskStream, forgotten, lived_in, task_stream};
use crate::model::{
    FoundReport, ReportLookup, RevisionInfo, ServiceDeploymentInfo, ServiceSnapshot, Task, TaskDefinition,
};

/// Pages of 50 streams per container prefix at most (a log group that kept months of tasks
/// is cut there; `Past::cut` says so).
const MAX_STREAM_PAGES: usize = 40;
/// A warmer's last lines kept when it wrote no report.
const WARMER_LINES: usize = 10;

/// What was read of the tasks ECS forgot.
#[derive(Debug, Clone, Default)]
pub struct Past {
    /// Those that lived in the window, rebuilt (`Task::from_logs`).
    pub tasks: Vec<Task>,
    /// The task definitions they ran that the service's read did not hold.
    pub task_definitions: Vec<TaskDefinition>,
    pub reports: HashMap<String, FoundReport>,
    pub lookups: HashMap<String, ReportLookup>,
    /// A warmer's last lines when it wrote no report, by task id.
    pub warmer_output: HashMap<String, Vec<String>>,
    /// A container's stream listing stopped at its page limit: older tasks may be missing.
    pub cut: bool,
}

/// Reads the tasks ECS forgot that lived in `[from, to]`.
pub async fn read(
    c: &Clients,
    budget: &Budget,
    snapshot: &ServiceSnapshot,
    deployments: &[ServiceDeploymentInfo],
    revisions: &[RevisionInfo],
    (from, to): (i64, i64),
    now: i64,
) -> Result<Past, AwsError> {
    let mut past = Past::default();
    let (found, cut) = task_streams(c, &snapshot.task_definitions).await?;
    past.cut = cut;
    let mut defs = snapshot.task_definitions.clone();
    let rebuild = |defs: &[TaskDefinition]| {
        let records = PastRecords {
            streams: &found,
            events: &snapshot.service.events,
            deployments,
            revisions,
            task_definitions: defs,
        };
        let mut tasks = forgotten(&snapshot.tasks, &records);
        tasks.retain(|t| lived_in(t, from, to));
        tasks
    };
    let mut tasks = rebuild(&defs);
    // The revisions they ran, when the service's read does not hold them (its containers
    // name their streams and images).
    let mut missing: Vec<String> = tasks
        .iter()
        .map(|t| t.task_definition.as_str().to_owned())
        .filter(|arn| !arn.is_empty() && !defs.iter().any(|d| d.arn == arn.as_str()))
        .collect();
    missing.sort();
    missing.dedup();
    if !missing.is_empty() {
        for arn in &missing {
            let td = describe_task_definition(c, arn).await?;
            past.task_definitions.push(td.clone());
            defs.push(td);
        }
        tasks = rebuild(&defs);
    }
    if tasks.is_empty() {
        return Ok(past);
    }
    // Their warmers: the report over their streams; without one, the warmer's own last lines.
    let looked = find_reports(c, budget, &tasks, &defs, now).await?;
    for r in looked.found {
        past.reports.insert(r.task_id.clone(), r);
    }
    let disc = Discovery { task_definitions: defs, tasks: tasks.clone(), ..Discovery::default() };
    for t in &tasks {
        let id = t.id.as_str().to_owned();
        if past.reports.contains_key(&id) {
            continue;
        }
        past.lookups.insert(id.clone(), if looked.complete { ReportLookup::NotFound } else { ReportLookup::Looking });
        past.warmer_output.insert(id, warmer_lines(c, &disc, t, budget, now).await?);
    }
    past.tasks = tasks;
    Ok(past)
}

/// A warmer's own last lines ([`WARMER_LINES`]), from its whole run (`/bin/sh: GET: not
/// found`, `curl: (22) … 504`).
pub async fn warmer_lines(
    c: &Clients,
    disc: &Discovery,
    task: &Task,
    budget: &Budget,
    now: i64,
) -> Result<Vec<String>, AwsError> {
    let read = LifetimeRead {
        clients: c,
        disc,
        task,
        containers: &["warmer".to_owned()],
        group: None,
        budget,
        now,
        max_bytes: 64 * 1024,
    };
    let log = read.read().await?;
    Ok(log.events.iter().rev().take(WARMER_LINES).rev().map(|e| e.text.clone()).collect())
}

/// Every task's streams under the task definitions' `<prefix>/<container>/`, and whether a
/// listing stopped at its page limit.
async fn task_streams(c: &Clients, defs: &[TaskDefinition]) -> Result<(Vec<TaskStream>, bool), AwsError> {
    let mut asked: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    let mut cut = false;
    for td in defs {
        for def in &td.containers {
            let (Some(group), Some(prefix)) = (def.log_group.clone(), def.log_stream_prefix.as_deref()) else {
                continue;
            };
            let prefix = format!("{prefix}/{}/", def.name);
            if asked.iter().any(|(g, p)| *g == group && *p == prefix) {
                continue;
            }
            let listed = streams(c, &group, &prefix, MAX_STREAM_PAGES).await?;
            cut |= listed.len() >= MAX_STREAM_PAGES * 50;
            out.extend(listed.into_iter().filter_map(|s| task_stream(&s.name, s.first_event_ms, s.last_event_ms)));
            asked.push((group, prefix));
        }
    }
    Ok((out, cut))
}
