//! `wpops status`: reads the service, its tasks, task definitions, target health, warm reports
//! and the ALB's recent 5xx — independent calls concurrently, nothing fetched twice — and turns
//! them into the health verdict and its exit code. Rendering lives in `status_view.rs`; the
//! fleet (`--all`) in `fleet.rs`. No domain rules here: those are `model::service_health`.

use std::collections::HashMap;

use futures_util::future::try_join_all;

use crate::app::FoundReport;
use crate::aws::metrics::{self, MetricQuery};
use crate::aws::{AwsError, Clients, ecs, elb};
use crate::feed::budget::Budget;
use crate::feed::{now_ms, warm};
use crate::model::{
    HealthRules, LastStatus, Service, ServiceHealth, TargetHealth, Task, TaskDefinition, service_health,
};

use super::args::{Global, Output, StatusArgs};
use super::config::ResolvedSite;
use super::connect;
use super::output::{self, Style};

/// The ALB 5xx window.
pub const ALB_WINDOW_MS: i64 = 5 * 60_000;

/// 5xx answered by the load balancer itself and by the targets, over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Alb5xx {
    pub window_ms: i64,
    pub elb: u64,
    pub target: u64,
}

/// Everything `wpops status` knows about a site.
#[derive(Debug, Clone, Default)]
pub struct StatusFacts {
    pub service: Service,
    /// Running tasks (oldest first), then stopped ones (newest first).
    pub tasks: Vec<Task>,
    pub task_definitions: Vec<TaskDefinition>,
    pub targets: Vec<TargetHealth>,
    pub reports: HashMap<String, FoundReport>,
    /// `Err` carries why the metric could not be read (the verdict does not depend on it).
    pub alb_5xx: Option<Result<Alb5xx, String>>,
    /// When the reads started and finished.
    pub started_ms: i64,
    pub fetched_ms: i64,
}

impl StatusFacts {
    /// The verdict under the site's warming limit.
    pub fn health(&self, site: &ResolvedSite, now: i64) -> ServiceHealth {
        let rules = HealthRules { warm_limit_ms: site.warming.limit_secs as i64 * 1000, ..HealthRules::default() };
        let report_for = |id: &str| self.reports.get(id).map(|f| f.report);
        service_health(&self.service, &self.tasks, &self.targets, &report_for, now, &rules)
    }
}

pub async fn run(args: StatusArgs, global: &Global) -> u8 {
    if args.all {
        return super::fleet::run(args, global).await;
    }
    let session = match connect::open("status", global).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let facts = match fetch(&session.clients, &session.site.cluster, &session.site.service).await {
        Ok(f) => f,
        Err(e) => return output::aws_failure("status", &e, session.profile()),
    };
    let now = now_ms();
    let health = facts.health(&session.site, now);
    let code = health.exit_code().clamp(0, 1) as u8;
    let written = match args.output {
        Output::Json => output::print_json(&super::status_view::json(&session.site, &facts, &health, now)),
        Output::Text => {
            output::print_lines(&super::status_view::text(&session.site, &facts, &health, now, Style::detect()))
        }
    };
    if written { code } else { super::exit::OK }
}

/// Reads all the facts, in three concurrent chains after the service and task lists: tasks →
/// task definitions → warm reports; target health; load balancer → 5xx metrics.
pub async fn fetch(c: &Clients, cluster: &str, service: &str) -> Result<StatusFacts, AwsError> {
    let started_ms = now_ms();
    let (svc, running, stopped) = tokio::try_join!(
        ecs::describe_service(c, cluster, service),
        ecs::list_task_arns(c, cluster, service, false),
        ecs::list_task_arns(c, cluster, service, true),
    )?;
    let tasks_chain = async {
        let mut arns = running.clone();
        arns.extend(stopped.iter().filter(|a| !running.contains(a)).cloned());
        let mut tasks = if arns.is_empty() { Vec::new() } else { ecs::describe_tasks(c, cluster, &arns).await? };
        order_tasks(&mut tasks);
        let defs = task_definitions(c, &svc, &tasks).await?;
        let reports = reports(c, &tasks, &defs).await?;
        Ok::<_, AwsError>((tasks, defs, reports))
    };
    let targets_chain = async {
        let all = try_join_all(svc.target_groups.iter().map(|tg| elb::target_health(c, tg))).await?;
        Ok::<_, AwsError>(all.into_iter().flatten().collect::<Vec<_>>())
    };
    let alb_chain = async {
        let tg = svc.target_groups.first()?;
        Some(alb_5xx(c, tg).await.map_err(|e| e.report(c.profile.as_deref())))
    };
    let (tasks, targets, alb) = tokio::join!(tasks_chain, targets_chain, alb_chain);
    let (tasks, task_definitions, reports) = tasks?;
    Ok(StatusFacts {
        service: svc,
        tasks,
        task_definitions,
        targets: targets?,
        reports,
        alb_5xx: alb,
        started_ms,
        fetched_ms: now_ms(),
    })
}

/// Running tasks first (oldest first), then stopped ones (newest first).
fn order_tasks(tasks: &mut [Task]) {
    tasks.sort_by(|a, b| {
        a.is_stopped().cmp(&b.is_stopped()).then_with(|| {
            if a.is_stopped() {
                b.stopped_ms().cmp(&a.stopped_ms())
            } else {
                a.started_at_ms.cmp(&b.started_at_ms).then(a.id.cmp(&b.id))
            }
        })
    });
}

/// The task definitions the service and its tasks use, each fetched once, concurrently.
pub async fn task_definitions(c: &Clients, svc: &Service, tasks: &[Task]) -> Result<Vec<TaskDefinition>, AwsError> {
    let mut arns: Vec<&str> = tasks.iter().map(|t| t.task_definition.as_str()).collect();
    arns.push(&svc.task_definition);
    arns.extend(svc.deployments.iter().map(|d| d.task_definition.as_str()));
    arns.retain(|a| !a.is_empty());
    arns.sort_unstable();
    arns.dedup();
    try_join_all(arns.into_iter().map(|a| ecs::describe_task_definition(c, a))).await
}

/// Warm reports of the running tasks whose warmer exited 0 (for the others ECS already tells).
async fn reports(
    c: &Clients,
    tasks: &[Task],
    defs: &[TaskDefinition],
) -> Result<HashMap<String, FoundReport>, AwsError> {
    let wanted: Vec<Task> = tasks
        .iter()
        .filter(|t| t.is_running())
        .filter(|t| t.warmer().is_some_and(|w| w.last_status == LastStatus::Stopped && w.exit_code == Some(0)))
        .cloned()
        .collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    // CloudWatch Logs allows about five requests a second per account and region.
    let budget = Budget::new(5.0, 5.0);
    let found = warm::find_reports(c, &budget, &wanted, defs, now_ms()).await?;
    Ok(found.into_iter().map(|f| (f.task_id.clone(), f)).collect())
}

/// The 5xx of the target group's load balancer over the last five minutes.
async fn alb_5xx(c: &Clients, target_group: &str) -> Result<Alb5xx, AwsError> {
    let Some(lb) = elb::load_balancer_of(c, target_group).await? else { return Ok(Alb5xx::default()) };
    let Some(dim) = elb::load_balancer_dimension(&lb) else { return Ok(Alb5xx::default()) };
    let now = now_ms();
    let start = (now - ALB_WINDOW_MS).div_euclid(60_000) * 60_000;
    let queries = alb_queries(&dim, "");
    let series = metrics::get_series(c, &queries, start, now).await?;
    Ok(alb_from(&series, "", ALB_WINDOW_MS))
}

/// The two 5xx queries of one load balancer (ids `{prefix}elb5`, `{prefix}tgt5`).
pub fn alb_queries(lb_dimension: &str, prefix: &str) -> Vec<MetricQuery> {
    let d = [("LoadBalancer", lb_dimension)];
    vec![
        MetricQuery::new(&format!("{prefix}elb5"), "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", &d, "Sum", 60),
        MetricQuery::new(&format!("{prefix}tgt5"), "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", &d, "Sum", 60),
    ]
}

/// Sums the series of [`alb_queries`].
pub fn alb_from(series: &HashMap<String, crate::model::Series>, prefix: &str, window_ms: i64) -> Alb5xx {
    let sum = |id: String| series.get(&id).map_or(0.0, |s| s.points.iter().map(|(_, v)| v.max(0.0)).sum::<f64>());
    Alb5xx {
        window_ms,
        elb: sum(format!("{prefix}elb5")).round() as u64,
        target: sum(format!("{prefix}tgt5")).round() as u64,
    }
}
