//! The fleet: every configured site read concurrently through the one reader (`read.rs`), one
//! reader per account and region so that fifty sites share one request budget (and do not draw
//! throttling) and fetch task definitions and web ACLs once; the metrics of all sites of one
//! account and region come in ONE GetMetricData call. Returns one `model::FleetRow` per site,
//! for `wpops status --all` and the console's fleet view alike.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures_util::future::join_all;

use super::alb::alb_queries;
use super::budget::Budget;
use super::now_ms;
use super::read::{Depth, Reading, ServiceReader};
use crate::aws::metrics::{self, MetricQuery};
use crate::aws::{AwsError, AwsErrorKind, Clients, Target, elb};
use crate::model::findings::{RuntimeInputs, assess};
use crate::model::{FLEET_ALB_WINDOW_MS, FLEET_WAF_WINDOW_MS, FleetRow, HealthRules, Series, SiteError, WarmEvidence};

/// One site to read, as the command line resolved it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetSite {
    pub name: String,
    /// How to connect (profile, region, endpoint, timeouts).
    pub target: Target,
    pub cluster: String,
    pub service: String,
    /// The configured web ACL; discovered from the load balancer when absent.
    pub web_acl: Option<String>,
    /// A warmer still running this long after its task started stands out.
    pub warm_limit_ms: i64,
}

/// Every configured site, read again on each call (the console's fleet view).
#[derive(Debug, Clone)]
pub struct FleetSource {
    sites: Arc<Vec<FleetSite>>,
}

impl FleetSource {
    /// `None` when there are no sites.
    pub fn new(sites: Vec<FleetSite>) -> Option<FleetSource> {
        (!sites.is_empty()).then(|| FleetSource { sites: Arc::new(sites) })
    }

    pub async fn read(&self) -> Vec<FleetRow> {
        poll(&self.sites).await
    }
}

/// One account and region: its reader (with the budgets and caches its sites share).
struct Pool {
    id: usize,
    account: String,
    region: String,
    reader: ServiceReader,
}

impl Pool {
    fn new(id: usize, account: &str, clients: Clients) -> Pool {
        // ECS, ELB, WAF, STS and CloudWatch requests; CloudWatch Logs (the tightest quota).
        let api = Arc::new(Budget::new(20.0, 10.0));
        let logs = Arc::new(Budget::new(5.0, 5.0));
        let region = clients.region.clone();
        Pool { id, account: account.into(), region, reader: ServiceReader::new(clients, logs).with_api_budget(api) }
    }
}

type Key = (Option<String>, Option<String>, Option<String>);

fn key_of(t: &Target) -> Key {
    (t.profile.clone(), t.region.clone(), t.endpoint_url.clone())
}

/// Reads every site; one row per site, in the order given.
pub async fn poll(sites: &[FleetSite]) -> Vec<FleetRow> {
    // One set of clients and one GetCallerIdentity per distinct (profile, region, endpoint).
    let mut keys: Vec<(Key, &Target)> = sites.iter().map(|s| (key_of(&s.target), &s.target)).collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys.dedup_by(|a, b| a.0 == b.0);
    let connected = join_all(keys.iter().map(|(_, target)| async move {
        let clients = Clients::connect(target).await?;
        let who = elb::caller(&clients).await?;
        Ok::<_, AwsError>((clients, who.account))
    }))
    .await;
    let mut pools: BTreeMap<(String, String, Option<String>), Arc<Pool>> = BTreeMap::new();
    let mut by_key: HashMap<Key, Result<Arc<Pool>, AwsError>> = HashMap::new();
    for ((key, _), result) in keys.iter().zip(connected) {
        let entry = result.map(|(clients, account)| {
            let pool_key = (account.clone(), clients.region.clone(), key.2.clone());
            let id = pools.len();
            pools.entry(pool_key).or_insert_with(|| Arc::new(Pool::new(id, &account, clients))).clone()
        });
        by_key.insert(key.clone(), entry);
    }
    let reads = join_all(sites.iter().map(|site| {
        let pool = by_key.get(&key_of(&site.target)).cloned();
        async move {
            match pool {
                Some(Ok(pool)) => {
                    // A configured web ACL needs no lookup.
                    let depth = Depth { web_acl: site.web_acl.is_none(), ..Depth::FLEET };
                    let read = pool.reader.read(&site.cluster, &site.service, depth).await;
                    (Some(pool), read)
                }
                Some(Err(e)) => (None, Err(e)),
                None => (None, Err(AwsError::new(AwsErrorKind::Other, "config", "not connected"))),
            }
        }
    }))
    .await;
    let series = metrics_per_pool(sites, &reads).await;
    let now = now_ms();
    sites
        .iter()
        .zip(reads)
        .enumerate()
        .map(|(i, (site, (pool, read)))| {
            let metric = pool.as_ref().and_then(|p| series.get(&p.id));
            row(site, pool.as_deref(), read, metric, &prefix(i), now)
        })
        .collect()
}

fn prefix(i: usize) -> String {
    format!("s{i}_")
}

/// The web ACL a site's metrics are read for: the configured one, else the discovered one.
fn web_acl<'a>(site: &'a FleetSite, reading: &'a Reading) -> Option<&'a str> {
    site.web_acl.as_deref().or(reading.web_acl.as_deref())
}

/// The metric queries of site `i`: the ALB's 5xx and the web ACL's blocked requests.
fn site_queries(i: usize, site: &FleetSite, reading: &Reading, region: &str) -> Vec<MetricQuery> {
    let prefix = prefix(i);
    let lb = reading.load_balancer.as_deref().and_then(elb::load_balancer_dimension);
    let mut q = lb.as_deref().map(|d| alb_queries(d, &prefix)).unwrap_or_default();
    if let Some(acl) = web_acl(site, reading) {
        let dims = [("WebACL", acl), ("Region", region), ("Rule", "ALL")];
        q.push(MetricQuery::new(&format!("{prefix}waf"), "AWS/WAFV2", "BlockedRequests", &dims, "Sum", 60));
    }
    q
}

type Read = (Option<Arc<Pool>>, Result<Reading, AwsError>);
type PoolSeries = HashMap<usize, Result<HashMap<String, Series>, AwsError>>;

/// One GetMetricData call per account and region, covering every site of it.
async fn metrics_per_pool(sites: &[FleetSite], reads: &[Read]) -> PoolSeries {
    let mut groups: HashMap<usize, (Arc<Pool>, Vec<MetricQuery>)> = HashMap::new();
    for (i, (site, (pool, read))) in sites.iter().zip(reads).enumerate() {
        let (Some(pool), Ok(reading)) = (pool, read) else { continue };
        let entry = groups.entry(pool.id).or_insert_with(|| (pool.clone(), Vec::new()));
        entry.1.extend(site_queries(i, site, reading, &pool.region));
    }
    let now = now_ms();
    let start = (now - FLEET_WAF_WINDOW_MS).div_euclid(60_000) * 60_000;
    let results = join_all(groups.into_iter().map(|(key, (pool, queries))| async move {
        if queries.is_empty() {
            return (key, Ok(HashMap::new()));
        }
        if let Some(api) = pool.reader.api_budget() {
            api.acquire().await;
        }
        (key, metrics::get_series(pool.reader.clients(), &queries, start, now).await)
    }))
    .await;
    results.into_iter().collect()
}

fn sum_since(series: &HashMap<String, Series>, id: &str, since: i64) -> Option<u64> {
    series.get(id).map(|s| s.sum_since(since).max(0.0).round() as u64)
}

/// Builds a site's row from its read and its pool's metrics.
fn row(
    site: &FleetSite,
    pool: Option<&Pool>,
    read: Result<Reading, AwsError>,
    metrics: Option<&Result<HashMap<String, Series>, AwsError>>,
    prefix: &str,
    now: i64,
) -> FleetRow {
    let profile = site.target.profile.as_deref();
    let mut r = FleetRow {
        site: site.name.clone(),
        account: pool.map(|p| p.account.clone()),
        region: pool.map(|p| p.region.clone()).or_else(|| site.target.region.clone()),
        cluster: site.cluster.clone(),
        service: site.service.clone(),
        ..FleetRow::default()
    };
    let reading = match read {
        Ok(reading) => reading,
        Err(e) => {
            r.error = Some(SiteError { kind: e.kind, message: e.report(profile) });
            return r;
        }
    };
    if let Some(e) = reading.targets_error.as_ref().or(reading.edge_error.as_ref()) {
        // Without target health a verdict would speak of targets it did not see.
        r.error = Some(SiteError { kind: e.kind, message: e.report(profile) });
        return r;
    }
    let snap = &reading.snapshot;
    let report_for = |id: &str| WarmEvidence {
        report: reading.reports.get(id),
        lookup: reading.report_lookups.get(id),
        rewarm: None,
    };
    let rules = HealthRules { warm_limit_ms: site.warm_limit_ms, ..HealthRules::default() };
    // The fleet reads the service, its 5xx and WAF counts: the findings of those, worst first
    // (the problem column shows the worst).
    const NOT_READ: &str = "not read by the fleet view: open the site";
    let assessment = assess(&RuntimeInputs {
        snapshot: snap,
        platform: Err(NOT_READ.to_owned()),
        waf: None,
        logs: Err(NOT_READ.to_owned()),
        evidence_for: &report_for,
        replacing: None,
        rollback_to: None,
        now_ms: now,
        rules,
        past_window: false,
    });
    r.verdict = Some(assessment.health);
    r.running = Some(snap.service.running);
    r.desired = Some(snap.service.desired);
    r.rollout = snap.service.primary().map(|d| d.rollout.clone());
    let failures = snap
        .tasks
        .iter()
        .filter(|t| t.is_running())
        .filter(|t| t.warmer_verdict(report_for(&t.id), now, site.warm_limit_ms).stands_out())
        .count();
    r.warmer_failures = Some(u32::try_from(failures).unwrap_or(u32::MAX));
    r.read_started_ms = Some(reading.started_ms);
    r.read_finished_ms = Some(reading.fetched_ms);
    match metrics {
        Some(Ok(series)) => {
            let since = now - FLEET_ALB_WINDOW_MS;
            if reading.load_balancer.as_deref().and_then(elb::load_balancer_dimension).is_some() {
                r.elb_5xx_5m = sum_since(series, &format!("{prefix}elb5"), since).or(Some(0));
                r.target_5xx_5m = sum_since(series, &format!("{prefix}tgt5"), since).or(Some(0));
            }
            if web_acl(site, &reading).is_some() {
                r.waf_blocked_1h = sum_since(series, &format!("{prefix}waf"), now - FLEET_WAF_WINDOW_MS).or(Some(0));
            }
        }
        Some(Err(e)) => r.metrics_error = Some(e.report(profile)),
        None => {}
    }
    r
}
