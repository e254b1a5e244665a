//! The operator's actions as data: what the console may ask the runtime to do to the site
//! (redeploy, roll back, re-run warming, replace a task), the previews shown before confirming,
//! and the progress and outcomes that come back. Plain values; the runners live in `feed/`.

use crate::model::{OpFailure, RollbackPlan, ServiceEvent};

/// Which kind of action (one of each kind may be in flight per service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpKind {
    Redeploy,
    Rollback,
    Warm,
    ReplaceTask,
}

impl OpKind {
    pub fn label(self) -> &'static str {
        match self {
            OpKind::Redeploy => "redeploy",
            OpKind::Rollback => "rollback",
            OpKind::Warm => "warm",
            OpKind::ReplaceTask => "replace task",
        }
    }
}

/// A confirmed action, exactly as it will be carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// UpdateService with forceNewDeployment. `force` starts it even while another deployment
    /// rolls out (a second confirmation is required for that).
    Redeploy { force: bool },
    /// UpdateService to the plan's target task definition (the last completed deployment's):
    /// the plan the operator saw in the dialog is the one carried out.
    Rollback { plan: Box<RollbackPlan>, force: bool },
    /// RunTask of the warmer aimed at every running task; `register_warmer` first registers the
    /// warmer task definition derived from the service's own warmer when it is missing.
    Warm { register_warmer: bool },
    /// StopTask with a reason; the scheduler starts a replacement.
    ReplaceTask { task_id: String },
}

impl Op {
    pub fn kind(&self) -> OpKind {
        match self {
            Op::Redeploy { .. } => OpKind::Redeploy,
            Op::Rollback { .. } => OpKind::Rollback,
            Op::Warm { .. } => OpKind::Warm,
            Op::ReplaceTask { .. } => OpKind::ReplaceTask,
        }
    }
}

/// What a warm would do, shown before confirming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmPreview {
    pub task_definition: String,
    /// (task id, private IP, URL) of every running task.
    pub targets: Vec<(String, String, String)>,
    /// Set when the warmer task definition does not exist: the image wpops would register it
    /// with (derived from the service's warmer). The dialog then explains and offers to register.
    pub missing_warmer_image: Option<String>,
}

/// A preview the runtime computed for a requested action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    Rollback(Box<RollbackPlan>),
    Warm(WarmPreview),
}

/// One target's warming result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmLine {
    pub task_id: String,
    pub ip: String,
    pub ok: bool,
    /// `1,834 ok · 0 failed · 9.8s`, `44 FAILED`, `exit 7 (connection refused)`, `timed out`.
    pub summary: String,
}

/// Progress and outcomes of a running action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpEvent {
    /// The preview of the `Effect::Preview` with this request id, or why it could not be made.
    Previewed {
        request: u64,
        result: Result<Preview, OpFailure>,
    },
    /// The action was accepted by AWS: the deployment id, or the one-off/stopped task ids.
    Started {
        kind: OpKind,
        ids: Vec<String>,
    },
    /// New service events while a rollout is followed (oldest first), and elapsed time.
    Rollout {
        elapsed_ms: u64,
        new_events: Vec<ServiceEvent>,
    },
    Warmed(WarmLine),
    /// Refused before anything was sent (read-only, another deployment in progress…).
    Refused {
        kind: OpKind,
        reason: String,
    },
    /// The end: `ok` false when the rollout failed or was rolled back, a target failed, or AWS
    /// could not answer; `summary` says it plainly.
    Finished {
        kind: OpKind,
        ok: bool,
        summary: String,
    },
}
