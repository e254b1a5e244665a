//! The report's timeline: service events, deployments and their outcomes, tasks started and
//! stopped (with reasons and exit codes), warmer results, the WAF's busiest minutes and the
//! metric peaks, interleaved by time within the window, oldest first.

use serde::Serialize;

use super::{MetricPeak, ReportDeployment, ReportInputs, ReportWaf};
use crate::model::{describe_exit, task_prefix};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub at_ms: i64,
    /// `event`, `deployment`, `task_started`, `task_stopped`, `warmer`, `waf`, `metric`.
    pub kind: &'static str,
    pub text: String,
}

pub fn timeline(
    i: &ReportInputs<'_>,
    deployments: &[ReportDeployment],
    peaks: &[MetricPeak],
    waf: Option<&ReportWaf>,
) -> Vec<TimelineEntry> {
    let (from, to) = (i.from_ms, i.to_ms);
    let mut out = Vec::new();
    let mut push = |at_ms: i64, kind: &'static str, text: String| {
        if at_ms >= from && at_ms <= to {
            out.push(TimelineEntry { at_ms, kind, text });
        }
    };
    for e in &i.snapshot.service.events {
        push(e.at_ms, "event", e.message.clone());
    }
    for d in deployments {
        push(d.started_ms, "deployment", format!("deployment of {} started", d.revision));
        if let Some(end) = d.finished_ms {
            let how = if d.rolled_back { format!("{} (rolled back)", d.status) } else { d.status.clone() };
            let why = d.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
            push(end, "deployment", format!("deployment of {} ended {how}{why}", d.revision));
        }
    }
    for t in &i.snapshot.tasks {
        let id = task_prefix(t.id.as_str());
        match (t.started_at_ms, t.from_logs) {
            (Some(s), false) => {
                push(s, "task_started", format!("task {id} started (revision {}, {})", t.revision, t.az))
            }
            // Rebuilt from its streams and the service events: ECS no longer lists it.
            (Some(s), true) => {
                let rev =
                    if t.revision == 0 { "revision unknown".to_owned() } else { format!("revision {}", t.revision) };
                push(
                    s,
                    "task_started",
                    format!(
                        "task {id}'s earliest record: a service event or its first line ({rev}; ECS no longer lists it)"
                    ),
                );
            }
            (None, _) => {}
        }
        if let (true, Some(s)) = (t.is_stopped(), t.stopped_ms()) {
            let exits: Vec<String> = t
                .containers
                .iter()
                .filter(|c| c.exit_code.is_some_and(|x| x != 0))
                .map(|c| format!("{} {}", c.name, describe_exit(c.exit_code.unwrap_or(0))))
                .collect();
            let exits = if exits.is_empty() { String::new() } else { format!(" — {}", exits.join(", ")) };
            let reason = t.stopped_reason.as_deref().unwrap_or("no reason given");
            let how = if t.from_logs { "stopped (its last record)" } else { "stopped" };
            push(s, "task_stopped", format!("task {id} {how}: {reason}{exits}"));
        }
        if let Some(r) = i.reports.get(t.id.as_str()) {
            let w = r.report;
            push(
                r.at_ms,
                "warmer",
                format!("task {id}'s warmer reported {} compiled, {} failed of {}", w.success, w.failure, w.total),
            );
        } else if let Some(x) = t.warmer().and_then(|w| w.exit_code).filter(|x| *x != 0) {
            // ECS gives no stop time per container: the task's start is the nearest known time.
            if let Some(s) = t.started_at_ms {
                push(s, "warmer", format!("task {id}'s warmer failed: {}", describe_exit(x)));
            }
        }
    }
    if let Some(w) = waf {
        for g in w.groups.iter().filter(|g| g.peak_per_minute > 0) {
            if let Some(at) = g.peak_at_ms {
                push(at, "waf", format!("WAF {} blocked {} in its busiest minute", g.label, g.peak_per_minute));
            }
        }
    }
    for p in peaks.iter().filter(|p| p.peak > 0.0) {
        let word = if p.metric == "EFS BurstCreditBalance" { "lowest" } else { "peak" };
        push(p.at_ms, "metric", format!("{} {word}: {}", p.metric, super::markdown::value(p.peak, p.unit)));
    }
    out.sort_by_key(|e| e.at_ms);
    out
}
