//! The action runners end to end against the simulator through the real SDK: a redeploy
//! followed to COMPLETED, the incident's failing deployment detected as rolled back, a rollback
//! that lands on the last completed deployment's revision (flagged as changing nothing when the
//! tags are mutable), past forced redeploys of the current one and refused when only those
//! exist, warming every task with the failing one named, read-only mode sending no
//! mutating request on any path, a second redeploy refused while the first rolls out, a foreign
//! deployment refused, and one audit line per action.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wpops::feed::runners::{self, ActionError, Operator, RolloutOutcome, WarmSettings};
use wpops::model::WarmOutcome;
use wpops::sim::{self, SimHandle, SimOptions};
use wpops_fixtures::sim as fixtures;

struct Rig {
    sim: SimHandle,
    op: Operator,
    _dir: tempfile::TempDir,
}

async fn rig(scenario: &str, read_only: bool) -> Rig {
    let sim =
        sim::start(SimOptions { scenario: scenario.into(), paused: true, ..SimOptions::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let op = fixtures::operator(fixtures::clients(&sim, read_only).await, dir.path());
    Rig { sim, op, _dir: dir }
}

/// Moves virtual time forward while a follow runs (no test sleeps for simulated time).
fn run_clock(sim: &SimHandle) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let (shared, flag) = (sim.shared.clone(), stop.clone());
    tokio::spawn(async move {
        while !flag.load(Ordering::Relaxed) {
            shared.clock.advance_ms(1_000);
            tokio::time::sleep(Duration::from_millis(4)).await;
        }
    });
    stop
}

fn audit_lines(r: &Rig) -> Vec<serde_json::Value> {
    std::fs::read_to_string(&r.op.audit.path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const FAST: Duration = Duration::from_millis(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeploy_is_followed_to_completed_and_audited() {
    let mut r = rig("default", false).await;
    let started = runners::redeploy(&mut r.op, false).await.unwrap();
    let id = started.deployment_id.clone();
    assert!(id.starts_with("ecs-svc/"));
    let clock = run_clock(&r.sim);
    let mut events = Vec::new();
    let outcome = runners::follow_rollout(&r.op, &started.watched, Duration::from_secs(60), FAST, |p| {
        events.extend(p.new_events.iter().map(|e| e.message.clone()))
    })
    .await
    .unwrap();
    clock.store(true, Ordering::Relaxed);
    assert_eq!(outcome, RolloutOutcome::Completed);
    assert!(events.iter().any(|e| e.contains("has started")), "{events:?}");
    assert!(events.iter().any(|e| e.contains("has reached a steady state")), "{events:?}");
    let lines = audit_lines(&r);
    assert_eq!(lines.len(), 2, "the request, then its outcome: {lines:?}");
    assert_eq!(lines[0]["action"], "redeploy");
    assert_eq!(lines[0]["result"], "ok");
    assert_eq!(lines[0]["deployment_id"], id.as_str());
    assert_eq!(lines[0]["caller_arn"], "arn:aws:sts::123456789012:assumed-role/WordPressOperator/wpops-demo");
    assert_eq!(lines[0]["cluster"], "wp-prod");
    assert_eq!(lines[1]["id"], lines[0]["id"]);
    assert_eq!(lines[1]["outcome"], "completed");
    assert_eq!(lines[1]["deployment_id"], id.as_str());
    assert_eq!(lines[1]["cluster"], "wp-prod");
    assert!(lines[1].get("result").is_none(), "{}", lines[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_redeploy_is_reported_as_rolled_back() {
    let mut r = rig("incident", false).await;
    let started = runners::redeploy(&mut r.op, false).await.unwrap();
    let clock = run_clock(&r.sim);
    let outcome =
        runners::follow_rollout(&r.op, &started.watched, Duration::from_secs(120), FAST, |_| {}).await.unwrap();
    clock.store(true, Ordering::Relaxed);
    match &outcome {
        RolloutOutcome::RolledBack { reason, to_task_definition } => {
            assert!(reason.contains("circuit breaker"), "{reason}");
            assert!(to_task_definition.ends_with("wordpress:42"));
        }
        other => panic!("expected a rollback, got {other:?}"),
    }
    assert!(!outcome.succeeded());
    assert!(outcome.describe().contains("rolled back by the circuit breaker"));
    // The audit log says so too: "result": "ok" is only that UpdateService was accepted.
    let lines = audit_lines(&r);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["result"], "ok");
    assert_eq!(lines[1]["id"], lines[0]["id"]);
    assert_eq!(lines[1]["outcome"], "rolled_back");
    assert!(lines[1]["to_task_definition"].as_str().unwrap().ends_with("wordpress:42"), "{}", lines[1]);
    assert!(lines[1]["reason"].as_str().unwrap().contains("circuit breaker"), "{}", lines[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_lands_on_the_last_completed_revision() {
    let mut r = rig("default", false).await;
    let plan = runners::plan_rollback(&r.op).await.unwrap();
    assert!(plan.from.task_definition.ends_with("wordpress:42"));
    assert!(plan.to.task_definition.ends_with("wordpress:41"), "{}", plan.to.task_definition);
    assert!(plan.changes.iter().all(|c| c.same_mutable_tag));
    assert!(plan.warnings.iter().any(|w| w.contains("changes nothing")), "{:?}", plan.warnings);
    assert!(plan.warnings.iter().any(|w| w.contains("next pipeline run")));
    let started = runners::rollback(&mut r.op, &plan, false).await.unwrap();
    let clock = run_clock(&r.sim);
    let outcome =
        runners::follow_rollout(&r.op, &started.watched, Duration::from_secs(60), FAST, |_| {}).await.unwrap();
    clock.store(true, Ordering::Relaxed);
    assert_eq!(outcome, RolloutOutcome::Completed);
    let svc = wpops::aws::ecs::describe_service(&r.op.clients, "wp-prod", "wordpress").await.unwrap();
    assert!(svc.task_definition.ends_with("wordpress:41"));
    let lines = audit_lines(&r);
    assert_eq!(lines[0]["action"], "rollback");
    assert_eq!((&lines[1]["action"], &lines[1]["outcome"]), (&"rollback".into(), &"completed".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_forced_redeploy_rollback_goes_to_the_revision_before() {
    let mut r = rig("default", false).await;
    let started = runners::redeploy(&mut r.op, false).await.unwrap();
    let clock = run_clock(&r.sim);
    let outcome =
        runners::follow_rollout(&r.op, &started.watched, Duration::from_secs(60), FAST, |_| {}).await.unwrap();
    clock.store(true, Ordering::Relaxed);
    assert_eq!(outcome, RolloutOutcome::Completed);
    // The redeploy of wordpress:42 completed last; rolling back to it would change nothing.
    let plan = runners::plan_rollback(&r.op).await.unwrap();
    assert!(plan.from.task_definition.ends_with("wordpress:42"), "{}", plan.from.task_definition);
    assert!(plan.to.task_definition.ends_with("wordpress:41"), "{}", plan.to.task_definition);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_is_refused_when_every_earlier_deployment_ran_the_same_revision() {
    let mut r = rig("default", false).await;
    // A service that only ever ran wordpress:42, then was force-redeployed.
    r.sim.with_world("123456789012", "ap-northeast-1", |w| {
        let svc = w.clusters.get_mut("wp-prod").unwrap().services.get_mut("wordpress").unwrap();
        let keep = svc.records.len() - 1;
        svc.records.drain(..keep);
    });
    let started = runners::redeploy(&mut r.op, false).await.unwrap();
    let clock = run_clock(&r.sim);
    let outcome =
        runners::follow_rollout(&r.op, &started.watched, Duration::from_secs(60), FAST, |_| {}).await.unwrap();
    clock.store(true, Ordering::Relaxed);
    assert_eq!(outcome, RolloutOutcome::Completed);
    match runners::plan_rollback(&r.op).await {
        Err(ActionError::Refused(why)) => {
            assert!(why.contains("ran wordpress:42, the revision running now"), "{why}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(r.sim.shared.request_count("ecs:UpdateService"), 1, "only the redeploy was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warming_reports_every_task_and_names_the_failing_one() {
    let mut r = rig("incident", false).await;
    let plan = runners::plan_warm(&r.op, &WarmSettings::default()).await.unwrap();
    assert_eq!(plan.targets.len(), 3);
    assert!(plan.warmer.is_some());
    let start = runners::start_warm(&mut r.op, &plan, "run1").await.unwrap();
    // The same run id starts nothing new (clientToken).
    let again = runners::start_warm(&mut r.op, &plan, "run1").await.unwrap().runs;
    assert_eq!(
        start.runs.iter().map(|s| &s.run_task_arn).collect::<Vec<_>>(),
        again.iter().map(|s| &s.run_task_arn).collect::<Vec<_>>()
    );
    let clock = run_clock(&r.sim);
    let results = runners::follow_warm(&r.op, &plan, &start, Duration::from_secs(60), FAST, |_| {}).await.unwrap();
    clock.store(true, Ordering::Relaxed);
    assert_eq!(results.len(), 3);
    let failing: Vec<_> = results.iter().filter(|x| !x.outcome.ok()).collect();
    assert_eq!(failing.len(), 1, "{results:?}");
    match &failing[0].outcome {
        WarmOutcome::ReportedFailures { report } => assert_eq!(report.failure, 44),
        other => panic!("{other:?}"),
    }
    for ok in results.iter().filter(|x| x.outcome.ok()) {
        if let WarmOutcome::Warmed { report } = &ok.outcome {
            assert_eq!(report.total, 1834);
        }
    }
    let lines = audit_lines(&r);
    assert_eq!(lines.len(), 3, "two starts and the first one's outcome: {lines:?}");
    assert_eq!(lines[0]["task_ids"].as_array().unwrap().len(), 3);
    // A warm in which a task failed is not "ok": its outcome line says failed, per target.
    let outcome = &lines[2];
    assert_eq!(outcome["id"], lines[0]["id"]);
    assert_eq!(outcome["outcome"], "failed");
    assert!(outcome["reason"].as_str().unwrap().contains("1 of 3 tasks failed"), "{outcome}");
    let per_target = outcome["results"].as_array().unwrap();
    assert_eq!(per_target.len(), 3);
    let failed: Vec<_> = per_target.iter().filter(|t| t["outcome"]["outcome"] == "reported_failures").collect();
    assert_eq!(failed.len(), 1, "{outcome}");
    assert_eq!(failed[0]["outcome"]["report"]["failure"], 44);
    assert_eq!(r.sim.shared.request_count("ecs:RunTask"), 6);
    let tasks = r.sim.with_world("123456789012", "ap-northeast-1", |w| {
        w.clusters["wp-prod"].tasks.values().filter(|t| t.started_by.as_deref() == Some("wpops-warm")).count()
    });
    assert_eq!(tasks, 3, "never started twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_no_mutating_request_on_any_path() {
    let mut r = rig("default", true).await;
    assert!(matches!(runners::redeploy(&mut r.op, false).await, Err(ActionError::Refused(_))));
    let plan = runners::plan_rollback(&r.op).await.unwrap();
    assert!(matches!(runners::rollback(&mut r.op, &plan, true).await, Err(ActionError::Refused(_))));
    let warm = runners::plan_warm(&r.op, &WarmSettings::default()).await.unwrap();
    assert!(matches!(runners::start_warm(&mut r.op, &warm, "ro").await, Err(ActionError::Refused(_))));
    let def = wpops::aws::ecs_write::WarmerDefinition {
        family: "x-warmer".into(),
        image: "curl".into(),
        log_group: None,
        log_prefix: None,
        cpu: "256".into(),
        memory: "512".into(),
        execution_role: None,
        region: "ap-northeast-1".into(),
    };
    assert!(matches!(runners::register_warmer(&mut r.op, &def).await, Err(ActionError::Refused(_))));
    let stop = wpops::aws::ecs_write::stop_task(&r.op.clients, "wp-prod", &warm.targets[0].task_id, "test").await;
    assert!(stop.unwrap_err().is_read_only_refusal());
    for op in ["ecs:UpdateService", "ecs:RunTask", "ecs:StopTask", "ecs:RegisterTaskDefinition"] {
        assert_eq!(r.sim.shared.request_count(op), 0, "{op} reached the simulator");
    }
    assert!(r.sim.shared.request_count("ecs:DescribeServices") > 0, "reads still work");
    let lines = audit_lines(&r);
    assert!(lines.iter().all(|l| l["result"] == "refused"), "{lines:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_redeploy_while_one_rolls_out_is_refused() {
    let mut r = rig("default", false).await;
    runners::redeploy(&mut r.op, false).await.unwrap();
    match runners::redeploy(&mut r.op, false).await {
        Err(ActionError::Refused(m)) => assert!(m.contains("started by wpops"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(r.sim.shared.request_count("ecs:UpdateService"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_deployment_in_progress_refuses_unless_forced() {
    let mut r = rig("default", false).await;
    r.op.clients
        .ecs
        .update_service()
        .cluster("wp-prod")
        .service("wordpress")
        .force_new_deployment(true)
        .send()
        .await
        .unwrap();
    match runners::redeploy(&mut r.op, false).await {
        Err(ActionError::Refused(m)) => assert!(m.contains("not started by wpops"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(runners::redeploy(&mut r.op, true).await.is_ok());
    assert_eq!(r.sim.shared.request_count("ecs:UpdateService"), 2);
}
