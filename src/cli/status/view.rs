//! How `wpops status` reads: aligned text for people (80 columns, colour only on a terminal) and
//! the `wpops.status/1` JSON document of docs/json.md for scripts. Pure formatting of facts
//! already fetched and sanitised; no IO besides what the caller prints.

use serde::Serialize;

use crate::model::{
    Container, ContainerRole, Health, LastStatus, ReportLookup, RolloutState, ServiceHealth, TargetHealth, Task,
    WarmReport, WarmerVerdict, describe_exit, format_age, format_ago, group_stopped, short_td, target_for_task,
    task_prefix, thousands, warming_duration_ms,
};

use super::StatusFacts;
use crate::cli::config::ResolvedSite;
use crate::cli::output::{Color, Style, iso, table};
use crate::model::findings::{Assessment, Findings, Severity};

fn revision(arn: &str) -> String {
    short_td(arn).to_string()
}

fn short(id: &str) -> &str {
    task_prefix(id)
}

/// `ap-northeast-1c` → `1c` (the region is in the header).
fn az(task: &Task, region: &str) -> String {
    match region.len().checked_sub(1).and_then(|n| task.az.get(n..)) {
        Some(tail) if task.az.starts_with(region) => tail.to_string(),
        _ => task.az.clone(),
    }
}

/// Cuts `s` to `max` characters with an ellipsis (text output only; JSON keeps all of it).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

fn warmer_line(task: &Task, facts: &StatusFacts, verdict: &WarmerVerdict) -> String {
    let found = facts.reports.get(task.id.as_str());
    let mut parts = vec![verdict.summary()];
    if let Some(f) = found {
        let r = f.report;
        parts.push(format!(
            "{} ok · {} failed of {}",
            thousands(r.success.into()),
            r.failure,
            thousands(r.total.into())
        ));
        if let Some(d) = task.started_at_ms.and_then(|s| warming_duration_ms(f.at_ms, s)) {
            parts.push(format!("{:.1}s", d as f64 / 1000.0));
        }
    }
    parts.join(" · ")
}

fn container_state(c: &Container) -> String {
    match (c.last_status == LastStatus::Stopped, c.exit_code) {
        (true, Some(code)) => describe_exit(code),
        _ if c.health != Health::Unknown => c.health.as_str().to_string(),
        _ => String::new(),
    }
}

/// The text report.
pub fn text(site: &ResolvedSite, f: &StatusFacts, a: &Assessment, now: i64, st: Style) -> Vec<String> {
    let health = &a.health;
    let s = &f.snapshot.service;
    let region = site.region.as_deref().unwrap_or("");
    let verdict = match health {
        ServiceHealth::Healthy => st.paint(Color::Green, "HEALTHY"),
        ServiceHealth::RolloutInProgress { .. } => st.paint(Color::Yellow, "ROLLOUT IN PROGRESS"),
        ServiceHealth::ReplacementInProgress { .. } => st.paint(Color::Yellow, "REPLACEMENT IN PROGRESS"),
        ServiceHealth::Unhealthy { .. } => st.paint(Color::Red, "UNHEALTHY"),
    };
    // A site without a name of its own is named cluster/service: said once.
    let place = format!("{}/{}", s.cluster, s.name);
    let name = if site.name == place { String::new() } else { format!("{}  ", st.paint(Color::Bold, &site.name)) };
    let mut out = vec![format!("{name}{place} · {} · {region}  {verdict}", s.status)];
    out.push(format!(
        "Service   {}/{} running · {} pending · {}",
        s.running,
        s.desired,
        s.pending,
        revision(&s.task_definition)
    ));
    for d in &s.deployments {
        let state = match d.rollout {
            RolloutState::Completed => st.paint(Color::Green, d.rollout.as_str()),
            RolloutState::Failed => st.paint(Color::Red, d.rollout.as_str()),
            _ => st.paint(Color::Yellow, d.rollout.as_str()),
        };
        out.push(format!(
            "Rollout   {} {state} {} ago · {} {}/{} running{}",
            d.status.as_str(),
            format_age(now - d.created_at_ms),
            revision(&d.task_definition),
            d.running,
            d.desired,
            if d.failed_tasks > 0 { format!(" · {} failed", d.failed_tasks) } else { String::new() }
        ));
    }
    let running: Vec<&Task> = f.snapshot.tasks.iter().filter(|t| !t.is_stopped()).collect();
    let mut rows = vec![["TASK", "STATUS", "HEALTH", "AZ", "IP", "REV", "UP", "TARGET"].map(String::from).to_vec()];
    let mut notes: Vec<(usize, Vec<String>)> = Vec::new();
    for t in &running {
        let target =
            target_for_task(&f.snapshot.targets, t).map(|th| target_text(th, st)).unwrap_or_else(|| "-".into());
        rows.push(vec![
            short(&t.id).to_string(),
            t.last_status.as_str().to_string(),
            paint_health(&t.health, st),
            az(t, region),
            t.private_ip.clone().unwrap_or_default(),
            t.revision.to_string(),
            t.uptime_ms(now).map(format_age).unwrap_or_default(),
            target,
        ]);
        let mut lines = Vec::new();
        for c in &t.containers {
            let mut line = format!("  {:<8} {:<8} {}", c.name, c.last_status.as_str(), container_state(c));
            if c.role == ContainerRole::Warmer {
                let v = t.warmer_verdict(f.evidence(t.id.as_str()), now, site.warming.limit_secs as i64 * 1000);
                let text = warmer_line(t, f, &v);
                line = format!(
                    "  {:<8} {:<8} {}",
                    c.name,
                    c.last_status.as_str(),
                    if v.stands_out() { st.paint(Color::Red, &text) } else { text }
                );
            } else if let Some(r) = &c.reason {
                line.push_str(&format!(" · {r}"));
            }
            lines.push(line.trim_end().to_string());
        }
        notes.push((rows.len() - 1, lines));
    }
    out.push(format!("Tasks     {} running", running.len()));
    let laid = table(&rows);
    out.push(format!("  {}", laid[0]));
    for (i, line) in laid.iter().enumerate().skip(1) {
        out.push(format!("  {line}"));
        if let Some((_, lines)) = notes.iter().find(|(row, _)| *row == i) {
            out.extend(lines.iter().map(|l| format!("  {l}")));
        }
    }
    let groups = group_stopped(&f.snapshot.tasks);
    if !groups.is_empty() {
        out.push("Stopped   (ECS keeps stopped tasks about an hour)".into());
        for g in &groups {
            let ids: Vec<&str> = g.task_ids.iter().take(3).map(|i| short(i)).collect();
            let more = if g.task_ids.len() > 3 { " …" } else { "" };
            out.push(format!("  {}× {} · {}{more}", g.count, format_ago(now, g.latest_ms), ids.join(" ")));
            out.push(format!("     {}", clip(&g.reason, 75)));
        }
    }
    out.push(match &f.alb_5xx {
        Some(Ok(a)) => format!(
            "ALB 5xx   {} from the load balancer · {} from targets (last {})",
            a.elb,
            a.target,
            format_age(a.window_ms)
        ),
        Some(Err(e)) => format!("ALB 5xx   unavailable: {e}"),
        None => "ALB 5xx   no load balancer".into(),
    });
    match health {
        ServiceHealth::Healthy => out.push(format!("Verdict   {}", st.paint(Color::Green, "healthy"))),
        ServiceHealth::RolloutInProgress { deployment_id, since_ms, notes } => {
            out.push(format!(
                "Verdict   {} ({deployment_id}, {} so far; healthy until it fails or overruns)",
                st.paint(Color::Yellow, "rollout in progress"),
                format_age(now - since_ms)
            ));
            out.extend(notes.iter().map(|n| format!("  - {n}")));
        }
        ServiceHealth::ReplacementInProgress { task_id, since_ms, notes } => {
            out.push(format!(
                "Verdict   {} (task {}, {} so far; healthy until it fails or overruns)",
                st.paint(Color::Yellow, "replacement in progress"),
                short(task_id),
                format_age(now - since_ms)
            ));
            out.extend(notes.iter().map(|n| format!("  - {n}")));
        }
        ServiceHealth::Unhealthy { reasons } => {
            out.push(format!("Verdict   {}", st.paint(Color::Red, "unhealthy")));
            out.extend(reasons.iter().map(|r| format!("  - {}", st.paint(Color::Red, r))));
        }
    }
    out.extend(findings_text(&a.findings, st));
    out.push(st.paint(
        Color::Dim,
        &format!("data {:.1}s old (read in {} ms)", (now - f.started_ms) as f64 / 1000.0, f.fetched_ms - f.started_ms),
    ));
    out
}

/// The findings, worst first: severity and title, then the evidence and what to do.
fn findings_text(fs: &Findings, st: Style) -> Vec<String> {
    let mut out = Vec::new();
    if fs.items.is_empty() {
        out.push("Findings  none".to_owned());
    } else {
        out.push(format!("Findings  {}", fs.counts()));
    }
    for f in &fs.items {
        let color = match f.severity {
            Severity::Critical | Severity::High => Color::Red,
            Severity::Medium => Color::Yellow,
            Severity::Low | Severity::Info => Color::Dim,
        };
        out.push(format!("  {:<8} {}", st.paint(color, &f.severity.as_str().to_uppercase()), f.title));
        out.extend(f.evidence.iter().map(|e| format!("           · {e}")));
        if let Some(todo) = f.what_to_do() {
            out.push(format!("           → {todo}"));
        }
    }
    for l in &fs.lacking {
        out.push(st.paint(Color::Dim, &format!("  not looked at: {l}")));
    }
    out
}

fn paint_health(h: &Health, st: Style) -> String {
    match h {
        Health::Healthy => st.paint(Color::Green, h.as_str()),
        Health::Unhealthy => st.paint(Color::Red, h.as_str()),
        _ => h.as_str().to_string(),
    }
}

fn target_text(t: &TargetHealth, st: Style) -> String {
    let s = t.state.as_str();
    if t.is_unhealthy() { st.paint(Color::Red, s) } else { s.to_string() }
}

#[derive(Serialize)]
pub struct StatusJson<'a> {
    pub schema: &'static str,
    pub site: SiteJson<'a>,
    pub health: &'a ServiceHealth,
    /// The runtime findings, worst first, and what they could not look at.
    pub findings: &'a Findings,
    pub exit_code: i32,
    pub service: ServiceJson<'a>,
    pub deployments: Vec<DeploymentJson<'a>>,
    pub tasks: Vec<TaskJson<'a>>,
    pub stopped: Vec<crate::model::StoppedGroup>,
    pub alb_5xx: Option<AlbJson>,
    pub alb_5xx_error: Option<String>,
    pub fetched_at: String,
    pub data_age_ms: i64,
}

#[derive(Serialize)]
pub struct SiteJson<'a> {
    pub name: &'a str,
    pub profile: Option<&'a str>,
    pub region: Option<&'a str>,
    pub cluster: &'a str,
    pub service: &'a str,
}

#[derive(Serialize)]
pub struct ServiceJson<'a> {
    pub name: &'a str,
    pub arn: &'a str,
    pub status: &'a str,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub task_definition: &'a str,
}

#[derive(Serialize)]
pub struct DeploymentJson<'a> {
    pub id: &'a str,
    pub status: &'a str,
    pub rollout_state: &'a str,
    pub rollout_reason: Option<&'a str>,
    pub task_definition: &'a str,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub failed_tasks: u32,
    pub created_at: String,
}

#[derive(Serialize)]
pub struct TaskJson<'a> {
    pub id: &'a str,
    pub last_status: &'a str,
    pub health: &'a str,
    pub availability_zone: &'a str,
    pub private_ip: Option<&'a str>,
    pub revision: u32,
    pub started_at: Option<String>,
    pub target_health: Option<&'a TargetHealth>,
    pub containers: Vec<ContainerJson<'a>>,
    pub warmer: WarmerJson,
}

#[derive(Serialize)]
pub struct ContainerJson<'a> {
    pub name: &'a str,
    pub last_status: &'a str,
    pub health: &'a str,
    pub exit_code: Option<i32>,
    pub exit_explained: Option<String>,
    pub reason: Option<&'a str>,
}

#[derive(Serialize)]
pub struct WarmerJson {
    pub ok: bool,
    pub summary: String,
    pub verdict: WarmerVerdict,
    pub report: Option<WarmReport>,
    pub warming_ms: Option<i64>,
    /// Where the report lookup stands: `{"state": "found" | "looking" | "not_found" |
    /// "unreadable", …}`, `null` when the warmer did not exit 0 (nothing to look up).
    pub report_lookup: Option<serde_json::Value>,
}

fn lookup_json(found: bool, lookup: Option<&ReportLookup>) -> Option<serde_json::Value> {
    if found {
        return Some(serde_json::json!({"state": "found"}));
    }
    lookup.and_then(|l| serde_json::to_value(l).ok())
}

#[derive(Serialize)]
pub struct AlbJson {
    pub window_s: i64,
    pub elb_5xx: u64,
    pub target_5xx: u64,
}

/// The `wpops.status/1` document.
pub fn json<'a>(site: &'a ResolvedSite, f: &'a StatusFacts, a: &'a Assessment, now: i64) -> StatusJson<'a> {
    let health = &a.health;
    let s = &f.snapshot.service;
    let limit = site.warming.limit_secs as i64 * 1000;
    StatusJson {
        schema: "wpops.status/1",
        site: SiteJson {
            name: &site.name,
            profile: site.profile.as_deref(),
            region: site.region.as_deref(),
            cluster: &site.cluster,
            service: &site.service,
        },
        health,
        findings: &a.findings,
        exit_code: health.exit_code(),
        service: ServiceJson {
            name: &s.name,
            arn: &s.arn,
            status: &s.status,
            desired: s.desired,
            running: s.running,
            pending: s.pending,
            task_definition: &s.task_definition,
        },
        deployments: s
            .deployments
            .iter()
            .map(|d| DeploymentJson {
                id: &d.id,
                status: d.status.as_str(),
                rollout_state: d.rollout.as_str(),
                rollout_reason: d.rollout_reason.as_deref(),
                task_definition: &d.task_definition,
                desired: d.desired,
                running: d.running,
                pending: d.pending,
                failed_tasks: d.failed_tasks,
                created_at: iso(d.created_at_ms),
            })
            .collect(),
        tasks: f
            .snapshot
            .tasks
            .iter()
            .filter(|t| !t.is_stopped())
            .map(|t| {
                let found = f.reports.get(t.id.as_str());
                let verdict = t.warmer_verdict(f.evidence(t.id.as_str()), now, limit);
                TaskJson {
                    id: &t.id,
                    last_status: t.last_status.as_str(),
                    health: t.health.as_str(),
                    availability_zone: &t.az,
                    private_ip: t.private_ip.as_deref(),
                    revision: t.revision,
                    started_at: t.started_at_ms.map(iso),
                    target_health: target_for_task(&f.snapshot.targets, t),
                    containers: t
                        .containers
                        .iter()
                        .map(|c| ContainerJson {
                            name: &c.name,
                            last_status: c.last_status.as_str(),
                            health: c.health.as_str(),
                            exit_code: c.exit_code,
                            exit_explained: c.exit_code.map(describe_exit),
                            reason: c.reason.as_deref(),
                        })
                        .collect(),
                    warmer: WarmerJson {
                        ok: !verdict.stands_out(),
                        summary: verdict.summary(),
                        report: found.map(|r| r.report),
                        report_lookup: lookup_json(found.is_some(), f.report_lookups.get(t.id.as_str())),
                        warming_ms: found.and_then(|r| t.started_at_ms.and_then(|s| warming_duration_ms(r.at_ms, s))),
                        verdict,
                    },
                }
            })
            .collect(),
        stopped: group_stopped(&f.snapshot.tasks),
        alb_5xx: match &f.alb_5xx {
            Some(Ok(a)) => Some(AlbJson { window_s: a.window_ms / 1000, elb_5xx: a.elb, target_5xx: a.target }),
            _ => None,
        },
        alb_5xx_error: f.alb_5xx.as_ref().and_then(|r| r.as_ref().err().cloned()),
        fetched_at: iso(f.fetched_ms),
        data_age_ms: now - f.started_ms,
    }
}
