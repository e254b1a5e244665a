//! How `wpops status --all` reads: one row per site (running/desired, rollout, warmer failures,
//! ALB 5xx over 5 minutes, WAF blocks over the hour, data age, verdict) in 80 columns, the
//! reasons and errors below, and the `wpops.fleet/1` JSON document. Pure formatting.

use std::collections::HashMap;

use serde::Serialize;

use crate::aws::AwsError;
use crate::model::{FetchErrorKind, RolloutState, Series, ServiceHealth, format_age};

use super::config::ResolvedSite;
use super::fleet::{Pool, Probe, WAF_WINDOW_MS};
use super::output::{Color, Style, iso, table, thousands};
use super::status::ALB_WINDOW_MS;

/// What went wrong reading a site.
#[derive(Debug, Clone, Serialize)]
pub struct RowError {
    pub kind: FetchErrorKind,
    pub message: String,
}

/// One site of the fleet.
#[derive(Debug, Clone, Serialize)]
pub struct SiteRow {
    pub name: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub cluster: String,
    pub service: String,
    pub health: Option<ServiceHealth>,
    pub running: Option<u32>,
    pub desired: Option<u32>,
    /// The PRIMARY deployment's rolloutState.
    pub rollout: Option<String>,
    pub warmer_failures: Option<usize>,
    pub elb_5xx_5m: Option<u64>,
    pub target_5xx_5m: Option<u64>,
    pub waf_blocked_1h: Option<u64>,
    pub metrics_error: Option<String>,
    pub fetched_at: Option<String>,
    pub data_age_ms: Option<i64>,
    pub error: Option<RowError>,
}

fn sum_since(series: &HashMap<String, Series>, id: &str, since: i64) -> Option<u64> {
    series.get(id).map(|s| s.sum_since(since).max(0.0).round() as u64)
}

/// Builds a site's row from its probe and its pool's metrics.
pub fn row(
    site: &ResolvedSite,
    pool: Option<&Pool>,
    probe: Result<Probe, AwsError>,
    metrics: Option<&Result<HashMap<String, Series>, AwsError>>,
    prefix: &str,
    now: i64,
) -> SiteRow {
    let mut r = SiteRow {
        name: site.name.clone(),
        account: pool.map(|p| p.account.clone()),
        region: pool.map(|p| p.region.clone()).or_else(|| site.region.clone()),
        cluster: site.cluster.clone(),
        service: site.service.clone(),
        health: None,
        running: None,
        desired: None,
        rollout: None,
        warmer_failures: None,
        elb_5xx_5m: None,
        target_5xx_5m: None,
        waf_blocked_1h: None,
        metrics_error: None,
        fetched_at: None,
        data_age_ms: None,
        error: None,
    };
    let probe = match probe {
        Ok(p) => p,
        Err(e) => {
            r.error = Some(RowError { kind: e.kind, message: e.report(site.profile.as_deref()) });
            return r;
        }
    };
    let f = &probe.facts;
    let limit = site.warming.limit_secs as i64 * 1000;
    r.health = Some(f.health(site, now));
    r.running = Some(f.service.running);
    r.desired = Some(f.service.desired);
    r.rollout = f.service.primary().map(|d| d.rollout.as_str().to_string());
    r.warmer_failures = Some(
        f.tasks
            .iter()
            .filter(|t| t.is_running())
            .filter(|t| t.warmer_verdict(f.reports.get(&t.id).map(|x| x.report), now, limit).stands_out())
            .count(),
    );
    r.fetched_at = Some(iso(f.fetched_ms));
    r.data_age_ms = Some(now - f.started_ms);
    match metrics {
        Some(Ok(series)) => {
            let since = now - ALB_WINDOW_MS;
            if probe.lb_dimension.is_some() {
                r.elb_5xx_5m = sum_since(series, &format!("{prefix}elb5"), since).or(Some(0));
                r.target_5xx_5m = sum_since(series, &format!("{prefix}tgt5"), since).or(Some(0));
            }
            if probe.web_acl.is_some() {
                r.waf_blocked_1h = sum_since(series, &format!("{prefix}waf"), now - WAF_WINDOW_MS).or(Some(0));
            }
        }
        Some(Err(e)) => r.metrics_error = Some(e.report(site.profile.as_deref())),
        None => {}
    }
    r
}

fn opt(n: Option<u64>) -> String {
    n.map_or_else(|| "-".into(), thousands)
}

/// The table, then each site's reasons or error.
pub fn text(rows: &[SiteRow], now: i64, st: Style) -> Vec<String> {
    let _ = now;
    let mut t =
        vec![["SITE", "RUN", "ROLLOUT", "WARMER", "5XX/5M", "WAF/1H", "AGE", "STATE"].map(String::from).to_vec()];
    for r in rows {
        let state = match (&r.error, &r.health) {
            (Some(_), _) => st.paint(Color::Red, "NO DATA"),
            (None, Some(ServiceHealth::Healthy)) => st.paint(Color::Green, "healthy"),
            (None, Some(ServiceHealth::RolloutInProgress { .. })) => st.paint(Color::Yellow, "rolling"),
            (None, _) => st.paint(Color::Red, "UNHEALTHY"),
        };
        let rollout = match r.rollout.as_deref() {
            Some(s) if s == RolloutState::Failed.as_str() => st.paint(Color::Red, s),
            Some(s) => s.to_string(),
            None => "-".into(),
        };
        let warm = match r.warmer_failures {
            Some(0) => "ok".into(),
            Some(n) => st.paint(Color::Red, &format!("{n} bad")),
            None => "-".into(),
        };
        let five = match (r.elb_5xx_5m, r.target_5xx_5m) {
            (Some(a), Some(b)) => thousands(a + b),
            _ => "-".into(),
        };
        t.push(vec![
            r.name.clone(),
            match (r.running, r.desired) {
                (Some(a), Some(b)) => format!("{a}/{b}"),
                _ => "-".into(),
            },
            rollout,
            warm,
            five,
            opt(r.waf_blocked_1h),
            r.data_age_ms.map_or_else(|| "-".into(), format_age),
            state,
        ]);
    }
    let mut out = table(&t);
    for r in rows {
        if let Some(e) = &r.error {
            out.push(format!("{}: {}", r.name, st.paint(Color::Red, &e.message)));
        } else if let Some(ServiceHealth::Unhealthy { reasons }) = &r.health {
            out.extend(reasons.iter().map(|why| format!("{}: {why}", r.name)));
        }
        if let Some(m) = &r.metrics_error {
            out.push(format!("{}: metrics unavailable: {m}", r.name));
        }
    }
    let (bad, unread) = (
        rows.iter().filter(|r| matches!(r.health, Some(ServiceHealth::Unhealthy { .. }))).count(),
        rows.iter().filter(|r| r.error.is_some()).count(),
    );
    out.push(st.paint(Color::Dim, &format!("{} sites · {bad} unhealthy · {unread} could not be read", rows.len())));
    out
}

#[derive(Serialize)]
pub struct FleetJson<'a> {
    pub schema: &'static str,
    pub at: String,
    pub exit_code: u8,
    pub sites: &'a [SiteRow],
}

pub fn json(rows: &[SiteRow], now: i64, exit_code: u8) -> FleetJson<'_> {
    FleetJson { schema: "wpops.fleet/1", at: iso(now), exit_code, sites: rows }
}

/// The console's fleet row for a polled site.
pub fn fleet_row(r: &SiteRow, now: i64) -> crate::model::FleetRow {
    let problem = match &r.health {
        Some(ServiceHealth::Unhealthy { reasons }) => reasons.first().cloned(),
        _ => None,
    };
    let alb_5xx_5m = match (r.elb_5xx_5m, r.target_5xx_5m) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    };
    crate::model::FleetRow {
        site: r.name.clone(),
        account: r.account.clone(),
        region: r.region.clone(),
        cluster: r.cluster.clone(),
        service: r.service.clone(),
        running: r.running,
        desired: r.desired,
        rollout: r.rollout.clone(),
        warmer_failures: r.warmer_failures.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        alb_5xx_5m,
        waf_blocked_1h: r.waf_blocked_1h,
        verdict: r.health.as_ref().map(|h| h.label().to_string()),
        problem,
        error: r.error.as_ref().map(|e| e.message.clone()),
        fetched_at_ms: r.data_age_ms.map(|age| now - age),
    }
}
