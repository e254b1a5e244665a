//! Re-running warming without replacing tasks: for each RUNNING task, RunTask of the warmer
//! task definition aimed at that task's private IP, in the service's subnets and security
//! groups, with `startedBy` and a `clientToken` per target so a run is never started twice; then
//! each target's `success/failure/total` from the one-off task's log, or why it failed. When the
//! warmer task definition is missing, one can be registered, derived from the service's warmer.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::json;

use super::audit::{AuditAction, AuditOutcome, AuditOutcomeEntry, AuditResult, Watched};
use super::{ActionError, Operator};
use crate::aws::ecs_write::{self, WarmRun, WarmerDefinition};
use crate::aws::logs::{self, Query};
use crate::aws::{AwsErrorKind, ecs};
use crate::model::{
    ContainerRole, TaskDefinition, WarmOutcome, WarmReport, WarmResult, WarmTarget, describe_exit, parse_warm_report,
};

/// Warming settings (config `[sites.NAME.warming]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmSettings {
    /// The warmer task definition; `<service family>-warmer` when absent.
    pub task_definition: Option<String>,
    pub path: String,
    pub port: u16,
}

impl Default for WarmSettings {
    fn default() -> Self {
        WarmSettings { task_definition: None, path: "/opcache_warmer.php".into(), port: 80 }
    }
}

/// What a warm would do.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmPlan {
    pub targets: Vec<WarmTarget>,
    /// The warmer task definition's name (family or family:revision).
    pub task_definition: String,
    /// The registered warmer, if it exists.
    pub warmer: Option<TaskDefinition>,
    /// When it does not: the definition wpops can register, derived from the service's warmer.
    pub missing: Option<WarmerDefinition>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// How many of the service's tasks are RUNNING (with or without a private IP).
    pub running: usize,
}

impl WarmPlan {
    /// Why there is nothing to warm, in words, or `None` when some task can be warmed.
    pub fn nothing_to_warm(&self) -> Option<String> {
        if !self.targets.is_empty() {
            return None;
        }
        Some(match self.running {
            0 => "nothing to warm: the service has no running task".to_string(),
            1 => "nothing to warm: 1 running task, without a private IP in its attachments".to_string(),
            n => format!("nothing to warm: {n} running tasks, none with a private IP in its attachments"),
        })
    }
}

/// Finds the running tasks and the warmer task definition.
pub async fn plan_warm(op: &Operator, settings: &WarmSettings) -> Result<WarmPlan, ActionError> {
    let c = &op.clients;
    let service = ecs::describe_service(c, &op.cluster, &op.service).await?;
    let arns = ecs::list_task_arns(c, &op.cluster, &op.service, false).await?;
    let tasks = if arns.is_empty() { Vec::new() } else { ecs::describe_tasks(c, &op.cluster, &arns).await? };
    let port = if settings.port == 80 { String::new() } else { format!(":{}", settings.port) };
    let targets: Vec<WarmTarget> = tasks
        .iter()
        .filter(|t| t.is_running())
        .filter_map(|t| {
            let ip = t.private_ip.clone()?;
            Some(WarmTarget {
                task_id: t.id.as_str().to_owned(),
                url: format!("http://{ip}{port}{}", settings.path),
                ip,
            })
        })
        .collect();
    let service_td = ecs::describe_task_definition(c, &service.task_definition).await?;
    let name = settings.task_definition.clone().unwrap_or_else(|| format!("{}-warmer", service_td.family));
    let (warmer, missing) = match ecs::describe_task_definition(c, &name).await {
        Ok(td) => (Some(td), None),
        Err(e) if matches!(e.kind, AwsErrorKind::NotFound) || e.code.as_deref() == Some("ClientException") => {
            (None, Some(derive_warmer(&name, &service_td, &c.region)))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(WarmPlan {
        targets,
        task_definition: name,
        warmer,
        missing,
        subnets: service.subnets,
        security_groups: service.security_groups,
        running: tasks.iter().filter(|t| t.is_running()).count(),
    })
}

fn derive_warmer(family: &str, service_td: &TaskDefinition, region: &str) -> WarmerDefinition {
    let own = service_td.container(&ContainerRole::Warmer).or_else(|| service_td.containers.first());
    WarmerDefinition {
        family: family.to_string(),
        image: own.map(|c| c.image.clone()).unwrap_or_else(|| "curlimages/curl:latest".into()),
        log_group: own.and_then(|c| c.log_group.clone()),
        log_prefix: own.and_then(|c| c.log_stream_prefix.clone()),
        cpu: "256".into(),
        memory: "512".into(),
        execution_role: service_td.execution_role.clone(),
        region: region.to_string(),
    }
}

/// Registers the derived warmer task definition; returns its ARN.
pub async fn register_warmer(op: &mut Operator, def: &WarmerDefinition) -> Result<String, ActionError> {
    let _ = op.identify().await;
    let request = json!({"family": def.family, "image": def.image, "cpu": def.cpu, "memory": def.memory});
    let _lock = op.lock_site(AuditAction::RegisterWarmer, &request).await?;
    let result = ecs_write::register_warmer(&op.clients, def).await;
    let (res, err) = match &result {
        Ok(_) => (AuditResult::Ok, None),
        Err(e) if e.is_read_only_refusal() => (AuditResult::Refused, Some(e.to_string())),
        Err(e) => (AuditResult::Failed, Some(e.to_string())),
    };
    op.record(super::audit::AuditEntry { result: res, error: err, ..op.entry(AuditAction::RegisterWarmer, request) });
    Ok(result?)
}

/// One started warm run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WarmStarted {
    pub target: WarmTarget,
    pub run_task_arn: String,
}

/// The warmers one start launched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmStart {
    pub runs: Vec<WarmStarted>,
    /// The audit line that recorded it, for the outcome line that follows it.
    pub watched: Watched,
}

/// Starts one warmer per target. `run_id` makes the client tokens: the same id never starts a
/// second task for the same target.
pub async fn start_warm(op: &mut Operator, plan: &WarmPlan, run_id: &str) -> Result<WarmStart, ActionError> {
    let _ = op.identify().await;
    if let Some(why) = plan.nothing_to_warm() {
        return Err(ActionError::Usage(why));
    }
    let Some(warmer) = &plan.warmer else {
        return Err(ActionError::Usage(format!("the warmer task definition {} does not exist", plan.task_definition)));
    };
    let container = warmer
        .container(&ContainerRole::Warmer)
        .or_else(|| warmer.containers.first())
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "warmer".into());
    let request = json!({"taskDefinition": warmer.arn, "targets": plan.targets, "runId": run_id});
    let _lock = op.lock_site(AuditAction::Warm, &request).await?;
    let mut started = Vec::new();
    let mut error = None;
    for t in &plan.targets {
        let mut token = format!("wpops-warm-{run_id}-{}", t.task_id);
        token.truncate(64);
        let run = WarmRun {
            cluster: op.cluster.clone(),
            task_definition: warmer.arn.as_str().to_owned(),
            container: container.clone(),
            url: t.url.clone(),
            subnets: plan.subnets.clone(),
            security_groups: plan.security_groups.clone(),
            started_by: "wpops-warm".into(),
            client_token: token,
        };
        match ecs_write::run_warm_task(&op.clients, &run).await {
            Ok(arn) => started.push(WarmStarted { target: t.clone(), run_task_arn: arn }),
            Err(e) => {
                error = Some(ActionError::from(e));
                break;
            }
        }
    }
    let ids: Vec<String> = started.iter().map(|s| crate::model::short_task_id(&s.run_task_arn).to_string()).collect();
    let (result, err) = match &error {
        None => (AuditResult::Ok, None),
        Some(ActionError::Refused(m)) => (AuditResult::Refused, Some(m.clone())),
        Some(e) => (AuditResult::Failed, Some(e.to_string())),
    };
    let entry = op.entry(AuditAction::Warm, request);
    let watched =
        Watched { id: entry.id.clone(), action: AuditAction::Warm, deployment_id: None, task_ids: ids.clone() };
    op.record(super::audit::AuditEntry { result, error: err, task_ids: ids, ..entry });
    match error {
        Some(e) if started.is_empty() => Err(e),
        _ => Ok(WarmStart { runs: started, watched }),
    }
}

/// Follows the one-off warmers until each has stopped and its report is read, or `timeout`;
/// each target's outcome goes to `--log-file` too.
pub async fn follow_warm(
    op: &Operator,
    plan: &WarmPlan,
    start: &WarmStart,
    timeout: Duration,
    every: Duration,
    progress: impl FnMut(&WarmResult),
) -> Result<Vec<WarmResult>, ActionError> {
    let started = &start.runs;
    tracing::info!("following {} warmer tasks on {}/{}", started.len(), op.cluster, op.service);
    let results = watch_warm(op, plan, started, timeout, every, progress).await;
    match &results {
        Ok(rs) => {
            for r in rs {
                let task = crate::model::task_prefix(&r.target.task_id);
                if r.outcome.ok() {
                    tracing::info!(task, "warming {task}: {}", r.outcome.brief(r.elapsed_ms));
                } else {
                    tracing::warn!(task, "warming {task}: {}", r.outcome.brief(r.elapsed_ms));
                }
            }
            let summary = crate::model::WarmRunSummary::of(rs);
            if summary.ok() { tracing::info!("warm: {summary}") } else { tracing::warn!("warm: {summary}") }
        }
        Err(e) => tracing::warn!("stopped following the warmers: {e}"),
    }
    let entry = match &results {
        Ok(rs) => {
            let summary = crate::model::WarmRunSummary::of(rs);
            let outcome = if summary.ok() { AuditOutcome::Completed } else { AuditOutcome::Failed };
            AuditOutcomeEntry {
                reason: (!summary.ok()).then(|| summary.to_string()),
                results: rs.iter().filter_map(|r| serde_json::to_value(r).ok()).collect(),
                ..op.outcome_entry(&start.watched, outcome)
            }
        }
        Err(e) => AuditOutcomeEntry {
            reason: Some(format!("stopped following: {e}")),
            ..op.outcome_entry(&start.watched, AuditOutcome::NotSeen)
        },
    };
    op.record_outcome(entry);
    results
}

async fn watch_warm(
    op: &Operator,
    plan: &WarmPlan,
    started: &[WarmStarted],
    timeout: Duration,
    every: Duration,
    mut progress: impl FnMut(&WarmResult),
) -> Result<Vec<WarmResult>, ActionError> {
    let begin = Instant::now();
    let since_ms = crate::feed::now_ms() - 120_000;
    let mut done: HashMap<String, WarmResult> = HashMap::new();
    let log = plan
        .warmer
        .as_ref()
        .and_then(|w| w.container(&ContainerRole::Warmer).or_else(|| w.containers.first()).cloned());
    loop {
        let pending: Vec<String> =
            started.iter().filter(|s| !done.contains_key(&s.run_task_arn)).map(|s| s.run_task_arn.clone()).collect();
        if pending.is_empty() || begin.elapsed() >= timeout {
            break;
        }
        let tasks = ecs::describe_tasks(&op.clients, &op.cluster, &pending).await?;
        for t in tasks.iter().filter(|t| t.is_stopped()) {
            let Some(s) = started.iter().find(|s| s.run_task_arn == t.arn) else { continue };
            let container = t.warmer().or_else(|| t.containers.first());
            let exit = container.and_then(|c| c.exit_code);
            let outcome = match exit {
                Some(0) => match find_report(op, log.as_ref(), &t.id, since_ms).await? {
                    Some(r) if r.failure > 0 => WarmOutcome::ReportedFailures { report: r },
                    Some(r) => WarmOutcome::Warmed { report: r },
                    None => WarmOutcome::NoReport,
                },
                Some(code) => WarmOutcome::Failed { exit_code: Some(code), reason: describe_exit(code) },
                None => WarmOutcome::Failed {
                    exit_code: None,
                    reason: t.stopped_reason.clone().unwrap_or_else(|| "stopped without an exit code".into()),
                },
            };
            let result = WarmResult {
                target: s.target.clone(),
                run_task_arn: s.run_task_arn.clone(),
                outcome,
                elapsed_ms: begin.elapsed().as_millis() as u64,
            };
            progress(&result);
            done.insert(s.run_task_arn.clone(), result);
        }
        if done.len() < started.len() {
            tokio::time::sleep(every).await;
        }
    }
    Ok(started
        .iter()
        .map(|s| {
            done.remove(&s.run_task_arn).unwrap_or(WarmResult {
                target: s.target.clone(),
                run_task_arn: s.run_task_arn.clone(),
                outcome: WarmOutcome::TimedOut,
                elapsed_ms: begin.elapsed().as_millis() as u64,
            })
        })
        .collect())
}

async fn find_report(
    op: &Operator,
    container: Option<&crate::model::ContainerDef>,
    task_id: &str,
    since_ms: i64,
) -> Result<Option<WarmReport>, ActionError> {
    let Some(c) = container else { return Ok(None) };
    let (Some(group), Some(stream)) = (c.log_group.clone(), c.log_stream(task_id)) else { return Ok(None) };
    let q = Query { group, streams: vec![stream], start_ms: since_ms, ..Query::default() };
    let mut token = None;
    for _ in 0..4 {
        let page = logs::filter_page(&op.clients, &q, token.take()).await?;
        if let Some(r) = page.events.iter().find_map(|e| parse_warm_report(&e.message)) {
            return Ok(Some(r));
        }
        match page.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(running: usize, targets: usize) -> WarmPlan {
        let target = |i: usize| WarmTarget {
            task_id: format!("t{i}"),
            ip: format!("10.0.0.{i}"),
            url: format!("http://10.0.0.{i}/opcache_warmer.php"),
        };
        WarmPlan {
            targets: (0..targets).map(target).collect(),
            task_definition: "wordpress-warmer".into(),
            warmer: None,
            missing: None,
            subnets: Vec::new(),
            security_groups: Vec::new(),
            running,
        }
    }

    #[test]
    fn nothing_to_warm_says_what_was_found() {
        assert_eq!(plan(2, 2).nothing_to_warm(), None);
        assert_eq!(plan(0, 0).nothing_to_warm().as_deref(), Some("nothing to warm: the service has no running task"));
        assert_eq!(
            plan(3, 0).nothing_to_warm().as_deref(),
            Some("nothing to warm: 3 running tasks, none with a private IP in its attachments")
        );
    }
}
