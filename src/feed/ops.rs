//! Carries out the console's confirmed actions (`Effect::Preview`, `Effect::Run`) with the
//! action runners, and reports back through the one channel as `Msg::Op` events: previews,
//! started ids, rollout events as they arrive, each warm target's result, and the outcome.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;

use super::actions::{self, ActionError, Operator, RollbackPlan, WarmOutcome, WarmPlan, WarmSettings};
use super::now_ms;
use crate::app::{Effect, Msg, Op, OpEvent, OpKind, Preview, RollbackPreview, WarmLine, WarmPreview};

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
    last_plan: Arc<Mutex<Option<RollbackPlan>>>,
}

impl OpRunner {
    pub fn new(operator: Operator, settings: WarmSettings, tx: mpsc::Sender<Msg>) -> Self {
        OpRunner { operator: Arc::new(Mutex::new(operator)), settings, tx, last_plan: Arc::new(Mutex::new(None)) }
    }

    /// Starts the work an effect asks for, if it is an action's.
    pub fn handle(&self, effect: &Effect, set: &mut JoinSet<()>) {
        let this = self.clone();
        match effect.clone() {
            Effect::Preview(kind) => {
                set.spawn(async move { this.preview(kind).await });
            }
            Effect::Run(op) => {
                set.spawn(async move { this.run(op).await });
            }
            _ => {}
        }
    }

    async fn send(&self, e: OpEvent) {
        let _ = self.tx.send(Msg::Op(e)).await;
    }

    async fn preview(&self, kind: OpKind) {
        let op = self.operator.lock().await.clone();
        let result = match kind {
            OpKind::Rollback => match actions::plan_rollback(&op).await {
                Ok(plan) => {
                    let p = RollbackPreview {
                        from_task_definition: plan.from.task_definition.clone(),
                        to_task_definition: plan.to.task_definition.clone(),
                        changes: plan.changes.clone(),
                        warnings: plan.warnings.clone(),
                    };
                    *self.last_plan.lock().await = Some(plan);
                    Ok(Preview::Rollback(p))
                }
                Err(e) => Err(e.to_string()),
            },
            OpKind::Warm => actions::plan_warm(&op, &self.settings)
                .await
                .map(|p| Preview::Warm(warm_preview(&p)))
                .map_err(|e| e.to_string()),
            _ => return,
        };
        self.send(OpEvent::Previewed(result)).await;
    }

    async fn run(&self, op: Op) {
        let kind = op.kind();
        let outcome = match op {
            Op::Redeploy { force } => self.redeploy(force).await,
            Op::Rollback { to_task_definition, force } => self.rollback(&to_task_definition, force).await,
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

    async fn follow(&self, op: &Operator, id: &str) -> Result<(bool, String), ActionError> {
        let (ptx, prx) = mpsc::unbounded_channel();
        let following = async move {
            actions::follow_rollout(op, id, ROLLOUT_WAIT, EVERY, |p| {
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
        let id = actions::redeploy(&mut op, force).await?;
        *self.operator.lock().await = op.clone();
        self.send(OpEvent::Started { kind: OpKind::Redeploy, ids: vec![id.clone()] }).await;
        self.follow(&op, &id).await
    }

    async fn rollback(&self, to: &str, force: bool) -> Result<(bool, String), ActionError> {
        let mut op = self.operator.lock().await.clone();
        let stored = self.last_plan.lock().await.clone().filter(|p| p.to.task_definition == to);
        let plan = match stored {
            Some(p) => p,
            None => actions::plan_rollback(&op).await?,
        };
        if plan.to.task_definition != to {
            return Err(ActionError::Refused(
                "the rollback target changed since it was shown; open the rollback again".into(),
            ));
        }
        let id = actions::rollback(&mut op, &plan, force).await?;
        self.send(OpEvent::Started { kind: OpKind::Rollback, ids: vec![id.clone()] }).await;
        self.follow(&op, &id).await
    }

    async fn warm(&self, register: bool) -> Result<(bool, String), ActionError> {
        let mut op = self.operator.lock().await.clone();
        let mut plan = actions::plan_warm(&op, &self.settings).await?;
        if let Some(def) = plan.missing.clone() {
            if !register {
                return Err(ActionError::Usage(format!(
                    "the warmer task definition {} does not exist",
                    plan.task_definition
                )));
            }
            actions::register_warmer(&mut op, &def).await?;
            plan = actions::plan_warm(&op, &self.settings).await?;
        }
        let run_id = format!("{}", now_ms());
        let started = actions::start_warm(&mut op, &plan, &run_id).await?;
        let ids = started.iter().map(|s| crate::model::short_task_id(&s.run_task_arn).to_string()).collect();
        self.send(OpEvent::Started { kind: OpKind::Warm, ids }).await;
        let (ptx, prx) = mpsc::unbounded_channel();
        let following = async {
            let results = actions::follow_warm(&op, &plan, &started, WARM_WAIT, EVERY, |r| {
                let _ = ptx.send(OpEvent::Warmed(warm_line(r)));
            })
            .await;
            drop(ptx);
            results
        };
        let (results, ()) = tokio::join!(following, self.forward(prx));
        let results = results?;
        let failed = results.iter().filter(|r| !r.outcome.ok()).count();
        let summary = if failed == 0 {
            format!("{} tasks warmed", results.len())
        } else {
            let names: Vec<String> =
                results.iter().filter(|r| !r.outcome.ok()).map(|r| short(&r.target.task_id)).collect();
            format!("{} of {} tasks failed to warm: {}", failed, results.len(), names.join(", "))
        };
        Ok((failed == 0, summary))
    }

    async fn replace(&self, task_id: &str) -> Result<(bool, String), ActionError> {
        let mut op = self.operator.lock().await.clone();
        let since = now_ms();
        actions::replace_task(&mut op, task_id).await?;
        self.send(OpEvent::Started { kind: OpKind::ReplaceTask, ids: vec![task_id.to_string()] }).await;
        let outcome = actions::follow_replacement(&op, since, ROLLOUT_WAIT, EVERY, |_| {}).await?;
        Ok(match outcome {
            actions::ReplaceOutcome::Replaced { task_id } => {
                (true, format!("replaced by {}; its warmer finished healthy", short(&task_id)))
            }
            actions::ReplaceOutcome::WarmerTrouble { task_id, verdict } => {
                (false, format!("replaced by {}, but its warmer: {verdict}", short(&task_id)))
            }
            actions::ReplaceOutcome::TimedOut => (false, "no replacement finished warming in time".into()),
        })
    }
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

fn warm_preview(p: &WarmPlan) -> WarmPreview {
    WarmPreview {
        task_definition: p.task_definition.clone(),
        targets: p.targets.iter().map(|t| (t.task_id.clone(), t.ip.clone(), t.url.clone())).collect(),
        missing_warmer_image: p.missing.as_ref().map(|m| m.image.clone()),
    }
}

fn warm_line(r: &actions::WarmResult) -> WarmLine {
    let secs = r.elapsed_ms as f64 / 1000.0;
    let (ok, summary) = match &r.outcome {
        WarmOutcome::Warmed { report } => {
            (true, format!("{} ok · {} unchanged · 0 failed · {secs:.1}s", report.success, report.no_change))
        }
        WarmOutcome::ReportedFailures { report } => {
            (false, format!("{} ok · {} FAILED", report.success, report.failure))
        }
        WarmOutcome::NoReport => (false, "exited 0 but wrote no report".into()),
        WarmOutcome::Failed { reason, .. } => (false, reason.clone()),
        WarmOutcome::TimedOut => (false, "still running when the wait ended".into()),
    };
    WarmLine { task_id: r.target.task_id.clone(), ip: r.target.ip.clone(), ok, summary }
}
