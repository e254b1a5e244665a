//! A failed deployment of the past and its circuit-breaker rollback, as ECS records them: the
//! service deployment (ROLLBACK_SUCCESSFUL, its status reason, rollback and breaker counts), the
//! service revision it targeted, the service events worded as the scheduler words a live failing
//! deployment (`ecs/scheduler.rs`), and its tasks for `task_logs` (ECS no longer lists them). Also
//! the tasks of the deployment the current one replaced, which served until it rolled out.
//!
//! It changes only the service it is given and the `Past`; ids come from `Past::ids`.

use super::{Past, PastTask, Role};
use crate::sim::ecs::types::{Service, ServiceDeploymentRecord, ServiceEvent, ServiceRevision};
use crate::sim::world::RegionWorld;

/// From the UpdateService call to the tasks RUNNING (provisioning, image pull, activation).
const START_MS: i64 = 10_000;
/// Between one task's start and the next.
const STAGGER_MS: i64 = 1_500;
/// From RUNNING to ECS giving up on the health checks (a 120 s grace period, then two failed
/// checks of the load balancer).
pub const UNHEALTHY_AFTER_MS: i64 = 150_000;

/// The deployment the failed one replaced, and rolled back to.
#[derive(Debug, Clone)]
pub struct Previous {
    /// `ecs-svc/…`.
    pub deployment_id: String,
    pub task_def: String,
}

/// What the failed deployment needs to know of the world.
pub struct Attempt<'a> {
    pub cluster: &'a str,
    pub target_task_def: &'a str,
    pub target_group: &'a str,
    pub at_ms: i64,
    /// The scenario's draining, stopping and deprovisioning times.
    pub draining_ms: i64,
    pub stopping_ms: i64,
    pub current_deploy_ms: i64,
}

/// Records a deployment of `a.target_task_def` started at `a.at_ms` whose tasks failed their
/// health checks, and its rollback to `previous`; returns when the rollback completed.
pub fn failed(w: &RegionWorld, past: &mut Past, service: &mut Service, previous: &Previous, a: &Attempt<'_>) -> i64 {
    let name = service.name.clone();
    let number = past.ids.digits19(&name);
    let rev_number = past.ids.digits19(a.target_task_def);
    let cluster = a.cluster;
    let revision_arn = w.arn("ecs", &format!("service-revision/{cluster}/{name}/{rev_number}"));
    let record_arn = w.arn("ecs", &format!("service-deployment/{cluster}/{name}/{number}"));
    let dep_id = format!("ecs-svc/{number}");
    let source = service
        .revisions
        .iter()
        .rev()
        .find(|r| r.task_def == previous.task_def && r.created_at_ms < a.at_ms)
        .map(|r| r.arn.clone())
        .unwrap_or_default();
    let at = a.at_ms;
    let pos = service.revisions.iter().position(|r| r.created_at_ms > at).unwrap_or(service.revisions.len());
    service.revisions.insert(
        pos,
        ServiceRevision { arn: revision_arn.clone(), task_def: a.target_task_def.to_string(), created_at_ms: at },
    );

    let tg = a.target_group;
    let mut events: Vec<(i64, String)> = Vec::new();
    let mut ids = Vec::new();
    let mut last_gone = at;
    let mut last_unhealthy = at;
    for i in 0..service.desired.max(1) as i64 {
        let id = past.ids.task_id(a.target_task_def);
        let started = at + START_MS + i * STAGGER_MS;
        let unhealthy = started + UNHEALTHY_AFTER_MS;
        let deregistered = unhealthy + a.draining_ms;
        events.push((started + 1_000, format!("(service {name}) registered 1 targets in (target-group {tg})")));
        events.push((
            unhealthy,
            format!(
                "(service {name}) (port 80) is unhealthy in (target-group {tg}) due to (reason Health checks failed)."
            ),
        ));
        events.push((deregistered, format!("(service {name}) deregistered 1 targets in (target-group {tg})")));
        past.tasks.push(PastTask {
            id: id.clone(),
            task_def: a.target_task_def.to_string(),
            started_ms: started,
            stopped_ms: Some(deregistered),
            role: Role::FailedHealthChecks,
            alb_ip: if i % 2 == 0 { "10.0.1.200" } else { "10.0.3.200" },
            cold: true,
            current_deploy_ms: a.current_deploy_ms,
        });
        ids.push(format!("(task {id})"));
        last_unhealthy = unhealthy;
        last_gone = deregistered + a.stopping_ms;
    }
    let list = ids.join(" ");
    events.push((at + 1_000, format!("(service {name}) has started {} tasks: {list}.", ids.len())));
    let failed_at = last_unhealthy + 1_000;
    events.push((failed_at, format!("(service {name}) ({dep_id}) deployment failed: tasks failed to start.")));
    events
        .push((failed_at + 1_000, format!("(service {name}) rolling back to deployment {}.", previous.deployment_id)));
    let done = last_gone + 5_000;
    events.push((done, format!("(service {name}) ({}) deployment completed.", previous.deployment_id)));
    events.push((done + 5_000, format!("(service {name}) has reached a steady state.")));

    let record = ServiceDeploymentRecord {
        arn: record_arn,
        created_at_ms: at,
        started_at_ms: at,
        finished_at_ms: Some(done),
        status: "ROLLBACK_SUCCESSFUL".into(),
        status_reason: Some("ECS deployment circuit breaker: tasks failed to start.".into()),
        source_revisions: vec![source.clone()],
        target_revision: revision_arn,
        rollback: Some((
            "ECS deployment circuit breaker: rolling back to the last completed service revision.".into(),
            failed_at,
            source,
        )),
        failure_count: service.desired.max(1),
        threshold: ((service.desired + 1) / 2).clamp(3, 200),
    };
    let pos = service.records.iter().position(|r| r.created_at_ms > at).unwrap_or(service.records.len());
    service.records.insert(pos, record);
    add_events(past, service, events);
    done
}

/// The tasks of the deployment the current one replaced: running since before the history
/// (`started_ms`), drained and stopped at `stopped_ms`.
pub fn replaced_tasks(past: &mut Past, task_def: &str, count: i32, started_ms: i64, stopped_ms: i64, current: i64) {
    for i in 0..count.max(0) as i64 {
        let id = past.ids.task_id(task_def);
        past.tasks.push(PastTask {
            id,
            task_def: task_def.to_string(),
            started_ms: started_ms + i * STAGGER_MS,
            stopped_ms: Some(stopped_ms + i * STAGGER_MS),
            role: Role::Served,
            alb_ip: if i % 2 == 0 { "10.0.1.200" } else { "10.0.3.200" },
            cold: false,
            current_deploy_ms: current,
        });
    }
}

/// Adds past events to the service's (newest first, at most 100, as ECS keeps them).
fn add_events(past: &mut Past, service: &mut Service, events: Vec<(i64, String)>) {
    for (at_ms, message) in events {
        let id = past.ids.uuid("event");
        service.events.push(ServiceEvent { id, at_ms, message });
    }
    service.events.sort_by_key(|e| std::cmp::Reverse(e.at_ms));
    service.events.truncate(100);
}
