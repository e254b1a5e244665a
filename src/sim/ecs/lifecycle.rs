//! Task lifecycle in the simulated world: creating tasks, moving them through PROVISIONING →
//! PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED, their
//! container and target health, stopping them, and forgetting them an hour after they stopped.
//! Warming itself is in `warming.rs`; deciding how many tasks a service needs is `scheduler.rs`.

use rand::Rng;

use super::types::*;
use super::warming;
use crate::sim::world::RegionWorld;

fn secs(s: f64) -> i64 {
    (s * 1000.0) as i64
}

/// Creates a task in PROVISIONING for a task definition; returns its id.
pub fn create_task(
    w: &mut RegionWorld,
    cluster: &str,
    task_def: &str,
    service: Option<&str>,
    deployment: Option<&str>,
    started_by: Option<String>,
    group: String,
) -> Option<String> {
    let td = w.find_task_def(task_def)?.clone();
    let id = w.ids.task_id(task_def);
    let arn = w.arn("ecs", &format!("task/{cluster}/{id}"));
    let (az, subnet, ip) = place(w);
    let php_files = match service {
        Some(s) if td.family != "static-site" => php_files_of(w, cluster, s),
        _ => 0,
    };
    let now = w.now_ms;
    let containers = td
        .containers
        .iter()
        .map(|c| ContainerState {
            name: c.name.clone(),
            last_status: "PENDING".into(),
            exit_code: None,
            reason: None,
            health: "UNKNOWN".into(),
            image: c.image.clone(),
            digest: td.digests.get(&c.name).cloned().unwrap_or_default(),
        })
        .collect();
    let task = Task {
        id: id.clone(),
        arn,
        cluster: cluster.to_string(),
        task_def: td.arn.clone(),
        group,
        started_by,
        deployment: deployment.map(str::to_string),
        service: service.map(str::to_string),
        phase: TaskPhase::Provisioning,
        desired_running: true,
        created_at_ms: now,
        pull_started_ms: None,
        started_at_ms: None,
        stopping_at_ms: None,
        stopped_at_ms: None,
        next_at_ms: now + secs(w.scenario.timing.provisioning),
        stopped_reason: None,
        stop_code: None,
        az,
        subnet,
        ip,
        containers,
        health: "UNKNOWN".into(),
        target: TargetState::Unregistered,
        opcache_cached: 0,
        php_files,
        warm_done_at_ms: None,
        warm_target: None,
        warm_exit: td.warmer_exit,
        warm_failures: td.warmer_failures,
        cpu: td.cpu.clone(),
        memory: td.memory.clone(),
        overrides: None,
    };
    w.clusters.get_mut(cluster)?.tasks.insert(id.clone(), task);
    Some(id)
}

fn php_files_of(w: &RegionWorld, cluster: &str, service: &str) -> u32 {
    w.scenario
        .clusters
        .iter()
        .filter(|c| c.name == cluster)
        .flat_map(|c| c.services.iter())
        .find(|s| s.name == service)
        .map(|s| s.php_files)
        .unwrap_or(0)
}

fn place(w: &mut RegionWorld) -> (String, String, String) {
    let second = w.rng.random_bool(0.5);
    let (zone, subnet, net) = crate::sim::elb::ZONE_SUBNETS[usize::from(second)];
    let host: u8 = w.rng.random_range(10..250);
    (format!("{}{zone}", w.region), subnet.to_string(), format!("10.0.{net}.{host}"))
}

/// Creates a service task that has been RUNNING since `started_ms` and was warmed (history).
#[allow(clippy::too_many_arguments)]
pub fn spawn_running(
    w: &mut RegionWorld,
    cluster: &str,
    service: &str,
    td: &str,
    dep: &str,
    started_ms: i64,
    warm_exit: i32,
    warm_failures: u32,
) {
    let saved_now = w.now_ms;
    w.now_ms = started_ms - 9_500;
    let id = create_task(w, cluster, td, Some(service), Some(dep), Some(dep.to_string()), format!("service:{service}"));
    w.now_ms = saved_now;
    let Some(id) = id else { return };
    let warm_secs = w.rng.random_range(
        w.scenario.timing.warm_seconds[0]..=w.scenario.timing.warm_seconds[1].max(w.scenario.timing.warm_seconds[0]),
    );
    let has_tg = has_target_group(w, cluster, service);
    let Some(task) = w.clusters.get_mut(cluster).and_then(|c| c.tasks.get_mut(&id)) else {
        return;
    };
    task.pull_started_ms = Some(started_ms - 7_000);
    task.started_at_ms = Some(started_ms);
    task.phase = TaskPhase::Running;
    task.next_at_ms = i64::MAX;
    task.health = "HEALTHY".into();
    task.target = if has_tg { TargetState::Healthy } else { TargetState::Unregistered };
    task.warm_exit = warm_exit;
    task.warm_failures = warm_failures;
    for c in &mut task.containers {
        c.last_status = "RUNNING".into();
        if c.name != "warmer" {
            c.health = "HEALTHY".into();
        }
    }
    let has_warmer = task.containers.iter().any(|c| c.name == "warmer");
    if has_warmer {
        let done = started_ms + secs(warm_secs);
        let snapshot = task.clone();
        warming::finish_in_task(w, &snapshot, done);
    }
}

/// Creates a service task that stopped at `at_ms` for a well-known reason (history).
pub fn spawn_stopped(w: &mut RegionWorld, cluster: &str, service: &str, td: &str, dep: &str, at_ms: i64, kind: &str) {
    let saved_now = w.now_ms;
    w.now_ms = at_ms - 1_200_000;
    let id = create_task(w, cluster, td, Some(service), Some(dep), Some(dep.to_string()), format!("service:{service}"));
    w.now_ms = saved_now;
    let Some(id) = id else { return };
    let (region, efs) = (w.region.clone(), w.efs.first().map(|e| e.id.clone()).unwrap_or_default());
    let Some(task) = w.clusters.get_mut(cluster).and_then(|c| c.tasks.get_mut(&id)) else {
        return;
    };
    task.phase = TaskPhase::Stopped;
    task.desired_running = false;
    task.next_at_ms = i64::MAX;
    task.stopping_at_ms = Some(at_ms - 4_000);
    task.stopped_at_ms = Some(at_ms);
    match kind {
        "oom" => {
            task.started_at_ms = Some(at_ms - 1_150_000);
            task.stopped_reason = Some("Essential container in task exited".into());
            task.stop_code = Some("EssentialContainerExited".into());
            for c in &mut task.containers {
                c.last_status = "STOPPED".into();
                c.exit_code = Some(if c.name == "php-fpm" { 137 } else { 0 });
                if c.name == "php-fpm" {
                    c.reason = Some("OutOfMemoryError: Container killed due to memory usage".into());
                }
            }
        }
        "pull" => {
            let image =
                task.containers.iter().find(|c| c.name == "php-fpm").map(|c| c.image.clone()).unwrap_or_default();
            let reason = format!(
                "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref {image}: not found"
            );
            task.stopped_reason = Some(reason.clone());
            task.stop_code = Some("TaskFailedToStart".into());
            for c in &mut task.containers {
                c.last_status = "STOPPED".into();
                c.reason = Some(reason.clone());
            }
        }
        _ => {
            let reason = format!(
                "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve \"{efs}.efs.{region}.amazonaws.com\" - check that your file system ID is correct"
            );
            task.stopped_reason = Some(reason);
            task.stop_code = Some("TaskFailedToStart".into());
            for c in &mut task.containers {
                c.last_status = "STOPPED".into();
            }
        }
    }
    let snapshot = w.clusters.get(cluster).and_then(|c| c.tasks.get(&id)).cloned();
    if let Some(task) = snapshot {
        super::history_logs::write(w, &task, kind, at_ms);
    }
}

fn has_target_group(w: &RegionWorld, cluster: &str, service: &str) -> bool {
    w.clusters.get(cluster).and_then(|c| c.services.get(service)).is_some_and(|s| s.target_group_arn.is_some())
}

/// Asks a task to stop (StopTask, the scheduler draining, a failed health check).
pub fn stop_task(w: &mut RegionWorld, cluster: &str, task_id: &str, reason: &str, code: &str) {
    let now = w.now_ms;
    let draining = secs(w.scenario.timing.draining);
    let stopping = secs(w.scenario.timing.stopping);
    let Some(task) = w.clusters.get_mut(cluster).and_then(|c| c.tasks.get_mut(task_id)) else {
        return;
    };
    if !task.desired_running {
        return;
    }
    task.desired_running = false;
    task.stopping_at_ms = Some(now);
    task.stopped_reason = Some(reason.to_string());
    task.stop_code = Some(code.to_string());
    if task.phase.is_starting() {
        task.phase = TaskPhase::Stopping;
        task.next_at_ms = now + stopping;
    } else if task.phase == TaskPhase::Running {
        task.phase = TaskPhase::Deactivating;
        let registered = task.target != TargetState::Unregistered;
        task.target = if registered { TargetState::Draining } else { TargetState::Unregistered };
        task.next_at_ms = now + if registered { draining } else { 1_000 };
    }
}

/// Advances every task's lifecycle to the world's current time.
pub fn step(w: &mut RegionWorld) {
    let now = w.now_ms;
    let retention = secs(w.scenario.timing.stopped_retention);
    let mut due: Vec<(String, String)> = Vec::new();
    for (cname, cluster) in &mut w.clusters {
        cluster.tasks.retain(|_, t| t.phase != TaskPhase::Stopped || t.stopped_at_ms.unwrap_or(now) + retention > now);
        for (id, t) in &cluster.tasks {
            let warm_due = t.warm_done_at_ms.is_some_and(|d| d <= now);
            let health_due = t.phase == TaskPhase::Running
                && (matches!(t.target, TargetState::Initial | TargetState::Unhealthy) || t.health == "UNKNOWN");
            if t.next_at_ms <= now || warm_due || health_due {
                due.push((cname.clone(), id.clone()));
            }
        }
    }
    for (cluster, id) in due {
        advance_task(w, &cluster, &id);
    }
}

fn advance_task(w: &mut RegionWorld, cluster: &str, id: &str) {
    let now = w.now_ms;
    let timing = w.scenario.timing.clone();
    loop {
        let Some(task) = w.clusters.get_mut(cluster).and_then(|c| c.tasks.get_mut(id)) else {
            return;
        };
        if task.next_at_ms > now {
            break;
        }
        let at = task.next_at_ms;
        match task.phase {
            TaskPhase::Provisioning => {
                task.phase = TaskPhase::Pending;
                task.pull_started_ms = Some(at);
                task.next_at_ms = at + secs(timing.pending);
            }
            TaskPhase::Pending => {
                task.phase = TaskPhase::Activating;
                task.next_at_ms = at + secs(timing.activating);
            }
            TaskPhase::Activating => {
                task.phase = TaskPhase::Running;
                task.started_at_ms = Some(at);
                task.next_at_ms = i64::MAX;
                for c in &mut task.containers {
                    c.last_status = "RUNNING".into();
                }
                let snapshot = task.clone();
                on_running(w, &snapshot, at);
            }
            TaskPhase::Running => {
                task.next_at_ms = i64::MAX;
            }
            TaskPhase::Deactivating => {
                task.phase = TaskPhase::Stopping;
                task.target = TargetState::Unregistered;
                task.next_at_ms = at + secs(timing.stopping);
                let snapshot = task.clone();
                super::scheduler::on_deregistered(w, &snapshot, at);
            }
            TaskPhase::Stopping => {
                task.phase = TaskPhase::Deprovisioning;
                task.next_at_ms = at + secs(timing.deprovisioning);
                for c in &mut task.containers {
                    if c.last_status != "STOPPED" {
                        c.last_status = "STOPPED".into();
                        if task.started_at_ms.is_some() {
                            c.exit_code.get_or_insert(0);
                        }
                    }
                    c.health = "UNKNOWN".into();
                }
                task.warm_done_at_ms = None;
            }
            TaskPhase::Deprovisioning => {
                task.phase = TaskPhase::Stopped;
                task.stopped_at_ms = Some(at);
                task.next_at_ms = i64::MAX;
            }
            TaskPhase::Stopped => task.next_at_ms = i64::MAX,
        }
    }
    update_health(w, cluster, id, &timing);
    let due = w
        .clusters
        .get(cluster)
        .and_then(|c| c.tasks.get(id))
        .filter(|t| t.warm_done_at_ms.is_some_and(|d| d <= now))
        .cloned();
    if let Some(task) = due {
        let done = task.warm_done_at_ms.unwrap_or(now);
        if let Some(t) = w.clusters.get_mut(cluster).and_then(|c| c.tasks.get_mut(id)) {
            t.warm_done_at_ms = None;
        }
        if task.warm_target.is_some() || task.service.is_none() {
            warming::finish_one_off(w, &task, done);
        } else {
            warming::finish_in_task(w, &task, done);
        }
    }
}

fn on_running(w: &mut RegionWorld, task: &Task, at: i64) {
    let has_tg = task.service.as_deref().is_some_and(|s| has_target_group(w, &task.cluster, s));
    let [lo, hi] = w.scenario.timing.warm_seconds;
    let warm = secs(w.rng.random_range(lo..=hi.max(lo)));
    let has_warmer = task.containers.iter().any(|c| c.name == "warmer");
    if let Some(t) = w.clusters.get_mut(&task.cluster).and_then(|c| c.tasks.get_mut(&task.id)) {
        if has_tg {
            t.target = TargetState::Initial;
        }
        if has_warmer {
            t.warm_done_at_ms = Some(at + warm);
        }
    }
    if has_tg {
        super::scheduler::on_registered(w, task, at);
    }
}

fn update_health(w: &mut RegionWorld, cluster: &str, id: &str, timing: &crate::sim::scenario::Timing) {
    let now = w.now_ms;
    let Some(task) = w.clusters.get(cluster).and_then(|c| c.tasks.get(id)) else {
        return;
    };
    if task.phase != TaskPhase::Running {
        return;
    }
    let started = task.started_at_ms.unwrap_or(now);
    let fails = w.find_task_def(&task.task_def).is_some_and(|td| td.fails_health_checks)
        || super::scheduler::deployment_fails(w, cluster, task);
    let mut failed_out = false;
    if let Some(task) = w.clusters.get_mut(cluster).and_then(|c| c.tasks.get_mut(id)) {
        if now >= started + secs(timing.target_healthy_after) {
            for c in &mut task.containers {
                if c.name != "warmer" && c.last_status == "RUNNING" {
                    c.health = "HEALTHY".into();
                }
            }
            task.health = "HEALTHY".into();
            match task.target {
                TargetState::Initial if fails => task.target = TargetState::Unhealthy,
                TargetState::Initial => task.target = TargetState::Healthy,
                _ => {}
            }
        }
        failed_out = task.target == TargetState::Unhealthy && now >= started + secs(timing.health_check_failure_after);
    }
    if failed_out {
        super::scheduler::on_health_check_failed(w, cluster, id);
    }
}
