//! `wpops status --all`: every site of the config file in one table. Sites are probed
//! concurrently; every request draws from one budget per account and region (so fifty sites do
//! not draw throttling), task definitions and web ACLs are fetched once per account and region,
//! and the metrics of all sites of one account and region come in ONE GetMetricData call.
//! Exit 1 if any site is unhealthy, else 3 if any could not be read, else 0. Rendering is in
//! `fleet_view.rs`; the verdict is `model::service_health`'s.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use futures_util::future::{join_all, try_join_all};
use tokio::sync::OnceCell;

use crate::app::FoundReport;
use crate::aws::metrics::{self, MetricQuery};
use crate::aws::waf;
use crate::aws::{AwsError, Clients, ecs, elb};
use crate::feed::budget::Budget;
use crate::feed::{now_ms, warm};
use crate::model::{LastStatus, Series, ServiceHealth, TargetHealth, Task, TaskDefinition};

use super::args::{Global, Output, StatusArgs};
use super::config::{self, ResolvedSite};
use super::fleet_view::{self, SiteRow};
use super::output::{self, Style};
use super::{connect, exit, sites, status};

/// The WAF and ALB windows of the table.
pub const WAF_WINDOW_MS: i64 = 3_600_000;

/// One account and region: its request budgets and what its sites share.
pub struct Pool {
    pub id: usize,
    pub account: String,
    pub region: String,
    /// ECS, ELB, WAF, STS and CloudWatch requests.
    pub api: Budget,
    /// CloudWatch Logs requests (the tightest quota).
    pub logs: Budget,
    task_defs: Mutex<HashMap<String, Arc<OnceCell<TaskDefinition>>>>,
    acls: Mutex<HashMap<String, Arc<OnceCell<Option<String>>>>>,
}

impl Pool {
    pub fn new(id: usize, account: &str, region: &str) -> Pool {
        Pool {
            id,
            account: account.into(),
            region: region.into(),
            api: Budget::new(20.0, 10.0),
            logs: Budget::new(5.0, 5.0),
            task_defs: Mutex::default(),
            acls: Mutex::default(),
        }
    }

    fn cell<T>(map: &Mutex<HashMap<String, Arc<OnceCell<T>>>>, key: &str) -> Arc<OnceCell<T>> {
        // A poisoned lock only means another probe panicked mid-insert of a cell.
        let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(key.to_string()).or_default().clone()
    }
}

/// What one site's probe found before the metrics.
pub struct Probe {
    pub facts: status::StatusFacts,
    pub lb_dimension: Option<String>,
    pub web_acl: Option<String>,
}

pub async fn run(args: StatusArgs, global: &Global) -> u8 {
    if global.site.is_some() || global.cluster.is_some() || global.service.is_some() || global.demo {
        return output::usage_failure(
            "status --all",
            "--all covers every site of the config file; drop --site, --cluster, --service and --demo",
        );
    }
    let (_, file) = match sites::load_required(global, "status --all") {
        Ok(f) => f,
        Err(code) => return code,
    };
    if file.sites.is_empty() {
        return output::usage_failure("status --all", "the config file has no [sites.NAME] tables");
    }
    let mut resolved = Vec::new();
    for (name, entry) in &file.sites {
        match config::resolve_entry(Some(name), entry, global, &config::process_env) {
            Ok(s) => resolved.push(s),
            Err(e) => return output::usage_failure("status --all", &format!("site {name}: {e}")),
        }
    }
    let rows = poll(resolved).await;
    let now = now_ms();
    let code = exit_code(&rows);
    match args.output {
        Output::Json => output::print_json(&fleet_view::json(&rows, now, code)),
        Output::Text => output::print_lines(&fleet_view::text(&rows, now, Style::detect())),
    };
    code
}

/// 1 if any site is unhealthy (a known problem outranks an unknown), else 3 if any could not be
/// read, else 0.
pub fn exit_code(rows: &[SiteRow]) -> u8 {
    if rows.iter().any(|r| matches!(r.health, Some(ServiceHealth::Unhealthy { .. }))) {
        exit::UNHEALTHY
    } else if rows.iter().any(|r| r.error.is_some()) {
        exit::AWS_UNAVAILABLE
    } else {
        exit::OK
    }
}

/// Probes every site; one row per site, in the order given.
pub async fn poll(sites: Vec<ResolvedSite>) -> Vec<SiteRow> {
    // One set of clients and one GetCallerIdentity per distinct (profile, region, endpoint).
    let mut keys: Vec<(Option<String>, Option<String>, Option<String>)> =
        sites.iter().map(|s| (s.profile.clone(), s.region.clone(), s.endpoint_url.clone())).collect();
    keys.sort();
    keys.dedup();
    let connected = join_all(keys.iter().map(|(p, r, e)| async move {
        let site =
            ResolvedSite { profile: p.clone(), region: r.clone(), endpoint_url: e.clone(), ..ResolvedSite::default() };
        let clients = Clients::connect(&connect::target_for(&site)).await?;
        let who = elb::caller(&clients).await?;
        Ok::<_, AwsError>((clients, who.account))
    }))
    .await;
    let mut pools: BTreeMap<(String, String, Option<String>), Arc<Pool>> = BTreeMap::new();
    let mut by_key = HashMap::new();
    for (key, result) in keys.iter().zip(connected) {
        let entry = result.map(|(clients, account)| {
            let pool_key = (account.clone(), clients.region.clone(), key.2.clone());
            let id = pools.len();
            let pool =
                pools.entry(pool_key).or_insert_with(|| Arc::new(Pool::new(id, &account, &clients.region))).clone();
            (clients, pool)
        });
        by_key.insert(key.clone(), entry);
    }
    let probes = join_all(sites.iter().map(|site| {
        let entry = by_key.get(&(site.profile.clone(), site.region.clone(), site.endpoint_url.clone())).cloned();
        async move {
            match entry {
                Some(Ok((clients, pool))) => {
                    let probe = probe(&clients, &pool, site).await;
                    (Some((clients, pool)), probe)
                }
                Some(Err(e)) => (None, Err(e)),
                None => (None, Err(AwsError::new(crate::aws::AwsErrorKind::Other, "config", "not connected"))),
            }
        }
    }))
    .await;
    let series = metrics_per_pool(&probes).await;
    let now = now_ms();
    sites
        .iter()
        .zip(probes)
        .enumerate()
        .map(|(i, (site, (conn, probe)))| {
            let pool = conn.as_ref().map(|(_, p)| p.clone());
            let metric = pool.as_ref().and_then(|p| series.get(&p.id));
            fleet_view::row(site, pool.as_deref(), probe, metric, &format!("s{i}_"), now)
        })
        .collect()
}

/// Reads one site: service and running tasks, task definitions (shared), warm reports, target
/// health, and the load balancer and web ACL (shared) for the metrics.
async fn probe(c: &Clients, pool: &Pool, site: &ResolvedSite) -> Result<Probe, AwsError> {
    let started_ms = now_ms();
    let (cluster, name) = (&site.cluster, &site.service);
    pool.api.acquire().await;
    pool.api.acquire().await;
    let (svc, arns) =
        tokio::try_join!(ecs::describe_service(c, cluster, name), ecs::list_task_arns(c, cluster, name, false))?;
    let tasks_chain = async {
        if arns.is_empty() {
            return Ok((Vec::new(), HashMap::new()));
        }
        pool.api.acquire().await;
        let tasks = ecs::describe_tasks(c, cluster, &arns).await?;
        let defs = try_join_all(distinct(tasks.iter().map(|t| t.task_definition.as_str())).into_iter().map(
            |arn| async move {
                let cell = Pool::cell(&pool.task_defs, arn);
                cell.get_or_try_init(|| async {
                    pool.api.acquire().await;
                    ecs::describe_task_definition(c, arn).await
                })
                .await
                .cloned()
            },
        ))
        .await?;
        let reports = reports(c, pool, &tasks, &defs).await?;
        Ok::<_, AwsError>((tasks, reports))
    };
    let targets_chain = async {
        let all = try_join_all(svc.target_groups.iter().map(|tg| async move {
            pool.api.acquire().await;
            elb::target_health(c, tg).await
        }))
        .await?;
        Ok::<Vec<TargetHealth>, AwsError>(all.into_iter().flatten().collect())
    };
    let lb_chain = async {
        let Some(tg) = svc.target_groups.first() else { return Ok((None, site.web_acl.clone())) };
        pool.api.acquire().await;
        let Some(lb) = elb::load_balancer_of(c, tg).await? else { return Ok((None, site.web_acl.clone())) };
        let acl = match &site.web_acl {
            Some(name) => Some(name.clone()),
            None => Pool::cell(&pool.acls, &lb)
                .get_or_try_init(|| async {
                    pool.api.acquire().await;
                    waf::web_acl_for_resource(c, &lb).await.map(|a| a.map(|a| a.name))
                })
                .await?
                .clone(),
        };
        Ok::<_, AwsError>((elb::load_balancer_dimension(&lb), acl))
    };
    let (tasks, targets, lb) = tokio::join!(tasks_chain, targets_chain, lb_chain);
    let ((tasks, reports), targets, (lb_dimension, web_acl)) = (tasks?, targets?, lb?);
    let facts = status::StatusFacts {
        service: svc,
        tasks,
        task_definitions: Vec::new(),
        targets,
        reports,
        alb_5xx: None,
        started_ms,
        fetched_ms: now_ms(),
    };
    Ok(Probe { facts, lb_dimension, web_acl })
}

fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = items.filter(|s| !s.is_empty()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

async fn reports(
    c: &Clients,
    pool: &Pool,
    tasks: &[Task],
    defs: &[TaskDefinition],
) -> Result<HashMap<String, FoundReport>, AwsError> {
    let wanted: Vec<Task> = tasks
        .iter()
        .filter(|t| t.warmer().is_some_and(|w| w.last_status == LastStatus::Stopped && w.exit_code == Some(0)))
        .cloned()
        .collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let found = warm::find_reports(c, &pool.logs, &wanted, defs, now_ms()).await?;
    Ok(found.into_iter().map(|f| (f.task_id.clone(), f)).collect())
}

/// The metric queries of site `i`: the ALB's 5xx and the web ACL's blocked requests.
pub fn site_queries(i: usize, probe: &Probe, region: &str) -> Vec<MetricQuery> {
    let prefix = format!("s{i}_");
    let mut q = probe.lb_dimension.as_deref().map(|d| status::alb_queries(d, &prefix)).unwrap_or_default();
    if let Some(acl) = &probe.web_acl {
        let dims = [("WebACL", acl.as_str()), ("Region", region), ("Rule", "ALL")];
        q.push(MetricQuery::new(&format!("{prefix}waf"), "AWS/WAFV2", "BlockedRequests", &dims, "Sum", 60));
    }
    q
}

type Conn = Option<(Clients, Arc<Pool>)>;

/// One GetMetricData call per account and region, covering every site of it.
async fn metrics_per_pool(
    probes: &[(Conn, Result<Probe, AwsError>)],
) -> HashMap<usize, Result<HashMap<String, Series>, AwsError>> {
    let mut groups: HashMap<usize, (Clients, Arc<Pool>, Vec<MetricQuery>)> = HashMap::new();
    for (i, (conn, probe)) in probes.iter().enumerate() {
        let (Some((clients, pool)), Ok(probe)) = (conn, probe) else { continue };
        let entry = groups.entry(pool.id).or_insert_with(|| (clients.clone(), pool.clone(), Vec::new()));
        entry.2.extend(site_queries(i, probe, &pool.region));
    }
    let now = now_ms();
    let start = (now - WAF_WINDOW_MS).div_euclid(60_000) * 60_000;
    let results = join_all(groups.into_iter().map(|(key, (clients, pool, queries))| async move {
        if queries.is_empty() {
            return (key, Ok(HashMap::new()));
        }
        pool.api.acquire().await;
        (key, metrics::get_series(&clients, &queries, start, now).await)
    }))
    .await;
    results.into_iter().collect()
}

/// Every site of the config file, resolved with only the environment and `--config` applied
/// (the flags name one site; the fleet is all of them). Empty when there is no config file.
pub fn configured_sites(global: &Global) -> Vec<ResolvedSite> {
    let base = Global { config: global.config.clone(), ..Global::default() };
    let Some(path) = config::config_path(&base, &config::process_env) else { return Vec::new() };
    let Ok(Some(file)) = config::load(&path, false) else { return Vec::new() };
    file.sites
        .iter()
        .filter_map(|(name, entry)| config::resolve_entry(Some(name), entry, &base, &config::process_env).ok())
        .collect()
}

/// The console's fleet view source: every configured site, polled as `status --all` polls them.
pub fn console_source(global: &Global) -> Option<crate::tui::FleetSource> {
    let sites = configured_sites(global);
    if sites.is_empty() {
        return None;
    }
    Some(std::sync::Arc::new(move || {
        let sites = sites.clone();
        Box::pin(async move {
            let rows = poll(sites).await;
            let now = now_ms();
            rows.iter().map(|r| fleet_view::fleet_row(r, now)).collect()
        })
    }))
}
