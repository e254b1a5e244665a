//! The header: which site (name · account · region · cluster/service, DEMO, READ-ONLY), whether
//! the data is live, the service line (tasks, revision, rollout, health verdict) and the
//! platform line (ALB, 5xx, response time, CPU/memory, EFS). Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::State;
use crate::model::{
    HealthRules, PlatformMetrics, RolloutState, ServiceHealth, format_age, service_health_replacing,
    task_definition_revision, task_prefix,
};

pub const HEIGHT: u16 = 4;

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let [l1, l2, l3, l4] = Layout::vertical([Constraint::Length(1); 4]).areas(area);
    let live = live(state);
    let live_width = u16::try_from(live.width()).unwrap_or(0).min(l1.width);
    let [site, right] = Layout::horizontal([Constraint::Min(0), Constraint::Length(live_width)]).areas(l1);
    // One row each: what does not fit ends in `…` rather than vanishing at the edge.
    let fit = |line, area: Rect| Paragraph::new(theme::clip_line(line, usize::from(area.width)));
    frame.render_widget(fit(site_line(state), site), site);
    frame.render_widget(Paragraph::new(live), right);
    frame.render_widget(fit(service_line(state), l2), l2);
    frame.render_widget(fit(verdict_line(state), l3), l3);
    frame.render_widget(fit(platform_line(state), l4), l4);
}

fn site_line(state: &State) -> Line<'static> {
    let s = &state.site;
    let account = match &state.feeds.caller {
        Some(Ok(c)) => Span::raw(c.account.clone()),
        // The reason, with what to do, is in the panels: here it would push the service off.
        Some(Err(_)) => Span::styled("account ?", theme::warn()),
        None => Span::styled("account …", theme::dim()),
    };
    let sep = || Span::styled(" · ", theme::dim());
    let mut spans = vec![
        Span::styled(" wpops ", theme::key()),
        Span::styled(format!(" {}", s.name), theme::title()),
        sep(),
        account,
        sep(),
        Span::raw(s.region.clone()),
    ];
    // A site without a config name is named `cluster/service` already.
    let target = format!("{}/{}", s.cluster, s.service);
    if s.name != target {
        spans.extend([sep(), Span::raw(target)]);
    }
    if s.demo {
        spans.push(Span::styled("  DEMO ", theme::selected()));
    }
    if s.read_only {
        spans.push(Span::styled("  READ-ONLY ", theme::warn()));
    }
    Line::from(spans)
}

fn live(state: &State) -> Line<'static> {
    let p = &state.feeds.service;
    let (dot, style) = if p.is_loading() {
        ("◌ connecting", theme::dim())
    } else if p.is_stale(state.now_ms) {
        ("● stale", theme::warn())
    } else {
        ("● live", theme::good())
    };
    Line::from(vec![Span::styled(dot, style), Span::raw("  "), theme::age_span(p, state.now_ms), Span::raw(" ")])
}

fn service_line(state: &State) -> Line<'static> {
    let Some(snap) = state.feeds.service.data.as_ref() else {
        return match theme::error_line(&state.feeds.service, state.now_ms) {
            Some(line) => line,
            None => Line::styled(" Service  loading…", theme::dim()),
        };
    };
    let svc = &snap.service;
    let sep = || Span::styled(" · ", theme::dim());
    let running_style = if svc.running < svc.desired { theme::warn() } else { Style::new() };
    let rev = task_definition_revision(&svc.task_definition).map_or_else(String::new, |(f, r)| format!("{f}:{r}"));
    let mut spans = vec![
        Span::styled(" Service  ", theme::title()),
        Span::styled(format!("{}/{} running", svc.running, svc.desired), running_style),
        sep(),
        Span::raw(format!("{} pending", svc.pending)),
        sep(),
        Span::raw(rev),
    ];
    if let Some(d) = svc.primary() {
        spans.push(sep());
        let (text, style) = match d.rollout {
            RolloutState::Completed => {
                (format!("rollout COMPLETED {} ago", format_age(state.now_ms - d.updated_at_ms)), theme::good())
            }
            RolloutState::Failed => {
                (format!("rollout FAILED {} ago", format_age(state.now_ms - d.updated_at_ms)), theme::bad())
            }
            _ => (
                format!(
                    "rollout {} for {} · new {}/{}",
                    d.rollout,
                    format_age(state.now_ms - d.created_at_ms),
                    d.running,
                    d.desired
                ),
                theme::info(),
            ),
        };
        spans.push(Span::styled(text, style));
    }
    if let Some(e) = &state.feeds.service.error {
        spans.push(Span::styled(format!("  ⚠ {}: {}", e.operation, e.message), theme::bad()));
    }
    Line::from(spans)
}

/// The service health verdict of `wpops status`, with every reason that fits.
fn verdict_line(state: &State) -> Line<'static> {
    let Some(snap) = state.feeds.service.data.as_ref() else {
        return Line::raw("");
    };
    let svc = &snap.service;
    let rules = HealthRules { warm_limit_ms: state.site.warm_limit_ms, ..HealthRules::default() };
    let evidence = |id: &str| state.warm_evidence(id);
    let replacing = state.replacing();
    let health =
        service_health_replacing(svc, &snap.tasks, &snap.targets, &evidence, replacing.as_ref(), state.now_ms, &rules);
    let (head, style, reasons) = match health {
        ServiceHealth::Healthy => ("healthy".to_owned(), theme::good(), Vec::new()),
        ServiceHealth::RolloutInProgress { notes, .. } => ("rollout in progress".to_owned(), theme::info(), notes),
        ServiceHealth::ReplacementInProgress { task_id, notes, .. } => {
            (format!("replacing task {} (started from this console)", task_prefix(&task_id)), theme::info(), notes)
        }
        ServiceHealth::Unhealthy { reasons } => ("UNHEALTHY".to_owned(), theme::bad(), reasons),
    };
    let mut spans = vec![Span::styled(" Health   ", theme::title()), Span::styled(head, style)];
    if !reasons.is_empty() {
        spans.push(Span::styled(format!(" — {} to look at: ", reasons.len()), theme::dim()));
        spans.push(Span::styled(reasons.join(" · "), theme::warn()));
    }
    Line::from(spans)
}

fn platform_line(state: &State) -> Line<'static> {
    let p = &state.feeds.platform;
    let Some(m) = p.data.as_ref() else {
        return theme::error_line(p, state.now_ms).unwrap_or_else(|| Line::styled(" Platform loading…", theme::dim()));
    };
    let mut spans = vec![Span::styled(" ALB ", theme::title())];
    spans.extend(metrics(m));
    spans.push(Span::raw("  "));
    spans.push(theme::age_span(p, state.now_ms));
    if let Some(e) = &p.error {
        spans.push(Span::styled(format!("  ⚠ {}: {}", e.operation, e.message), theme::bad()));
    }
    Line::from(spans)
}

fn metrics(m: &PlatformMetrics) -> Vec<Span<'static>> {
    let sep = || Span::styled(" · ", theme::dim());
    let n = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| theme::thousands(v.max(0.0).round() as u64));
    let pct = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.0}%"));
    let count_style = |v: Option<f64>| if v.unwrap_or(0.0) > 0.0 { theme::bad() } else { Style::new() };
    let (elb, tgt) = (m.elb_5xx.latest(), m.target_5xx.latest());
    let efs_io = m.efs_io_percent.latest();
    let io_style = if efs_io.unwrap_or(0.0) >= 80.0 { theme::bad() } else { Style::new() };
    let rt = m.response_time_s.latest().map_or_else(|| "–".to_owned(), |s| format!("{:.0} ms", s * 1000.0));
    vec![
        // Every client request the load balancer counted (RequestCount: AWS leaves its health
        // checks out of every ALB metric), those the WAF blocked and the ELB failed included.
        Span::raw(format!("{} req/min without health checks", n(m.alb_requests.latest()))),
        sep(),
        Span::styled(format!("ELB 5xx {}", n(elb)), count_style(elb)),
        sep(),
        Span::styled(format!("target 5xx {}", n(tgt)), count_style(tgt)),
        sep(),
        Span::raw(format!("resp {rt}")),
        Span::styled("   Service ", theme::title()),
        Span::raw(format!("CPU {} · mem {}", pct(m.cpu_percent.latest()), pct(m.memory_percent.latest()))),
        Span::styled("   EFS ", theme::title()),
        Span::styled(format!("IO {}", pct(efs_io)), io_style),
        sep(),
        Span::raw(format!("burst {}", m.efs_burst_credits.latest().map_or_else(|| "–".to_owned(), theme::bytes))),
    ]
}
