//! Carries out the console's confirmed actions (`Effect::Preview`, `Effect::Run`) with the
//! action runners, and reports back through the one channel as `Msg::Op` events: previews
//! (tagged with their request id), started ids, rollout events as they arrive, each warm
//! target's result, and the outcome (naming any deployment that appeared between the runner's
//! check and its call). It keeps no state of its own beyond the operator: a
//! rollback's plan travels from the preview through the dialog into `Op::Rollback`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;

use crate::app::{Msg, Op, OpEvent, OpKind, Preview, WarmLine, WarmPreview};
use crate::feed::now_ms;
use crate::feed::runners::audit::Watched;
use crate::feed::runners::{self, ActionError, Operator, WarmPlan, WarmSettings};
use crate::model::{RollbackPlan, WarmRunSummary, task_prefix};

/// How long the console follows an action before it stops watching.
const ROLLOUT_WAIT: Duration = Duration::from_secs(30 * 60);
const WARM_WAIT: Duration = Duration::from_secs(10 * 60);
const EVERY: Duration = Duration::from_secs(2);

/// The console's action runner.
#[derive(Clone)]
pub struct OpRunner {
    operator: Arc<Mutex<Operator>>,
    settings: WarmSettings,
    tx: mpsc::Sender<Msg>,
    /// Actions being followed to their outcome, for the audit line that says the console quit
    /// before it (`abandon`).
    watching: Arc<std::sync::Mutex<Vec<(Operator, Watched)>>>,
}

impl OpRunner {
    pub fn new(operator: Operator, settings: WarmSettings, tx: mpsc::Sender<Msg>) -> Self {
        OpRunner { operator: Arc::new(Mutex::new(operator)), settings, tx, watching: Arc::default() }
    }

    /// The console stops (quit, or `signal`) while actions are followed: each gets its outcome
    /// line saying wpops did not see how it ended. Called before the tasks are aborted.
    pub fn abandon(&self, signal: Option<&str>) {
        let left = std::mem::take(&mut *self.watching.lock().unwrap_or_else(|e| e.into_inner()));
        for (op, watched) in left {
            let reason = match signal {
                Some(_) => "the console was stopped before the outcome; it goes on without wpops",
                None => "the console quit before the outcome; it goes on without wpops",
            };
            op.record_not_seen(&watched, signal, Some(reason.into()));
        }
    }

    fn watch(&self, op: &Operator, watched: &Watched) {
        self.watching.lock().unwrap_or_else(|e| e.into_inner()).push((op.clone(), watched.clone()));
    }

    fn unwatch(&self, watched: &Watched) {
        self.watching.lock().unwrap_or_else(|e| e.into_inner()).retain(|(_, w)| w.id != watched.id);
    }

    /// Computes the preview of a rollback or a warm on `set`; answered with `request`.
    pub fn preview(&self, request: u64, kind: OpKind, set: &mut JoinSet<()>) {
        let this = self.clone();
        set.spawn(async move { this.make_preview(request, kind).await });
    }

    /// Carries out a confirmed action on `set`, reporting its progress and outcome.
    pub fn run(&self, op: Op, set: &mut JoinSet<()>) {
        let this = self.clone();
        set.spawn(async move { this.carry_out(op).await });
    }

    async fn send(&self, e: OpEvent) {
        let _ = self.tx.send(Msg::Op(e)).await;
    }

    async fn make_preview(&self, request: u64, kind: OpKind) {
        let op = self.operator.lock().await.clone();
        let profile = op.clients.profile.clone();
        let result = match kind {
            OpKind::Rollback => runners::plan_rollback(&op).await.map(|p| Preview::Rollback(Box::new(p))),
            OpKind::Warm => runners::plan_warm(&op, &self.settings).await.map(|p| Preview::Warm(warm_preview(&p))),
            OpKind::Redeploy | OpKind::ReplaceTask => {
                Err(ActionError::Usage(format!("a {} has nothing to preview", kind.label())))
            }
        };
        let result = result.map_err(|e| e.to_failure(profile.as_deref()));
        self.send(OpEvent::Previewed { request, result }).await;
    }

    async fn carry_out(&self, op: Op) {
        let kind = op.kind();
        let outcome = match op {
            Op::Redeploy { force } => self.redeploy(force).await,
            Op::Rollback { plan, force } => self.rollback(&plan, force).await,
            Op::Warm { register_warmer } => self.warm(register_warmer).await,
            Op::ReplaceTask { task_id } => self.replace(&task_id).await,
        };
        match outcome {
            Ok((ok, summary)) => self.send(OpEvent::Finished { kind, ok, summary }).await,
            Err(ActionError::Refused(reason)) => self.send(OpEvent::Refused { kind, reason }).await,
            Err(e) => self.send(OpEvent::Finished { kind, ok: false, summary: e.to_string() }).await,
        }
    }

    /// Forwards progress from a synchronous callback to the channel without dropping any:
    /// the callback queues, this awaits the channel.
    async fn forward(&self, mut rx: mpsc::UnboundedReceiver<OpEvent>) {
        while let Some(e) = rx.recv().await {
            self.send(e).await;
        }
    }

    async fn follow(&self, op: &Operator, watched: &Watched) -> Result<(bool, String), ActionError> {
        let (ptx, prx) = mpsc::unbounded_channel();
        let following = async move {
            runners::follow_rollout(op, watched, ROLLOUT_WAIT, EVERY, |p| {
                if !p.new_events.is_empty() {
                    let elapsed_ms = p.elapsed.as_millis() as u64;
                    let _ = ptx.send(OpEvent::Rollout { elapsed_ms, new_events: p.new_events.clone() });
                }
            })
            .await
        };
        let (outcome, ()) = tokio::join!(following, self.forward(prx));
        let outcome = outcome?;
        Ok((outcome.succeeded(), outcome.describe()))
    }

    async fn redeploy(&self, force: bool) -> Result<(bool, String), ActionError> {
        let mut op = self.operator.lock().await.clone();
        let started = runners::redeploy(&mut op, force).await?;
        *self.operator.lock().await = op.clone();
        self.follow_started(&op, OpKind::Redeploy, &started).await
    }

    async fn rollback(&self, plan: &RollbackPlan, force: bool) -> Result<(bool, String), ActionError> {
        let mut op = self.operator.lock().await.clone();
        let started = runners::rollback(&mut op, plan, force).await?;
        self.follow_started(&op, OpKind::Rollback, &started).await
    }

    /// Follows a started deployment; deployments that appeared between the check and the call
    /// are named in the result, not hidden.
    async fn follow_started(
        &self,
        op: &Operator,
        kind: OpKind,
        started: &runners::Started,
    ) -> Result<(bool, String), ActionError> {
        let id = &started.deployment_id;
        // Watched before anyone hears it started: a quit right after still writes its line.
        self.watch(op, &started.watched);
        self.send(OpEvent::Started { kind, ids: vec![id.clone()] }).await;
        let followed = self.follow(op, &started.watched).await;
        self.unwatch(&started.watched);
        let (ok, mut summary) = followed?;
        for note in started.appeared_notes() {
            summary.push_str(&format!(" · warning: {note}"));
        }
        Ok((ok, summary))
    }

    async fn warm(&self, register: bool) -> Result<(bool, String), ActionError> {
        let mut op = self.operator.lock().await.clone();
        let mut plan = runners::plan_warm(&op, &self.settings).await?;
        if let Some(def) = plan.missing.clone() {
            if !register {
                return Err(ActionError::Usage(format!(
                    "the warmer task definition {} does not exist",
                    plan.task_definition
                )));
            }
            runners::register_warmer(&mut op, &def).await?;
            plan = runners::plan_warm(&op, &self.settings).await?;
        }
        let run_id = format!("{}", now_ms());
        let start = runners::start_warm(&mut op, &plan, &run_id).await?;
        let ids = start.runs.iter().map(|s| crate::model::short_task_id(&s.run_task_arn).to_string()).collect();
        self.watch(&op, &start.watched);
        self.send(OpEvent::Started { kind: OpKind::Warm, ids }).await;
        let (ptx, prx) = mpsc::unbounded_channel();
        let following = async {
            let results = runners::follow_warm(&op, &plan, &start, WARM_WAIT, EVERY, |r| {
                let _ = ptx.send(OpEvent::Warmed(warm_line(r)));
            })
            .await;
            drop(ptx);
            results
        };
        let (results, ()) = tokio::join!(following, self.forward(prx));
        self.unwatch(&start.watched);
        let results = results?;
        let summary = WarmRunSummary::of(&results);
        Ok((summary.ok(), summary.to_string()))
    }

    async fn replace(&self, task_id: &str) -> Result<(bool, String), ActionError> {
        let mut op = self.operator.lock().await.clone();
        let since = now_ms();
        let watched = runners::replace_task(&mut op, task_id).await?;
        self.watch(&op, &watched);
        self.send(OpEvent::Started { kind: OpKind::ReplaceTask, ids: vec![task_id.to_string()] }).await;
        let outcome = runners::follow_replacement(&op, &watched, since, ROLLOUT_WAIT, EVERY, |_| {}).await;
        self.unwatch(&watched);
        let outcome = outcome?;
        Ok(match outcome {
            runners::ReplaceOutcome::Replaced { task_id } => {
                (true, format!("replaced by {}; its warmer finished healthy", task_prefix(&task_id)))
            }
            runners::ReplaceOutcome::WarmerTrouble { task_id, verdict } => {
                (false, format!("replaced by {}, but its warmer: {verdict}", task_prefix(&task_id)))
            }
            runners::ReplaceOutcome::TimedOut => (false, "no replacement finished warming in time".into()),
        })
    }
}

fn warm_preview(p: &WarmPlan) -> WarmPreview {
    WarmPreview {
        task_definition: p.task_definition.clone(),
        targets: p.targets.iter().map(|t| (t.task_id.clone(), t.ip.clone(), t.url.clone())).collect(),
        missing_warmer_image: p.missing.as_ref().map(|m| m.image.clone()),
    }
}

fn warm_line(r: &crate::model::WarmResult) -> WarmLine {
    WarmLine {
        task_id: r.target.task_id.clone(),
        ip: r.target.ip.clone(),
        outcome: r.outcome.clone(),
        elapsed_ms: r.elapsed_ms,
    }
}
