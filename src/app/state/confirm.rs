//! What the confirm dialog says, read from the state: the question, exactly what confirming
//! will do in the API's words, the account it acts in, and the deployment already rolling out
//! that calls for the second confirmation. Read-only helpers; the dialog's keys are `ops::update`'s.

use crate::model::{Deployment, RolloutState, short_td, task_prefix};

use super::State;
use crate::app::ops::dialog::Stage;
use crate::app::ops::{Dialog, OpKind, Preview, PreviewState};

/// A deployment rolling out right now, and whether this console started it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rolling {
    pub deployment_id: String,
    pub ours: bool,
}

impl State {
    /// The deployment rolling out now (the service snapshot says a rollout is in progress).
    pub fn rolling(&self) -> Option<Rolling> {
        let svc = &self.feeds.service.data.as_ref()?.service;
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

    /// Where an open dialog stands, which decides the keys it answers to (and its key hint).
    pub fn dialog_stage(&self, dialog: &Dialog) -> Stage {
        if dialog.can_only_close() {
            Stage::CloseOnly
        } else if dialog.preview == PreviewState::Preparing {
            Stage::Preparing
        } else if self.needs_force(dialog.kind) && !dialog.forced {
            Stage::NeedsForce
        } else if self.site.confirm_by_typing {
            Stage::Typing
        } else {
            Stage::Ready
        }
    }

    /// True when confirming this kind needs the second confirmation (a deployment rolls out).
    pub fn needs_force(&self, kind: OpKind) -> bool {
        matches!(kind, OpKind::Redeploy | OpKind::Rollback) && self.rolling().is_some()
    }

    /// The account the actions act in, as the dialogs name it.
    pub fn account_text(&self) -> String {
        match &self.feeds.caller {
            Some(Ok(c)) if !c.account.is_empty() => c.account.clone(),
            _ => "account unknown".to_owned(),
        }
    }

    /// Who is acting, for the StopTask reason.
    pub fn caller_name(&self) -> String {
        match &self.feeds.caller {
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
        let svc = self.feeds.service.data.as_ref().map(|s| &s.service);
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
