//! Runtime findings: what is wrong with the running service, from what the reader already
//! fetched — the service read (tasks, stopped tasks, targets, warm evidence), CloudWatch's
//! platform numbers (ALB, EFS), the WAF picture and what the log lines say per task. Each rule
//! is a small function with its thresholds named; `assess` runs them all over the data that
//! is present (a rule without its data does not fire, and `Findings::lacking` says so) and
//! turns them into the health verdict.

use super::signals::{LogSignals, SIGNAL_WINDOW_MS, SLOW_REQUEST_MS, TaskCounts};
use super::{Finding, FindingAction, Findings, Severity};
use crate::model::ecs::{RolloutState, Task};
use crate::model::format::{format_age, format_bytes, thousands};
use crate::model::health::{HealthRules, Replacing, ServiceHealth, hard_findings, soft_findings};
use crate::model::ids::task_prefix;
use crate::model::logline::ContainerRole;
use crate::model::platform::{PlatformMetrics, Series};
use crate::model::snapshot::ServiceSnapshot;
use crate::model::waf::WafSnapshot;
use crate::model::warm::{WarmEvidence, WarmerVerdict};

/// EFS PercentIOLimit at or above this is "at its I/O limit".
pub const EFS_IO_LIMIT_PERCENT: f64 = 95.0;
/// For at least this many consecutive minutes.
pub const EFS_IO_SUSTAINED_MIN: usize = 5;
/// A spell at the limit that ended this recently is still worth saying.
pub const EFS_IO_RECENT_MS: i64 = 60 * 60_000;
/// The burst-credit trend is read over this span, with at least this many points.
pub const CREDIT_TREND_MS: i64 = 30 * 60_000;
const CREDIT_TREND_POINTS: usize = 5;
/// Credits at or below this are used up (AWS keeps the balance above zero but useless).
pub const CREDITS_EMPTY_BYTES: f64 = 2.0 * 1024.0 * 1024.0 * 1024.0;
/// Running out within this is high, within the second medium.
pub const CREDIT_HIGH_MS: i64 = 60 * 60_000;
pub const CREDIT_MEDIUM_MS: i64 = 6 * 60 * 60_000;
/// Response time: the recent span, the baseline needed before it, and how much worse counts.
pub const RESPONSE_RECENT_MS: i64 = 5 * 60_000;
const RESPONSE_BASELINE_POINTS: usize = 10;
pub const RESPONSE_WORSE_FACTOR: f64 = 2.0;
pub const RESPONSE_HIGH_FACTOR: f64 = 4.0;
/// Below this a slower response is not worth a finding (seconds).
pub const RESPONSE_FLOOR_S: f64 = 0.5;
/// ELB 5xx over the recent span at or above this is high.
pub const ELB_5XX_MIN: f64 = 10.0;
/// Target 5xx share of requests: medium at the first, high at the second (percent).
pub const TARGET_5XX_MEDIUM_PERCENT: f64 = 1.0;
pub const TARGET_5XX_HIGH_PERCENT: f64 = 5.0;
/// A task is "slow" when at least this share of its requests are slow, with at least this many
/// requests seen, and its share is this many times the other tasks'.
pub const SLOW_TASK_SHARE: f64 = 0.15;
pub const SLOW_TASK_MIN_REQUESTS: u64 = 20;
pub const SLOW_TASK_FACTOR: f64 = 3.0;
/// `pm.max_children reached` this often on one task, or in all on half the tasks or more, over
/// the signal window is high.
pub const MAX_CHILDREN_HIGH: u64 = 10;
/// A container exiting 137 this many times among the stopped tasks is high.
pub const OOM_HIGH_COUNT: usize = 2;
/// Start failures of one kind this many times is high.
pub const START_FAILURE_HIGH_COUNT: usize = 2;
/// WAF: the recent span, how many times the baseline, and the least blocked count that counts.
pub const WAF_SPIKE_RECENT_MIN: usize = 5;
pub const WAF_SPIKE_FACTOR: f64 = 3.0;
pub const WAF_SPIKE_MIN: u64 = 50;
/// Before/after a deployment: how long each side must be, and how much worse counts.
pub const DEPLOY_SIDE_MS: i64 = 15 * 60_000;
pub const DEPLOY_WORSE_FACTOR: f64 = 2.0;

/// Findings a rollout (or a replacement) under way can cause: notes while it runs.
const ROLLOUT_EXPLAINS: [&str; 4] = ["elb_5xx", "target_5xx", "response_time", "slow_task"];

/// What the rules look at. `Err` says why that data is missing ("loading", "unreadable: …");
/// `waf` is `None` where the service has no web ACL (nothing is missing then).
pub struct RuntimeInputs<'a> {
    pub snapshot: &'a ServiceSnapshot,
    pub platform: Result<&'a PlatformMetrics, String>,
    pub waf: Option<Result<&'a WafSnapshot, String>>,
    pub logs: Result<&'a LogSignals, String>,
    pub evidence_for: &'a dyn Fn(&str) -> WarmEvidence<'a>,
    pub replacing: Option<&'a Replacing>,
    /// The revision `B` would roll back to, when known (`wordpress:41`).
    pub rollback_to: Option<String>,
    pub now_ms: i64,
    pub rules: HealthRules,
    /// The tasks are a window's in the past (`model::past`), not ECS's last hour: the stopped
    /// ones are counted "in the window".
    pub past_window: bool,
}

/// The verdict and the findings behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub health: ServiceHealth,
    pub findings: Findings,
}

/// Runs every runtime rule over the data present and derives the verdict: unhealthy on any
/// critical or high finding; during a rollout (or a replacement this console started) what the
/// rollout explains is a note (info), as `service_health` has it.
pub fn assess(i: &RuntimeInputs<'_>) -> Assessment {
    let snap = i.snapshot;
    let svc = &snap.service;
    let mut hard = hard_findings(svc, i.now_ms, &i.rules);
    if let Some(r) = i.replacing {
        let age = i.now_ms.saturating_sub(r.since_ms);
        if age > i.rules.rollout_limit_ms {
            hard.push(Finding::runtime(
                "replacement_overrun",
                Severity::High,
                format!(
                    "replacement of task {} in progress for {} (limit {})",
                    task_prefix(&r.task_id),
                    format_age(age),
                    format_age(i.rules.rollout_limit_ms)
                ),
            ));
        }
    }
    let mut soft = soft_findings(svc, &snap.tasks, &snap.targets, i.evidence_for, i.now_ms, &i.rules);
    for f in soft.iter_mut().filter(|f| f.id == "warmer") {
        if let Some(cmd) = f.subject.as_deref().and_then(|id| warmer_command(snap, id)) {
            f.evidence.push(format!("warmer command: {cmd}"));
        }
    }
    let explained = hard.is_empty() && (svc.rollout_in_progress() || i.replacing.is_some());
    if explained {
        for f in &mut soft {
            f.severity = Severity::Info;
            f.evidence.push("explained by the rollout under way".to_owned());
        }
    }
    // Site-wide findings before per-task ones: the sort keeps this order within a severity.
    let mut fs = Findings::default();
    fs.extend(hard);
    match i.platform {
        Ok(p) => {
            fs.extend(efs_io_limit(p, i.now_ms));
            fs.extend(efs_credits(p, i.now_ms));
            fs.extend(response_time(p, i.now_ms));
            fs.extend(edge_5xx(p, i.now_ms));
            fs.extend(worse_after_deploy(snap, p, i.rollback_to.as_deref(), i.now_ms));
        }
        Err(ref why) => fs.lack(format!("CloudWatch metrics ({why})")),
    }
    fs.extend(stopped_findings(snap, if i.past_window { "in the window" } else { "in the last hour" }));
    match i.logs {
        Ok(l) => {
            let per = l.per_task();
            fs.extend(max_children(snap, &per));
            fs.extend(slow_cold_tasks(snap, &per, i.evidence_for, i.now_ms, &i.rules));
        }
        Err(ref why) => fs.lack(format!("log lines ({why})")),
    }
    fs.extend(soft);
    match &i.waf {
        Some(Ok(w)) => {
            fs.extend(waf_spikes(w));
            fs.extend(waf_admin_blocks(w));
        }
        Some(Err(why)) => fs.lack(format!("WAF ({why})")),
        None => {}
    }
    if explained {
        // What a rollout under way can cause is a note until it fails or overruns.
        for f in fs.items.iter_mut().filter(|f| ROLLOUT_EXPLAINS.contains(&f.id.as_str())) {
            if f.severity != Severity::Info {
                f.severity = Severity::Info;
                f.evidence.push("may be the rollout under way".to_owned());
            }
        }
    }
    fs.sort();
    let base = crate::model::health::service_health_replacing(
        svc,
        &snap.tasks,
        &snap.targets,
        i.evidence_for,
        i.replacing,
        i.now_ms,
        &i.rules,
    );
    let titles = |worst: Severity| fs.items.iter().filter(|f| f.severity <= worst).map(|f| f.title.clone()).collect();
    let health = match base {
        _ if fs.fails() || matches!(base, ServiceHealth::Unhealthy { .. }) => {
            ServiceHealth::Unhealthy { reasons: titles(Severity::Medium) }
        }
        ServiceHealth::RolloutInProgress { deployment_id, since_ms, .. } => {
            ServiceHealth::RolloutInProgress { deployment_id, since_ms, notes: titles(Severity::Info) }
        }
        ServiceHealth::ReplacementInProgress { task_id, since_ms, .. } => {
            ServiceHealth::ReplacementInProgress { task_id, since_ms, notes: titles(Severity::Info) }
        }
        other => other,
    };
    Assessment { health, findings: fs }
}

/// The warmer's command line in the task definition of task `task_id`, when known.
fn warmer_command(snap: &ServiceSnapshot, task_id: &str) -> Option<String> {
    let task = snap.tasks.iter().find(|t| &*t.id == task_id)?;
    let td = snap.task_definitions.iter().find(|d| d.arn == task.task_definition)?;
    let c = td.container(&ContainerRole::Warmer)?;
    let words: Vec<&str> = c.entry_point.iter().chain(c.command.iter()).map(String::as_str).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Points of `s` whose minute starts at or after `from_ms`.
fn since(s: &Series, from_ms: i64) -> impl Iterator<Item = &(i64, f64)> {
    s.points.iter().filter(move |(t, _)| *t >= from_ms)
}

fn mean(vs: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = vs.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn median(mut vs: Vec<f64>) -> Option<f64> {
    if vs.is_empty() {
        return None;
    }
    vs.sort_by(f64::total_cmp);
    Some(vs[vs.len() / 2])
}

fn ms(s: f64) -> String {
    format!("{} ms", thousands((s * 1000.0).round().max(0.0) as u64))
}

/// EFS PercentIOLimit at its limit for a sustained spell, now or within the last hour.
pub fn efs_io_limit(p: &PlatformMetrics, now_ms: i64) -> Option<Finding> {
    let pts = &p.efs_io_percent.points;
    // The newest spell of consecutive minutes at the limit: (first index, last index).
    let last = pts.iter().rposition(|(_, v)| *v >= EFS_IO_LIMIT_PERCENT)?;
    let first = pts[..=last].iter().rposition(|(_, v)| *v < EFS_IO_LIMIT_PERCENT).map_or(0, |i| i + 1);
    let minutes = last - first + 1;
    if minutes < EFS_IO_SUSTAINED_MIN {
        return None;
    }
    let fs = p.efs_id.as_deref().unwrap_or("the file system");
    let peak = pts[first..=last].iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let ongoing = last + 1 == pts.len();
    let (severity, title) = if ongoing {
        (Severity::High, format!("EFS at its I/O limit for {minutes} min"))
    } else {
        let ended = pts[last].0 + 60_000;
        if now_ms - ended > EFS_IO_RECENT_MS {
            return None;
        }
        (
            Severity::Medium,
            format!("EFS was at its I/O limit for {minutes} min, until {} ago", format_age(now_ms - ended)),
        )
    };
    Some(
        Finding::runtime("efs_io_limit", severity, title)
            .subject(fs)
            .evidence(format!(
                "{fs} PercentIOLimit ≥ {EFS_IO_LIMIT_PERCENT:.0} % for {minutes} consecutive minutes, peak {peak:.0} %"
            ))
            .change(format!(
                "PHP reads its code from EFS while OPcache is cold: switch {fs} to Elastic (or Provisioned) \
                 throughput, keep OPcache warm (W) with opcache.validate_timestamps=0"
            )),
    )
}

/// EFS burst credits used up, or falling fast enough to run out within hours.
pub fn efs_credits(p: &PlatformMetrics, now_ms: i64) -> Option<Finding> {
    let (t_last, latest) = *p.efs_burst_credits.points.last()?;
    let fs = p.efs_id.as_deref().unwrap_or("the file system");
    if latest <= CREDITS_EMPTY_BYTES {
        return Some(
            Finding::runtime(
                "efs_credits",
                Severity::Critical,
                format!("EFS burst credits used up ({})", format_bytes(latest)),
            )
            .subject(fs)
            .evidence(format!("{fs} BurstCreditBalance {} (minimum, newest minute)", format_bytes(latest)))
            .change(format!("{fs} is held to its baseline throughput: switch it to Elastic throughput")),
        );
    }
    let trend: Vec<&(i64, f64)> = since(&p.efs_burst_credits, now_ms - CREDIT_TREND_MS).collect();
    if trend.len() < CREDIT_TREND_POINTS {
        return None;
    }
    let (t0, v0) = *trend[0];
    let span_ms = (t_last - t0).max(1);
    let per_ms = (latest - v0) / span_ms as f64;
    if per_ms >= 0.0 {
        return None;
    }
    let empty_in_ms = ((latest - CREDITS_EMPTY_BYTES).max(0.0) / -per_ms) as i64;
    let severity = if empty_in_ms <= CREDIT_HIGH_MS {
        Severity::High
    } else if empty_in_ms <= CREDIT_MEDIUM_MS {
        Severity::Medium
    } else {
        return None;
    };
    Some(
        Finding::runtime(
            "efs_credits",
            severity,
            format!("EFS burst credits run out in about {}", format_age(empty_in_ms)),
        )
        .subject(fs)
        .evidence(format!(
            "{fs} BurstCreditBalance {} → {} in {} ({}/min)",
            format_bytes(v0),
            format_bytes(latest),
            format_age(span_ms),
            format_bytes(-per_ms * 60_000.0)
        ))
        .change(format!("switch {fs} to Elastic throughput before the credits run out, and keep OPcache warm (W)")),
    )
}

/// TargetResponseTime over the last minutes against the site's own earlier median.
pub fn response_time(p: &PlatformMetrics, now_ms: i64) -> Option<Finding> {
    let recent_from = now_ms - RESPONSE_RECENT_MS;
    let recent = mean(since(&p.response_time_s, recent_from).map(|(_, v)| *v))?;
    let before: Vec<f64> = p.response_time_s.points.iter().filter(|(t, _)| *t < recent_from).map(|(_, v)| *v).collect();
    if before.len() < RESPONSE_BASELINE_POINTS {
        return None;
    }
    let baseline = median(before)?;
    if recent < RESPONSE_FLOOR_S || recent < baseline * RESPONSE_WORSE_FACTOR {
        return None;
    }
    let factor = recent / baseline.max(0.001);
    let severity = if factor >= RESPONSE_HIGH_FACTOR { Severity::High } else { Severity::Medium };
    Some(
        Finding::runtime(
            "response_time",
            severity,
            format!("responses {factor:.0}× slower than usual ({})", ms(recent)),
        )
        .evidence(format!(
            "TargetResponseTime {} over the last {} against a median of {} before",
            ms(recent),
            format_age(RESPONSE_RECENT_MS),
            ms(baseline)
        ))
        .change("see which task is slow (the tasks' findings) and whether EFS is at its limit"),
    )
}

/// ELB 5xx (502/503/504 that never reached nginx) and target 5xx over the last minutes.
pub fn edge_5xx(p: &PlatformMetrics, now_ms: i64) -> Vec<Finding> {
    let from = now_ms - RESPONSE_RECENT_MS;
    let sum = |s: &Series| since(s, from).map(|(_, v)| *v).sum::<f64>();
    let (elb, target, requests) = (sum(&p.elb_5xx), sum(&p.target_5xx), sum(&p.alb_requests));
    let span = format_age(RESPONSE_RECENT_MS);
    let mut out = Vec::new();
    if elb >= ELB_5XX_MIN {
        out.push(
            Finding::runtime(
                "elb_5xx",
                Severity::High,
                format!("the load balancer answered {} 5xx that never reached nginx", thousands(elb as u64)),
            )
            .evidence(format!(
                "HTTPCode_ELB_5XX_Count {} and HTTPCode_Target_5XX_Count {} over the last {span}",
                thousands(elb as u64),
                thousands(target as u64)
            ))
            .change("no healthy target answered in time: check the targets' health and the tasks' php-fpm"),
        );
    }
    let share = if requests > 0.0 { target * 100.0 / requests } else { 0.0 };
    if target > 0.0 && share >= TARGET_5XX_MEDIUM_PERCENT {
        let severity = if share >= TARGET_5XX_HIGH_PERCENT { Severity::High } else { Severity::Medium };
        out.push(
            Finding::runtime("target_5xx", severity, format!("{share:.1} % of requests end in a 5xx from the site"))
                .evidence(format!(
                    "HTTPCode_Target_5XX_Count {} of {} requests over the last {span}",
                    thousands(target as u64),
                    thousands(requests as u64)
                ))
                .change("read php-fpm's lines (l, hide nginx with 1) for max_children and fatal errors"),
        );
    }
    out
}

/// A deployment after which response time or target 5xx got worse, before/after on the metrics.
pub fn worse_after_deploy(
    snap: &ServiceSnapshot,
    p: &PlatformMetrics,
    rollback_to: Option<&str>,
    now_ms: i64,
) -> Option<Finding> {
    let d = snap.service.primary().filter(|d| d.rollout == RolloutState::Completed)?;
    let at = d.created_at_ms;
    if now_ms - at < DEPLOY_SIDE_MS {
        return None;
    }
    let side = |s: &Series, after: bool| -> Vec<f64> {
        s.points
            .iter()
            .filter(|(t, _)| if after { *t >= at } else { *t < at && *t >= at - 4 * DEPLOY_SIDE_MS })
            .map(|(_, v)| *v)
            .collect()
    };
    let (rt_before, rt_after) = (side(&p.response_time_s, false), side(&p.response_time_s, true));
    let minutes = (DEPLOY_SIDE_MS / 60_000) as usize;
    if rt_before.len() < minutes || rt_after.len() < minutes {
        return None;
    }
    let (b, a) = (mean(rt_before.into_iter())?, mean(rt_after.into_iter())?);
    let ratio = |s5: &Series, after: bool| {
        let fives: f64 = side(s5, after).iter().sum();
        let reqs: f64 = side(&p.alb_requests, after).iter().sum();
        if reqs > 0.0 { fives * 100.0 / reqs } else { 0.0 }
    };
    let (e_before, e_after) = (ratio(&p.target_5xx, false), ratio(&p.target_5xx, true));
    let slower = a >= b * DEPLOY_WORSE_FACTOR && a >= RESPONSE_FLOOR_S * 0.6;
    let failing = e_after >= e_before * DEPLOY_WORSE_FACTOR && e_after >= TARGET_5XX_MEDIUM_PERCENT;
    if !slower && !failing {
        return None;
    }
    let td = d.task_definition.short().to_owned();
    let mut f = Finding::runtime(
        "worse_after_deploy",
        Severity::High,
        format!("worse since {td} rolled out {} ago", format_age(now_ms - at)),
    )
    .subject(d.id.clone())
    .evidence(format!("response time {} before → {} after", ms(b), ms(a)))
    .evidence(format!("target 5xx {e_before:.2} % before → {e_after:.2} % of requests after"));
    f = f.action(FindingAction::Rollback { to: rollback_to.unwrap_or_default().to_owned() });
    Some(f)
}

mod tasks;
mod waf;

pub use tasks::{max_children, slow_cold_tasks, stopped_findings};
pub use waf::{waf_admin_blocks, waf_spikes};

#[cfg(test)]
mod tests;
