//! ECS fixtures: task definitions, containers, running and stopped tasks, deployments, service
//! events, target health and warm reports, at the fixed time `NOW`.

use wpops::model::{
    Container, ContainerRole, Deployment, DeploymentStatus, FoundReport, Health, LastStatus, RolloutState,
    ServiceEvent, TargetHealth, TargetState, Task, WarmReport,
};

use super::{MIN, NOW};

pub fn td(rev: u32) -> String {
    format!("arn:aws:ecs:ap-northeast-1:123456789012:task-definition/wordpress:{rev}")
}

pub fn container(name: &str, status: LastStatus, health: Health, exit: Option<i32>) -> Container {
    Container {
        name: name.into(),
        role: ContainerRole::from_container_name(name),
        last_status: status,
        exit_code: exit,
        reason: None,
        health,
        image: format!("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress:{name}-latest"),
        image_digest: Some("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into()),
    }
}

/// A running task with healthy nginx/php-fpm and a warmer that stopped with `warmer_exit`.
pub fn running(id: &str, rev: u32, az: &str, ip: &str, up_ms: i64, warmer_exit: Option<i32>) -> Task {
    let warmer_status = if warmer_exit.is_some() { LastStatus::Stopped } else { LastStatus::Running };
    Task {
        id: id.into(),
        arn: format!("arn:aws:ecs:ap-northeast-1:123456789012:task/wp-prod/{id}"),
        task_definition: td(rev),
        revision: rev,
        last_status: LastStatus::Running,
        desired_status: LastStatus::Running,
        health: Health::Healthy,
        az: format!("ap-northeast-{az}"),
        private_ip: Some(ip.into()),
        started_at_ms: Some(NOW - up_ms),
        started_by: Some(format!("ecs-svc/{rev}0001")),
        containers: vec![
            container("nginx", LastStatus::Running, Health::Healthy, None),
            container("php-fpm", LastStatus::Running, Health::Healthy, None),
            container("warmer", warmer_status, Health::Unknown, warmer_exit),
        ],
        ..Task::default()
    }
}

pub fn stopped(id: &str, ago_ms: i64, reason: &str, code: &str, exits: [Option<i32>; 3]) -> Task {
    let mut t = running(id, 42, "1c", "10.0.3.99", ago_ms + 20 * MIN, Some(0));
    t.last_status = LastStatus::Stopped;
    t.desired_status = LastStatus::Stopped;
    t.health = Health::Unknown;
    t.stopped_at_ms = Some(NOW - ago_ms);
    t.stopped_reason = Some(reason.into());
    t.stop_code = Some(code.into());
    for (c, exit) in t.containers.iter_mut().zip(exits) {
        c.last_status = LastStatus::Stopped;
        c.exit_code = exit;
        c.health = Health::Unknown;
    }
    t
}

pub fn deployment(
    id: &str,
    status: DeploymentStatus,
    rev: u32,
    rollout: RolloutState,
    counts: [u32; 4],
    age: i64,
) -> Deployment {
    Deployment {
        id: id.into(),
        status,
        task_definition: td(rev),
        desired: counts[0],
        running: counts[1],
        pending: counts[2],
        failed_tasks: counts[3],
        rollout: rollout.clone(),
        rollout_reason: Some(match rollout {
            RolloutState::Completed => "ECS deployment ecs-svc/42 completed.".into(),
            _ => "ECS deployment ecs-svc/43 in progress.".into(),
        }),
        created_at_ms: NOW - age,
        updated_at_ms: NOW - age + 4 * MIN,
    }
}

pub fn events(lines: &[(i64, &str)]) -> Vec<ServiceEvent> {
    lines
        .iter()
        .enumerate()
        .map(|(i, (ago, m))| ServiceEvent { id: format!("ev{i}"), at_ms: NOW - ago, message: (*m).into() })
        .collect()
}

pub fn target(ip: &str, state: TargetState, reason: Option<&str>) -> TargetHealth {
    TargetHealth {
        ip: ip.into(),
        port: Some(80),
        state,
        reason: reason.map(Into::into),
        description: reason.map(|_| "Health checks failed with these codes: [502]".into()),
    }
}

pub fn report(task: &str, success: u32, failure: u32, took_ms: i64, started_ago: i64) -> FoundReport {
    FoundReport {
        task_id: task.into(),
        report: WarmReport { success, failure, no_change: 12, total: success + failure + 12 },
        at_ms: NOW - started_ago + took_ms,
    }
}
