//! The timeline screen: the window's service events, deployments and their outcomes, tasks
//! started and stopped (reasons and exit codes), warmer results, WAF spikes and metric peaks,
//! interleaved by time (the incident report's timeline), one row each in the operator's zone;
//! the selected entry is where Enter moves the window. Read-only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::theme;
use crate::app::{State, WindowRead};

/// How a kind of entry reads in its column.
fn kind_label(kind: &str) -> (&'static str, Style) {
    match kind {
        "deployment" => ("deploy", theme::info()),
        "task_started" => ("task", Style::new()),
        "task_stopped" => ("stopped", theme::bad()),
        "warmer" => ("warmer", theme::warn()),
        "waf" => ("WAF", theme::warn()),
        "metric" => ("metric", theme::warn()),
        _ => ("event", theme::dim()),
    }
}

/// An entry's text as a service event reads, and a deployment's or a task's outcome besides.
fn text_style(kind: &str, text: &str) -> Style {
    if kind == "task_stopped" || ["FAILED", "rolled back", "OutOfMemory"].iter().any(|w| text.contains(w)) {
        theme::bad()
    } else if ["SUCCESSFUL", "completed"].iter().any(|w| text.contains(w)) && !text.contains("failed") {
        theme::good()
    } else {
        theme::event_style(text)
    }
}

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let w = &state.window;
    let span = match w.window.range() {
        Some((from, to)) => format!("{} {}", w.clock.range(from, to, state.now_ms), w.clock.zone()),
        None => format!("the last 3 hours · {}", w.clock.zone()),
    };
    let mut block = Block::bordered().title(Line::from(vec![
        Span::styled(" Timeline ", theme::title()),
        Span::raw(span),
        Span::raw(" "),
    ]));
    let entries = match &w.read {
        WindowRead::Read(f) => &f.report.timeline,
        WindowRead::Failed(e) => {
            let line = Line::styled(format!("unreadable: {}: {} — {}", e.operation, e.message, e.hint), theme::bad());
            frame.render_widget(Paragraph::new(line).block(block), area);
            return;
        }
        WindowRead::Loading | WindowRead::None => {
            frame.render_widget(Paragraph::new(Line::styled("loading…", theme::dim())).block(block), area);
            return;
        }
    };
    block = block.title(
        Line::styled(format!(" {} entries ", theme::thousands(entries.len() as u64)), theme::dim()).right_aligned(),
    );
    block =
        block.title_bottom(Line::styled(" Enter: the 30 minutes around the selected entry · j/k move ", theme::dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if entries.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled("nothing happened in this window", theme::dim())), inner);
        return;
    }
    let rows = usize::from(inner.height).max(1);
    let selected = w.selected.min(entries.len() - 1);
    // The selection stays in view, as near the middle as the ends allow.
    let top = selected.saturating_sub(rows / 2).min(entries.len().saturating_sub(rows));
    let width = usize::from(inner.width);
    let lines: Vec<Line<'static>> = entries
        .iter()
        .enumerate()
        .skip(top)
        .take(rows)
        .map(|(i, e)| {
            let (label, style) = kind_label(e.kind);
            let line = Line::from(vec![
                Span::styled(format!("{} ", w.clock.hms(e.at_ms)), theme::dim()),
                Span::styled(format!("{label:<8}"), style),
                Span::styled(e.text.clone(), text_style(e.kind, &e.text)),
            ]);
            let line = theme::clip_line(line, width);
            if i == selected { line.patch_style(theme::selected()) } else { line }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
