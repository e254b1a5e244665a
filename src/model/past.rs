//! The tasks of a window in the past, for the console's window and the incident report: those
//! ECS still lists that lived in the window, as they stood at its end (a task that stopped
//! after the window was running then), and those ECS no longer lists (it keeps stopped tasks
//! about an hour) rebuilt from what outlives them: their log streams (the span of their
//! events), the service events that name them (`has started 3 tasks: (task …)`), and the
//! deployment history (the revision that was rolling out or serving when they started, and
//! why they likely stopped). Such a task says it is rebuilt (`Task::from_logs`), and what ECS
//! forgot stays unknown (no exit codes, no AZ or IP). Pure.

use std::collections::HashMap;

use super::ecs::{Container, LastStatus, ServiceEvent, Task, TaskDefinition};
use super::history::{RevisionInfo, ServiceDeploymentInfo};
use super::{Health, short_td, task_definition_revision};

/// One container's log stream of one task: the span of its events (DescribeLogStreams).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskStream {
    pub task_id: String,
    pub container: String,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

/// `<prefix>/<container>/<task id>` → a task's stream, when the name has that shape.
pub fn task_stream(name: &str, first_ms: Option<i64>, last_ms: Option<i64>) -> Option<TaskStream> {
    let mut parts = name.rsplitn(3, '/');
    let task_id = parts.next().filter(|s| !s.is_empty())?;
    let container = parts.next().filter(|s| !s.is_empty())?;
    parts.next()?;
    Some(TaskStream { task_id: task_id.to_owned(), container: container.to_owned(), first_ms, last_ms })
}

/// What outlives the tasks ECS forgot.
pub struct PastRecords<'a> {
    pub streams: &'a [TaskStream],
    /// The service events ECS keeps (the last 100).
    pub events: &'a [ServiceEvent],
    pub deployments: &'a [ServiceDeploymentInfo],
    pub revisions: &'a [RevisionInfo],
    pub task_definitions: &'a [TaskDefinition],
}

/// The task as it stood at `at_ms`: one that stopped (or began stopping) later was running
/// then, with no stop reason yet and its essential containers running; its warmer, which ran
/// at its start, keeps how it ended. Tasks stopped by then are as ECS lists them.
pub fn as_at(task: &Task, at_ms: i64) -> Task {
    let stopped_later =
        task.stopped_ms().is_some_and(|s| s > at_ms) || (task.is_stopped() && task.stopped_ms().is_none());
    if !stopped_later || task.started_at_ms.is_none_or(|s| s > at_ms) {
        return task.clone();
    }
    let mut t = task.clone();
    t.last_status = LastStatus::Running;
    t.desired_status = LastStatus::Running;
    t.stopping_at_ms = None;
    t.stopped_at_ms = None;
    t.stopped_reason = None;
    t.stop_code = None;
    // How healthy it was then is not known.
    t.health = Health::Unknown;
    for c in t.containers.iter_mut().filter(|c| c.role != super::ContainerRole::Warmer) {
        c.last_status = LastStatus::Running;
        c.exit_code = None;
        c.reason = None;
        c.health = Health::Unknown;
    }
    t
}

/// Whether a task lived in `[from, to]`: started before its end (one that never started, by
/// its stop), not stopped before its start.
pub fn lived_in(task: &Task, from: i64, to: i64) -> bool {
    task.started_at_ms.or(task.stopped_ms()).is_none_or(|s| s <= to) && task.stopped_ms().is_none_or(|s| s >= from)
}

/// The tasks of `[from, to]`: those ECS lists that lived in it, then those it forgot
/// (`forgotten`) that did, newest first; each as it stood at the window's end.
pub fn window_tasks(listed: &[Task], forgotten: &[Task], from: i64, to: i64) -> Vec<Task> {
    let mut past: Vec<&Task> = forgotten.iter().filter(|t| lived_in(t, from, to)).collect();
    past.sort_by_key(|t| std::cmp::Reverse(t.started_at_ms));
    listed.iter().filter(|t| lived_in(t, from, to)).chain(past).map(|t| as_at(t, to)).collect()
}

/// The tasks whose streams remain but ECS no longer lists, rebuilt from the records. Their
/// start is the service's "has started" event naming them, else their first line; their stop
/// the "has stopped" event, else their last line.
pub fn forgotten(listed: &[Task], records: &PastRecords<'_>) -> Vec<Task> {
    /// One task's streams: its id, the span of their events, the containers that have one.
    struct Span<'s>(&'s str, Option<i64>, Option<i64>, Vec<&'s str>);
    let mut spans: Vec<Span<'_>> = Vec::new();
    for s in records.streams {
        if listed.iter().any(|t| t.id == s.task_id.as_str()) {
            continue;
        }
        match spans.iter_mut().find(|x| x.0 == s.task_id) {
            Some(x) => {
                x.1 = min_opt(x.1, s.first_ms);
                x.2 = x.2.max(s.last_ms);
                x.3.push(&s.container);
            }
            None => spans.push(Span(&s.task_id, s.first_ms, s.last_ms, vec![&s.container])),
        }
    }
    let named = task_events(records.events);
    spans
        .into_iter()
        .filter(|s| s.1.is_some() || s.2.is_some())
        .map(|Span(id, first, last, containers)| {
            let (started_event, stopped_event) = named.get(id).copied().unwrap_or((None, None));
            let started = started_event.or(first);
            let stopped = stopped_event.or(last);
            let deployment = started.and_then(|s| deployment_at(records.deployments, s));
            let task_def = deployment
                .and_then(|d| records.revisions.iter().find(|r| r.arn == d.target_revision))
                .map(|r| r.task_definition.clone());
            let td = task_def.as_deref().and_then(|arn| records.task_definitions.iter().find(|t| t.arn == arn));
            let revision = deployment.and_then(|d| records.revisions.iter().find(|r| r.arn == d.target_revision));
            let container_names: Vec<String> = match td {
                Some(td) => td.containers.iter().map(|c| c.name.clone()).collect(),
                None => containers.iter().map(|c| (*c).to_owned()).collect(),
            };
            let streams = containers;
            let containers = container_names
                .into_iter()
                .map(|name| {
                    let def = td.and_then(|td| td.containers.iter().find(|c| c.name == name));
                    let image = revision.and_then(|r| r.images.iter().find(|i| i.container == name));
                    Container {
                        role: super::ContainerRole::from_container_name(&name),
                        last_status: LastStatus::Stopped,
                        image: image
                            .map(|i| i.image.clone())
                            .or_else(|| def.map(|d| d.image.clone()))
                            .unwrap_or_default(),
                        image_digest: image.and_then(|i| i.digest.clone()),
                        no_log_stream: !streams.iter().any(|c| *c == name),
                        name,
                        ..Container::default()
                    }
                })
                .collect();
            let task_definition = task_def.unwrap_or_default();
            Task {
                id: id.into(),
                revision: task_definition_revision(&task_definition).map_or(0, |(_, r)| r),
                task_definition: task_definition.as_str().into(),
                last_status: LastStatus::Stopped,
                desired_status: LastStatus::Stopped,
                started_at_ms: started,
                stopped_at_ms: stopped,
                stopped_reason: Some(likely_reason(records, started, stopped)),
                from_logs: true,
                containers,
                ..Task::default()
            }
        })
        .collect()
}

/// Why a task ECS forgot likely stopped, from the deployment history, said as inferred.
fn likely_reason(records: &PastRecords<'_>, started: Option<i64>, stopped: Option<i64>) -> String {
    let deployments = records.deployments;
    const FORGOTTEN: &str = "no longer listed by ECS (it keeps stopped tasks about an hour)";
    let (Some(started), Some(stopped)) = (started, stopped) else { return FORGOTTEN.to_owned() };
    let Some(own) = deployment_at(deployments, started) else { return FORGOTTEN.to_owned() };
    // Its own deployment failed around when it stopped: the circuit breaker's doing.
    let failed = own.rolled_back || own.status.starts_with("ROLLBACK") || own.status == "FAILED";
    if failed && own.finished_at_ms.is_none_or(|f| stopped <= f + 10 * 60_000) {
        let why = own.status_reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
        return format!("{FORGOTTEN}; likely its deployment failing ({}{why})", own.status);
    }
    // A later deployment was rolling out when it stopped: it was replaced.
    let replaced_by = deployments
        .iter()
        .filter(|d| d.created_at_ms > own.created_at_ms && d.created_at_ms <= stopped)
        .filter(|d| d.finished_at_ms.is_none_or(|f| stopped <= f + 10 * 60_000))
        .max_by_key(|d| d.created_at_ms);
    match replaced_by {
        Some(d) => {
            let rev = records.revisions.iter().find(|r| r.arn == d.target_revision);
            let td = rev.map_or(d.target_revision.as_str(), |r| r.task_definition.as_str());
            format!("{FORGOTTEN}; likely replaced by the deployment of {}", short_td(td))
        }
        None => FORGOTTEN.to_owned(),
    }
}

/// The deployment that was rolling out or serving at `at_ms`: the newest started by then.
fn deployment_at(deployments: &[ServiceDeploymentInfo], at_ms: i64) -> Option<&ServiceDeploymentInfo> {
    deployments.iter().filter(|d| d.created_at_ms <= at_ms).max_by_key(|d| d.created_at_ms)
}

/// When the service events say each task started and stopped (`has started 3 tasks: (task a)
/// (task b) …`, `has stopped 1 running tasks: (task c).`).
fn task_events(events: &[ServiceEvent]) -> HashMap<&str, (Option<i64>, Option<i64>)> {
    let mut out: HashMap<&str, (Option<i64>, Option<i64>)> = HashMap::new();
    for e in events {
        let started = e.message.contains("has started");
        if !started && !e.message.contains("has stopped") {
            continue;
        }
        for id in e.message.split("(task ").skip(1).filter_map(|s| s.split(')').next()) {
            let entry = out.entry(id).or_default();
            if started {
                entry.0 = min_opt(entry.0, Some(e.at_ms));
            } else {
                entry.1 = entry.1.max(Some(e.at_ms));
            }
        }
    }
    out
}

/// The earlier of two times, either may be unknown.
pub fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests;
