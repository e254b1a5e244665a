//! The events screen: the deployments with rollout state, counts, failed tasks and reason, then
//! the service event stream, newest first, with ages. Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use super::theme;
use crate::app::State;
use crate::model::{RolloutState, format_age, short_td};

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let deployments = state.feeds.service.data.as_ref().map_or(0, |s| s.service.deployments.len());
    let height = u16::try_from(deployments).unwrap_or(6).min(6) + 4;
    let [top, bottom] = Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(area);
    render_deployments(state, frame, top);
    render_events(state, frame, bottom);
}

pub(super) fn render_deployments(state: &State, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(Line::styled(" Deployments ", theme::title())).title(
        Line::from(vec![Span::raw(" "), theme::age_span(&state.feeds.service, state.now_ms), Span::raw(" ")])
            .right_aligned(),
    );
    let Some(snap) = state.feeds.service.data.as_ref() else {
        let line = theme::error_line(&state.feeds.service, state.now_ms)
            .unwrap_or_else(|| Line::styled("loading…", theme::dim()));
        frame.render_widget(Paragraph::new(line).block(block), area);
        return;
    };
    let header = Row::new([
        "STATUS", "TASK DEF", "ROLLOUT", "DESIRED", "RUNNING", "PENDING", "FAILED", "CREATED", "UPDATED", "REASON",
    ])
    .style(theme::dim());
    let rows = snap.service.deployments.iter().map(|d| {
        let rollout_style = match d.rollout {
            RolloutState::Completed => theme::good(),
            RolloutState::Failed => theme::bad(),
            _ => theme::info(),
        };
        let td = short_td(&d.task_definition).to_string();
        Row::new(vec![
            Line::raw(d.status.to_string()),
            Line::raw(td),
            Line::styled(d.rollout.to_string(), rollout_style),
            Line::raw(d.desired.to_string()),
            Line::raw(d.running.to_string()),
            Line::raw(d.pending.to_string()),
            Line::styled(d.failed_tasks.to_string(), if d.failed_tasks > 0 { theme::bad() } else { Style::new() }),
            Line::raw(format!("{} ago", format_age(state.now_ms - d.created_at_ms))),
            Line::raw(format!("{} ago", format_age(state.now_ms - d.updated_at_ms))),
            Line::raw(d.rollout_reason.clone().unwrap_or_default()),
        ])
    });
    let widths = [
        Constraint::Length(8),
        Constraint::Length(14),
        Constraint::Length(12),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Min(10),
    ];
    let mut lines_block = block;
    if let Some(err) = theme::error_line(&state.feeds.service, state.now_ms) {
        lines_block = lines_block.title_bottom(err);
    }
    frame.render_widget(Table::new(rows, widths).header(header).block(lines_block), area);
}

fn render_events(state: &State, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(Line::styled(" Service events (newest first) ", theme::title()));
    let events = state.feeds.service.data.as_ref().map_or(&[][..], |s| s.service.events.as_slice());
    let mut lines: Vec<Line<'static>> = Vec::new();
    if events.is_empty() {
        lines.push(Line::styled(if state.feeds.service.is_loading() { "loading…" } else { "no events" }, theme::dim()));
    }
    for e in events.iter().skip(state.nav.scroll.events) {
        let style = if e.message.contains("steady state") {
            theme::good()
        } else if ["unable", "failed", "unhealthy", "error", "rolling back"].iter().any(|w| e.message.contains(w)) {
            theme::bad()
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:>6} ago  {}  ", format_age(state.now_ms - e.at_ms), theme::hms(e.at_ms)),
                theme::dim(),
            ),
            Span::styled(e.message.clone(), style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
