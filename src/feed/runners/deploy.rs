//! Deployments: force a redeploy, plan and start a rollback to the task definition of the last
//! deployment that completed before the current one and ran another task definition (refused
//! when there is none), with what differs in images and digests and a warning when both use the
//! same mutable tag, and follow a rollout to COMPLETED, FAILED
//! or rolled back by the circuit breaker. Starting one holds the site's lock around the check,
//! the UpdateService and one more look, which reports deployments that appeared meanwhile.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde_json::json;

use super::audit::{AuditAction, AuditOutcome, AuditResult, Watched};
use super::{ActionError, Operator};
use crate::aws::{ecs, ecs_write};
use crate::model::{
    Deployment, DeploymentStatus, RollbackPlan, RolloutState, Service, ServiceEvent, image_changes,
    rollback_candidates, rollback_target, short_td,
};

/// A deployment wpops started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub deployment_id: String,
    /// The audit line that recorded it, for the outcome line that follows it.
    pub watched: Watched,
    /// Deployments this action did not start that were not there at the check right before the
    /// call and were there in its answer or the look after it: someone else (a pipeline, a
    /// colleague, wpops on another machine) started one at the same moment.
    pub appeared: Vec<Deployment>,
}

impl Started {
    /// One sentence per deployment that appeared, for the operator.
    pub fn appeared_notes(&self) -> Vec<String> {
        self.appeared
            .iter()
            .map(|d| {
                let what = if d.status == DeploymentStatus::Primary {
                    format!("it is now the service's primary: {} is superseded", self.deployment_id)
                } else {
                    format!("{} replaces it", self.deployment_id)
                };
                format!(
                    "deployment {} ({}, {}) appeared between wpops's check and its call, or right after: not started \
                     by this action (a pipeline or a colleague?); {what}",
                    d.id,
                    short_td(&d.task_definition),
                    d.rollout
                )
            })
            .collect()
    }
}

/// UpdateService with forceNewDeployment; returns the new deployment.
pub async fn redeploy(op: &mut Operator, force: bool) -> Result<Started, ActionError> {
    let _ = op.identify().await;
    let request = json!({"forceNewDeployment": true, "force": force});
    let _lock = op.lock_site(AuditAction::Redeploy, &request).await?;
    let before = op.check_deployments(AuditAction::Redeploy, &request, force).await?;
    start(op, AuditAction::Redeploy, request, None, &before).await
}

/// The mutating call, under the site's lock right after `before` was read: UpdateService, then
/// one more look at the service for deployments that appeared meanwhile.
async fn start(
    op: &Operator,
    action: AuditAction,
    request: serde_json::Value,
    td: Option<&str>,
    before: &Service,
) -> Result<Started, ActionError> {
    match ecs_write::update_service(&op.clients, &op.cluster, &op.service, td).await {
        Ok(answer) => {
            let id = answer.primary().map(|d| d.id.clone()).unwrap_or_default();
            let after = match ecs::describe_service(&op.clients, &op.cluster, &op.service).await {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!("after {}: could not look at the service again: {e}", action.label());
                    None
                }
            };
            let appeared = appeared(before, &answer, after.as_ref(), &id);
            let entry = op.entry(action, request);
            let watched =
                Watched { id: entry.id.clone(), action, deployment_id: Some(id.clone()), task_ids: Vec::new() };
            op.record(super::audit::AuditEntry {
                result: AuditResult::Ok,
                deployment_id: Some(id.clone()),
                appeared_deployments: appeared.iter().map(|d| d.id.clone()).collect(),
                ..entry
            });
            Ok(Started { deployment_id: id, watched, appeared })
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

/// Deployments other than `ours` in the call's answer or the look after it (the latest seen of
/// each) that the check before the call did not see.
fn appeared(before: &Service, answer: &Service, after: Option<&Service>, ours: &str) -> Vec<Deployment> {
    let known: HashSet<&str> = before.deployments.iter().map(|d| d.id.as_str()).chain([ours]).collect();
    let mut found: Vec<Deployment> = Vec::new();
    for d in after.into_iter().chain([answer]).flat_map(|s| &s.deployments) {
        if !known.contains(d.id.as_str()) && !found.iter().any(|f| f.id == d.id) {
            found.push(d.clone());
        }
    }
    found
}

/// Finds the rollback target and what it changes: the newest deployment that completed before
/// the current one and ran another task definition. Refused (nothing is sent) when there is
/// none, saying why: a rollback to the revision running now would change nothing.
pub async fn plan_rollback(op: &Operator) -> Result<RollbackPlan, ActionError> {
    let history = ecs_write::deployment_history(&op.clients, &op.cluster, &op.service).await?;
    let wanted = rollback_candidates(&history, 20);
    let revs = if wanted.is_empty() { Vec::new() } else { ecs_write::revisions(&op.clients, &wanted).await? };
    let target = rollback_target(&history, &revs).map_err(|why| ActionError::Refused(why.to_string()))?.clone();
    let current = history.first().cloned().unwrap_or_default();
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
    warnings.push("the next pipeline run will deploy its own revision again and undo this rollback".into());
    Ok(RollbackPlan { current, target, from, to, changes, warnings })
}

/// Starts the planned rollback; returns the new deployment.
pub async fn rollback(op: &mut Operator, plan: &RollbackPlan, force: bool) -> Result<Started, ActionError> {
    let _ = op.identify().await;
    let request = json!({"taskDefinition": plan.to.task_definition, "from": plan.from.task_definition, "force": force});
    let _lock = op.lock_site(AuditAction::Rollback, &request).await?;
    let before = op.check_deployments(AuditAction::Rollback, &request, force).await?;
    start(op, AuditAction::Rollback, request, Some(&plan.to.task_definition), &before).await
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

/// Follows the deployment `watched` started until it completes, fails, is rolled back, or
/// `timeout` passes; the outcome goes to the audit log as the action's second line, and to
/// `--log-file`.
pub async fn follow_rollout(
    op: &Operator,
    watched: &Watched,
    timeout: Duration,
    every: Duration,
    progress: impl FnMut(&RolloutProgress),
) -> Result<RolloutOutcome, ActionError> {
    let id = watched.deployment_id.as_deref().unwrap_or_default();
    tracing::info!(deployment_id = id, "following deployment {id} of {}/{}", op.cluster, op.service);
    let outcome = watch_rollout(op, id, timeout, every, progress).await;
    match &outcome {
        Ok(o) if o.succeeded() => tracing::info!(deployment_id = id, "deployment {id}: {}", o.describe()),
        Ok(o) => tracing::warn!(deployment_id = id, "deployment {id}: {}", o.describe()),
        Err(e) => tracing::warn!(deployment_id = id, "stopped following deployment {id}: {e}"),
    }
    let entry = |o| op.outcome_entry(watched, o);
    op.record_outcome(match &outcome {
        Ok(RolloutOutcome::Completed) => entry(AuditOutcome::Completed),
        Ok(RolloutOutcome::Failed { reason }) => {
            super::audit::AuditOutcomeEntry { reason: Some(reason.clone()), ..entry(AuditOutcome::Failed) }
        }
        Ok(RolloutOutcome::RolledBack { reason, to_task_definition }) => super::audit::AuditOutcomeEntry {
            reason: Some(reason.clone()),
            to_task_definition: Some(to_task_definition.clone()),
            ..entry(AuditOutcome::RolledBack)
        },
        Ok(o @ RolloutOutcome::TimedOut) => {
            super::audit::AuditOutcomeEntry { reason: Some(o.describe()), ..entry(AuditOutcome::NotSeen) }
        }
        Err(e) => super::audit::AuditOutcomeEntry {
            reason: Some(format!("stopped following: {e}")),
            ..entry(AuditOutcome::NotSeen)
        },
    });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Deployment;

    fn service(deployments: &[(&str, DeploymentStatus)]) -> Service {
        let deployments = deployments
            .iter()
            .map(|(id, status)| Deployment { id: id.to_string(), status: status.clone(), ..Deployment::default() })
            .collect();
        Service { deployments, ..Service::default() }
    }

    fn ids(ds: &[Deployment]) -> Vec<&str> {
        ds.iter().map(|d| d.id.as_str()).collect()
    }

    #[test]
    fn only_deployments_the_check_did_not_see_and_we_did_not_start_appeared() {
        use DeploymentStatus::{Active, Primary};
        let before = service(&[("old", Primary)]);
        // The usual case: ours is primary, the old one drains.
        let answer = service(&[("ours", Primary), ("old", Active)]);
        assert!(appeared(&before, &answer, Some(&answer), "ours").is_empty());
        // A pipeline's UpdateService landed between the check and ours: ours replaces it.
        let answer = service(&[("ours", Primary), ("pipeline", Active), ("old", Active)]);
        let found = appeared(&before, &answer, None, "ours");
        assert_eq!(ids(&found), vec!["pipeline"]);
        // One landed right after ours: the look after the call sees it as the primary.
        let after = service(&[("late", Primary), ("ours", Active), ("old", Active)]);
        let found = appeared(&before, &service(&[("ours", Primary), ("old", Active)]), Some(&after), "ours");
        assert_eq!(ids(&found), vec!["late"]);
        assert_eq!(found[0].status, Primary, "the latest look's view of it");
        // Both, each named once.
        let found = appeared(&before, &answer, Some(&service(&[("late", Primary), ("pipeline", Active)])), "ours");
        assert_eq!(ids(&found), vec!["late", "pipeline"]);
    }

    #[test]
    fn the_notes_say_who_is_superseded() {
        let started = Started {
            deployment_id: "ours".into(),
            watched: Watched::default(),
            appeared: vec![Deployment {
                id: "late".into(),
                status: DeploymentStatus::Primary,
                ..Deployment::default()
            }],
        };
        let notes = started.appeared_notes();
        assert_eq!(notes.len(), 1);
        assert!(notes[0].starts_with("deployment late ("), "{}", notes[0]);
        assert!(notes[0].contains("not started by this action"), "{}", notes[0]);
        assert!(notes[0].ends_with("ours is superseded"), "{}", notes[0]);
    }
}
