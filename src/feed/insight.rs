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
use crate::aws::{AwsError, elb};
use crate::model::{
    DEFAULT_TOP_N, PlatformMetrics, RuleGroupStats, SampledRequest, Series, WafSnapshot, rule_group_label,
};

/// The WAF window (the samples' limit too).
pub const WINDOW_MS: i64 = 3 * 3_600_000;
const SLICE_MS: i64 = 10 * 60_000;
const EVERY: Duration = Duration::from_secs(60);
const REDISCOVER_MS: i64 = 10 * 60_000;

#[derive(Default)]
struct Known {
    lb_arn: Option<String>,
    acl: Option<WebAcl>,
    inner_rules: Vec<(String, String)>,
    discovered_at: i64,
    samples: Vec<SampledRequest>,
}

pub async fn run(ctx: FeedContext, mut rx: mpsc::UnboundedReceiver<Command>) {
    let mut known = Known::default();
    let mut backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(120));
    let mut discovery = ctx.discovery.clone();
    if discovery.borrow().target_groups.is_empty() && discovery.borrow().task_definitions.is_empty() {
        tokio::select! {
            _ = ctx.cancel.cancelled() => return,
            _ = discovery.changed() => {}
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
                if !ctx.send(Msg::Platform { at_ms: at, result: Ok(Box::new(platform)) }).await {
                    return;
                }
                EVERY
            }
            Err(e) => {
                let wait = backoff.next(e.kind);
                let at = now_ms();
                let err = e.to_fetch_error(ctx.profile());
                if !ctx.send(Msg::Waf { at_ms: at, result: Err(err.clone()) }).await {
                    return;
                }
                ctx.send(Msg::Platform { at_ms: at, result: Err(err) }).await;
                ctx.send(Msg::Backoff { feed: Feed::Waf, retry_in_ms: wait.as_millis() as u64 }).await;
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
    let c = &ctx.clients;
    let tgs = ctx.discovery.borrow().target_groups.clone();
    known.lb_arn = match tgs.first() {
        Some(tg) => elb::load_balancer_of(c, tg).await?,
        None => None,
    };
    known.acl = match &known.lb_arn {
        Some(lb) => waf::web_acl_for_resource(c, lb).await?,
        None => None,
    };
    if let Some(acl) = &known.acl {
        known.inner_rules = metrics::waf_rules_with_blocks(c, &acl.name).await?;
    }
    known.discovered_at = now;
    Ok(())
}

fn sid(prefix: &str, i: usize) -> String {
    format!("{prefix}{i}")
}

async fn poll(ctx: &FeedContext, known: &mut Known) -> Result<(Option<WafSnapshot>, PlatformMetrics), AwsError> {
    let now = now_ms();
    discover(ctx, known, now).await?;
    let c = &ctx.clients;
    let region = c.region.clone();
    let mut queries = Vec::new();
    if let Some(acl) = &known.acl {
        for (i, r) in acl.rules.iter().enumerate() {
            let dims = [("WebACL", acl.name.as_str()), ("Region", region.as_str()), ("Rule", r.metric_name.as_str())];
            queries.push(MetricQuery::new(&sid("g", i), "AWS/WAFV2", "BlockedRequests", &dims, "Sum", 60));
        }
        for (i, (group, rule)) in known.inner_rules.iter().enumerate() {
            let dims =
                [("WebACL", acl.name.as_str()), ("Region", region.as_str()), ("RuleGroup", group), ("Rule", rule)];
            queries.push(MetricQuery::new(&sid("r", i), "AWS/WAFV2", "BlockedRequests", &dims, "Sum", 3600));
        }
    }
    let lb_dim = known.lb_arn.as_deref().and_then(elb::load_balancer_dimension);
    if let Some(lb) = &lb_dim {
        let d = [("LoadBalancer", lb.as_str())];
        queries.push(MetricQuery::new("alb_req", "AWS/ApplicationELB", "RequestCount", &d, "Sum", 60));
        queries.push(MetricQuery::new("elb_5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", &d, "Sum", 60));
        queries.push(MetricQuery::new("tgt_5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", &d, "Sum", 60));
        queries.push(MetricQuery::new("rt", "AWS/ApplicationELB", "TargetResponseTime", &d, "Average", 60));
    }
    let svc = [("ClusterName", ctx.site.cluster.as_str()), ("ServiceName", ctx.site.service.as_str())];
    queries.push(MetricQuery::new("cpu", "AWS/ECS", "CPUUtilization", &svc, "Average", 60));
    queries.push(MetricQuery::new("mem", "AWS/ECS", "MemoryUtilization", &svc, "Average", 60));
    let efs_id = ctx
        .discovery
        .borrow()
        .task_definitions
        .iter()
        .flat_map(|t| t.volumes.iter())
        .find_map(|v| v.efs_file_system_id.clone());
    if let Some(fs) = &efs_id {
        let d = [("FileSystemId", fs.as_str())];
        queries.push(MetricQuery::new("efs_io", "AWS/EFS", "PercentIOLimit", &d, "Average", 60));
        queries.push(MetricQuery::new("efs_credit", "AWS/EFS", "BurstCreditBalance", &d, "Minimum", 60));
    }
    let start = (now - WINDOW_MS).div_euclid(60_000) * 60_000;
    let mut series = metrics::get_series(c, &queries, start, now).await?;
    let mut take = |id: &str| series.remove(id).unwrap_or_default();
    let recent = |s: Series| Series { points: s.points.into_iter().filter(|(t, _)| *t >= now - 30 * 60_000).collect() };
    let platform = PlatformMetrics {
        alb_requests: recent(take("alb_req")),
        elb_5xx: recent(take("elb_5xx")),
        target_5xx: recent(take("tgt_5xx")),
        response_time_s: recent(take("rt")),
        cpu_percent: recent(take("cpu")),
        memory_percent: recent(take("mem")),
        efs_io_percent: recent(take("efs_io")),
        efs_burst_credits: recent(take("efs_credit")),
        efs_id,
    };
    let Some(acl) = known.acl.clone() else { return Ok((None, platform)) };

    // Newest sampled requests of each rule group, kept over the window.
    for r in &acl.rules {
        let got = waf::sampled_requests(c, &acl.arn, &r.metric_name, now - SLICE_MS, now, 100).await?;
        known.samples.extend(got);
    }
    known.samples.retain(|s| s.at_ms >= now - WINDOW_MS);
    known.samples.sort_by(|a, b| (a.at_ms, &a.client_ip, &a.uri).cmp(&(b.at_ms, &b.client_ip, &b.uri)));
    known
        .samples
        .dedup_by(|a, b| a.at_ms == b.at_ms && a.client_ip == b.client_ip && a.uri == b.uri && a.rule == b.rule);

    let minutes = (WINDOW_MS / 60_000) as usize;
    let mut groups = Vec::new();
    for (i, r) in acl.rules.iter().enumerate() {
        let s = take(&sid("g", i));
        let mut per_minute = vec![0u64; minutes];
        for (t, v) in &s.points {
            let idx = ((t - start) / 60_000) as usize;
            if let Some(slot) = per_minute.get_mut(idx) {
                *slot += v.max(0.0).round() as u64;
            }
        }
        let mut stats = RuleGroupStats::from_series(&r.group, &r.metric_name, per_minute);
        let mut rules: HashMap<String, u64> = HashMap::new();
        for (j, (group, rule)) in known.inner_rules.iter().enumerate() {
            if *group == r.group {
                let total: f64 = take(&sid("r", j)).points.iter().map(|(_, v)| v).sum();
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
    let snapshot = WafSnapshot::new(
        acl.name.clone(),
        acl.arn.clone(),
        (WINDOW_MS / 1000) as u64,
        groups,
        known.samples.clone(),
        DEFAULT_TOP_N,
    );
    Ok((Some(snapshot), platform))
}
