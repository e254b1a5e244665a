//! Tests of the runtime rules: each fires, does not fire, and its boundary.
#![allow(clippy::field_reassign_with_default)]

use std::sync::Arc;

use super::*;
use crate::model::ecs::{Container, Deployment, DeploymentStatus, Health, LastStatus, Service, TaskDefinition};
use crate::model::logline::{LineClass, PhpTrouble};
use crate::model::waf::{RuleGroupStats, SampledRequest};
use crate::model::warm::{FoundReport, WarmReport};

const NOW: i64 = 100 * 3_600_000;
const MIN: i64 = 60_000;

fn series(values: &[f64]) -> Series {
    // Oldest first, the newest minute ending now.
    let n = values.len() as i64;
    Series { points: values.iter().enumerate().map(|(i, v)| (NOW - (n - i as i64) * MIN, *v)).collect() }
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

fn task(id: &str, warmer_exit: i32) -> Task {
    Task {
        id: id.into(),
        last_status: LastStatus::Running,
        health: Health::Healthy,
        started_at_ms: Some(NOW - 3_600_000),
        containers: vec![
            container("nginx", LastStatus::Running, None),
            container("php-fpm", LastStatus::Running, None),
            container("warmer", LastStatus::Stopped, Some(warmer_exit)),
        ],
        ..Task::default()
    }
}

fn stopped(id: &str, reason: &str, php_exit: Option<i32>) -> Task {
    Task {
        id: id.into(),
        last_status: LastStatus::Stopped,
        stopped_at_ms: Some(NOW - 20 * MIN),
        stopped_reason: Some(reason.into()),
        containers: vec![container("php-fpm", LastStatus::Stopped, php_exit)],
        ..Task::default()
    }
}

fn snapshot(tasks: Vec<Task>) -> ServiceSnapshot {
    ServiceSnapshot {
        service: Service {
            name: "wordpress".into(),
            status: "ACTIVE".into(),
            desired: 2,
            running: 2,
            deployments: vec![Deployment {
                id: "ecs-svc/1".into(),
                status: DeploymentStatus::Primary,
                rollout: RolloutState::Completed,
                task_definition: "arn:aws:ecs:r:1:task-definition/wordpress:42".into(),
                created_at_ms: NOW - 95 * MIN,
                ..Deployment::default()
            }],
            ..Service::default()
        },
        tasks,
        ..ServiceSnapshot::default()
    }
}

const REPORT: WarmReport = WarmReport { success: 10, failure: 0, no_change: 0, total: 10 };

fn inputs<'a>(
    snap: &'a ServiceSnapshot,
    platform: Result<&'a PlatformMetrics, String>,
    logs: Result<&'a LogSignals, String>,
    reports: &'a [FoundReport],
) -> RuntimeInputs<'a> {
    let evidence: &'a dyn Fn(&str) -> WarmEvidence<'a> = Box::leak(Box::new(move |id: &str| WarmEvidence {
        report: reports.iter().find(|f| f.task_id == id),
        ..WarmEvidence::default()
    }));
    RuntimeInputs {
        snapshot: snap,
        platform,
        waf: None,
        logs,
        evidence_for: evidence,
        replacing: None,
        rollback_to: Some("wordpress:41".into()),
        now_ms: NOW,
        rules: HealthRules::default(),
        past_window: false,
    }
}

fn found(id: &str) -> FoundReport {
    FoundReport { task_id: id.into(), report: REPORT, at_ms: NOW - 3_540_000 }
}

#[test]
fn efs_at_its_limit_now_is_high_and_names_the_minutes() {
    let mut p = PlatformMetrics { efs_id: Some("fs-1".into()), ..PlatformMetrics::default() };
    p.efs_io_percent = series(&[10.0, 96.0, 99.0, 100.0, 97.0, 95.0]);
    let f = efs_io_limit(&p, NOW).expect("fires");
    assert_eq!((f.severity, f.title.as_str()), (Severity::High, "EFS at its I/O limit for 5 min"));
    assert!(f.evidence[0].contains("fs-1") && f.evidence[0].contains("peak 100 %"), "{:?}", f.evidence);
    // Four minutes is not sustained; 94.9 % is not the limit.
    p.efs_io_percent = series(&[10.0, 96.0, 99.0, 100.0, 97.0]);
    assert_eq!(efs_io_limit(&p, NOW), None);
    p.efs_io_percent = series(&[94.9; 30]);
    assert_eq!(efs_io_limit(&p, NOW), None);
}

#[test]
fn a_spell_at_the_limit_that_ended_is_medium_within_the_hour_and_forgotten_after() {
    let mut p = PlatformMetrics::default();
    let mut v = vec![99.0; 6];
    v.extend([5.0; 10]);
    p.efs_io_percent = series(&v);
    let f = efs_io_limit(&p, NOW).expect("fires");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.title, "EFS was at its I/O limit for 6 min, until 10m ago");
    let mut v = vec![99.0; 6];
    v.extend([5.0; 61]);
    p.efs_io_percent = series(&v);
    assert_eq!(efs_io_limit(&p, NOW), None);
}

#[test]
fn burst_credits_falling_say_when_they_run_out() {
    let gib = 1024.0 * 1024.0 * 1024.0;
    let mut p = PlatformMetrics::default();
    // 100 GiB falling 10 GiB a minute: empty in about 10 minutes.
    p.efs_burst_credits = series(&[150.0 * gib, 140.0 * gib, 130.0 * gib, 120.0 * gib, 110.0 * gib, 100.0 * gib]);
    let f = efs_credits(&p, NOW).expect("fires");
    assert_eq!(f.severity, Severity::High);
    assert!(f.title.starts_with("EFS burst credits run out in about 9m"), "{}", f.title);
    // Rising or flat: nothing. Empty: critical.
    p.efs_burst_credits = series(&[100.0 * gib; 6]);
    assert_eq!(efs_credits(&p, NOW), None);
    p.efs_burst_credits = series(&[5.0 * gib, 3.0 * gib, 0.9 * gib]);
    assert_eq!(efs_credits(&p, NOW).map(|f| f.severity), Some(Severity::Critical));
    // Slowly falling, days away: nothing.
    p.efs_burst_credits = series(&[2000.0 * gib, 1999.9 * gib, 1999.8 * gib, 1999.7 * gib, 1999.6 * gib]);
    assert_eq!(efs_credits(&p, NOW), None);
}

#[test]
fn response_time_is_judged_against_the_sites_own_median() {
    let mut p = PlatformMetrics::default();
    let mut v = vec![0.12; 30];
    v.extend([1.5; 5]);
    p.response_time_s = series(&v);
    let f = response_time(&p, NOW).expect("fires");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.title, "responses 12× slower than usual (1,500 ms)");
    // Twice as slow but under half a second: nothing; no baseline: nothing.
    let mut v = vec![0.12; 30];
    v.extend([0.3; 5]);
    p.response_time_s = series(&v);
    assert_eq!(response_time(&p, NOW), None);
    p.response_time_s = series(&[1.5; 8]);
    assert_eq!(response_time(&p, NOW), None);
}

#[test]
fn elb_5xx_and_target_5xx_are_told_apart() {
    let mut p = PlatformMetrics::default();
    p.elb_5xx = series(&[0.0, 3.0, 3.0, 2.0, 2.0]);
    p.target_5xx = series(&[1.0; 5]);
    p.alb_requests = series(&[100.0; 5]);
    let fs = edge_5xx(&p, NOW);
    let ids: Vec<&str> = fs.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["elb_5xx", "target_5xx"]);
    assert_eq!(fs[0].title, "the load balancer answered 10 5xx that never reached nginx");
    assert_eq!(fs[1].severity, Severity::Medium);
    p.elb_5xx = series(&[0.0, 3.0, 3.0, 2.0, 1.0]);
    p.target_5xx = series(&[0.9; 5]);
    assert!(edge_5xx(&p, NOW).is_empty());
}

#[test]
fn a_deployment_after_which_responses_got_slower_suggests_the_rollback() {
    let snap = snapshot(vec![task("aaaa0000", 0), task("bbbb0000", 0)]);
    let mut p = PlatformMetrics::default();
    // 180 minutes; the deployment was 95 minutes ago.
    let v: Vec<f64> = (0..180).map(|i| if i < 85 { 0.12 } else { 1.2 }).collect();
    p.response_time_s = series(&v);
    let f = worse_after_deploy(&snap, &p, Some("wordpress:41"), NOW).expect("fires");
    assert_eq!(f.title, "worse since wordpress:42 rolled out 1h35m ago");
    assert_eq!(f.what_to_do().as_deref(), Some("B rolls back to wordpress:41"));
    assert!(f.evidence[0].contains("120 ms before → 1,200 ms after"), "{:?}", f.evidence);
    let flat: Vec<f64> = vec![0.12; 180];
    p.response_time_s = series(&flat);
    assert_eq!(worse_after_deploy(&snap, &p, None, NOW), None);
}

#[test]
fn oom_kills_count_per_container_and_start_failures_per_kind() {
    let mut snap = snapshot(vec![
        task("aaaa0000", 0),
        stopped("cccc0000", "Essential container in task exited", Some(137)),
        stopped("dddd0000", "Essential container in task exited", Some(137)),
        stopped("eeee0000", "CannotPullContainerError: pull image manifest has been retried", None),
    ]);
    snap.task_definitions = vec![TaskDefinition { memory: Some("512".into()), ..TaskDefinition::default() }];
    let fs = stopped_findings(&snap, "in the last hour");
    assert_eq!(fs[0].title, "php-fpm killed for memory (exit 137) 2× in the last hour");
    assert_eq!(fs[0].severity, Severity::High);
    assert_eq!(fs[1].title, "image pull failed 1× in the last hour");
    assert_eq!(fs[1].severity, Severity::Medium);
    snap.tasks.remove(1);
    assert_eq!(stopped_findings(&snap, "in the last hour")[0].severity, Severity::Medium);
}

fn signals(lines: &[(&str, LineClass, usize)]) -> LogSignals {
    let mut s = LogSignals::new();
    for (task, class, n) in lines {
        let id: Arc<str> = (*task).into();
        for k in 0..*n {
            s.record(&id, class, NOW - 60_000 + k as i64);
        }
    }
    s
}

fn access(ms: u32) -> LineClass {
    LineClass::Access { status: 200, health_check: false, latency_ms: Some(ms) }
}

#[test]
fn max_children_on_most_tasks_is_high() {
    let snap = snapshot(vec![task("aaaa0000", 0), task("bbbb0000", 0)]);
    let mc = LineClass::PhpTrouble(PhpTrouble::MaxChildren);
    let s = signals(&[("aaaa0000", mc, 7), ("bbbb0000", mc, 3)]);
    let f = max_children(&snap, &s.per_task()).expect("fires");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.title, "php-fpm pm.max_children reached on 2 of 2 tasks (10× in 10m)");
    // On every task but only a few times: medium.
    let s = signals(&[("aaaa0000", mc, 3), ("bbbb0000", mc, 1)]);
    assert_eq!(max_children(&snap, &s.per_task()).map(|f| f.severity), Some(Severity::Medium));
    let s = signals(&[("aaaa0000", mc, 1)]);
    let snap3 = snapshot(vec![task("aaaa0000", 0), task("bbbb0000", 0), task("cccc0000", 0)]);
    assert_eq!(max_children(&snap3, &s.per_task()).map(|f| f.severity), Some(Severity::Medium));
    assert_eq!(max_children(&snap, &signals(&[("aaaa0000", access(10), 5)]).per_task()), None);
}

#[test]
fn a_slow_task_whose_warmer_failed_is_cold() {
    let snap = snapshot(vec![task("aaaa0000", 0), task("bbbb0000", 127)]);
    let reports = [found("aaaa0000")];
    let ev = |id: &str| WarmEvidence { report: reports.iter().find(|f| f.task_id == id), ..WarmEvidence::default() };
    let s = signals(&[("aaaa0000", access(100), 40), ("bbbb0000", access(100), 20), ("bbbb0000", access(4000), 20)]);
    let fs = slow_cold_tasks(&snap, &s.per_task(), &ev, NOW, &HealthRules::default());
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].id, "cold_task");
    assert!(fs[0].title.starts_with("task bbbb0000 is slow: cold OPcache (warmer failed: exit 127"), "{}", fs[0].title);
    assert_eq!(fs[0].what_to_do().as_deref(), Some("W re-runs warming"));
    // As slow as the others: nothing.
    let s = signals(&[("aaaa0000", access(4000), 40), ("bbbb0000", access(4000), 40)]);
    assert!(slow_cold_tasks(&snap, &s.per_task(), &ev, NOW, &HealthRules::default()).is_empty());
}

fn group(label: &str, series: Vec<u64>) -> RuleGroupStats {
    RuleGroupStats { label: label.into(), ..RuleGroupStats::from_series(label, label, series) }
}

#[test]
fn waf_spikes_against_the_groups_own_median() {
    let mut v = vec![2u64; 60];
    v.extend([30; 5]);
    let w = WafSnapshot { groups: vec![group("PHP", v)], ..WafSnapshot::default() };
    let fs = waf_spikes(&w);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].title, "WAF PHP blocks 15× the usual");
    let w = WafSnapshot { groups: vec![group("PHP", vec![10; 65])], ..WafSnapshot::default() };
    assert!(waf_spikes(&w).is_empty());
}

#[test]
fn admin_requests_blocked_by_body_rules_are_a_probable_false_positive() {
    let sample = |uri: &str, rule: &str| SampledRequest {
        uri: uri.into(),
        rule: rule.into(),
        action: "BLOCK".into(),
        weight: 2,
        ..SampledRequest::default()
    };
    let w = WafSnapshot {
        samples: vec![
            sample("/wp-admin/async-upload.php", "SizeRestrictions_BODY"),
            sample("/wp-admin/async-upload.php", "SizeRestrictions_BODY"),
            sample("/xmlrpc.php", "WordPressExploitablePaths_URIPATH"),
            sample("/wp-login.php", "SizeRestrictions_BODY"),
        ],
        ..WafSnapshot::default()
    };
    let fs = waf_admin_blocks(&w);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].title, "WAF blocks admin requests on /wp-admin/ (SizeRestrictions_BODY)");
    assert!(fs[0].evidence[0].starts_with("4 sampled requests"));
}

#[test]
fn assess_is_unhealthy_on_a_high_finding_and_names_what_it_lacked() {
    let snap = snapshot(vec![task("aaaa0000", 0), task("bbbb0000", 0)]);
    let reports = [found("aaaa0000"), found("bbbb0000")];
    let a = assess(&inputs(&snap, Err("loading".into()), Err("loading".into()), &reports));
    assert_eq!(a.health, ServiceHealth::Healthy);
    assert_eq!(a.findings.lacking, ["CloudWatch metrics (loading)", "log lines (loading)"]);
    let mut p = PlatformMetrics { efs_id: Some("fs-1".into()), ..PlatformMetrics::default() };
    p.efs_io_percent = series(&[99.0; 25]);
    let logs = LogSignals::new();
    let a = assess(&inputs(&snap, Ok(&p), Ok(&logs), &reports));
    assert_eq!(a.health, ServiceHealth::Unhealthy { reasons: vec!["EFS at its I/O limit for 25 min".into()] });
    assert!(a.findings.lacking.is_empty());
}

#[test]
fn during_a_rollout_what_it_explains_is_a_note_not_a_failure() {
    let mut snap = snapshot(vec![task("aaaa0000", 0)]);
    snap.service.running = 1;
    snap.service.deployments[0].rollout = RolloutState::InProgress;
    snap.service.deployments[0].created_at_ms = NOW - 5 * MIN;
    let reports = [found("aaaa0000")];
    let a = assess(&inputs(&snap, Err("loading".into()), Err("loading".into()), &reports));
    assert!(matches!(a.health, ServiceHealth::RolloutInProgress { .. }), "{:?}", a.health);
    assert_eq!(a.findings.items[0].severity, Severity::Info);
    assert!(!a.findings.fails());
}

#[test]
fn a_warmer_still_looking_for_its_report_is_no_finding() {
    let snap = snapshot(vec![task("aaaa0000", 0), task("bbbb0000", 0)]);
    let a = assess(&inputs(&snap, Err("loading".into()), Err("loading".into()), &[]));
    assert!(a.findings.items.is_empty(), "{:?}", a.findings.items);
    assert_eq!(a.health, ServiceHealth::Healthy);
}
