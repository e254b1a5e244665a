//! The report's numbers: each platform series' peak in the window and each deployment's hour
//! before against its after.

use super::{DeploymentEffect, MetricPeak, ReportDeployment};
use crate::model::{PlatformMetrics, Series};

/// The platform series the report shows, with their names and units.
fn series(p: &PlatformMetrics) -> [(&'static str, &'static str, &Series); 8] {
    [
        ("ALB requests", "per minute", &p.alb_requests),
        ("ELB 5xx", "per minute", &p.elb_5xx),
        ("target 5xx", "per minute", &p.target_5xx),
        ("response time", "s", &p.response_time_s),
        ("service CPU", "%", &p.cpu_percent),
        ("service memory", "%", &p.memory_percent),
        ("EFS PercentIOLimit", "%", &p.efs_io_percent),
        ("EFS BurstCreditBalance", "bytes", &p.efs_burst_credits),
    ]
}

fn in_window(points: &[(i64, f64)], from: i64, to: i64) -> impl Iterator<Item = &(i64, f64)> {
    points.iter().filter(move |(t, _)| *t >= from && *t <= to)
}

fn mean(points: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = points.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Each series' highest minute in the window (the burst credits: its lowest, where it matters).
pub fn peaks(p: &PlatformMetrics, from: i64, to: i64) -> Vec<MetricPeak> {
    series(p)
        .into_iter()
        .filter_map(|(metric, unit, s)| {
            let lowest_matters = metric == "EFS BurstCreditBalance";
            let pick = in_window(&s.points, from, to).copied().reduce(|a, b| {
                let better = if lowest_matters { b.1 < a.1 } else { b.1 > a.1 };
                if better { b } else { a }
            })?;
            let mean = mean(in_window(&s.points, from, to).map(|(_, v)| *v)).unwrap_or(0.0);
            Some(MetricPeak { metric, unit, peak: pick.1, at_ms: pick.0, mean })
        })
        .collect()
}

/// Before and after each deployment that started in the window: response time and 5xx.
pub fn deployment_effects(p: &PlatformMetrics, deployments: &[ReportDeployment], to: i64) -> Vec<DeploymentEffect> {
    let mut out = Vec::new();
    for d in deployments {
        // To its end (or the window's), and at least its first minute.
        let end = d.finished_ms.unwrap_or(to).min(to).max(d.started_ms + 60_000);
        for (metric, unit, s) in
            series(p).into_iter().filter(|(m, ..)| matches!(*m, "response time" | "target 5xx" | "ELB 5xx"))
        {
            let before = mean(in_window(&s.points, d.started_ms - 3_600_000, d.started_ms - 1).map(|(_, v)| *v));
            let after = mean(in_window(&s.points, d.started_ms, end).map(|(_, v)| *v));
            out.push(DeploymentEffect {
                revision: d.revision.clone(),
                started_ms: d.started_ms,
                metric,
                unit,
                before,
                after,
            });
        }
    }
    out
}
