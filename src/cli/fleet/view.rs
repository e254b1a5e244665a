//! How `wpops status --all` reads: one row per site (running/desired, rollout, warmer failures,
//! ALB 5xx over 5 minutes, WAF blocks over the hour, data age, verdict) in 80 columns, the
//! reasons and errors below, and the `wpops.fleet/1` JSON document. Pure formatting of
//! `model::FleetRow`s.

use serde::Serialize;

use crate::cli::output::{Color, Style, iso, table};
use crate::model::{FleetRow, RolloutState, ServiceHealth, SiteError, format_age, thousands};

/// One site of `wpops.fleet/1` (docs/json.md).
#[derive(Debug, Clone, Serialize)]
pub struct SiteJson<'a> {
    pub name: &'a str,
    pub account: Option<&'a str>,
    pub region: Option<&'a str>,
    pub cluster: &'a str,
    pub service: &'a str,
    pub health: Option<&'a ServiceHealth>,
    pub running: Option<u32>,
    pub desired: Option<u32>,
    /// The PRIMARY deployment's rolloutState.
    pub rollout: Option<&'a RolloutState>,
    pub warmer_failures: Option<u32>,
    pub elb_5xx_5m: Option<u64>,
    pub target_5xx_5m: Option<u64>,
    pub waf_blocked_1h: Option<u64>,
    pub metrics_error: Option<&'a str>,
    pub fetched_at: Option<String>,
    pub data_age_ms: Option<i64>,
    pub error: Option<&'a SiteError>,
}

fn site_json(r: &FleetRow, now: i64) -> SiteJson<'_> {
    SiteJson {
        name: &r.site,
        account: r.account.as_deref(),
        region: r.region.as_deref(),
        cluster: &r.cluster,
        service: &r.service,
        health: r.verdict.as_ref(),
        running: r.running,
        desired: r.desired,
        rollout: r.rollout.as_ref(),
        warmer_failures: r.warmer_failures,
        elb_5xx_5m: r.elb_5xx_5m,
        target_5xx_5m: r.target_5xx_5m,
        waf_blocked_1h: r.waf_blocked_1h,
        metrics_error: r.metrics_error.as_deref(),
        fetched_at: r.read_finished_ms.map(iso),
        data_age_ms: r.read_started_ms.map(|t| now - t),
        error: r.error.as_ref(),
    }
}

fn opt(n: Option<u64>) -> String {
    n.map_or_else(|| "-".into(), thousands)
}

/// The table, then each site's reasons or error.
pub fn text(rows: &[FleetRow], now: i64, st: Style) -> Vec<String> {
    let mut t =
        vec![["SITE", "RUN", "ROLLOUT", "WARMER", "5XX/5M", "WAF/1H", "AGE", "STATE"].map(String::from).to_vec()];
    for r in rows {
        let state = match (&r.error, &r.verdict) {
            (Some(_), _) => st.paint(Color::Red, "NO DATA"),
            (None, Some(ServiceHealth::Healthy)) => st.paint(Color::Green, "healthy"),
            (None, Some(ServiceHealth::RolloutInProgress { .. })) => st.paint(Color::Yellow, "rolling"),
            (None, Some(ServiceHealth::ReplacementInProgress { .. })) => st.paint(Color::Yellow, "replacing"),
            (None, _) => st.paint(Color::Red, "UNHEALTHY"),
        };
        let rollout = match &r.rollout {
            Some(s @ RolloutState::Failed) => st.paint(Color::Red, s.as_str()),
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
        let age = r.read_started_ms.map_or_else(|| "-".into(), |start| format_age(now - start));
        t.push(vec![
            r.site.clone(),
            match (r.running, r.desired) {
                (Some(a), Some(b)) => format!("{a}/{b}"),
                _ => "-".into(),
            },
            rollout,
            warm,
            five,
            opt(r.waf_blocked_1h),
            age,
            state,
        ]);
    }
    let mut out = table(&t);
    for r in rows {
        if let Some(e) = &r.error {
            out.push(format!("{}: {}", r.site, st.paint(Color::Red, &e.message)));
        } else if let Some(ServiceHealth::Unhealthy { reasons }) = &r.verdict {
            out.extend(reasons.iter().map(|why| format!("{}: {why}", r.site)));
        }
        if let Some(m) = &r.metrics_error {
            out.push(format!("{}: metrics unavailable: {m}", r.site));
        }
    }
    let (bad, unread) =
        (rows.iter().filter(|r| r.is_unhealthy()).count(), rows.iter().filter(|r| r.error.is_some()).count());
    out.push(st.paint(Color::Dim, &format!("{} sites · {bad} unhealthy · {unread} could not be read", rows.len())));
    out
}

#[derive(Serialize)]
pub struct FleetJson<'a> {
    pub schema: &'static str,
    pub at: String,
    pub exit_code: u8,
    pub sites: Vec<SiteJson<'a>>,
}

pub fn json(rows: &[FleetRow], now: i64, exit_code: u8) -> FleetJson<'_> {
    FleetJson {
        schema: "wpops.fleet/1",
        at: iso(now),
        exit_code,
        sites: rows.iter().map(|r| site_json(r, now)).collect(),
    }
}
