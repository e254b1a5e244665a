//! The ECS service scheduler of the simulated world: rolling deployments (minimum healthy 100 %,
//! maximum 200 %), replacing stopped tasks, the deployment circuit breaker with rollback, the
//! deployment history, and service events worded as ECS words them.

use super::lifecycle;
use super::types::*;
use crate::sim::world::RegionWorld;

fn push_event(w: &mut RegionWorld, cluster: &str, service: &str, message: String) {
    let id = w.ids.uuid("event");
    let at = w.now_ms;
    if let Some(s) = w.clusters.get_mut(cluster).and_then(|c| c.services.get_mut(service)) {
        s.events.insert(0, ServiceEvent { id, at_ms: at, message });
        s.events.truncate(100);
    }
}

/// Records a new deployment of `td` in the service's history; returns the deployment (not yet
/// inserted into `service.deployments`).
pub fn record_deployment(
    w: &mut RegionWorld,
    service: &mut Service,
    cluster: &str,
    td: &str,
    source_td: Option<&str>,
    at: i64,
) -> Deployment {
    let number = w.ids.digits19(&service.name);
    let rev_number = w.ids.digits19(td);
    let revision_arn = w.arn("ecs", &format!("service-revision/{cluster}/{}/{rev_number}", service.name));
    service.revisions.push(ServiceRevision { arn: revision_arn.clone(), task_def: td.to_string(), created_at_ms: at });
    let source_revisions = source_td
        .and_then(|s| service.revisions.iter().rev().skip(1).find(|r| r.task_def == s))
        .map(|r| vec![r.arn.clone()])
        .unwrap_or_default();
    let record_arn = w.arn("ecs", &format!("service-deployment/{cluster}/{}/{number}", service.name));
    let threshold = (service.desired + 1) / 2;
    service.records.push(ServiceDeploymentRecord {
        arn: record_arn.clone(),
        created_at_ms: at,
        started_at_ms: at,
        finished_at_ms: None,
        status: "IN_PROGRESS".into(),
        status_reason: None,
        source_revisions,
        target_revision: revision_arn,
        rollback: None,
        failure_count: 0,
        threshold: threshold.clamp(3, 200),
    });
    Deployment {
        id: format!("ecs-svc/{number}"),
        task_def: td.to_string(),
        desired: service.desired,
        created_at_ms: at,
        updated_at_ms: at,
        rollout: Rollout::InProgress,
        rollout_reason: "ECS deployment detected healthy tasks.".into(),
        failed_tasks: 0,
        service_deployment: record_arn,
        is_rollback: false,
        fails: false,
    }
}

/// Starts a new deployment of `td` (UpdateService); returns the new deployment id.
pub fn start_deployment(w: &mut RegionWorld, cluster: &str, service: &str, td: &str) -> Option<String> {
    let mut svc = w.clusters.get_mut(cluster)?.services.remove(service)?;
    let at = w.now_ms;
    let source = svc.task_def.clone();
    let mut dep = record_deployment(w, &mut svc, cluster, td, Some(&source), at);
    let key = (cluster.to_string(), service.to_string());
    if let Some(pos) = w.failing_next_deploy.iter().position(|k| *k == key) {
        w.failing_next_deploy.remove(pos);
        dep.fails = true;
    }
    let id = dep.id.clone();
    svc.task_def = td.to_string();
    svc.steady = false;
    svc.deployments.insert(0, dep);
    w.clusters.get_mut(cluster)?.services.insert(service.to_string(), svc);
    Some(id)
}

/// Whether tasks of this deployment fail their health checks.
pub fn deployment_fails(w: &RegionWorld, cluster: &str, task: &Task) -> bool {
    let Some(service) = task.service.as_deref() else {
        return false;
    };
    w.clusters
        .get(cluster)
        .and_then(|c| c.services.get(service))
        .and_then(|s| s.deployments.iter().find(|d| Some(&d.id) == task.deployment.as_ref()))
        .is_some_and(|d| d.fails)
}

pub fn on_registered(w: &mut RegionWorld, task: &Task, _at: i64) {
    let Some(service) = task.service.clone() else {
        return;
    };
    let tg = tg_of(w, &task.cluster, &service);
    push_event(w, &task.cluster, &service, format!("(service {service}) registered 1 targets in (target-group {tg})"));
}

pub fn on_deregistered(w: &mut RegionWorld, task: &Task, _at: i64) {
    let Some(service) = task.service.clone() else {
        return;
    };
    let tg = tg_of(w, &task.cluster, &service);
    push_event(
        w,
        &task.cluster,
        &service,
        format!("(service {service}) deregistered 1 targets in (target-group {tg})"),
    );
}

fn tg_of(w: &RegionWorld, cluster: &str, service: &str) -> String {
    w.clusters
        .get(cluster)
        .and_then(|c| c.services.get(service))
        .and_then(|s| s.target_group_arn.clone())
        .unwrap_or_default()
}

/// A task failed its load balancer health checks: ECS stops it and counts it against its
/// deployment's circuit breaker.
pub fn on_health_check_failed(w: &mut RegionWorld, cluster: &str, task_id: &str) {
    let Some(task) = w.clusters.get(cluster).and_then(|c| c.tasks.get(task_id)).cloned() else {
        return;
    };
    if !task.desired_running {
        return;
    }
    let Some(service) = task.service.clone() else {
        return;
    };
    let tg = tg_of(w, cluster, &service);
    push_event(
        w,
        cluster,
        &service,
        format!(
            "(service {service}) (port 80) is unhealthy in (target-group {tg}) due to (reason Health checks failed)."
        ),
    );
    lifecycle::stop_task(
        w,
        cluster,
        task_id,
        &format!("Task failed ELB health checks in (target-group {tg})"),
        "ServiceSchedulerInitiated",
    );
    let now = w.now_ms;
    let Some(svc) = w.clusters.get_mut(cluster).and_then(|c| c.services.get_mut(&service)) else {
        return;
    };
    let Some(dep) = svc.deployments.iter_mut().find(|d| Some(&d.id) == task.deployment.as_ref()) else {
        return;
    };
    dep.failed_tasks += 1;
    dep.updated_at_ms = now;
    let record_arn = dep.service_deployment.clone();
    if let Some(r) = svc.records.iter_mut().find(|r| r.arn == record_arn) {
        r.failure_count += 1;
    }
}

/// Runs the scheduler for every service.
pub fn step(w: &mut RegionWorld) {
    // Index each service's tasks once per step: a cluster of 2,000 services must not be scanned
    // once per service.
    let mut work: Vec<(String, String, Vec<String>)> = Vec::new();
    for (cname, cluster) in &w.clusters {
        let mut by_service: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
        for t in cluster.tasks.values() {
            if let Some(s) = t.service.as_deref() {
                by_service.entry(s).or_default().push(t.id.clone());
            }
        }
        for name in cluster.services.keys() {
            let ids = by_service.remove(name.as_str()).unwrap_or_default();
            work.push((cname.clone(), name.clone(), ids));
        }
    }
    for (cluster, service, ids) in work {
        step_service(w, &cluster, &service, &ids);
    }
}

struct Counts {
    active: usize,
    healthy: usize,
}

fn service_tasks<'a>(cluster: &'a Cluster, ids: &'a [String]) -> impl Iterator<Item = &'a Task> {
    ids.iter().filter_map(|id| cluster.tasks.get(id))
}

fn counts(cluster: &Cluster, ids: &[String], dep: Option<&str>) -> Counts {
    let mut c = Counts { active: 0, healthy: 0 };
    for t in service_tasks(cluster, ids) {
        if !t.desired_running || (dep.is_some() && t.deployment.as_deref() != dep) {
            continue;
        }
        c.active += 1;
        let healthy = match t.target {
            TargetState::Unregistered => t.phase == TaskPhase::Running && t.health == "HEALTHY",
            state => state == TargetState::Healthy && t.phase == TaskPhase::Running,
        };
        if healthy {
            c.healthy += 1;
        }
    }
    c
}

fn step_service(w: &mut RegionWorld, cluster_name: &str, service_name: &str, ids: &[String]) {
    let Some(cluster) = w.clusters.get(cluster_name) else {
        return;
    };
    let Some(svc) = cluster.services.get(service_name) else {
        return;
    };
    let Some(primary) = svc.deployments.first().cloned() else {
        return;
    };
    let desired = svc.desired.max(0) as usize;
    let max_total = (desired * svc.max_percent.max(100) as usize).div_ceil(100).max(desired);
    let min_healthy = (desired * svc.min_healthy_percent.max(0) as usize).div_ceil(100);
    let prim = counts(cluster, ids, Some(&primary.id));
    let all = counts(cluster, ids, None);
    let old_healthy = all.healthy - prim.healthy;

    // Start tasks for the primary deployment.
    if primary.rollout != Rollout::Failed && prim.active < desired && all.active < max_total {
        let n = (desired - prim.active).min(max_total - all.active);
        let mut started = Vec::new();
        for _ in 0..n {
            let group = format!("service:{service_name}");
            if let Some(id) = lifecycle::create_task(
                w,
                cluster_name,
                &primary.task_def,
                Some(service_name),
                Some(&primary.id),
                Some(primary.id.clone()),
                group,
            ) {
                started.push(id);
            }
        }
        if !started.is_empty() {
            let list: Vec<String> = started.iter().map(|id| format!("(task {id})")).collect();
            push_event(
                w,
                cluster_name,
                service_name,
                format!("(service {service_name}) has started {} tasks: {}.", started.len(), list.join(" ")),
            );
        }
    }

    // Drain old deployments' tasks while keeping the minimum healthy.
    let Some(cluster) = w.clusters.get(cluster_name) else {
        return;
    };
    let mut old: Vec<&Task> = service_tasks(cluster, ids)
        .filter(|t| t.desired_running && t.deployment.as_deref() != Some(&primary.id))
        .collect();
    old.sort_by_key(|t| (t.phase == TaskPhase::Running, t.created_at_ms));
    let mut healthy_left = prim.healthy + old_healthy;
    let mut to_stop = Vec::new();
    for t in old {
        let healthy =
            t.phase == TaskPhase::Running && matches!(t.target, TargetState::Healthy | TargetState::Unregistered);
        if healthy {
            if healthy_left <= min_healthy {
                continue;
            }
            healthy_left -= 1;
        }
        to_stop.push(t.id.clone());
    }
    // Scale in: more primary tasks than desired.
    if prim.active > desired {
        let mut extra: Vec<&Task> = service_tasks(cluster, ids)
            .filter(|t| t.desired_running && t.deployment.as_deref() == Some(&primary.id))
            .collect();
        extra.sort_by_key(|t| std::cmp::Reverse(t.created_at_ms));
        to_stop.extend(extra.iter().take(prim.active - desired).map(|t| t.id.clone()));
    }
    if !to_stop.is_empty() {
        for id in &to_stop {
            let reason = format!("Scaling activity initiated by (deployment {})", primary.id);
            lifecycle::stop_task(w, cluster_name, id, &reason, "ServiceSchedulerInitiated");
        }
        let list: Vec<String> = to_stop.iter().map(|id| format!("(task {id})")).collect();
        push_event(
            w,
            cluster_name,
            service_name,
            format!("(service {service_name}) has stopped {} running tasks: {}.", to_stop.len(), list.join(" ")),
        );
        push_event(
            w,
            cluster_name,
            service_name,
            format!("(service {service_name}) has begun draining connections on {} tasks.", to_stop.len()),
        );
    }
    finish_rollouts(w, cluster_name, service_name, ids, desired);
}

fn finish_rollouts(w: &mut RegionWorld, cluster_name: &str, service_name: &str, ids: &[String], desired: usize) {
    let now = w.now_ms;
    let Some(cluster) = w.clusters.get(cluster_name) else {
        return;
    };
    let live = |dep: &str| {
        service_tasks(cluster, ids).any(|t| t.deployment.as_deref() == Some(dep) && t.phase < TaskPhase::Stopped)
    };
    let Some(svc) = cluster.services.get(service_name) else {
        return;
    };
    let Some(primary) = svc.deployments.first().cloned() else {
        return;
    };
    let gone: Vec<String> = svc.deployments.iter().skip(1).filter(|d| !live(&d.id)).map(|d| d.id.clone()).collect();
    let prim = counts(cluster, ids, Some(&primary.id));
    let threshold = svc.records.iter().find(|r| r.arn == primary.service_deployment).map(|r| r.threshold).unwrap_or(3);
    let failed_now = primary.rollout == Rollout::InProgress && svc.circuit_breaker && primary.failed_tasks >= threshold;
    let rollback_to = svc
        .records
        .iter()
        .find(|r| r.arn == primary.service_deployment)
        .and_then(|r| r.source_revisions.first())
        .and_then(|rev| svc.revisions.iter().find(|x| &x.arn == rev))
        .map(|r| r.task_def.clone());
    let rollback = svc.rollback;
    let Some(svc) = w.clusters.get_mut(cluster_name).and_then(|c| c.services.get_mut(service_name)) else {
        return;
    };
    svc.deployments.retain(|d| !gone.contains(&d.id) || d.id == primary.id);
    let mut events = Vec::new();
    if failed_now {
        if let Some(d) = svc.deployments.first_mut() {
            d.rollout = Rollout::Failed;
            d.rollout_reason = "ECS deployment circuit breaker: tasks failed to start.".into();
            d.updated_at_ms = now;
        }
        events.push(format!("(service {service_name}) ({}) deployment failed: tasks failed to start.", primary.id));
        let record = svc.records.iter_mut().find(|r| r.arn == primary.service_deployment);
        if let Some(r) = record {
            r.status = if rollback { "ROLLBACK_IN_PROGRESS".into() } else { "FAILED".into() };
            r.status_reason = Some("ECS deployment circuit breaker: tasks failed to start.".into());
        }
    }
    let completed =
        primary.rollout == Rollout::InProgress && !failed_now && svc.deployments.len() == 1 && prim.healthy >= desired;
    if completed {
        if let Some(d) = svc.deployments.first_mut() {
            d.rollout = Rollout::Completed;
            d.rollout_reason = format!("ECS deployment {} completed.", d.id);
            d.updated_at_ms = now;
        }
        if let Some(r) = svc.records.iter_mut().find(|r| r.arn == primary.service_deployment) {
            r.status = if primary.is_rollback { "ROLLBACK_SUCCESSFUL".into() } else { "SUCCESSFUL".into() };
            r.finished_at_ms = Some(now);
        }
        svc.steady = true;
        events.push(format!("(service {service_name}) ({}) deployment completed.", primary.id));
        events.push(format!("(service {service_name}) has reached a steady state."));
    }
    for e in events {
        push_event(w, cluster_name, service_name, e);
    }
    if let Some(td) = rollback_to.filter(|_| failed_now && rollback) {
        roll_back(w, cluster_name, service_name, &primary, &td);
    }
}

fn roll_back(w: &mut RegionWorld, cluster: &str, service: &str, failed: &Deployment, td: &str) {
    let now = w.now_ms;
    let number = w.ids.digits19(service);
    let Some(svc) = w.clusters.get_mut(cluster).and_then(|c| c.services.get_mut(service)) else {
        return;
    };
    let revision = svc.revisions.iter().rev().find(|r| r.task_def == td).map(|r| r.arn.clone()).unwrap_or_default();
    if let Some(r) = svc.records.iter_mut().find(|r| r.arn == failed.service_deployment) {
        r.rollback = Some((
            "ECS deployment circuit breaker: rolling back to the last completed service revision.".into(),
            now,
            revision,
        ));
    }
    let dep = Deployment {
        id: format!("ecs-svc/{number}"),
        task_def: td.to_string(),
        desired: svc.desired,
        created_at_ms: now,
        updated_at_ms: now,
        rollout: Rollout::InProgress,
        rollout_reason: "ECS deployment detected healthy tasks.".into(),
        failed_tasks: 0,
        service_deployment: failed.service_deployment.clone(),
        is_rollback: true,
        fails: false,
    };
    let id = dep.id.clone();
    svc.task_def = td.to_string();
    svc.deployments.insert(0, dep);
    push_event(w, cluster, service, format!("(service {service}) rolling back to deployment {id}."));
}
