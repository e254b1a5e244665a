//! The WAF and platform poller: finds the web ACL on the service's load balancer (target group →
//! load balancer → GetWebACLForResource, cached), then once a minute reads in ONE GetMetricData
//! call every managed rule group's and rule's blocked requests over the window, the ALB's
//! requests, 5xx and response time, the service's CPU and memory and EFS I/O and burst credits;
//! and the newest sampled requests of each rule group (recent slices: AWS samples only the first
//! 5,000 requests of a window), accumulated over the window for the top lists.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;

use super::backoff::Backoff;
use super::{Command, FeedContext, now_ms, pause};
use crate::app::{Feed, Msg};
use crate::aws::metrics::{self, MetricQuery};
use crate::aws::waf::{self, WebAcl};
use crate::aws::{AwsError, Clients, elb};
use crate::model::{
    DEFAULT_TOP_N, PlatformMetrics, RuleGroupStats, SampledRequest, Series, WafSnapshot, rule_group_label,
};

/// The WAF window (the samples' limit too).
pub const WINDOW_MS: i64 = 3 * 3_600_000;
const SLICE_MS: i64 = 10 * 60_000;
const EVERY: Duration = Duration::from_millis(Feed::Waf.idle_every_ms() as u64);
const REDISCOVER_MS: i64 = 10 * 60_000;
/// Samples of what the web ACL let through or counted, kept at most (the newest): the blocked
/// ones feed the top lists over the whole window, these only the samples list.
const MAX_OTHER_SAMPLES: usize = 300;

#[derive(Default)]
struct Known {
    lb_arn: Option<String>,
    acl: Option<WebAcl>,
    inner_rules: Vec<(String, String)>,
    discovered_at: i64,
    samples: Vec<SampledRequest>,
    /// What the last discovery could not read.
    unavailable: Vec<AwsError>,
}

pub async fn run(ctx: FeedContext, mut rx: mpsc::UnboundedReceiver<Command>) {
    let mut known = Known::default();
    let mut backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(30));
    let mut discovery = ctx.discovery.clone();
    // Until the service is read there is no load balancer to look at; while it cannot be read,
    // both panels say so (each retry of the service's read brings a change).
    loop {
        let waiting = {
            let d = discovery.borrow_and_update();
            if !d.target_groups.is_empty() || !d.task_definitions.is_empty() {
                break;
            }
            d.waiting_error()
        };
        if let Some(err) = waiting {
            let at = now_ms();
            if !ctx.send(Msg::Waf { at_ms: at, result: Err(err.clone()) }).await
                || !ctx.send(Msg::Platform { at_ms: at, result: Err(err) }).await
            {
                return;
            }
        }
        if !super::discovery_changed(&ctx, &mut discovery, &mut rx, |_| {}).await {
            return;
        }
    }
    loop {
        let wait = match poll(&ctx, &mut known).await {
            Ok((waf, platform)) => {
                backoff.reset();
                let at = now_ms();
                if let Some(w) = waf
                    && !ctx.send(Msg::Waf { at_ms: at, result: Ok(Box::new(w)) }).await
                {
                    return;
                }
                let platform = platform.map(Box::new).map_err(|e| e.to_fetch_error(ctx.profile()));
                if !ctx.send(Msg::Platform { at_ms: at, result: platform }).await {
                    return;
                }
                EVERY
            }
            Err(e) => {
                let wait = backoff.after(&e);
                let at = now_ms();
                let err = e.to_fetch_error(ctx.profile());
                if !ctx.send(Msg::Waf { at_ms: at, result: Err(err.clone()) }).await {
                    return;
                }
                ctx.send(Msg::Platform { at_ms: at, result: Err(err) }).await;
                ctx.send(Msg::Backoff { feed: Feed::Waf, at_ms: now_ms(), retry_in_ms: wait.as_millis() as u64 }).await;
                wait
            }
        };
        if pause(&ctx, &mut rx, wait).await.is_none() {
            return;
        }
    }
}

async fn discover(ctx: &FeedContext, known: &mut Known, now: i64) -> Result<(), AwsError> {
    if known.discovered_at != 0 && now - known.discovered_at < REDISCOVER_MS {
        return Ok(());
    }
    let tgs = ctx.discovery.borrow().target_groups.clone();
    let found = find_acl(&ctx.clients, &tgs).await?;
    // A part that could not be read (the rules inside the groups) is asked for again next time;
    // a throttled one fails the poll, which backs off.
    if let Some(e) = found.unavailable.iter().find(|e| e.is_transient()) {
        return Err(e.clone());
    }
    known.discovered_at = if found.unavailable.is_empty() { now } else { 0 };
    (known.lb_arn, known.acl, known.inner_rules) = (found.lb_arn, found.acl, found.inner_rules);
    known.unavailable = found.unavailable;
    Ok(())
}

/// The load balancer in front of a service and the web ACL protecting it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AclFound {
    pub lb_arn: Option<String>,
    pub acl: Option<WebAcl>,
    /// (rule group, rule) pairs inside the ACL's groups that have blocked-request metrics.
    pub inner_rules: Vec<(String, String)>,
    /// What could not be read (CloudWatch's ListMetrics for the inner rules): the web ACL is
    /// still shown, without its per-rule counts.
    pub unavailable: Vec<AwsError>,
}

/// Target group → load balancer → web ACL → the rules inside its groups that have metrics.
pub async fn find_acl(c: &Clients, target_groups: &[String]) -> Result<AclFound, AwsError> {
    let lb_arn = match target_groups.first() {
        Some(tg) => elb::load_balancer_of(c, tg).await?,
        None => None,
    };
    let acl = match &lb_arn {
        Some(lb) => waf::web_acl_for_resource(c, lb).await?,
        None => None,
    };
    let (inner_rules, unavailable) = match &acl {
        Some(acl) => inner_rules_or_why(metrics::waf_rules_with_blocks(c, &acl.name).await),
        None => (Vec::new(), Vec::new()),
    };
    Ok(AclFound { lb_arn, acl, inner_rules, unavailable })
}

/// The inner rules, or none and why: ListMetrics failing does not hide the web ACL.
pub fn inner_rules_or_why(got: Result<Vec<(String, String)>, AwsError>) -> (Vec<(String, String)>, Vec<AwsError>) {
    match got {
        Ok(rules) => (rules, Vec::new()),
        Err(e) => (Vec::new(), vec![e]),
    }
}

fn sid(prefix: &str, i: usize) -> String {
    format!("{prefix}{i}")
}

/// The GetMetricData queries of a WAF picture: each ACL rule's blocked requests per minute
/// (ids `{id_prefix}g<i>`) and each inner rule's per hour (`{id_prefix}r<j>`).
pub fn waf_queries(acl: &WebAcl, inner_rules: &[(String, String)], region: &str, id_prefix: &str) -> Vec<MetricQuery> {
    let mut queries = Vec::new();
    for (i, r) in acl.rules.iter().enumerate() {
        let dims = [("WebACL", acl.name.as_str()), ("Region", region), ("Rule", r.metric_name.as_str())];
        let id = sid(&format!("{id_prefix}g"), i);
        queries.push(MetricQuery::new(&id, "AWS/WAFV2", "BlockedRequests", &dims, "Sum", 60));
    }
    for (i, (group, rule)) in inner_rules.iter().enumerate() {
        let dims = [("WebACL", acl.name.as_str()), ("Region", region), ("RuleGroup", group), ("Rule", rule)];
        let id = sid(&format!("{id_prefix}r"), i);
        queries.push(MetricQuery::new(&id, "AWS/WAFV2", "BlockedRequests", &dims, "Sum", 3600));
    }
    queries
}

/// Builds the snapshot from the series of [`waf_queries`] (taken out of `series`) over
/// `[start_ms, start_ms + window_ms)`, and the sampled requests.
pub fn waf_snapshot(
    acl: &WebAcl,
    inner_rules: &[(String, String)],
    series: &mut HashMap<String, Series>,
    id_prefix: &str,
    start_ms: i64,
    window_ms: i64,
    samples: Vec<SampledRequest>,
) -> WafSnapshot {
    let mut take = |id: String| series.remove(&id).unwrap_or_default();
    let minutes = (window_ms / 60_000).max(1) as usize;
    let mut groups = Vec::new();
    for (i, r) in acl.rules.iter().enumerate() {
        let s = take(sid(&format!("{id_prefix}g"), i));
        let mut per_minute = vec![0u64; minutes];
        for (t, v) in &s.points {
            let idx = ((t - start_ms) / 60_000) as usize;
            if let Some(slot) = per_minute.get_mut(idx) {
                *slot += v.max(0.0).round() as u64;
            }
        }
        let mut stats = RuleGroupStats::from_series(&r.group, &r.metric_name, per_minute);
        let mut rules: HashMap<String, u64> = HashMap::new();
        for (j, (group, rule)) in inner_rules.iter().enumerate() {
            if *group == r.group {
                let total: f64 = take(sid(&format!("{id_prefix}r"), j)).points.iter().map(|(_, v)| v).sum();
                *rules.entry(rule.clone()).or_default() += total.max(0.0).round() as u64;
            }
        }
        let mut rules: Vec<(String, u64)> = rules.into_iter().filter(|(_, n)| *n > 0).collect();
        rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        stats.rules = rules;
        if stats.label.is_empty() {
            stats.label = rule_group_label(&r.group).to_string();
        }
        groups.push(stats);
    }
    WafSnapshot::new(acl.name.clone(), acl.arn.clone(), (window_ms / 1000) as u64, groups, samples, DEFAULT_TOP_N)
}

/// The platform's metric queries (ids `alb_req`, `elb_5xx`, `tgt_5xx`, `rt`, `cpu`, `mem`,
/// `efs_io`, `efs_credit`): the load balancer's when there is one, the service's, the EFS file
/// system's when the task definition mounts one.
pub fn platform_queries(lb_arn: Option<&str>, cluster: &str, service: &str, efs_id: Option<&str>) -> Vec<MetricQuery> {
    let mut queries = Vec::new();
    if let Some(lb) = lb_arn.and_then(elb::load_balancer_dimension) {
        let d = [("LoadBalancer", lb.as_str())];
        queries.push(MetricQuery::new("alb_req", "AWS/ApplicationELB", "RequestCount", &d, "Sum", 60));
        queries.push(MetricQuery::new("elb_5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", &d, "Sum", 60));
        queries.push(MetricQuery::new("tgt_5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", &d, "Sum", 60));
        queries.push(MetricQuery::new("rt", "AWS/ApplicationELB", "TargetResponseTime", &d, "Average", 60));
    }
    let svc = [("ClusterName", cluster), ("ServiceName", service)];
    queries.push(MetricQuery::new("cpu", "AWS/ECS", "CPUUtilization", &svc, "Average", 60));
    queries.push(MetricQuery::new("mem", "AWS/ECS", "MemoryUtilization", &svc, "Average", 60));
    if let Some(fs) = efs_id {
        let d = [("FileSystemId", fs)];
        queries.push(MetricQuery::new("efs_io", "AWS/EFS", "PercentIOLimit", &d, "Average", 60));
        queries.push(MetricQuery::new("efs_credit", "AWS/EFS", "BurstCreditBalance", &d, "Minimum", 60));
    }
    queries
}

/// The platform's numbers out of the series `platform_queries` asked for (taken out of `series`).
fn platform_from(series: &mut HashMap<String, Series>, efs_id: Option<String>) -> PlatformMetrics {
    let mut take = |id: &str| series.remove(id).unwrap_or_default();
    PlatformMetrics {
        alb_requests: take("alb_req"),
        elb_5xx: take("elb_5xx"),
        target_5xx: take("tgt_5xx"),
        response_time_s: take("rt"),
        cpu_percent: take("cpu"),
        memory_percent: take("mem"),
        efs_io_percent: take("efs_io"),
        efs_burst_credits: take("efs_credit"),
        efs_id,
    }
}

/// One read of the platform's numbers over the last `window_ms` (for `wpops status`: the
/// console's poller reads them with the WAF's in one call).
pub async fn read_platform(
    c: &Clients,
    lb_arn: Option<&str>,
    cluster: &str,
    service: &str,
    efs_id: Option<String>,
    window_ms: i64,
) -> Result<PlatformMetrics, AwsError> {
    let now = now_ms();
    read_platform_between(c, lb_arn, cluster, service, efs_id, now - window_ms, now).await
}

/// The platform's numbers over `[from_ms, to_ms)` (`wpops report`'s window), per minute.
pub async fn read_platform_between(
    c: &Clients,
    lb_arn: Option<&str>,
    cluster: &str,
    service: &str,
    efs_id: Option<String>,
    from_ms: i64,
    to_ms: i64,
) -> Result<PlatformMetrics, AwsError> {
    let queries = platform_queries(lb_arn, cluster, service, efs_id.as_deref());
    let start = from_ms.div_euclid(60_000) * 60_000;
    let mut series = metrics::get_series(c, &queries, start, to_ms).await?;
    Ok(platform_from(&mut series, efs_id))
}

/// The WAF picture of `acl` over `[from_ms, to_ms)`: blocked requests per rule group per minute
/// and the sampled requests (GetSampledRequests reaches back three hours at most; older parts of
/// the window have counts but no samples). What could not be read is in `unavailable`.
pub async fn waf_between(c: &Clients, found: &AclFound, from_ms: i64, to_ms: i64) -> Option<WafSnapshot> {
    let acl = found.acl.as_ref()?;
    let start = from_ms.div_euclid(60_000) * 60_000;
    let mut unavailable = found.unavailable.clone();
    let queries = waf_queries(acl, &found.inner_rules, &c.region, "");
    let (mut series, blocked_unknown) = match metrics::get_series(c, &queries, start, to_ms).await {
        Ok(s) => (s, false),
        Err(e) => {
            unavailable.push(e);
            (HashMap::new(), true)
        }
    };
    let mut samples = Vec::new();
    let mut samples_unknown = false;
    let reach = (to_ms - 3 * 3_600_000 + 60_000).max(start);
    let metrics = acl.rules.iter().map(|r| r.metric_name.as_str()).chain(Some(acl.metric_name.as_str()));
    for metric in metrics.filter(|m| !m.is_empty()) {
        match waf::sampled_requests(c, &acl.arn, metric, reach, to_ms, 500).await {
            Ok(got) => samples.extend(got),
            Err(e) => {
                unavailable.push(e);
                samples_unknown = true;
                break;
            }
        }
    }
    samples.sort_by(|a, b| (a.at_ms, &a.client_ip, &a.uri).cmp(&(b.at_ms, &b.client_ip, &b.uri)));
    let mut snapshot = waf_snapshot(acl, &found.inner_rules, &mut series, "", start, to_ms - start, samples);
    snapshot.unavailable = unavailable.iter().map(|e| e.to_fetch_error(c.profile.as_deref())).collect();
    (snapshot.blocked_unknown, snapshot.samples_unknown) = (blocked_unknown, samples_unknown);
    Some(snapshot)
}

/// The WAF picture (what could be read of it) and the platform's metrics (which fail alone when
/// CloudWatch does). Fails as a whole only when nothing could be read.
async fn poll(
    ctx: &FeedContext,
    known: &mut Known,
) -> Result<(Option<WafSnapshot>, Result<PlatformMetrics, AwsError>), AwsError> {
    let now = now_ms();
    discover(ctx, known, now).await?;
    let c = &ctx.clients;
    let region = c.region.clone();
    let mut queries = match &known.acl {
        Some(acl) => waf_queries(acl, &known.inner_rules, &region, ""),
        None => Vec::new(),
    };
    let efs_id = ctx
        .discovery
        .borrow()
        .task_definitions
        .iter()
        .flat_map(|t| t.volumes.iter())
        .find_map(|v| v.efs_file_system_id.clone());
    queries.extend(platform_queries(known.lb_arn.as_deref(), &ctx.site.cluster, &ctx.site.service, efs_id.as_deref()));
    let start = (now - WINDOW_MS).div_euclid(60_000) * 60_000;
    let mut unavailable = known.unavailable.clone();
    let (mut series, metrics_error) = match metrics::get_series(c, &queries, start, now).await {
        Ok(s) => (s, None),
        // Without a web ACL there is nothing else to show, and a throttled or unreachable
        // CloudWatch keeps the last full picture (with its age) while the poll backs off: the
        // whole poll failed. A CloudWatch that cannot answer at all (moto) leaves a partial one.
        Err(e) if known.acl.is_none() || e.is_transient() => return Err(e),
        Err(e) => (HashMap::new(), Some(e)),
    };
    let platform = platform_from(&mut series, efs_id);
    let blocked_unknown = metrics_error.is_some();
    let platform = match metrics_error {
        Some(e) => {
            unavailable.push(e.clone());
            Err(e)
        }
        None => Ok(platform),
    };
    let Some(acl) = known.acl.clone() else { return Ok((None, platform)) };

    // Newest sampled requests of each rule group, kept over the window, and of the web ACL's
    // default action (what it let through or counted: the newest few hundred of those).
    let mut samples_unknown = false;
    let metrics = acl.rules.iter().map(|r| r.metric_name.as_str()).chain(Some(acl.metric_name.as_str()));
    for metric in metrics.filter(|m| !m.is_empty()) {
        match waf::sampled_requests(c, &acl.arn, metric, now - SLICE_MS, now, 100).await {
            Ok(got) => known.samples.extend(got),
            Err(e) if e.is_transient() => return Err(e),
            Err(e) => {
                unavailable.push(e);
                samples_unknown = known.samples.is_empty();
                break;
            }
        }
    }
    known.samples.retain(|s| s.at_ms >= now - WINDOW_MS);
    known.samples.sort_by(|a, b| (a.at_ms, &a.client_ip, &a.uri).cmp(&(b.at_ms, &b.client_ip, &b.uri)));
    known
        .samples
        .dedup_by(|a, b| a.at_ms == b.at_ms && a.client_ip == b.client_ip && a.uri == b.uri && a.rule == b.rule);
    let others = known.samples.iter().filter(|s| !s.is_blocked()).count();
    let mut drop = others.saturating_sub(MAX_OTHER_SAMPLES);
    known.samples.retain(|s| {
        let gone = drop > 0 && !s.is_blocked();
        drop -= usize::from(gone);
        !gone
    });

    let mut snapshot = waf_snapshot(&acl, &known.inner_rules, &mut series, "", start, WINDOW_MS, known.samples.clone());
    snapshot.unavailable = unavailable.iter().map(|e| e.to_fetch_error(ctx.profile())).collect();
    (snapshot.blocked_unknown, snapshot.samples_unknown) = (blocked_unknown, samples_unknown);
    Ok((Some(snapshot), platform))
}
