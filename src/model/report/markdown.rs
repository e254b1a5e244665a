//! The report as GitHub-flavoured Markdown: headings, tables with every cell escaped (a pipe
//! or a backtick in a log line cannot break the table), times in UTC, log examples in fenced
//! blocks (the fence longer than any backtick run in them).

use super::{IncidentReport, iso};
use crate::model::{format_bytes, task_prefix, thousands};

/// A value with its unit, as the report writes it.
pub fn value(v: f64, unit: &str) -> String {
    match unit {
        "bytes" => format_bytes(v),
        "s" => format!("{:.0} ms", v * 1000.0),
        "%" => format!("{v:.0}%"),
        _ => format!("{} {unit}", thousands(v.round().max(0.0) as u64)),
    }
}

/// One table cell: no line breaks, pipes escaped, inline code where asked.
fn cell(s: &str) -> String {
    s.replace(['\n', '\r'], " ").replace('|', "\\|")
}

fn code(s: &str) -> String {
    let ticks = longest_run(s, '`') + 1;
    let fence = "`".repeat(ticks);
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{}{pad}{fence}", s.replace(['\n', '\r'], " ").replace('|', "\\|"))
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Verbatim lines in a fenced block whose fence is longer than any run of backticks in them.
fn fenced(out: &mut Vec<String>, lines: &[String]) {
    let fence = "`".repeat(3.max(lines.iter().map(|e| longest_run(e, '`')).max().unwrap_or(0) + 1));
    out.push(format!("{fence}text"));
    out.extend(lines.iter().cloned());
    out.push(fence);
    out.push(String::new());
}

fn hms(ms: i64) -> String {
    iso(ms).get(11..19).unwrap_or_default().to_owned()
}

fn table(out: &mut Vec<String>, head: &[&str], rows: Vec<Vec<String>>) {
    out.push(format!("| {} |", head.join(" | ")));
    out.push(format!("|{}|", head.iter().map(|_| "---").collect::<Vec<_>>().join("|")));
    for r in rows {
        out.push(format!("| {} |", r.join(" | ")));
    }
    out.push(String::new());
}

pub fn markdown(r: &IncidentReport) -> String {
    let mut out = Vec::new();
    let s = &r.site;
    out.push(format!("# Incident report: {} ({}/{})", cell(&s.name), cell(&s.cluster), cell(&s.service)));
    out.push(String::new());
    out.push(format!(
        "Account {} · region {} · window **{} to {}** (UTC) · generated {}",
        s.account.as_deref().unwrap_or("unknown"),
        s.region,
        r.window.from,
        r.window.to,
        r.generated_at
    ));
    out.push(String::new());

    out.push("## Verdict".into());
    out.push(String::new());
    out.push(format!("**{}** (as of the window's end)", r.verdict.health));
    out.push(String::new());
    for reason in &r.verdict.reasons {
        out.push(format!("- {}", cell(reason)));
    }
    if !r.verdict.reasons.is_empty() {
        out.push(String::new());
    }
    if !r.findings.is_empty() {
        out.push("### What was wrong".into());
        out.push(String::new());
        let rows = r
            .findings
            .iter()
            .map(|f| {
                vec![
                    format!("{:?}", f.severity).to_lowercase(),
                    cell(&f.title),
                    cell(&f.evidence.join("; ")),
                    f.change.as_deref().map(cell).unwrap_or_default(),
                ]
            })
            .collect();
        table(&mut out, &["severity", "finding", "evidence", "what to change"], rows);
    }
    if !r.verdict.lacking.is_empty() {
        out.push(format!("Not looked at: {}.", cell(&r.verdict.lacking.join("; "))));
        out.push(String::new());
    }

    out.push("## Timeline".into());
    out.push(String::new());
    if r.timeline.is_empty() {
        out.push("Nothing happened in the window that the service's events, tasks and metrics record.".into());
        out.push(String::new());
    } else {
        let rows = r.timeline.iter().map(|e| vec![hms(e.at_ms), e.kind.replace('_', " "), cell(&e.text)]).collect();
        table(&mut out, &["time (UTC)", "what", "details"], rows);
    }

    out.push("## Deployments".into());
    out.push(String::new());
    if r.deployments.is_empty() {
        out.push("No deployment ran in the window.".into());
        out.push(String::new());
    } else {
        let rows = r
            .deployments
            .iter()
            .map(|d| {
                let outcome = if d.rolled_back { format!("{} (rolled back)", d.status) } else { d.status.clone() };
                let images: Vec<String> = d
                    .images
                    .iter()
                    .map(|i| {
                        let digest = i
                            .digest
                            .as_deref()
                            .map(|x| format!(" @{}", crate::model::short_digest(x)))
                            .unwrap_or_default();
                        format!("{}: {}{digest}", i.container, code(&i.image))
                    })
                    .collect();
                vec![
                    cell(&d.revision),
                    hms(d.started_ms),
                    d.finished_ms.map_or("–".into(), hms),
                    cell(&outcome),
                    cell(d.reason.as_deref().unwrap_or("")),
                    images.join("<br>"),
                ]
            })
            .collect();
        table(&mut out, &["revision", "started", "ended", "outcome", "reason", "images"], rows);
    }

    out.push("## Stopped tasks".into());
    out.push(String::new());
    if r.stopped.is_empty() {
        out.push(
            "No task stopped in the window (ECS keeps stopped tasks about an hour; older ones are found by their log \
             streams)."
                .into(),
        );
        out.push(String::new());
    } else {
        let rows = r
            .stopped
            .iter()
            .map(|g| {
                let ids: Vec<String> = g.task_ids.iter().map(|t| code(task_prefix(t))).collect();
                vec![
                    g.count.to_string(),
                    cell(&g.reason),
                    cell(g.stop_code.as_deref().unwrap_or("")),
                    g.latest_ms.map_or("unknown".into(), hms),
                    ids.join(" "),
                ]
            })
            .collect();
        table(&mut out, &["tasks", "reason", "stop code", "newest", "ids"], rows);
    }

    out.push("## Warmers".into());
    out.push(String::new());
    let rows = r
        .warmers
        .iter()
        .map(|w| {
            let report = w
                .report
                .map_or("–".into(), |x| format!("{} ok · {} failed · {} total", x.success, x.failure, x.total));
            vec![
                code(task_prefix(&w.task_id)),
                if w.revision == 0 { "unknown".into() } else { w.revision.to_string() },
                match (w.running, w.from_logs) {
                    (true, _) => "running".into(),
                    (false, false) => "stopped".into(),
                    (false, true) => "stopped (no longer listed by ECS)".into(),
                },
                format!("{}{}", if w.ok { "" } else { "**" }, cell(&w.result)) + if w.ok { "" } else { "**" },
                report,
            ]
        })
        .collect();
    table(&mut out, &["task", "revision", "task is", "warmer", "report"], rows);
    for w in r.warmers.iter().filter(|w| !w.output.is_empty()) {
        out.push(format!("The warmer of task {} wrote:", code(task_prefix(&w.task_id))));
        out.push(String::new());
        fenced(&mut out, &w.output);
    }

    out.push("## Metrics".into());
    out.push(String::new());
    if !r.metrics.is_empty() {
        let rows = r
            .metrics
            .iter()
            .map(|m| {
                let word = if m.metric == "EFS BurstCreditBalance" { " (lowest)" } else { "" };
                vec![
                    m.metric.to_owned(),
                    format!("{}{word}", value(m.peak, m.unit)),
                    hms(m.at_ms),
                    value(m.mean, m.unit),
                ]
            })
            .collect();
        table(&mut out, &["metric", "peak", "at", "mean over the window"], rows);
    }
    if !r.deployment_effects.is_empty() {
        out.push("Before (the hour before it started) and after each deployment:".into());
        out.push(String::new());
        let fmt = |v: Option<f64>, unit: &str| v.map_or("no data".into(), |v| value(v, unit));
        let rows = r
            .deployment_effects
            .iter()
            .map(|e| {
                vec![
                    cell(&e.revision),
                    hms(e.started_ms),
                    e.metric.to_owned(),
                    fmt(e.before, e.unit),
                    fmt(e.after, e.unit),
                ]
            })
            .collect();
        table(&mut out, &["deployment", "started", "metric", "before", "after"], rows);
    }

    out.push("## WAF".into());
    out.push(String::new());
    match &r.waf {
        None => {
            out.push("No web ACL was read for the load balancer.".into());
            out.push(String::new());
        }
        Some(w) => {
            let total = w.total_blocked.map_or("unknown (the counts could not be read)".into(), thousands);
            out.push(format!("Web ACL {} · blocked in the window: **{total}**", code(&w.web_acl)));
            out.push(String::new());
            let rows = w
                .groups
                .iter()
                .map(|g| {
                    vec![
                        cell(&g.label),
                        thousands(g.blocked),
                        g.peak_at_ms.map_or("–".into(), |t| format!("{} at {}", g.peak_per_minute, hms(t))),
                    ]
                })
                .collect();
            table(&mut out, &["rule group", "blocked", "busiest minute"], rows);
            for (title, list) in [("URIs", &w.top_uris), ("client IPs", &w.top_ips), ("rules", &w.top_rules)] {
                if !list.is_empty() {
                    let items: Vec<String> = list.iter().map(|(k, n)| format!("{} ({n})", code(k))).collect();
                    out.push(format!("Top blocked {title} (sampled): {}", items.join(", ")));
                    out.push(String::new());
                }
            }
        }
    }

    out.push("## Logs: trouble by message shape".into());
    out.push(String::new());
    if r.log_shapes.is_empty() {
        out.push("No php-fpm trouble, nginx 5xx or nginx error line in the window.".into());
        out.push(String::new());
    }
    for g in &r.log_shapes {
        out.push(format!(
            "### {} × {} ({})",
            thousands(g.count),
            cell(&g.container),
            if g.first_ms == g.last_ms { hms(g.first_ms) } else { format!("{}–{}", hms(g.first_ms), hms(g.last_ms)) }
        ));
        out.push(String::new());
        out.push(format!(
            "{} · tasks {}",
            code(&g.shape),
            g.tasks.iter().map(|t| code(t)).collect::<Vec<_>>().join(" ")
        ));
        out.push(String::new());
        fenced(&mut out, &g.examples);
    }

    if !r.unavailable.is_empty() {
        out.push("## Not read".into());
        out.push(String::new());
        for u in &r.unavailable {
            out.push(format!("- {}", cell(u)));
        }
        out.push(String::new());
    }
    out.join("\n")
}
