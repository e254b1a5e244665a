//! Action runners shared by the console and the subcommands: force a redeploy, roll back to the
//! last completed deployment, re-run warming on every running task, replace one task — each
//! under the site's lock on this machine (`lock.rs`: one wpops process acts on a site at a
//! time), checked right before its call (read-only, a deployment already in progress), looked
//! at again after it (a deployment that appeared meanwhile is reported), written to the audit
//! log, and followed to its outcome. They call `aws/` and report progress through a callback.

pub mod audit;
mod deploy;
pub mod lock;
mod replace;
mod warm;

pub use deploy::{RolloutOutcome, RolloutProgress, Started, follow_rollout, plan_rollback, redeploy, rollback};
pub use replace::{ReplaceOutcome, follow_replacement, replace_task};
pub use warm::{WarmPlan, WarmSettings, WarmStart, WarmStarted, follow_warm, plan_warm, register_warmer, start_warm};

use audit::{AuditAction, AuditEntry, AuditLog, AuditOutcome, AuditOutcomeEntry, AuditResult, AuditTarget, Watched};

use crate::aws::{AwsError, Clients};
use crate::model::{CallerIdentity, Deployment, OpFailure, RolloutState, Service};

/// Why an action did not happen or did not finish.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActionError {
    /// Read-only, not confirmed, another deployment in progress (exit 4).
    #[error("refused: {0}")]
    Refused(String),
    /// AWS could not answer (exit 3).
    #[error("{}", .0.report(None))]
    Aws(AwsError),
    /// Nothing to act on, or a setting is missing (exit 2).
    #[error("{0}")]
    Usage(String),
}

impl ActionError {
    /// The failure as the console and the command line see it.
    pub fn to_failure(&self, profile: Option<&str>) -> OpFailure {
        match self {
            ActionError::Refused(why) => OpFailure::Refused(why.clone()),
            ActionError::Aws(e) => OpFailure::Unavailable(e.to_fetch_error(profile)),
            ActionError::Usage(why) => OpFailure::Impossible(why.clone()),
        }
    }
}

impl From<AwsError> for ActionError {
    fn from(e: AwsError) -> Self {
        if e.is_read_only_refusal() {
            ActionError::Refused(format!("{} (read-only mode)", e.operation))
        } else {
            ActionError::Aws(e)
        }
    }
}

/// Who acts on which service, and where the audit lines go.
#[derive(Debug, Clone)]
pub struct Operator {
    pub clients: Clients,
    pub cluster: String,
    pub service: String,
    pub caller: Option<CallerIdentity>,
    pub audit: AuditLog,
}

impl Operator {
    /// Looks up the caller (for the audit log and confirmations) when not known yet.
    pub async fn identify(&mut self) -> Result<&CallerIdentity, ActionError> {
        if self.caller.is_none() {
            self.caller = Some(crate::aws::elb::caller(&self.clients).await?);
        }
        self.caller.as_ref().ok_or_else(|| ActionError::Usage("no caller identity".into()))
    }

    /// Whose action on which service, as every audit line names it.
    fn target(&self) -> AuditTarget {
        let caller = self.caller.clone().unwrap_or_default();
        AuditTarget {
            caller_arn: caller.arn,
            account: caller.account,
            region: self.clients.region.clone(),
            cluster: self.cluster.clone(),
            service: self.service.clone(),
        }
    }

    /// An audit entry for this operator's target with a fresh id, filled in by the caller.
    pub fn entry(&self, action: AuditAction, request: serde_json::Value) -> AuditEntry {
        AuditEntry { id: audit::new_id(), target: self.target(), action, request, ..AuditEntry::default() }
    }

    /// The outcome line of `watched`, filled in by the caller.
    pub fn outcome_entry(&self, watched: &Watched, outcome: AuditOutcome) -> AuditOutcomeEntry {
        AuditOutcomeEntry {
            id: watched.id.clone(),
            target: self.target(),
            action: watched.action,
            outcome,
            deployment_id: watched.deployment_id.clone(),
            task_ids: watched.task_ids.clone(),
            ..AuditOutcomeEntry::default()
        }
    }

    /// Appends the second line of an action: how it ended (also said in `--log-file`). A
    /// failure to write it is reported, as for the first.
    pub fn record_outcome(&self, entry: AuditOutcomeEntry) -> Option<String> {
        tracing::info!(id = %entry.id, outcome = ?entry.outcome, "{} outcome: {:?}", entry.action.label(), entry.outcome);
        let failed = self.audit.append_outcome(entry).err();
        if let Some(e) = &failed {
            tracing::error!("{e}");
        }
        failed
    }

    /// Takes this site's lock for one mutating call, waiting up to `lock::WAIT` for another
    /// wpops process that holds it; refused after that, naming the holder (the refusal is
    /// audited with `request`).
    pub async fn lock_site(
        &self,
        action: AuditAction,
        request: &serde_json::Value,
    ) -> Result<lock::SiteLock, ActionError> {
        let account = self.caller.as_ref().map(|c| c.account.as_str()).unwrap_or("unknown-account");
        let path = lock::path_for(&self.audit, account, &self.clients.region, &self.cluster, &self.service);
        let err = match lock::acquire(&path, &lock::holder_note(action.label()), lock::WAIT).await {
            Ok(held) => return Ok(held),
            Err(lock::LockError::Busy { holder }) => ActionError::Refused(format!(
                "another wpops process is acting on {}/{} ({}) and did not finish within {} s; try again when it has",
                self.cluster,
                self.service,
                holder.unwrap_or_else(|| "it did not say which".into()),
                lock::WAIT.as_secs()
            )),
            Err(lock::LockError::Unusable(why)) => ActionError::Usage(format!(
                "cannot take {why}; nothing was sent (WPOPS_AUDIT_LOG moves the state directory)"
            )),
        };
        let result = if matches!(err, ActionError::Refused(_)) { AuditResult::Refused } else { AuditResult::Failed };
        self.record(AuditEntry { result, error: Some(err.to_string()), ..self.entry(action, request.clone()) });
        Err(err)
    }

    /// Looks at the service right before a deployment is started (under the site's lock) and
    /// refuses, audited, while another one rolls out (unless `force`). Returns what it saw.
    pub async fn check_deployments(
        &self,
        action: AuditAction,
        request: &serde_json::Value,
        force: bool,
    ) -> Result<Service, ActionError> {
        let service = crate::aws::ecs::describe_service(&self.clients, &self.cluster, &self.service).await?;
        if let Err(e) = guard_in_progress(self, &service, force) {
            self.record(AuditEntry {
                result: AuditResult::Refused,
                error: Some(e.to_string()),
                ..self.entry(action, request.clone())
            });
            return Err(e);
        }
        Ok(service)
    }

    /// Appends to the audit log (and says the same in `--log-file`: the action, its target, its
    /// request and result, never credentials); a failure to write it is reported but does not
    /// undo the action.
    pub fn record(&self, entry: AuditEntry) -> Option<String> {
        log_entry(&entry);
        let failed = self.audit.append(entry).err();
        if let Some(e) = &failed {
            tracing::error!("{e}");
        }
        failed
    }

    /// Appends the second line of `watched`: wpops stopped watching it before its outcome
    /// (on `signal`, or for `reason`), which goes on without it.
    pub fn record_not_seen(&self, watched: &Watched, signal: Option<&str>, reason: Option<String>) -> Option<String> {
        let entry = AuditOutcomeEntry {
            signal: signal.map(str::to_string),
            reason,
            ..self.outcome_entry(watched, AuditOutcome::NotSeen)
        };
        self.record_outcome(entry)
    }
}

/// An audit entry as a log line: info when it went through, a warning when refused or failed.
fn log_entry(e: &AuditEntry) {
    let action = serde_json::to_value(e.action).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let t = &e.target;
    let target = format!("{}/{} in {} ({})", t.cluster, t.service, t.region, t.account);
    let request = e.request.to_string();
    let deployment = e.deployment_id.as_deref().unwrap_or("");
    match (e.result, &e.error) {
        (AuditResult::Ok, _) => tracing::info!(
            action = %action,
            request = %request,
            deployment_id = deployment,
            tasks = e.task_ids.len(),
            "{action} of {target}: accepted by AWS"
        ),
        (result, error) => tracing::warn!(
            action = %action,
            request = %request,
            result = ?result,
            "{action} of {target}: {result:?}: {}",
            error.as_deref().unwrap_or("")
        ),
    }
}

/// A deployment that is still rolling out, if any: the primary while IN_PROGRESS, or an older
/// one that still has tasks.
pub fn deployment_in_progress(service: &Service) -> Option<&Deployment> {
    service
        .deployments
        .iter()
        .find(|d| d.rollout == RolloutState::InProgress)
        .or_else(|| (service.deployments.len() > 1).then(|| service.deployments.first()).flatten())
}

/// Refuses when a deployment is already rolling out (unless `force`), saying whether wpops
/// started it or someone else did (a pipeline, a colleague).
pub fn guard_in_progress(op: &Operator, service: &Service, force: bool) -> Result<(), ActionError> {
    let Some(d) = deployment_in_progress(service) else { return Ok(()) };
    if force {
        return Ok(());
    }
    let ours = op.audit.started_deployments().contains(&d.id);
    let who = if ours { "started by wpops" } else { "not started by wpops (a pipeline or a colleague?)" };
    Err(ActionError::Refused(format!(
        "deployment {} is still rolling out ({who}); wait for it, or pass --force to start another",
        d.id
    )))
}
