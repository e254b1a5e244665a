//! The state of the operator's actions: the confirm dialog (with its preview, the second
//! confirmation a foreign deployment needs and the typed service name), which kinds are in
//! flight, and what the rollout and warming views follow. Plain data and read-only helpers that
//! word what an action will do; changing it is `opupdate`'s job. No IO, no clock.

use std::collections::HashSet;

use crate::model::{Deployment, RolloutState, ServiceEvent, Task, short_td, task_prefix};

use super::ops::{Op, OpKind, Preview, WarmLine};
use super::state::State;

/// Most service events a watch keeps.
pub const MAX_WATCH_EVENTS: usize = 200;

/// Where a dialog's preview stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewState {
    /// Redeploy and replace need none.
    NotNeeded,
    /// `Effect::Preview` was sent; the answer has not arrived.
    Preparing,
    Ready(Preview),
    /// The preview could not be made: the dialog can only be closed.
    Failed(String),
}

/// The confirm dialog of one action (phase one of two: nothing runs until it is confirmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub kind: OpKind,
    /// The task a replace stops.
    pub task_id: Option<String>,
    pub preview: PreviewState,
    /// The operator gave the second confirmation a deployment in progress needs (`F`).
    pub forced: bool,
    /// The service name typed so far (sites with `confirm_by_typing`).
    pub typed: String,
    /// Why the last confirm did not go through ("type the service name exactly…").
    pub note: Option<String>,
    /// The id of the preview request this dialog waits for (answers to others are dropped).
    pub request: u64,
}

impl Dialog {
    pub fn new(kind: OpKind, task_id: Option<String>, preview: PreviewState) -> Dialog {
        Dialog { kind, task_id, preview, forced: false, typed: String::new(), note: None, request: 0 }
    }
}

/// How an action ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub ok: bool,
    pub summary: String,
    /// Refused before anything was sent (read-only, another deployment in progress…).
    pub refused: bool,
}

/// A confirmed action followed to its end by the rollout or warming view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub op: Op,
    /// What it acts on, in words: `wordpress:42 → wordpress:41`, the warmer task definition, a task.
    pub subject: String,
    /// When it was confirmed (the console's clock, from ticks).
    pub started_at_ms: i64,
    /// The deployment id, or the one-off / stopped task ids (`OpEvent::Started`).
    pub ids: Vec<String>,
    /// Service events that arrived since the action started, oldest first.
    pub events: Vec<ServiceEvent>,
    /// The runtime's own elapsed time, as last reported.
    pub reported_elapsed_ms: Option<u64>,
    /// Tasks that existed when it started: every other task is new.
    pub tasks_before: HashSet<String>,
    /// Warming: (task id, private IP, URL) of each target, from the preview.
    pub targets: Vec<(String, String, String)>,
    pub warm_lines: Vec<WarmLine>,
    pub outcome: Option<Outcome>,
    pub ended_at_ms: Option<i64>,
}

impl Watch {
    pub fn new(op: Op, started_at_ms: i64, tasks_before: HashSet<String>) -> Watch {
        Watch {
            op,
            subject: String::new(),
            started_at_ms,
            ids: Vec::new(),
            events: Vec::new(),
            reported_elapsed_ms: None,
            tasks_before,
            targets: Vec::new(),
            warm_lines: Vec::new(),
            outcome: None,
            ended_at_ms: None,
        }
    }

    /// Time since it was confirmed, frozen when it ended.
    pub fn elapsed_ms(&self, now_ms: i64) -> i64 {
        let end = self.ended_at_ms.unwrap_or(now_ms);
        let local = end.saturating_sub(self.started_at_ms).max(0);
        local.max(self.reported_elapsed_ms.and_then(|e| i64::try_from(e).ok()).unwrap_or(0))
    }

    /// A task that started after the action (the replacement, the new deployment's tasks).
    pub fn is_new(&self, task: &Task) -> bool {
        !self.tasks_before.contains(&task.id)
    }

    /// The result of one warming target, when it arrived.
    pub fn warm_line(&self, task_id: &str) -> Option<&WarmLine> {
        self.warm_lines.iter().rev().find(|l| l.task_id == task_id)
    }
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
    pub rollout: Option<Watch>,
    /// The last warming run.
    pub warming: Option<Watch>,
    /// The last preview request id handed out.
    pub last_request: u64,
}

/// A deployment rolling out right now, and whether this console started it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rolling {
    pub deployment_id: String,
    pub ours: bool,
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

impl State {
    /// The deployment rolling out now (the service snapshot says a rollout is in progress).
    pub fn rolling(&self) -> Option<Rolling> {
        let svc = &self.service.data.as_ref()?.service;
        if !svc.rollout_in_progress() {
            return None;
        }
        let d: &Deployment = svc
            .deployments
            .iter()
            .find(|d| d.rollout == RolloutState::InProgress)
            .or_else(|| svc.primary())
            .or_else(|| svc.deployments.first())?;
        let ours = self.ops.started_deployments.contains(&d.id);
        Some(Rolling { deployment_id: d.id.clone(), ours })
    }

    /// True when confirming this kind needs the second confirmation (a deployment rolls out).
    pub fn needs_force(&self, kind: OpKind) -> bool {
        matches!(kind, OpKind::Redeploy | OpKind::Rollback) && self.rolling().is_some()
    }

    /// The account the actions act in, as the dialogs name it.
    pub fn account_text(&self) -> String {
        match &self.caller {
            Some(Ok(c)) if !c.account.is_empty() => c.account.clone(),
            _ => "account unknown".to_owned(),
        }
    }

    /// Who is acting, for the StopTask reason.
    pub fn caller_name(&self) -> String {
        match &self.caller {
            Some(Ok(c)) if !c.arn.is_empty() => c.arn.clone(),
            Some(Ok(c)) if !c.account.is_empty() => c.account.clone(),
            _ => "<caller>".to_owned(),
        }
    }

    /// The dialog's title: the question.
    pub fn dialog_title(&self, dialog: &Dialog) -> String {
        let svc = &self.site.service;
        match dialog.kind {
            OpKind::Redeploy => format!("Force a new deployment of {svc}?"),
            OpKind::Rollback => format!("Roll {svc} back?"),
            OpKind::Warm => format!("Re-run warming on every running task of {svc}?"),
            OpKind::ReplaceTask => {
                format!("Replace task {}?", dialog.task_id.as_deref().map_or("?", task_prefix))
            }
        }
    }

    /// Exactly what confirming will do, in the API's words and the operator's.
    pub fn what_happens(&self, dialog: &Dialog) -> String {
        let (cluster, service) = (&self.site.cluster, &self.site.service);
        let svc = self.service.data.as_ref().map(|s| &s.service);
        let tasks = svc.map_or_else(|| "new tasks".to_owned(), |s| plural(s.desired, "new task"));
        let current = svc.map(|s| short_td(&s.task_definition)).unwrap_or("the current revision");
        match (dialog.kind, &dialog.preview) {
            (OpKind::Redeploy, _) => format!(
                "UpdateService {cluster}/{service} --force-new-deployment: ECS starts {tasks} of {current}, then \
                 drains the old ones."
            ),
            (OpKind::Rollback, PreviewState::Ready(Preview::Rollback(p))) => format!(
                "UpdateService {cluster}/{service} --task-definition {to}: back from {from} to {to}, the last \
                 deployment that completed before the current one. ECS starts {tasks} of {to}, then drains the \
                 old ones.",
                to = short_td(&p.to.task_definition),
                from = short_td(&p.from.task_definition),
            ),
            (OpKind::Rollback, _) => format!(
                "UpdateService {cluster}/{service} --task-definition <the last completed deployment's>: ECS starts \
                 {tasks} of it, then drains the old ones."
            ),
            (OpKind::Warm, PreviewState::Ready(Preview::Warm(p))) => format!(
                "RunTask {td} ×{n} in the service's subnets and security groups: one one-off Fargate task per \
                 running task, aimed at its private IP; wpops follows their logs and reports success/failure/total \
                 per task. The service's own tasks are not touched.",
                td = p.task_definition,
                n = p.targets.len(),
            ),
            (OpKind::Warm, _) => "RunTask of the warmer task definition once per running task, aimed at its \
                                  private IP; the service's own tasks are not touched."
                .to_owned(),
            (OpKind::ReplaceTask, _) => format!(
                "StopTask {cluster} {task} with reason 'wpops: replaced by {who}'; the scheduler starts a \
                 replacement of {current}, and the load balancer drains the old one.",
                task = dialog.task_id.as_deref().unwrap_or("?"),
                who = self.caller_name(),
            ),
        }
    }
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}
