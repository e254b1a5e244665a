//! The WAF screen: the web ACL and its window, each managed rule group with its rules' blocked
//! counts and a per-minute sparkline, the top blocked URIs, client IPs and rules, and the
//! sampled requests — blocked by a rule, and what the default action let through or counted —
//! (time, action, client, country, method, URI, rule); `j`/`k` pick one and Enter opens it:
//! the whole request with its headers, the terminating rule and the action. Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::columns::{self, Col, Shorten};
use super::theme;
use crate::app::State;
use crate::model::{SampledRequest, WafSnapshot};

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let p = state.waf_panel();
    let title = p.data.as_ref().map_or_else(
        || " WAF ".to_owned(),
        |w| {
            format!(
                " WAF {} · blocked {} in {} ",
                w.web_acl_name,
                w.blocked_text(w.total_blocked),
                theme::window(w.window_secs)
            )
        },
    );
    let block = Block::bordered()
        .title(Line::styled(title, theme::title()))
        .title(Line::from(vec![Span::raw(" "), theme::age_span(p, state.now_ms), Span::raw(" ")]).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let error: Vec<Line<'static>> = theme::error_lines(p, state.now_ms, inner.width);
    let Some(w) = p.data.as_ref() else {
        let mut lines = error;
        if p.error.is_none() {
            lines.push(Line::styled("loading…", theme::dim()));
        }
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    };
    let mut error = error;
    error.extend(w.unavailable.iter().map(|e| Line::styled(format!("could not read {e}"), theme::warn())));
    let err_h = u16::try_from(error.len()).unwrap_or(0);
    let [err_area, top, samples] =
        Layout::vertical([Constraint::Length(err_h), Constraint::Percentage(55), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(error), err_area);
    let [groups, tops] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(top);
    render_groups(state, w, frame, groups);
    render_tops(w, frame, tops);
    if state.nav.scroll.waf_sample_open {
        render_sample(state, w, frame, samples);
    } else {
        render_samples(state, w, frame, samples);
    }
}

/// The samples, newest first (the order the selection counts in).
fn newest_first(w: &WafSnapshot) -> Vec<&SampledRequest> {
    let mut samples: Vec<&SampledRequest> = w.samples.iter().collect();
    samples.sort_by_key(|s| std::cmp::Reverse(s.at_ms));
    samples
}

/// One sampled request, whole: what was asked, from where, its headers and what WAF did.
fn render_sample(state: &State, w: &WafSnapshot, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(Line::styled(" Sampled request (Esc or Enter closes) ", theme::title()));
    let width = usize::from(block.inner(area).width).max(10);
    let samples = newest_first(w);
    let Some(s) = samples.get(state.nav.scroll.waf_sample.min(samples.len().saturating_sub(1))) else {
        frame.render_widget(Paragraph::new(Line::styled("no sampled request", theme::dim())).block(block), area);
        return;
    };
    let action_style = if s.is_blocked() { theme::bad() } else { theme::good() };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{} ", s.action), action_style),
            Span::raw(format!("{} {} {}", s.method, s.uri, s.http_version)),
        ]),
        Line::raw(format!(
            "at {} UTC · client {} ({}) · stands for {} request{}",
            state.window.clock.hms(s.at_ms),
            s.client_ip,
            if s.country.is_empty() { "?" } else { &s.country },
            theme::thousands(s.weight),
            if s.weight == 1 { "" } else { "s" }
        )),
        Line::raw(format!("rule {}", if s.rule.is_empty() { "(the web ACL's default action)" } else { &s.rule })),
        Line::styled("headers", theme::title()),
    ];
    if s.headers.is_empty() {
        lines.push(Line::styled("  none sampled", theme::dim()));
    }
    for (name, value) in &s.headers {
        lines.push(Line::from(vec![Span::styled(format!("  {name}: "), theme::dim()), Span::raw(value.clone())]));
    }
    let wrapped: Vec<Line<'static>> = lines.into_iter().flat_map(|l| theme::wrap_words(l, width)).collect();
    frame.render_widget(Paragraph::new(wrapped).block(block), area);
}

fn render_groups(state: &State, w: &WafSnapshot, frame: &mut Frame, area: Rect) {
    let spark = usize::from(area.width).saturating_sub(28).clamp(4, 60);
    let mut lines = Vec::new();
    for g in &w.groups {
        lines.push(Line::from(vec![
            Span::styled(theme::cell(&g.label, 12), theme::title()),
            Span::styled(theme::fit(&theme::sparkline(&g.series, spark), spark), theme::info()),
            Span::styled(format!(" {:>8}", w.blocked_text(g.blocked_total)), theme::title()),
        ]));
        lines.push(Line::styled(format!("  {}", g.name), theme::dim()));
        for (rule, n) in &g.rules {
            lines.push(Line::raw(format!("    {} {:>8}", theme::cell(rule, spark + 4), theme::thousands(*n))));
        }
    }
    if w.groups.is_empty() {
        lines.push(Line::styled("no managed rule groups on this web ACL", theme::dim()));
    }
    let block = Block::bordered().title(Line::styled(" Rule groups · blocked per minute ", theme::title()));
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((u16::try_from(state.nav.scroll.waf).unwrap_or(0), 0)),
        area,
    );
}

fn render_tops(w: &WafSnapshot, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    for (title, list) in
        [("Top blocked URIs", &w.top_uris), ("Top client IPs", &w.top_ips), ("Top rules", &w.top_rules)]
    {
        lines.push(Line::styled(title, theme::title()));
        if list.is_empty() {
            lines.push(Line::styled("  none sampled", theme::dim()));
        }
        for (what, n) in list.iter().take(5) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:>6}  ", theme::thousands(*n)), theme::warn()),
                Span::raw(what.clone()),
            ]));
        }
    }
    let block = Block::bordered().title(Line::styled(" From sampled requests ", theme::title()));
    // A URI or address wider than the pane ends in `…`.
    let width = usize::from(block.inner(area).width);
    let lines: Vec<Line<'static>> = lines.into_iter().map(|l| theme::clip_line(l, width)).collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_samples(state: &State, w: &WafSnapshot, frame: &mut Frame, area: Rect) {
    let blocked = w.samples.iter().filter(|s| s.is_blocked()).count();
    let title = format!(
        " Sampled requests (UTC, newest first) · {blocked} blocked · {} allowed or counted ",
        w.samples.len() - blocked
    );
    // A title wider than the border ends in `…` (ratatui would cut it unmarked).
    let title = theme::clip(&title, usize::from(area.width).saturating_sub(2));
    let block = Block::bordered().title(Line::styled(title, theme::title()));
    let inner = block.inner(area);
    let widths = columns::layout(&SAMPLE_COLUMNS, usize::from(inner.width));
    let mut lines = vec![Line::styled(columns::header(&SAMPLE_COLUMNS, &widths), theme::dim())];
    let samples = newest_first(w);
    let selected = state.nav.scroll.waf_sample.min(samples.len().saturating_sub(1));
    // Rows before the selected one scroll away so that it stays in view.
    let rows = usize::from(inner.height).saturating_sub(1).max(1);
    let skip = (selected + 1).saturating_sub(rows);
    for (i, s) in samples.into_iter().enumerate().skip(skip) {
        let style = if s.is_blocked() { theme::bad() } else { theme::dim() };
        let values = [
            state.window.clock.hms(s.at_ms),
            s.action.clone(),
            s.client_ip.clone(),
            s.country.clone(),
            s.method.clone(),
            s.uri.clone(),
            s.rule.clone(),
        ];
        let row_style = if i == selected { theme::selected() } else { ratatui::style::Style::new() };
        lines.push(columns::styled(&SAMPLE_COLUMNS, &widths, &values, |c| if c == 1 { style } else { row_style }));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The samples table: what, from where, which rule; an IP address is never cut (an IPv6 one
/// keeps its end), the URI gives way in its middle.
const SAMPLE_COLUMNS: [Col; 7] = [
    Col::new("TIME", 8, 8, 1, Shorten::End),
    Col::new("ACTION", 6, 7, 0, Shorten::End),
    Col::new("CLIENT IP", 15, 15, 0, Shorten::Middle),
    Col::new("CC", 2, 2, 3, Shorten::End),
    Col::new("METHOD", 4, 6, 2, Shorten::End),
    Col::new("URI", 12, 0, 0, Shorten::Middle),
    Col::new("RULE", 14, 36, 1, Shorten::End),
];
