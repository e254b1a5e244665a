//! Tests of the service health verdict.

use super::*;
use crate::model::ecs::{Container, Deployment, LastStatus};
use crate::model::targets::TargetState;

const NOW: i64 = 10_000_000;
use crate::model::warm::{FoundReport, ReportLookup, WarmReport};

const REPORT: WarmReport = WarmReport { success: 10, failure: 0, no_change: 0, total: 10 };

/// The same report found for every task, written a minute after it started.
fn found(id: &str) -> FoundReport {
    FoundReport { task_id: id.into(), report: REPORT, at_ms: NOW - 3_540_000 }
}

fn container(name: &str, status: LastStatus, exit: Option<i32>) -> Container {
    Container {
        name: name.into(),
        role: ContainerRole::from_container_name(name),
        last_status: status,
        exit_code: exit,
        ..Container::default()
    }
}

fn task(id: &str, ip: &str) -> Task {
    Task {
        id: id.into(),
        last_status: LastStatus::Running,
        health: Health::Healthy,
        private_ip: Some(ip.into()),
        started_at_ms: Some(NOW - 3_600_000),
        containers: vec![
            container("nginx", LastStatus::Running, None),
            container("php-fpm", LastStatus::Running, None),
            container("warmer", LastStatus::Stopped, Some(0)),
        ],
        ..Task::default()
    }
}

fn deployment(id: &str, status: DeploymentStatus, rollout: RolloutState) -> Deployment {
    Deployment {
        id: id.into(),
        status,
        rollout,
        desired: 2,
        running: 2,
        created_at_ms: NOW - 600_000,
        ..Deployment::default()
    }
}

struct World {
    service: Service,
    tasks: Vec<Task>,
    targets: Vec<TargetHealth>,
}

fn healthy_world() -> World {
    World {
        service: Service {
            name: "wordpress".into(),
            status: "ACTIVE".into(),
            desired: 2,
            running: 2,
            deployments: vec![deployment("ecs-svc/1", DeploymentStatus::Primary, RolloutState::Completed)],
            ..Service::default()
        },
        tasks: vec![task("3f2a9c1e0b7d", "10.0.1.23"), task("8b41d07a99", "10.0.3.41")],
        targets: ["10.0.1.23", "10.0.3.41"]
            .into_iter()
            .map(|ip| TargetHealth {
                ip: ip.into(),
                port: Some(80),
                state: TargetState::Healthy,
                ..TargetHealth::default()
            })
            .collect(),
    }
}

fn verdict(w: &World) -> ServiceHealth {
    let reports: Vec<FoundReport> = w.tasks.iter().map(|t| found(&t.id)).collect();
    let evidence =
        |id: &str| WarmEvidence { report: reports.iter().find(|f| f.task_id == id), ..WarmEvidence::default() };
    service_health(&w.service, &w.tasks, &w.targets, &evidence, NOW, &HealthRules::default())
}

fn reasons(h: &ServiceHealth) -> Vec<String> {
    match h {
        ServiceHealth::Unhealthy { reasons } => reasons.clone(),
        ServiceHealth::RolloutInProgress { notes, .. } | ServiceHealth::ReplacementInProgress { notes, .. } => {
            notes.clone()
        }
        ServiceHealth::Healthy => vec![],
    }
}

#[test]
fn a_steady_service_is_healthy() {
    let h = verdict(&healthy_world());
    assert_eq!(h, ServiceHealth::Healthy);
    assert_eq!(h.exit_code(), 0);
}

#[test]
fn missing_tasks_failed_warmers_and_unhealthy_targets_are_reasons() {
    let mut w = healthy_world();
    w.service.running = 1;
    w.tasks[1].containers[2].exit_code = Some(127);
    w.tasks[0].containers[1].health = Health::Unhealthy;
    w.targets[0].state = TargetState::Unhealthy;
    w.targets[0].reason = Some("Target.ResponseCodeMismatch".into());
    let h = verdict(&w);
    assert_eq!(h.exit_code(), 1);
    assert_eq!(
        reasons(&h),
        [
            "1/2 tasks running",
            "task 3f2a9c1e: php-fpm UNHEALTHY",
            "task 8b41d07a: warmer failed: exit 127 (command not found)",
            "target 10.0.1.23:80 unhealthy (Target.ResponseCodeMismatch)",
        ]
    );
}

#[test]
fn a_warmer_without_a_report_or_a_missing_warmer_is_unhealthy() {
    let mut w = healthy_world();
    w.tasks[1].containers.pop();
    let report = found("8b41d07a");
    let not_found = ReportLookup::NotFound;
    let evidence = |id: &str| {
        if id == "3f2a9c1e0b7d" {
            WarmEvidence { lookup: Some(&not_found), ..WarmEvidence::default() }
        } else {
            WarmEvidence { report: Some(&report), ..WarmEvidence::default() }
        }
    };
    let h = service_health(&w.service, &w.tasks, &w.targets, &evidence, NOW, &HealthRules::default());
    assert_eq!(reasons(&h), ["task 3f2a9c1e: warmer exited 0 but no report found", "task 8b41d07a: warmer missing",]);
}

#[test]
fn a_report_still_looked_for_or_unreadable_is_not_a_missing_report() {
    let w = healthy_world();
    let unreadable =
        ReportLookup::Unreadable { kind: crate::model::FetchErrorKind::Throttled, retry_at_ms: Some(NOW + 8_000) };
    let looking = ReportLookup::Looking;
    for lookup in [None, Some(&looking), Some(&unreadable)] {
        let evidence = |_: &str| WarmEvidence { lookup, ..WarmEvidence::default() };
        let h = service_health(&w.service, &w.tasks, &w.targets, &evidence, NOW, &HealthRules::default());
        assert_eq!(h, ServiceHealth::Healthy, "{lookup:?}");
    }
}

#[test]
fn a_successful_rewarm_clears_a_failed_in_task_warmer_and_a_failed_one_stands_out() {
    use crate::model::warm_run::{Rewarm, WarmOutcome};
    let mut w = healthy_world();
    w.tasks[1].containers[2].exit_code = Some(127);
    let ok = Rewarm { outcome: WarmOutcome::Warmed { report: REPORT }, elapsed_ms: 22_000, at_ms: NOW - 120_000 };
    let report = found("3f2a9c1e");
    let evidence = |id: &str| {
        if id == "3f2a9c1e0b7d" {
            WarmEvidence { report: Some(&report), ..WarmEvidence::default() }
        } else {
            WarmEvidence { rewarm: Some(&ok), ..WarmEvidence::default() }
        }
    };
    let h = service_health(&w.service, &w.tasks, &w.targets, &evidence, NOW, &HealthRules::default());
    assert_eq!(h, ServiceHealth::Healthy);
    let bad = WarmReport { success: 0, failure: 44, no_change: 1790, total: 1834 };
    let failed = Rewarm { outcome: WarmOutcome::ReportedFailures { report: bad }, ..ok };
    let evidence = |_: &str| WarmEvidence { report: Some(&report), rewarm: Some(&failed), ..WarmEvidence::default() };
    let h = service_health(&w.service, &w.tasks, &w.targets, &evidence, NOW, &HealthRules::default());
    assert_eq!(
        reasons(&h),
        [
            "task 3f2a9c1e: warmer re-warmed 2m ago: 0 ok · 1,790 unchanged · 44 FAILED · 22.0s",
            "task 8b41d07a: warmer re-warmed 2m ago: 0 ok · 1,790 unchanged · 44 FAILED · 22.0s",
        ]
    );
}

#[test]
fn a_rollout_in_progress_is_not_unhealthy() {
    let mut w = healthy_world();
    w.service.deployments.insert(0, deployment("ecs-svc/2", DeploymentStatus::Primary, RolloutState::InProgress));
    w.service.deployments[1].status = DeploymentStatus::Active;
    w.service.running = 1;
    let h = verdict(&w);
    assert_eq!(
        h,
        ServiceHealth::RolloutInProgress {
            deployment_id: "ecs-svc/2".into(),
            since_ms: NOW - 600_000,
            notes: vec!["1/2 tasks running".into()],
        }
    );
    assert_eq!(h.exit_code(), 0);
    assert_eq!(h.label(), "rollout in progress");
}

#[test]
fn an_overrun_rollout_is_unhealthy() {
    let mut w = healthy_world();
    let mut d = deployment("ecs-svc/2", DeploymentStatus::Primary, RolloutState::InProgress);
    d.created_at_ms = NOW - 41 * 60_000;
    w.service.deployments = vec![d];
    let h = verdict(&w);
    assert_eq!(reasons(&h), ["rollout in progress for 41m (limit 30m)"]);
}

#[test]
fn failed_and_rolled_back_rollouts_are_unhealthy() {
    let mut w = healthy_world();
    let mut rollback = deployment("ecs-svc/3", DeploymentStatus::Primary, RolloutState::InProgress);
    rollback.rollout_reason = Some("ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.".into());
    let mut failed = deployment("ecs-svc/2", DeploymentStatus::Active, RolloutState::Failed);
    failed.rollout_reason = Some("ECS deployment circuit breaker: tasks failed to start.".into());
    w.service.deployments = vec![rollback, failed];
    let h = verdict(&w);
    assert_eq!(
        reasons(&h),
        [
            "rolled back: ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.",
            "rollout FAILED for deployment ecs-svc/2: ECS deployment circuit breaker: tasks failed to start.",
        ]
    );
    assert_eq!(h.exit_code(), 1);
}

#[test]
fn a_draining_service_and_serialisation() {
    let mut w = healthy_world();
    w.service.status = "DRAINING".into();
    let h = verdict(&w);
    assert_eq!(reasons(&h), ["service is DRAINING"]);
    let json = serde_json::to_string(&h).unwrap();
    assert_eq!(json, r#"{"verdict":"unhealthy","reasons":["service is DRAINING"]}"#);
}

#[test]
fn a_replacement_started_here_reads_like_a_rollout_within_its_time() {
    let mut w = healthy_world();
    w.service.running = 1;
    let reports: Vec<FoundReport> = w.tasks.iter().map(|t| found(&t.id)).collect();
    let evidence =
        |id: &str| WarmEvidence { report: reports.iter().find(|f| f.task_id == id), ..WarmEvidence::default() };
    let rules = HealthRules::default();
    let replacing = Replacing { task_id: "3f2a9c1e0b7d".into(), since_ms: NOW - 40_000 };
    let h = service_health_replacing(&w.service, &w.tasks, &w.targets, &evidence, Some(&replacing), NOW, &rules);
    assert_eq!(
        h,
        ServiceHealth::ReplacementInProgress {
            task_id: "3f2a9c1e0b7d".into(),
            since_ms: NOW - 40_000,
            notes: vec!["1/2 tasks running".into()],
        }
    );
    assert_eq!(h.exit_code(), 0);
    // Without it, the same facts are unhealthy; past the rollout limit, so is the replacement.
    let h = service_health(&w.service, &w.tasks, &w.targets, &evidence, NOW, &rules);
    assert_eq!(h, ServiceHealth::Unhealthy { reasons: vec!["1/2 tasks running".into()] });
    let late = Replacing { since_ms: NOW - rules.rollout_limit_ms - 1, ..replacing };
    let h = service_health_replacing(&w.service, &w.tasks, &w.targets, &evidence, Some(&late), NOW, &rules);
    assert_eq!(h.exit_code(), 1);
    assert_eq!(reasons(&h), ["replacement of task 3f2a9c1e in progress for 30m (limit 30m)", "1/2 tasks running"]);
}
