//! The events screen: the deployments with rollout state, counts, failed tasks and reason, then
//! the service event stream, newest first, with ages. Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::columns::{self, Col, Shorten};
use super::theme;
use crate::app::State;
use crate::model::{RolloutState, format_age, short_td};

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let history = state.window.facts().map_or(0, |f| f.report.deployments.len());
    let history_h = u16::try_from(history).unwrap_or(6).clamp(1, 6) + 2;
    if !state.window.window.is_live() {
        // A window in the past: its deployments from the history, and its events.
        let [mid, bottom] = Layout::vertical([Constraint::Length(history_h), Constraint::Min(0)]).areas(area);
        render_history(state, frame, mid);
        render_events(state, frame, bottom);
        return;
    }
    let deployments = state.feeds.service.data.as_ref().map_or(0, |s| s.service.deployments.len());
    let height = u16::try_from(deployments).unwrap_or(6).min(6) + 4;
    let [top, mid, bottom] =
        Layout::vertical([Constraint::Length(height), Constraint::Length(history_h), Constraint::Min(0)]).areas(area);
    render_deployments(state, frame, top);
    render_history(state, frame, mid);
    render_events(state, frame, bottom);
}

/// The deployments of the window (live: the last three hours) from the deployment history,
/// failed and rolled-back ones included, newest first.
fn render_history(state: &State, frame: &mut Frame, area: Rect) {
    let c = state.window.clock;
    let span = match state.window.window.range() {
        Some((from, to)) => c.range(from, to, state.now_ms),
        None => "the last 3 hours".to_owned(),
    };
    let block = Block::bordered().title(Line::styled(format!(" Deployment history · {span} "), theme::title()));
    let width = usize::from(block.inner(area).width);
    let lines: Vec<Line<'static>> = match &state.window.read {
        crate::app::WindowRead::Read(f) if f.report.deployments.is_empty() => {
            vec![Line::styled("no deployment ran in this window", theme::dim())]
        }
        crate::app::WindowRead::Read(f) => {
            let mut list: Vec<_> = f.report.deployments.iter().collect();
            list.sort_by_key(|d| std::cmp::Reverse(d.started_ms));
            list.iter()
                .map(|d| {
                    let style = if d.status.contains("SUCCESSFUL") && !d.rolled_back {
                        theme::good()
                    } else if d.status.contains("FAIL") || d.rolled_back || d.status.contains("ROLLBACK") {
                        theme::bad()
                    } else {
                        theme::info()
                    };
                    let end = d.finished_ms.map_or_else(|| "…".to_owned(), |t| c.hm(t));
                    let back = if d.rolled_back { " · rolled back" } else { "" };
                    let why = d.reason.as_deref().map(|r| format!(" · {r}")).unwrap_or_default();
                    let line = Line::from(vec![
                        Span::styled(format!("{}–{end}  ", c.hm(d.started_ms)), theme::dim()),
                        Span::raw(format!("{:<14} ", d.revision)),
                        Span::styled(format!("{}{back}", d.status), style),
                        Span::styled(why, theme::dim()),
                    ]);
                    theme::clip_line(line, width)
                })
                .collect()
        }
        crate::app::WindowRead::Failed(e) => {
            vec![Line::styled(format!("unreadable: {}: {}", e.operation, e.message), theme::bad())]
        }
        _ => vec![Line::styled("loading…", theme::dim())],
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
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
    let inner = block.inner(area);
    let widths = columns::layout(&DEPLOYMENT_COLUMNS, usize::from(inner.width));
    let mut lines = vec![Line::styled(columns::header(&DEPLOYMENT_COLUMNS, &widths), theme::dim())];
    for d in &snap.service.deployments {
        let rollout_style = match d.rollout {
            RolloutState::Completed => theme::good(),
            RolloutState::Failed => theme::bad(),
            _ => theme::info(),
        };
        let values = [
            d.status.to_string(),
            short_td(&d.task_definition).to_string(),
            d.rollout.to_string(),
            d.desired.to_string(),
            d.running.to_string(),
            d.pending.to_string(),
            d.failed_tasks.to_string(),
            format!("{} ago", format_age(state.now_ms - d.created_at_ms)),
            format!("{} ago", format_age(state.now_ms - d.updated_at_ms)),
            d.rollout_reason.clone().unwrap_or_default(),
        ];
        lines.push(columns::styled(&DEPLOYMENT_COLUMNS, &widths, &values, |i| match i {
            2 => rollout_style,
            6 if d.failed_tasks > 0 => theme::bad(),
            _ => Style::new(),
        }));
    }
    let mut lines_block = block;
    if let Some(err) = theme::error_line(&state.feeds.service, state.now_ms) {
        lines_block = lines_block.title_bottom(err);
    }
    frame.render_widget(Paragraph::new(lines).block(lines_block), area);
}

/// The deployments table: status and revision always; the counts, then the times, then the
/// reason give way on narrow terminals.
const DEPLOYMENT_COLUMNS: [Col; 10] = [
    Col::new("STATUS", 7, 8, 0, Shorten::End),
    Col::new("TASK DEF", 9, 16, 0, Shorten::Revision),
    Col::new("ROLLOUT", 9, 12, 0, Shorten::End),
    Col::new("DESIRED", 7, 7, 3, Shorten::End),
    Col::new("RUNNING", 7, 7, 1, Shorten::End),
    Col::new("PENDING", 7, 7, 3, Shorten::End),
    Col::new("FAILED", 6, 6, 2, Shorten::End),
    Col::new("CREATED", 9, 9, 4, Shorten::End),
    Col::new("UPDATED", 9, 9, 2, Shorten::End),
    Col::new("REASON", 12, 0, 5, Shorten::End),
];

fn render_events(state: &State, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(Line::styled(" Service events (newest first) ", theme::title()));
    let all = state.feeds.service.data.as_ref().map_or(&[][..], |s| s.service.events.as_slice());
    let range = state.window.window.range();
    // A window: its events only; ECS keeps the last 100, and says nothing older.
    let events: Vec<&crate::model::ServiceEvent> =
        all.iter().filter(|e| range.is_none_or(|(from, to)| e.at_ms >= from && e.at_ms <= to)).collect();
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let (Some((from, _)), Some(oldest)) = (range, all.last())
        && oldest.at_ms > from
        && all.len() >= 100
    {
        lines.push(Line::styled(
            format!("ECS keeps the last 100 events: none before {} is known", state.window.clock.hms(oldest.at_ms)),
            theme::warn(),
        ));
    }
    if events.is_empty() {
        let text = if state.feeds.service.is_loading() {
            "loading…"
        } else if range.is_some() {
            "no events in this window"
        } else {
            "no events"
        };
        lines.push(Line::styled(text, theme::dim()));
    }
    for e in events.iter().skip(state.nav.scroll.events) {
        let style = theme::event_style(&e.message);
        // Wrapped whole under its time: a target group's ARN or a task list is the useful part.
        let when = format!("{:>6} ago  {}  ", format_age(state.now_ms - e.at_ms), state.window.clock.hms(e.at_ms));
        let indent = when.chars().count();
        let width = usize::from(block.inner(area).width).saturating_sub(indent).max(10);
        for (n, part) in theme::wrap_words(Line::styled(e.message.clone(), style), width).into_iter().enumerate() {
            let lead = if n == 0 { when.clone() } else { " ".repeat(indent) };
            let mut spans = vec![Span::styled(lead, theme::dim())];
            spans.extend(part.spans);
            lines.push(Line::from(spans));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
