//! The operator's actions: what the console may ask the runtime to do to the site (redeploy,
//! roll back, re-run warming, replace a task), the previews shown before confirming, the
//! progress and outcomes that come back, and `OpsState` — the confirm dialog (`dialog`), what is
//! in flight and what the rollout and warming views follow (`watch`). The two phases that change
//! it are in `update`. Plain values here; the runners live in `feed/`, nothing here does IO.

use std::collections::{HashMap, HashSet};

use crate::model::{OpFailure, Rewarm, RollbackPlan, ServiceEvent, WarmOutcome};

pub mod dialog;
pub mod update;
pub mod watch;

#[cfg(test)]
mod tests;

pub use dialog::{Dialog, PreviewState, Stage};
pub use watch::{MAX_WATCH_EVENTS, Outcome, RolloutWatch, Run, WarmingWatch};

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
    pub outcome: WarmOutcome,
    /// How long the one-off warmer took.
    pub elapsed_ms: u64,
}

impl WarmLine {
    pub fn ok(&self) -> bool {
        self.outcome.ok()
    }

    /// `1,834 ok · 0 unchanged · 0 failed · 9.8s`, `exit 7 (connection refused)`…
    pub fn summary(&self) -> String {
        self.outcome.brief(self.elapsed_ms)
    }
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

/// Everything the console knows about the operator's actions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpsState {
    pub dialog: Option<Dialog>,
    /// Kinds between `Effect::Run` and their `Finished`/`Refused`: one of each per service.
    pub in_flight: HashSet<OpKind>,
    /// Deployment ids started from this console (a rollout among them is not someone else's).
    pub started_deployments: Vec<String>,
    /// The last redeploy, rollback or task replacement.
    pub rollout: Option<RolloutWatch>,
    /// The last warming run.
    pub warming: Option<WarmingWatch>,
    /// The newest re-warm result of each task, by task id (kept across warming runs).
    pub rewarmed: HashMap<String, Rewarm>,
    /// The last preview request id handed out.
    pub last_request: u64,
}

impl OpsState {
    /// The run of this kind the views follow (the rollout's or the warming's), if it is one.
    pub fn run_mut(&mut self, kind: OpKind) -> Option<&mut Run> {
        let run = if kind == OpKind::Warm {
            self.warming.as_mut().map(|w| &mut w.run)
        } else {
            self.rollout.as_mut().map(|w| &mut w.run)
        };
        run.filter(|r| r.op.kind() == kind)
    }
}

/// "a redeploy is already running" and friends.
pub fn already_running(kind: OpKind) -> String {
    let what = match kind {
        OpKind::Redeploy => "a redeploy",
        OpKind::Rollback => "a rollback",
        OpKind::Warm => "a warming run",
        OpKind::ReplaceTask => "a task replacement",
    };
    format!("{what} is already running — wait for it to finish (a shows its progress)")
}
