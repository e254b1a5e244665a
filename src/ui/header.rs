//! The header: which site (name · account · region · cluster/service, DEMO, READ-ONLY), whether
//! the data is live, the service line (tasks, revision, rollout, health verdict) and the
//! platform line (ALB, 5xx, response time, CPU/memory, EFS). Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use unicode_width::UnicodeWidthStr;

use super::theme;
use crate::app::State;
use crate::model::{
    PlatformMetrics, RolloutState, ServiceHealth, Severity, format_age, task_definition_revision, task_prefix,
};

/// The header's rows at `width` columns: four, and a fifth when the platform figures need a
/// second row.
pub fn height(state: &State, width: u16) -> u16 {
    4 + u16::from(platform_rows(state, usize::from(width)).len() > 1)
}

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let platform = platform_rows(state, width);
    let rows = Layout::vertical(vec![Constraint::Length(1); 3 + platform.len()]).split(area);
    let live = live(state);
    let live_width = u16::try_from(live.width()).unwrap_or(0).min(rows[0].width);
    let [site, right] = Layout::horizontal([Constraint::Min(0), Constraint::Length(live_width)]).areas(rows[0]);
    // One row each: what does not fit ends in `…` rather than vanishing at the edge.
    let fit = |line, area: Rect| Paragraph::new(theme::clip_line(line, usize::from(area.width)));
    frame.render_widget(fit(site_line(state, usize::from(site.width)), site), site);
    frame.render_widget(Paragraph::new(live), right);
    frame.render_widget(fit(service_line(state), rows[1]), rows[1]);
    frame.render_widget(fit(verdict_line(state, width), rows[2]), rows[2]);
    for (line, area) in platform.into_iter().zip(rows.iter().skip(3)) {
        frame.render_widget(fit(line, *area), *area);
    }
}

/// The site line that fits `width`, degrading by priority: the site, the service and the
/// DEMO / READ-ONLY badges stay; the region goes first, then the account, then the cluster.
fn site_line(state: &State, width: usize) -> Line<'static> {
    for (account, region, cluster) in
        [(true, true, true), (true, false, true), (false, false, true), (false, false, false)]
    {
        let line = site_spans(state, account, region, cluster);
        if line.width() <= width {
            return line;
        }
    }
    site_spans(state, false, false, false)
}

fn site_spans(state: &State, with_account: bool, with_region: bool, with_cluster: bool) -> Line<'static> {
    let s = &state.site;
    let account = match &state.feeds.caller {
        Some(Ok(c)) => Span::raw(c.account.clone()),
        // The reason, with what to do, is in the panels: here it would push the service off.
        Some(Err(_)) => Span::styled("account ?", theme::warn()),
        None => Span::styled("account …", theme::dim()),
    };
    let sep = || Span::styled(" · ", theme::dim());
    let mut spans = vec![Span::styled(" wpops ", theme::key()), Span::styled(format!(" {}", s.name), theme::title())];
    if with_account {
        spans.extend([sep(), account]);
    }
    if with_region {
        spans.extend([sep(), Span::raw(s.region.clone())]);
    }
    // A site without a config name is named `cluster/service` already.
    let target = if with_cluster { format!("{}/{}", s.cluster, s.service) } else { s.service.clone() };
    if s.name != target && s.name != format!("{}/{}", s.cluster, s.service) {
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
    let w = &state.window;
    if let Some((from, to)) = w.window.range() {
        let label = format!("◷ window {} {} ", w.clock.range(from, to, state.now_ms), w.clock.zone());
        return Line::from(vec![Span::styled(label, theme::info())]);
    }
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
    // A window in the past: the service line is still now's (ECS says only how it is).
    let head = if state.window.window.is_live() { " Service  " } else { " Service now  " };
    let mut spans = vec![
        Span::styled(head, theme::title()),
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

/// The service health verdict of `wpops status`, with its count and the worst findings that
/// fit in `width`, then how many more there are (the findings screen, `f`, has them all).
fn verdict_line(state: &State, width: usize) -> Line<'static> {
    if let Some((_, to)) = state.window.window.range() {
        return window_verdict(state, to, width);
    }
    let Some(assessment) = state.assessment() else {
        return Line::raw("");
    };
    let minor = assessment.findings.items.iter().filter(|f| f.severity > Severity::Medium).count();
    let (head, style, reasons) = match assessment.health {
        ServiceHealth::Healthy => ("healthy".to_owned(), theme::good(), Vec::new()),
        ServiceHealth::RolloutInProgress { notes, .. } => ("rollout in progress".to_owned(), theme::info(), notes),
        ServiceHealth::ReplacementInProgress { task_id, notes, .. } => {
            (format!("replacing task {} (started from this console)", task_prefix(&task_id)), theme::info(), notes)
        }
        ServiceHealth::Unhealthy { reasons } => ("UNHEALTHY".to_owned(), theme::bad(), reasons),
    };
    let mut spans = vec![Span::styled(" Health   ", theme::title()), Span::styled(head, style)];
    if reasons.is_empty() && !assessment.findings.items.is_empty() {
        let n = assessment.findings.items.len();
        let what = if minor == n { "note" } else { "finding" };
        spans.push(Span::styled(format!(" · {n} {what}{} (f)", if n == 1 { "" } else { "s" }), theme::dim()));
    }
    if !reasons.is_empty() {
        spans.push(Span::styled(format!(" — {} to look at: ", reasons.len()), theme::dim()));
        let used = Line::from(spans.clone()).width();
        spans.push(Span::styled(fit_reasons(&reasons, width.saturating_sub(used)), theme::warn()));
    }
    Line::from(spans)
}

/// The verdict at a window's end, from the report of the window.
fn window_verdict(state: &State, to: i64, width: usize) -> Line<'static> {
    // The metrics are the window's, the tasks as they stood at its end (`model::past`).
    let title = Span::styled(format!(" Health at {}  ", state.window.clock.hm(to)), theme::title());
    let v = match &state.window.read {
        crate::app::WindowRead::Read(f) => &f.report.verdict,
        crate::app::WindowRead::Failed(e) => {
            return Line::from(vec![
                title,
                Span::styled(format!("unreadable: {}: {}", e.operation, e.message), theme::bad()),
            ]);
        }
        _ => return Line::from(vec![title, Span::styled("loading…", theme::dim())]),
    };
    let style = match v.health.as_str() {
        "healthy" => theme::good(),
        "unhealthy" => theme::bad(),
        _ => theme::info(),
    };
    let mut spans = vec![title, Span::styled(v.health.to_uppercase(), style)];
    if !v.reasons.is_empty() {
        spans.push(Span::styled(format!(" — {} to look at: ", v.reasons.len()), theme::dim()));
        let used = Line::from(spans.clone()).width();
        spans.push(Span::styled(fit_reasons(&v.reasons, width.saturating_sub(used)), theme::warn()));
    }
    Line::from(spans)
}

/// As many whole reasons as fit in `width`, then `+N more`; the first is cut (marked) rather
/// than left out when even it does not fit.
fn fit_reasons(reasons: &[String], width: usize) -> String {
    let mut out = String::new();
    for (i, r) in reasons.iter().enumerate() {
        let sep = if i == 0 { "" } else { " · " };
        let rest = reasons.len() - i - 1;
        let more = if rest > 0 { format!(" · +{rest} more") } else { String::new() };
        let candidate = format!("{out}{sep}{r}");
        if candidate.as_str().width() + more.as_str().width() <= width {
            out = candidate;
            continue;
        }
        if i == 0 {
            let tail = format!(" · +{} more", reasons.len() - 1);
            let tail = if reasons.len() > 1 { tail } else { String::new() };
            return format!("{}{tail}", theme::clip(r, width.saturating_sub(tail.as_str().width())));
        }
        return format!("{out} · +{} more", reasons.len() - i);
    }
    out
}

/// The platform figures: one row where they fit, else the load balancer's on the first and the
/// service's and EFS's on a second row (never off the right edge).
fn platform_rows(state: &State, width: usize) -> Vec<Line<'static>> {
    if let Some((_, to)) = state.window.window.range() {
        return match state.window.facts().map(|f| &f.platform) {
            Some(Ok(m)) => {
                figure_rows(m, vec![Span::styled(format!(" at {}", state.window.clock.hm(to)), theme::dim())], width)
            }
            Some(Err(e)) => vec![Line::styled(format!(" Platform unreadable: {e}"), theme::bad())],
            None => vec![Line::styled(" Platform loading…", theme::dim())],
        };
    }
    let p = &state.feeds.platform;
    let Some(m) = p.data.as_ref() else {
        return vec![
            theme::error_line(p, state.now_ms).unwrap_or_else(|| Line::styled(" Platform loading…", theme::dim())),
        ];
    };
    let mut tail = vec![Span::raw("  "), theme::age_span(p, state.now_ms)];
    if let Some(e) = &p.error {
        tail.push(Span::styled(format!("  ⚠ {}: {}", e.operation, e.message), theme::bad()));
    }
    figure_rows(m, tail, width)
}

/// `m`'s figures then `tail` on one row where they fit in `width`, else on two.
fn figure_rows(m: &PlatformMetrics, tail: Vec<Span<'static>>, width: usize) -> Vec<Line<'static>> {
    let (alb, service) = metrics(m);
    let mut one = vec![Span::styled(" ALB ", theme::title())];
    one.extend(alb.clone());
    one.push(Span::raw("  "));
    one.extend(service.clone());
    one.extend(tail.clone());
    let one = Line::from(one);
    if one.width() <= width {
        return vec![one];
    }
    let mut first = vec![Span::styled(" ALB ", theme::title())];
    first.extend(alb);
    let mut second = vec![Span::raw(" ")];
    second.extend(service);
    second.extend(tail);
    vec![Line::from(first), Line::from(second)]
}

/// The load balancer's figures, and the service's and EFS's.
fn metrics(m: &PlatformMetrics) -> (Vec<Span<'static>>, Vec<Span<'static>>) {
    let sep = || Span::styled(" · ", theme::dim());
    let n = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| theme::thousands(v.max(0.0).round() as u64));
    let pct = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.0}%"));
    let count_style = |v: Option<f64>| if v.unwrap_or(0.0) > 0.0 { theme::bad() } else { Style::new() };
    let (elb, tgt) = (m.elb_5xx.latest(), m.target_5xx.latest());
    let efs_io = m.efs_io_percent.latest();
    let io_style = if efs_io.unwrap_or(0.0) >= 80.0 { theme::bad() } else { Style::new() };
    let rt = m.response_time_s.latest().map_or_else(|| "–".to_owned(), |s| format!("{:.0} ms", s * 1000.0));
    let alb = vec![
        // Every client request the load balancer counted (RequestCount: AWS leaves its health
        // checks out of every ALB metric), those the WAF blocked and the ELB failed included.
        Span::raw(format!("{} req/min without health checks", n(m.alb_requests.latest()))),
        sep(),
        Span::styled(format!("ELB 5xx {}", n(elb)), count_style(elb)),
        sep(),
        Span::styled(format!("target 5xx {}", n(tgt)), count_style(tgt)),
        sep(),
        Span::raw(format!("resp {rt}")),
    ];
    let service = vec![
        Span::styled(" Service ", theme::title()),
        Span::raw(format!("CPU {} · mem {}", pct(m.cpu_percent.latest()), pct(m.memory_percent.latest()))),
        Span::styled("   EFS ", theme::title()),
        Span::styled(format!("IO {}", pct(efs_io)), io_style),
        sep(),
        Span::raw(format!("burst {}", m.efs_burst_credits.latest().map_or_else(|| "–".to_owned(), theme::bytes))),
    ];
    (alb, service)
}
