//! Replacing one task: StopTask with a reason that names the caller, then following the
//! scheduler's replacement until its warmer has finished (or the wait ends).

use std::time::{Duration, Instant};

use serde_json::json;

use super::audit::{AuditAction, AuditOutcome, AuditOutcomeEntry, AuditResult, Watched};
use super::{ActionError, Operator};
use crate::aws::{ecs, ecs_write};
use crate::model::{LastStatus, Task, WarmEvidence, WarmerVerdict};

/// Stops `task_id`; the service's scheduler starts a replacement. Returns the audit line that
/// recorded it, for the outcome line that follows it.
pub async fn replace_task(op: &mut Operator, task_id: &str) -> Result<Watched, ActionError> {
    let who = op.identify().await.map(|c| c.arn.clone()).unwrap_or_else(|_| "wpops".into());
    let reason = format!("wpops: replaced by {who}");
    let request = json!({"task": task_id, "reason": reason});
    let _lock = op.lock_site(AuditAction::ReplaceTask, &request).await?;
    let result = ecs_write::stop_task(&op.clients, &op.cluster, task_id, &reason).await;
    let (res, err) = match &result {
        Ok(()) => (AuditResult::Ok, None),
        Err(e) if e.is_read_only_refusal() => (AuditResult::Refused, Some(e.to_string())),
        Err(e) => (AuditResult::Failed, Some(e.to_string())),
    };
    let entry = op.entry(AuditAction::ReplaceTask, request);
    let watched = Watched {
        id: entry.id.clone(),
        action: AuditAction::ReplaceTask,
        deployment_id: None,
        task_ids: vec![task_id.to_string()],
    };
    op.record(super::audit::AuditEntry { result: res, error: err, task_ids: watched.task_ids.clone(), ..entry });
    result?;
    Ok(watched)
}

/// How a replacement ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplaceOutcome {
    /// The replacement runs and its warmer finished healthy.
    Replaced {
        task_id: String,
    },
    /// The replacement runs but its warmer did not end healthy.
    WarmerTrouble {
        task_id: String,
        verdict: String,
    },
    TimedOut,
}

/// Follows the service until a task started after `since_ms` runs and its warmer has stopped;
/// the outcome goes to `--log-file` too.
pub async fn follow_replacement(
    op: &Operator,
    watched: &Watched,
    since_ms: i64,
    timeout: Duration,
    every: Duration,
    progress: impl FnMut(&[Task]),
) -> Result<ReplaceOutcome, ActionError> {
    tracing::info!("following the replacement task on {}/{}", op.cluster, op.service);
    let outcome = watch_replacement(op, since_ms, timeout, every, progress).await;
    match &outcome {
        Ok(ReplaceOutcome::Replaced { task_id }) => {
            tracing::info!("replaced by {}: its warmer finished healthy", crate::model::task_prefix(task_id))
        }
        Ok(ReplaceOutcome::WarmerTrouble { task_id, verdict }) => {
            tracing::warn!("replaced by {}, but its warmer: {verdict}", crate::model::task_prefix(task_id))
        }
        Ok(ReplaceOutcome::TimedOut) => tracing::warn!("no replacement finished warming before the wait ended"),
        Err(e) => tracing::warn!("stopped following the replacement: {e}"),
    }
    let entry = |o| op.outcome_entry(watched, o);
    op.record_outcome(match &outcome {
        Ok(ReplaceOutcome::Replaced { task_id }) => {
            AuditOutcomeEntry { replacement: Some(task_id.clone()), ..entry(AuditOutcome::Completed) }
        }
        Ok(ReplaceOutcome::WarmerTrouble { task_id, verdict }) => AuditOutcomeEntry {
            replacement: Some(task_id.clone()),
            reason: Some(format!("the replacement's warmer: {verdict}")),
            ..entry(AuditOutcome::Failed)
        },
        Ok(ReplaceOutcome::TimedOut) => AuditOutcomeEntry {
            reason: Some("no replacement finished warming before the wait ended".into()),
            ..entry(AuditOutcome::NotSeen)
        },
        Err(e) => AuditOutcomeEntry { reason: Some(format!("stopped following: {e}")), ..entry(AuditOutcome::NotSeen) },
    });
    outcome
}

async fn watch_replacement(
    op: &Operator,
    since_ms: i64,
    timeout: Duration,
    every: Duration,
    mut progress: impl FnMut(&[Task]),
) -> Result<ReplaceOutcome, ActionError> {
    let begin = Instant::now();
    while begin.elapsed() < timeout {
        let arns = ecs::list_task_arns(&op.clients, &op.cluster, &op.service, false).await?;
        let tasks =
            if arns.is_empty() { Vec::new() } else { ecs::describe_tasks(&op.clients, &op.cluster, &arns).await? };
        let fresh: Vec<Task> =
            tasks.into_iter().filter(|t| t.started_at_ms.unwrap_or(i64::MAX) >= since_ms || !t.is_running()).collect();
        progress(&fresh);
        if let Some(t) =
            fresh.iter().find(|t| t.is_running() && t.warmer().is_some_and(|w| w.last_status == LastStatus::Stopped))
        {
            let exit = t.warmer().and_then(|w| w.exit_code);
            return Ok(match exit {
                Some(0) => ReplaceOutcome::Replaced { task_id: t.id.as_str().to_owned() },
                other => {
                    let verdict = match t.warmer_verdict(WarmEvidence::default(), crate::feed::now_ms(), i64::MAX) {
                        WarmerVerdict::Failed { reason, .. } => reason,
                        _ => other.map(crate::model::describe_exit).unwrap_or_else(|| "no exit code".into()),
                    };
                    ReplaceOutcome::WarmerTrouble { task_id: t.id.as_str().to_owned(), verdict }
                }
            });
        }
        tokio::time::sleep(every).await;
    }
    Ok(ReplaceOutcome::TimedOut)
}
