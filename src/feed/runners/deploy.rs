//! Deployments: force a redeploy, plan and start a rollback to the task definition of the last
//! deployment that completed before the current one (with what differs in images and digests,
//! and a warning when both use the same mutable tag), and follow a rollout to COMPLETED, FAILED
//! or rolled back by the circuit breaker.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde_json::json;

use super::audit::{AuditAction, AuditResult};
use super::{ActionError, Operator, guard_in_progress};
use crate::aws::{ecs, ecs_write};
use crate::model::{RollbackPlan, RolloutState, Service, ServiceEvent, image_changes, rollback_target, short_td};

/// UpdateService with forceNewDeployment; returns the new deployment's id.
pub async fn redeploy(op: &mut Operator, force: bool) -> Result<String, ActionError> {
    let _ = op.identify().await;
    let service = ecs::describe_service(&op.clients, &op.cluster, &op.service).await?;
    let request = json!({"forceNewDeployment": true, "force": force});
    if let Err(e) = guard_in_progress(op, &service, force) {
        op.record(super::audit::AuditEntry {
            result: AuditResult::Refused,
            error: Some(e.to_string()),
            ..op.entry(AuditAction::Redeploy, request)
        });
        return Err(e);
    }
    start(op, AuditAction::Redeploy, request, None).await
}

async fn start(
    op: &Operator,
    action: AuditAction,
    request: serde_json::Value,
    td: Option<&str>,
) -> Result<String, ActionError> {
    match ecs_write::update_service(&op.clients, &op.cluster, &op.service, td).await {
        Ok(svc) => {
            let id = svc.primary().map(|d| d.id.clone()).unwrap_or_default();
            op.record(super::audit::AuditEntry {
                result: AuditResult::Ok,
                deployment_id: Some(id.clone()),
                ..op.entry(action, request)
            });
            Ok(id)
        }
        Err(e) => {
            let err = ActionError::from(e);
            let result =
                if matches!(err, ActionError::Refused(_)) { AuditResult::Refused } else { AuditResult::Failed };
            op.record(super::audit::AuditEntry { result, error: Some(err.to_string()), ..op.entry(action, request) });
            Err(err)
        }
    }
}

/// Finds the rollback target and what it changes.
pub async fn plan_rollback(op: &Operator) -> Result<RollbackPlan, ActionError> {
    let history = ecs_write::deployment_history(&op.clients, &op.cluster, &op.service).await?;
    let current =
        history.first().cloned().ok_or_else(|| ActionError::Usage("the service has no deployment history".into()))?;
    let target = rollback_target(&history).cloned().ok_or_else(|| {
        ActionError::Usage("no deployment completed before the current one: nothing to roll back to".into())
    })?;
    let revs =
        ecs_write::revisions(&op.clients, &[current.target_revision.clone(), target.target_revision.clone()]).await?;
    let find = |arn: &str| revs.iter().find(|r| r.arn == arn).cloned();
    let from = find(&current.target_revision)
        .ok_or_else(|| ActionError::Usage("the current revision is not described".into()))?;
    let to = find(&target.target_revision)
        .ok_or_else(|| ActionError::Usage("the target revision is not described".into()))?;
    let changes = image_changes(&from, &to);
    let mut warnings = Vec::new();
    let digests_differ = changes.iter().any(|c| c.from_digest != c.to_digest);
    if !changes.is_empty() && changes.iter().all(|c| c.same_mutable_tag) {
        warnings.push(format!(
            "both revisions run the same mutable tags ({}): ECS resolves a tag again when it starts a task, so this \
             rollback would run whatever was pushed last — it changes nothing{}",
            changes
                .iter()
                .map(|c| c.to_image.rsplit('/').next().unwrap_or(&c.to_image).to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if digests_differ {
                " (the digests recorded then differ, but cannot be brought back through the tag)"
            } else {
                ""
            }
        ));
    }
    if from.task_definition == to.task_definition {
        warnings.push(format!("the target runs the same task definition as now ({})", short_td(&to.task_definition)));
    }
    warnings.push("the next pipeline run will deploy its own revision again and undo this rollback".into());
    Ok(RollbackPlan { current, target, from, to, changes, warnings })
}

/// Starts the planned rollback; returns the new deployment's id.
pub async fn rollback(op: &mut Operator, plan: &RollbackPlan, force: bool) -> Result<String, ActionError> {
    let _ = op.identify().await;
    let service = ecs::describe_service(&op.clients, &op.cluster, &op.service).await?;
    let request = json!({"taskDefinition": plan.to.task_definition, "from": plan.from.task_definition, "force": force});
    if let Err(e) = guard_in_progress(op, &service, force) {
        op.record(super::audit::AuditEntry {
            result: AuditResult::Refused,
            error: Some(e.to_string()),
            ..op.entry(AuditAction::Rollback, request)
        });
        return Err(e);
    }
    start(op, AuditAction::Rollback, request, Some(&plan.to.task_definition)).await
}

/// How a followed rollout ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RolloutOutcome {
    Completed,
    Failed {
        reason: String,
    },
    /// The deployment failed and the circuit breaker rolled the service back.
    RolledBack {
        reason: String,
        to_task_definition: String,
    },
    TimedOut,
}

impl RolloutOutcome {
    /// Said plainly, for the operator.
    pub fn describe(&self) -> String {
        match self {
            RolloutOutcome::Completed => "COMPLETED".into(),
            RolloutOutcome::Failed { reason } => format!("FAILED: {reason}"),
            RolloutOutcome::RolledBack { reason, to_task_definition } => {
                format!("FAILED and rolled back by the circuit breaker to {}: {reason}", short_td(to_task_definition))
            }
            RolloutOutcome::TimedOut => "still rolling out when the wait ended".into(),
        }
    }

    pub fn succeeded(&self) -> bool {
        matches!(self, RolloutOutcome::Completed)
    }
}

/// One look at a rollout being followed.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutProgress {
    pub elapsed: Duration,
    pub service: Service,
    /// Service events that arrived since the last look, oldest first.
    pub new_events: Vec<ServiceEvent>,
}

/// The outcome of a deployment created at `created_at` according to the deployment history,
/// when it was rolled back (ROLLBACK_* status).
async fn from_history(op: &Operator, created_at: i64, to: &str) -> Result<Option<RolloutOutcome>, ActionError> {
    let history = ecs_write::deployment_history(&op.clients, &op.cluster, &op.service).await?;
    let ours = history.iter().find(|d| (d.created_at_ms - created_at).abs() <= 5_000);
    Ok(ours.filter(|d| d.status.starts_with("ROLLBACK_") || d.rolled_back).map(|d| {
        let reason = d.status_reason.clone().unwrap_or_else(|| "tasks failed to start".into());
        if d.status == "ROLLBACK_FAILED" {
            RolloutOutcome::Failed { reason: format!("{reason}; the rollback failed too") }
        } else {
            RolloutOutcome::RolledBack { reason, to_task_definition: to.to_string() }
        }
    }))
}

/// Follows deployment `id` until it completes, fails, is rolled back, or `timeout` passes; the
/// outcome goes to `--log-file` too.
pub async fn follow_rollout(
    op: &Operator,
    id: &str,
    timeout: Duration,
    every: Duration,
    progress: impl FnMut(&RolloutProgress),
) -> Result<RolloutOutcome, ActionError> {
    tracing::info!(deployment_id = id, "following deployment {id} of {}/{}", op.cluster, op.service);
    let outcome = watch_rollout(op, id, timeout, every, progress).await;
    match &outcome {
        Ok(o) if o.succeeded() => tracing::info!(deployment_id = id, "deployment {id}: {}", o.describe()),
        Ok(o) => tracing::warn!(deployment_id = id, "deployment {id}: {}", o.describe()),
        Err(e) => tracing::warn!(deployment_id = id, "stopped following deployment {id}: {e}"),
    }
    outcome
}

async fn watch_rollout(
    op: &Operator,
    id: &str,
    timeout: Duration,
    every: Duration,
    mut progress: impl FnMut(&RolloutProgress),
) -> Result<RolloutOutcome, ActionError> {
    let started = Instant::now();
    let mut seen: HashSet<String> = HashSet::new();
    let mut first = true;
    let mut failed_reason: Option<String> = None;
    let mut failed_polls = 0;
    let mut created_at = 0;
    loop {
        let service = ecs::describe_service(&op.clients, &op.cluster, &op.service).await?;
        // On the first look, the events since the deployment was created are news too.
        let since = service.deployments.iter().find(|d| d.id == id).map(|d| d.created_at_ms).unwrap_or(i64::MAX);
        let mut new_events: Vec<ServiceEvent> = service
            .events
            .iter()
            .filter(|e| seen.insert(e.id.clone()) && (!first || e.at_ms >= since))
            .cloned()
            .collect();
        new_events.reverse();
        first = false;
        progress(&RolloutProgress { elapsed: started.elapsed(), service: service.clone(), new_events });
        let ours = service.deployments.iter().find(|d| d.id == id);
        if let Some(d) = ours {
            created_at = d.created_at_ms;
        }
        let primary = service.primary();
        match ours {
            Some(d) if d.rollout == RolloutState::Completed && service.deployments.len() == 1 => {
                return Ok(RolloutOutcome::Completed);
            }
            Some(d) if d.rollout == RolloutState::Failed => {
                failed_reason = Some(d.rollout_reason.clone().unwrap_or_else(|| "tasks failed to start".into()));
                if primary.is_some_and(|p| p.id == id) {
                    failed_polls += 1;
                    if failed_polls >= 3 {
                        return Ok(RolloutOutcome::Failed { reason: failed_reason.unwrap_or_default() });
                    }
                }
            }
            Some(_) => {
                if let Some(p) = primary.filter(|p| p.id != id) {
                    return Ok(RolloutOutcome::Failed { reason: format!("superseded by deployment {}", p.id) });
                }
            }
            None => {
                let to = primary.map(|p| p.task_definition.as_str().to_owned()).unwrap_or_default();
                let settled =
                    primary.is_some_and(|p| p.rollout == RolloutState::Completed) && service.deployments.len() == 1;
                match &failed_reason {
                    Some(reason) if settled => {
                        return Ok(RolloutOutcome::RolledBack { reason: reason.clone(), to_task_definition: to });
                    }
                    Some(_) => {}
                    None => {
                        // Gone between two looks: the deployment history says whether the
                        // circuit breaker rolled it back or another deployment replaced it.
                        if let Some(outcome) = from_history(op, created_at, &to).await? {
                            return Ok(outcome);
                        }
                        let by = primary.map(|p| p.id.clone()).unwrap_or_default();
                        return Ok(RolloutOutcome::Failed {
                            reason: format!("deployment {id} is gone; the service now runs {by}"),
                        });
                    }
                }
            }
        }
        if started.elapsed() >= timeout {
            return Ok(RolloutOutcome::TimedOut);
        }
        tokio::time::sleep(every).await;
    }
}
