//! The incident report (`wpops report`, the console's `:report`): one document over a window an
//! operator can paste into a ticket or a postmortem, built purely from what the reader read
//! (`feed::report`): the site and window; the verdict and the findings first; the timeline;
//! deployments with their outcome and images; stopped tasks by reason; each task's warmer;
//! metric peaks and each deployment's before/after; WAF blocks by group with the top URIs, IPs
//! and rules; and the trouble in the logs grouped by message shape. What could not be read is
//! listed, never left out silently. JSON is `wpops.report/1` (docs/json.md); Markdown is
//! `markdown.rs`.

mod markdown;
mod metrics;
pub mod shapes;
mod timeline;

use std::collections::HashMap;

use serde::Serialize;

pub use markdown::markdown;
pub use metrics::{deployment_effects, peaks};
pub use shapes::{LogShape, shape_groups};
pub use timeline::{TimelineEntry, timeline};

use super::findings::{Assessment, Finding};
use super::history::{RevisionInfo, ServiceDeploymentInfo};
use super::{
    FoundReport, LogEvent, PlatformMetrics, ReportLookup, ServiceSnapshot, StoppedGroup, WafSnapshot, WarmEvidence,
    WarmReport, group_stopped, short_td,
};

pub const SCHEMA: &str = "wpops.report/1";

/// `2026-11-28T09:10:00Z`.
pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// What the report is built from.
pub struct ReportInputs<'a> {
    pub site: &'a str,
    pub account: Option<&'a str>,
    pub region: &'a str,
    pub cluster: &'a str,
    pub service: &'a str,
    pub from_ms: i64,
    pub to_ms: i64,
    pub generated_ms: i64,
    pub snapshot: &'a ServiceSnapshot,
    pub assessment: &'a Assessment,
    pub reports: &'a HashMap<String, FoundReport>,
    pub lookups: &'a HashMap<String, ReportLookup>,
    pub warm_limit_ms: i64,
    pub deployments: Result<&'a [ServiceDeploymentInfo], String>,
    pub revisions: &'a [RevisionInfo],
    pub platform: Result<&'a PlatformMetrics, String>,
    /// `Ok(None)`: no web ACL on the load balancer.
    pub waf: Result<Option<&'a WafSnapshot>, String>,
    /// The window's trouble lines (php-fpm's, nginx's 5xx and errors).
    pub logs: Result<&'a [LogEvent], String>,
    /// A failed warmer's last lines, by task id.
    pub warmer_output: &'a HashMap<String, Vec<String>>,
    /// What the reader could not read besides the parts below, one line each.
    pub unavailable: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentReport {
    pub schema: &'static str,
    pub generated_at: String,
    pub site: ReportSite,
    pub window: ReportWindow,
    pub verdict: ReportVerdict,
    pub findings: Vec<Finding>,
    pub timeline: Vec<TimelineEntry>,
    pub deployments: Vec<ReportDeployment>,
    pub stopped: Vec<StoppedGroup>,
    pub warmers: Vec<ReportWarmer>,
    pub metrics: Vec<MetricPeak>,
    pub deployment_effects: Vec<DeploymentEffect>,
    pub waf: Option<ReportWaf>,
    pub log_shapes: Vec<LogShape>,
    /// What could not be read, one line each (`ecs:ListServiceDeployments: AccessDenied…`).
    pub unavailable: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSite {
    pub name: String,
    pub account: Option<String>,
    pub region: String,
    pub cluster: String,
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportWindow {
    pub from: String,
    pub to: String,
    pub from_ms: i64,
    pub to_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportVerdict {
    /// `healthy`, `rollout in progress`, `replacement in progress` or `unhealthy`.
    pub health: String,
    pub reasons: Vec<String>,
    /// What the rules could not look at, and why.
    pub lacking: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDeployment {
    pub arn: String,
    pub status: String,
    pub reason: Option<String>,
    /// `wordpress:42`.
    pub revision: String,
    pub started_ms: i64,
    pub finished_ms: Option<i64>,
    pub rolled_back: bool,
    pub images: Vec<ReportImage>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportImage {
    pub container: String,
    pub image: String,
    pub digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportWarmer {
    pub task_id: String,
    /// 0 when unknown (a task ECS no longer lists, started before every deployment known).
    pub revision: u32,
    pub running: bool,
    /// ECS no longer lists the task: it was found by its log streams (`model::past`).
    pub from_logs: bool,
    /// `ok`, `failed: exit 127 (command not found)`…
    pub result: String,
    pub ok: bool,
    pub report: Option<WarmReport>,
    /// A failed warmer's last lines (sanitised), as it wrote them.
    pub output: Vec<String>,
}

/// A metric's highest minute in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricPeak {
    pub metric: &'static str,
    pub unit: &'static str,
    pub peak: f64,
    pub at_ms: i64,
    pub mean: f64,
}

/// A metric's mean in the hour before a deployment started and after it (to its end or the
/// window's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeploymentEffect {
    pub revision: String,
    pub started_ms: i64,
    pub metric: &'static str,
    pub unit: &'static str,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportWaf {
    pub web_acl: String,
    /// `None` when the blocked counts could not be read (unknown, not zero).
    pub total_blocked: Option<u64>,
    pub groups: Vec<ReportWafGroup>,
    pub top_uris: Vec<(String, u64)>,
    pub top_ips: Vec<(String, u64)>,
    pub top_rules: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportWafGroup {
    pub group: String,
    pub label: String,
    pub blocked: u64,
    /// The busiest minute: its start and its count.
    pub peak_at_ms: Option<i64>,
    pub peak_per_minute: u64,
}

fn deployments(
    list: &[ServiceDeploymentInfo],
    revisions: &[RevisionInfo],
    from: i64,
    to: i64,
) -> Vec<ReportDeployment> {
    list.iter()
        // Those that ran in the window: started before its end, and not finished before its start.
        .filter(|d| d.created_at_ms <= to && d.finished_at_ms.is_none_or(|f| f >= from))
        .map(|d| {
            let rev = revisions.iter().find(|r| r.arn == d.target_revision);
            ReportDeployment {
                arn: d.arn.clone(),
                status: d.status.clone(),
                reason: d.status_reason.clone(),
                revision: rev.map_or_else(
                    || short_td(&d.target_revision).to_owned(),
                    |r| short_td(&r.task_definition).to_owned(),
                ),
                started_ms: d.created_at_ms,
                finished_ms: d.finished_at_ms,
                rolled_back: d.rolled_back,
                images: rev
                    .map(|r| {
                        r.images
                            .iter()
                            .map(|i| ReportImage {
                                container: i.container.clone(),
                                image: i.image.clone(),
                                digest: i.digest.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn waf(w: &WafSnapshot, from: i64) -> ReportWaf {
    let minutes_from = |i: usize| from + i as i64 * 60_000;
    ReportWaf {
        web_acl: w.web_acl_name.clone(),
        total_blocked: (!w.blocked_unknown).then_some(w.total_blocked),
        groups: w
            .groups
            .iter()
            .map(|g| {
                let peak = g.series.iter().enumerate().max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)));
                ReportWafGroup {
                    group: g.name.clone(),
                    label: g.label.clone(),
                    blocked: g.blocked_total,
                    peak_at_ms: peak.filter(|(_, n)| **n > 0).map(|(i, _)| minutes_from(i)),
                    peak_per_minute: peak.map_or(0, |(_, n)| *n),
                }
            })
            .collect(),
        top_uris: w.top_uris.clone(),
        top_ips: w.top_ips.clone(),
        top_rules: w.top_rules.clone(),
    }
}

/// Builds the report.
pub fn build(i: &ReportInputs<'_>) -> IncidentReport {
    let (from, to) = (i.from_ms, i.to_ms);
    let mut unavailable = i.unavailable.clone();
    let deployment_list = match &i.deployments {
        Ok(list) => deployments(list, i.revisions, from, to),
        Err(e) => {
            unavailable.push(format!("deployments: {e}"));
            Vec::new()
        }
    };
    let (metrics, effects) = match &i.platform {
        Ok(p) => (peaks(p, from, to), deployment_effects(p, &deployment_list, to)),
        Err(e) => {
            unavailable.push(format!("metrics: {e}"));
            (Vec::new(), Vec::new())
        }
    };
    let waf = match &i.waf {
        Ok(w) => w.map(|w| {
            unavailable.extend(w.unavailable.iter().map(|e| format!("WAF: {}", e.message)));
            waf(w, from)
        }),
        Err(e) => {
            unavailable.push(format!("WAF: {e}"));
            None
        }
    };
    let log_shapes = match &i.logs {
        Ok(events) => shape_groups(events),
        Err(e) => {
            unavailable.push(format!("logs: {e}"));
            Vec::new()
        }
    };
    // The snapshot's tasks are the window's (`model::past::window_tasks`); the filter keeps
    // callers that pass ECS's list honest.
    let tasks: Vec<_> = i.snapshot.tasks.iter().filter(|t| super::past::lived_in(t, from, to)).collect();
    let stopped_in_window: Vec<_> = tasks.iter().filter(|t| t.is_stopped()).map(|t| (*t).clone()).collect();
    let warmers = tasks
        .iter()
        .filter(|t| t.warmer().is_some())
        .map(|t| {
            let evidence = WarmEvidence {
                report: i.reports.get(t.id.as_str()),
                lookup: i.lookups.get(t.id.as_str()),
                rewarm: None,
            };
            let verdict = t.warmer_verdict(evidence, i.generated_ms, i.warm_limit_ms);
            ReportWarmer {
                task_id: t.id.as_str().to_owned(),
                revision: t.revision,
                running: !t.is_stopped(),
                from_logs: t.from_logs,
                result: verdict.summary(),
                ok: !verdict.stands_out(),
                report: i.reports.get(t.id.as_str()).map(|r| r.report),
                output: i.warmer_output.get(t.id.as_str()).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let a = i.assessment;
    let reasons = match &a.health {
        super::ServiceHealth::Unhealthy { reasons } => reasons.clone(),
        _ => Vec::new(),
    };
    let timeline = timeline(i, &deployment_list, &metrics, waf.as_ref());
    IncidentReport {
        schema: SCHEMA,
        generated_at: iso(i.generated_ms),
        site: ReportSite {
            name: i.site.to_owned(),
            account: i.account.map(str::to_owned),
            region: i.region.to_owned(),
            cluster: i.cluster.to_owned(),
            service: i.service.to_owned(),
        },
        window: ReportWindow { from: iso(from), to: iso(to), from_ms: from, to_ms: to },
        verdict: ReportVerdict { health: a.health.label().to_owned(), reasons, lacking: a.findings.lacking.clone() },
        findings: a.findings.items.clone(),
        timeline,
        deployments: deployment_list,
        stopped: group_stopped(&stopped_in_window),
        warmers,
        metrics,
        deployment_effects: effects,
        waf,
        log_shapes,
        unavailable,
    }
}
