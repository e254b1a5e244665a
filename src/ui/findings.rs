//! The findings screen (`f`, `:findings`): every runtime finding, worst first — severity,
//! title, its evidence and what to do (the key of a wpops action, or the change to make), each
//! wrapped whole. The selected one is marked; Enter opens its action's normal confirmation.
//! What the findings could not look at (data loading or unreadable) is said at the top.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::theme;
use crate::app::State;
use crate::model::{Finding, Severity};

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let assessment = state.assessment();
    let counts = assessment.as_ref().map(|a| a.findings.counts()).unwrap_or_default();
    let title = if counts.is_empty() { " Findings ".to_owned() } else { format!(" Findings · {counts} ") };
    let block = Block::bordered().title(Line::styled(title, theme::title()));
    let inner = block.inner(area);
    let width = usize::from(inner.width).max(10);
    let Some(a) = assessment else {
        let lines = match theme::error_line(&state.feeds.service, state.now_ms) {
            Some(l) => vec![l],
            None => vec![Line::styled("loading the service…", theme::dim())],
        };
        frame.render_widget(Paragraph::new(lines).block(block), area);
        return;
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    if !a.findings.lacking.is_empty() {
        let text = format!("not looked at yet: {}", a.findings.lacking.join(" · "));
        lines.extend(theme::wrap_words(Line::styled(text, theme::dim()), width));
    }
    if a.findings.items.is_empty() {
        lines.push(Line::styled("nothing found: every rule with its data passed", theme::good()));
    }
    let selected = state.nav.scroll.finding.min(a.findings.items.len().saturating_sub(1));
    // Lines before the selected finding, so that it stays on screen.
    let mut selected_at = 0;
    for (i, f) in a.findings.items.iter().enumerate() {
        if i == selected {
            selected_at = lines.len();
        }
        lines.extend(finding_lines(f, i == selected, width));
    }
    let height = usize::from(inner.height);
    let skip = (selected_at + 4).saturating_sub(height.max(1)).min(selected_at);
    let shown: Vec<Line<'static>> = lines.into_iter().skip(skip).collect();
    frame.render_widget(Paragraph::new(shown).block(block), area);
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical | Severity::High => theme::bad(),
        Severity::Medium => theme::warn(),
        Severity::Low | Severity::Info => theme::dim(),
    }
}

/// One finding: `HIGH  title` then its evidence, control and what to do, indented.
fn finding_lines(f: &Finding, selected: bool, width: usize) -> Vec<Line<'static>> {
    const INDENT: usize = 10;
    let mark = if selected { "▶ " } else { "  " };
    let head = format!("{mark}{:<8}", f.severity.as_str().to_uppercase());
    let title_style = if selected { theme::selected() } else { Style::new() };
    let mut out = Vec::new();
    let body = width.saturating_sub(INDENT).max(10);
    for (n, part) in theme::wrap_words(Line::styled(f.title.clone(), title_style), body).into_iter().enumerate() {
        let lead =
            if n == 0 { Span::styled(head.clone(), severity_style(f.severity)) } else { Span::raw(" ".repeat(INDENT)) };
        let mut spans = vec![lead];
        spans.extend(part.spans);
        out.push(Line::from(spans));
    }
    let mut detail: Vec<(String, Style)> = f.evidence.iter().map(|e| (format!("· {e}"), theme::dim())).collect();
    if let Some(c) = &f.control {
        detail.push((format!("· control {c}"), theme::dim()));
    }
    if let Some(a) = &f.action {
        detail.push((format!("→ {} (Enter)", a.describe()), theme::info()));
    }
    if let Some(c) = &f.change {
        detail.push((format!("→ {c}"), theme::info()));
    }
    for (text, style) in detail {
        for part in theme::wrap_words(Line::styled(text, style), body) {
            let mut spans = vec![Span::raw(" ".repeat(INDENT))];
            spans.extend(part.spans);
            out.push(Line::from(spans));
        }
    }
    out
}
