//! The service health verdict behind `wpops status` and its exit code: healthy, a rollout in
//! progress (not unhealthy until it fails or overruns, QUALITY.md 11), or unhealthy with the
//! reasons in the operator's words. Pure: facts and `now` are passed in.

use serde::{Deserialize, Serialize};

use super::ecs::{DeploymentStatus, Health, RolloutState, Service, Task};
use super::findings::{Finding, FindingAction, Severity};
use super::format::format_age;
use super::logline::ContainerRole;
use super::targets::TargetHealth;
use super::warm::{DEFAULT_WARM_LIMIT_MS, WarmEvidence, WarmerVerdict};

/// Limits the verdict applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthRules {
    /// A warmer still running or pending this long after its task started is overdue.
    pub warm_limit_ms: i64,
    /// A rollout running longer than this counts as unhealthy.
    pub rollout_limit_ms: i64,
}

impl Default for HealthRules {
    fn default() -> Self {
        HealthRules { warm_limit_ms: DEFAULT_WARM_LIMIT_MS, rollout_limit_ms: 30 * 60_000 }
    }
}

/// The service's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum ServiceHealth {
    Healthy,
    /// A rollout is under way and has neither failed nor overrun; `notes` are what would be
    /// reasons outside a rollout (fewer running tasks, a warmer not done…).
    RolloutInProgress {
        deployment_id: String,
        since_ms: i64,
        notes: Vec<String>,
    },
    /// A task replacement that this console started is under way and has not overrun the
    /// rollout limit; `notes` as for a rollout (fewer running tasks while the scheduler starts
    /// the replacement…).
    ReplacementInProgress {
        task_id: String,
        since_ms: i64,
        notes: Vec<String>,
    },
    Unhealthy {
        reasons: Vec<String>,
    },
}

/// A task replacement the operator started from this console and that has not ended yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacing {
    /// The task being replaced.
    pub task_id: String,
    /// When it was confirmed.
    pub since_ms: i64,
}

impl ServiceHealth {
    /// The `wpops status` exit code: 0 healthy or rolling out, 1 unhealthy (PRODUCT.md).
    pub fn exit_code(&self) -> i32 {
        match self {
            ServiceHealth::Unhealthy { .. } => 1,
            _ => 0,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            ServiceHealth::Healthy => "healthy",
            ServiceHealth::RolloutInProgress { .. } => "rollout in progress",
            ServiceHealth::ReplacementInProgress { .. } => "replacement in progress",
            ServiceHealth::Unhealthy { .. } => "unhealthy",
        }
    }
}

fn short(id: &str) -> &str {
    super::ids::task_prefix(id)
}

/// Failures that count even during a rollout, as findings.
pub(crate) fn hard_findings(service: &Service, now_ms: i64, rules: &HealthRules) -> Vec<Finding> {
    let mut out = Vec::new();
    if !service.status.is_empty() && service.status != "ACTIVE" {
        out.push(
            Finding::runtime("service_inactive", Severity::Critical, format!("service is {}", service.status))
                .evidence(format!("DescribeServices status {}", service.status)),
        );
    }
    for d in &service.deployments {
        let why = d.rollout_reason.as_deref().unwrap_or("no reason given");
        if d.rollout == RolloutState::Failed {
            out.push(
                Finding::runtime(
                    "rollout_failed",
                    Severity::High,
                    format!("rollout FAILED for deployment {}: {why}", d.id),
                )
                .subject(d.id.clone())
                .evidence(format!("{} of {} · {} failed tasks", d.id, d.task_definition.short(), d.failed_tasks))
                .change("read the failed deployment's stopped tasks and events (e), fix, then deploy again"),
            );
        } else if d.status == DeploymentStatus::Primary && (why.contains("rolling back") || why.contains("rolled back"))
        {
            out.push(
                Finding::runtime("rolled_back", Severity::High, format!("rolled back: {why}"))
                    .subject(d.id.clone())
                    .evidence(format!("primary {} now runs {}", d.id, d.task_definition.short()))
                    .change("the failed revision's tasks did not pass their health checks: see its stopped tasks (e)"),
            );
        }
    }
    if service.rollout_in_progress()
        && let Some(p) = service.primary()
    {
        let age = now_ms.saturating_sub(p.created_at_ms);
        if age > rules.rollout_limit_ms {
            out.push(
                Finding::runtime(
                    "rollout_overrun",
                    Severity::High,
                    format!(
                        "rollout in progress for {} (limit {})",
                        format_age(age),
                        format_age(rules.rollout_limit_ms)
                    ),
                )
                .subject(p.id.clone())
                .evidence(format!("{} {} running of {}", p.id, p.running, p.desired))
                .action(FindingAction::Rollback { to: String::new() }),
            );
        }
    }
    out
}

/// What the warmer's verdict suggests doing.
fn warmer_remedy(f: Finding, verdict: &WarmerVerdict, task_id: &str) -> Finding {
    match verdict {
        WarmerVerdict::Failed { exit_code: 127, .. } => f.action(FindingAction::Warm).change(
            "the warmer's command is not in its image (the seed's `CMD GET …` in an image without `GET`): \
             run `curl -fsS http://localhost/opcache_warmer.php` instead",
        ),
        WarmerVerdict::Failed { exit_code, .. } => f
            .action(FindingAction::Warm)
            .change(format!("exit {exit_code}: {}", super::warm::explain_exit_code(*exit_code))),
        WarmerVerdict::ReportedFailures(_) => f
            .action(FindingAction::Warm)
            .change("the report lists the files that failed to compile: fix them, then re-run warming"),
        WarmerVerdict::Missing => f.change("add the warmer container to the task definition (non-essential)"),
        WarmerVerdict::NeverRan { .. } => f.action(FindingAction::Replace { task_id: task_id.to_owned() }),
        _ => f.action(FindingAction::Warm),
    }
}

/// Problems that a rollout explains while it runs, as findings (high outside a rollout).
pub(crate) fn soft_findings<'a>(
    service: &Service,
    tasks: &[Task],
    targets: &[TargetHealth],
    evidence_for: &dyn Fn(&str) -> WarmEvidence<'a>,
    now_ms: i64,
    rules: &HealthRules,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if service.running < service.desired {
        out.push(
            Finding::runtime(
                "tasks_missing",
                Severity::High,
                format!("{}/{} tasks running", service.running, service.desired),
            )
            .evidence(format!(
                "desired {} · running {} · pending {}",
                service.desired, service.running, service.pending
            )),
        );
    }
    for task in tasks.iter().filter(|t| t.is_running()) {
        let id = short(&task.id);
        let verdict = task.warmer_verdict(evidence_for(&task.id), now_ms, rules.warm_limit_ms);
        if verdict.stands_out() {
            let f = Finding::runtime("warmer", Severity::High, format!("task {id}: warmer {}", verdict.summary()))
                .subject(task.id.to_string())
                .evidence(format!("task {id} · {}", task.task_definition.short()));
            out.push(warmer_remedy(f, &verdict, &task.id));
        }
        let sick: Vec<&str> = task
            .containers
            .iter()
            .filter(|c| c.role != ContainerRole::Warmer && c.health == Health::Unhealthy)
            .map(|c| c.name.as_str())
            .collect();
        let title = if !sick.is_empty() {
            Some(format!("task {id}: {} UNHEALTHY", sick.join(", ")))
        } else if task.health == Health::Unhealthy {
            Some(format!("task {id}: UNHEALTHY"))
        } else {
            None
        };
        if let Some(title) = title {
            out.push(
                Finding::runtime("task_unhealthy", Severity::High, title)
                    .subject(task.id.to_string())
                    .evidence("its container health check fails")
                    .action(FindingAction::Replace { task_id: task.id.to_string() }),
            );
        }
    }
    for t in targets.iter().filter(|t| t.is_unhealthy()) {
        let why = t.reason.as_deref().unwrap_or("no reason given");
        out.push(
            Finding::runtime("target_unhealthy", Severity::High, format!("target {} {} ({why})", t.address(), t.state))
                .subject(t.address())
                .evidence(format!("DescribeTargetHealth: {} {why}", t.state)),
        );
    }
    out
}

fn titles(fs: Vec<Finding>) -> Vec<String> {
    fs.into_iter().map(|f| f.title).collect()
}

/// The verdict: failed or rolled-back rollouts and overruns are always unhealthy; during a
/// rollout everything else is a note; otherwise any problem is a reason. `evidence_for` gives
/// a task's warm report lookup and newest re-warm by task id.
pub fn service_health<'a>(
    service: &Service,
    tasks: &[Task],
    targets: &[TargetHealth],
    evidence_for: &dyn Fn(&str) -> WarmEvidence<'a>,
    now_ms: i64,
    rules: &HealthRules,
) -> ServiceHealth {
    service_health_replacing(service, tasks, targets, evidence_for, None, now_ms, rules)
}

/// The verdict while the console may be replacing a task: a replacement it started reads like
/// a rollout within its time — what it explains (fewer running tasks, the new task warming) is
/// a note — and is unhealthy once it runs past the rollout limit.
pub fn service_health_replacing<'a>(
    service: &Service,
    tasks: &[Task],
    targets: &[TargetHealth],
    evidence_for: &dyn Fn(&str) -> WarmEvidence<'a>,
    replacing: Option<&Replacing>,
    now_ms: i64,
    rules: &HealthRules,
) -> ServiceHealth {
    let mut hard = titles(hard_findings(service, now_ms, rules));
    let soft = titles(soft_findings(service, tasks, targets, evidence_for, now_ms, rules));
    if let Some(r) = replacing {
        let age = now_ms.saturating_sub(r.since_ms);
        if age > rules.rollout_limit_ms {
            hard.push(format!(
                "replacement of task {} in progress for {} (limit {})",
                short(&r.task_id),
                format_age(age),
                format_age(rules.rollout_limit_ms)
            ));
        }
    }
    if !hard.is_empty() {
        hard.extend(soft);
        return ServiceHealth::Unhealthy { reasons: hard };
    }
    if service.rollout_in_progress() {
        let primary = service.primary();
        return ServiceHealth::RolloutInProgress {
            deployment_id: primary.map(|d| d.id.clone()).unwrap_or_default(),
            since_ms: primary.map_or(0, |d| d.created_at_ms),
            notes: soft,
        };
    }
    if let Some(r) = replacing {
        return ServiceHealth::ReplacementInProgress { task_id: r.task_id.clone(), since_ms: r.since_ms, notes: soft };
    }
    if soft.is_empty() { ServiceHealth::Healthy } else { ServiceHealth::Unhealthy { reasons: soft } }
}

#[cfg(test)]
mod tests;
