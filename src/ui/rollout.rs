//! The rollout view: a redeploy, rollback or task replacement followed to its end — what was
//! started and how long ago, the outcome said plainly (COMPLETED in green, a failure or a
//! circuit-breaker rollback in red), the deployments with their counts, the tasks starting and
//! draining with each new task's warmer verdict, and the service events since it started.
//! Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::columns::{self, Col, Shorten};
use super::theme;
use super::{events, tasks};
use crate::app::{Op, RolloutWatch, Run, State};
use crate::model::task_prefix;
use crate::model::{LastStatus, Task, format_age};

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let deployments = state.feeds.service.data.as_ref().map_or(0, |s| s.service.deployments.len());
    let deployments = u16::try_from(deployments).unwrap_or(6).min(6) + 4;
    let rows = task_rows(state);
    let task_height = u16::try_from(rows.len()).unwrap_or(20).min(14) + 3;
    let [head, deps, tasks_area, events_area] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(deployments),
        Constraint::Length(task_height),
        Constraint::Min(0),
    ])
    .areas(area);
    render_head(state, frame, head);
    events::render_deployments(state, frame, deps);
    render_tasks(state, rows, frame, tasks_area);
    render_events(state, frame, events_area);
}

fn what(op: &Op) -> &'static str {
    match op {
        Op::Redeploy { force: false } => "Force new deployment",
        Op::Redeploy { force: true } => "Force new deployment (started over another rollout)",
        Op::Rollback { force: false, .. } => "Rollback",
        Op::Rollback { force: true, .. } => "Rollback (started over another rollout)",
        Op::Warm { .. } => "Warming",
        Op::ReplaceTask { .. } => "Replace task",
    }
}

/// Elapsed time to the second: `38s`, `1m35s`, `1h02m`.
pub fn elapsed(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

/// The outcome line shared by the rollout and warming views.
pub fn outcome_line(run: &Run, waiting: &str) -> Line<'static> {
    match &run.outcome {
        None => Line::styled(waiting.to_owned(), theme::info()),
        Some(o) if o.refused => Line::styled(format!("✘ REFUSED — {}", o.summary), theme::bad()),
        Some(o) if o.ok => Line::styled(format!("✔ {}", o.summary), theme::good()),
        Some(o) => Line::styled(format!("✘ {}", o.summary), theme::bad()),
    }
}

fn render_head(state: &State, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(Line::styled(" Rollout ", theme::title()));
    let Some(w) = state.ops.rollout.as_ref() else {
        let text = "nothing started from this console yet — R redeploys, B rolls back, X replaces a task";
        frame.render_widget(Paragraph::new(Line::styled(text, theme::dim())).block(block), area);
        return;
    };
    let ids = match (&w.run.op, w.run.ids.is_empty()) {
        (_, true) => "waiting for ECS to accept it".to_owned(),
        // The only id is the stopped task, which the subject already names.
        (Op::ReplaceTask { .. }, false) => "stopped".to_owned(),
        (_, false) => w.run.ids.join(", "),
    };
    let first = Line::from(vec![
        Span::styled(what(&w.run.op), theme::title()),
        Span::styled(" · ", theme::dim()),
        Span::raw(w.run.subject.clone()),
        Span::styled(" · ", theme::dim()),
        Span::raw(ids),
        Span::styled(format!(" · elapsed {}", elapsed(w.elapsed_ms(state.now_ms))), theme::dim()),
    ]);
    let waiting = match &w.run.op {
        Op::ReplaceTask { .. } => replacing_line(state, w),
        // The deployment this console started, never the one it replaces: until a snapshot
        // shows it, the old primary's COMPLETED would read as this one's.
        _ => {
            let started = w.run.ids.first();
            let ours = started.and_then(|id| {
                state.feeds.service.data.as_ref().and_then(|s| s.service.deployments.iter().find(|d| d.id == *id))
            });
            match (started, ours) {
                (_, Some(d)) => format!("rolling out… {} · new {}/{} running", d.rollout, d.running, d.desired),
                (Some(id), None) => format!("rolling out… waiting for ECS to show deployment {id}"),
                (None, None) => "rolling out…".to_owned(),
            }
        }
    };
    let lines = vec![first, outcome_line(&w.run, &waiting)];
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A replacement under way, in its own words: no deployment rolls out, the scheduler starts a
/// task in place of the stopped one and wpops waits for its warmer.
/// `replacing… 2/3 running · replacement 7c1d2e3f PROVISIONING`.
fn replacing_line(state: &State, w: &RolloutWatch) -> String {
    let running = state
        .feeds
        .service
        .data
        .as_ref()
        .map_or_else(String::new, |s| format!(" {}/{} running ·", s.service.running, s.service.desired));
    let replacement = state.tasks().iter().find(|t| w.is_new(t) && !t.is_stopped());
    let which = match replacement {
        None => "waiting for the scheduler to start a replacement".to_owned(),
        Some(t) if t.is_running() => {
            format!("replacement {} RUNNING · warmer {}", task_prefix(&t.id), state.warmer_verdict(t).summary())
        }
        Some(t) => format!("replacement {} {}", task_prefix(&t.id), t.last_status),
    };
    format!("replacing…{running} {which}")
}

/// The rollout's task table: the task, its role and revision always; what it is doing and its
/// warmer or stop reason next; the deployment that started it gives way first.
const TASK_COLUMNS: [Col; 6] = [
    Col::new("TASK", 8, 8, 0, Shorten::End),
    Col::new("ROLE", 8, 9, 0, Shorten::End),
    Col::new("REV", 3, 4, 0, Shorten::End),
    Col::new("STATUS", 12, 26, 1, Shorten::End),
    Col::new("DEPLOYMENT", 12, 28, 3, Shorten::Start),
    Col::new("WARMER / REASON", 16, 0, 0, Shorten::End),
];

/// The tasks worth showing during a rollout: every task not stopped, and those stopped since.
fn task_rows(state: &State) -> Vec<&Task> {
    let since = state.ops.rollout.as_ref().map_or(i64::MAX, |w| w.run.started_at_ms);
    state.tasks().iter().filter(|t| !t.is_stopped() || t.stopped_ms().is_some_and(|s| s >= since)).collect()
}

fn render_tasks(state: &State, rows: Vec<&Task>, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(Line::styled(" Tasks starting and draining ", theme::title()));
    let widths = columns::layout(&TASK_COLUMNS, usize::from(block.inner(area).width));
    let mut lines = vec![Line::styled(columns::header(&TASK_COLUMNS, &widths), theme::dim())];
    let watch = state.ops.rollout.as_ref();
    for t in rows {
        let replaced = watch.is_some_and(|w| matches!(&w.run.op, Op::ReplaceTask { task_id } if *task_id == t.id));
        let is_new = watch.is_some_and(|w| w.is_new(t));
        let (role, role_style) = if replaced {
            ("replaced", theme::warn())
        } else if t.is_stopped() {
            ("stopped", theme::dim())
        } else if t.desired_status == LastStatus::Stopped {
            ("draining", theme::warn())
        } else if is_new {
            ("new", theme::info())
        } else {
            ("old", theme::dim())
        };
        let status = format!("{} → {}", t.last_status, t.desired_status);
        let (detail, detail_style) = if let Some(reason) = t.stopped_reason.as_ref().filter(|_| t.is_stopped()) {
            (theme::explain_reason(reason), theme::bad())
        } else if is_new {
            tasks::warmer_text(state, t)
        } else {
            ("–".to_owned(), theme::dim())
        };
        let values = [
            task_prefix(&t.id).to_owned(),
            role.to_owned(),
            t.revision.to_string(),
            status,
            t.started_by.clone().unwrap_or_else(|| "–".to_owned()),
            detail,
        ];
        lines.push(columns::styled(&TASK_COLUMNS, &widths, &values, |i| match i {
            1 => role_style,
            4 => theme::dim(),
            5 => detail_style,
            _ => ratatui::style::Style::new(),
        }));
    }
    if lines.len() == 1 {
        lines.push(Line::styled("no tasks listed yet", theme::dim()));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_events(state: &State, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(Line::styled(" Service events since it started ", theme::title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let events = state.ops.rollout.as_ref().map_or(&[][..], |w| w.events.as_slice());
    let mut lines: Vec<Line<'static>> = Vec::new();
    if events.is_empty() {
        lines.push(Line::styled("no service events since it started", theme::dim()));
    }
    let height = usize::from(inner.height);
    let end = events.len().saturating_sub(state.nav.scroll.rollout).max(height.min(events.len()));
    let start = end.saturating_sub(height);
    for e in events.get(start..end).unwrap_or(&[]) {
        let style = if e.message.contains("steady state") || e.message.contains("completed") {
            theme::good()
        } else if ["unable", "failed", "unhealthy", "error", "rolling back", "rolled back", "circuit breaker"]
            .iter()
            .any(|w| e.message.contains(w))
        {
            theme::bad()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{}  {:>6} ago  ", state.window.clock.hms(e.at_ms), format_age(state.now_ms - e.at_ms)),
                theme::dim(),
            ),
            Span::styled(e.message.clone(), style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
