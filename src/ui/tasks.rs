//! The overview's task table: one row per running task (status, health, AZ, IP, target health,
//! revision, uptime), its containers underneath with exit codes explained, the warmer's verdict,
//! and the recently stopped tasks grouped by reason. Read-only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::theme::{self, cell};
use crate::app::{Row, State};
use crate::model::{
    Container, ContainerRole, Health, LastStatus, TargetState, Task, WarmerVerdict, describe_exit, format_age,
    task_definition_revision,
};

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let running = state.tasks().iter().filter(|t| t.is_running()).count();
    let stopped: usize = state.stopped.iter().map(|g| g.count).sum();
    let block = Block::bordered()
        .title(Line::styled(format!(" Tasks {running} running · {stopped} stopped recently "), theme::title()))
        .title(
            Line::from(vec![Span::raw(" "), theme::age_span(&state.service, state.now_ms), Span::raw(" ")])
                .right_aligned(),
        );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (lines, selected_line) = lines(state);
    let height = usize::from(inner.height);
    let offset = selected_line.map_or(0, |(first, last)| (last + 1).saturating_sub(height).min(first));
    let offset = u16::try_from(offset).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).scroll((offset, 0)), inner);
}

/// The table's lines and the (first, last) line of the selected row.
pub fn lines(state: &State) -> (Vec<Line<'static>>, Option<(usize, usize)>) {
    let mut out: Vec<Line<'static>> = Vec::new();
    if let Some(err) = theme::error_line(&state.service) {
        out.push(err);
    }
    if state.service.data.is_none() {
        if state.service.error.is_none() {
            out.push(Line::styled("loading…", theme::dim()));
        }
        return (out, None);
    }
    out.push(Line::styled(
        format!(
            "{}{}{}{}{}{}{}{}",
            cell("TASK", 10),
            cell("STATUS", 13),
            cell("HEALTH", 10),
            cell("AZ", 5),
            cell("IP", 13),
            cell("TARGET", 11),
            cell("REV", 5),
            "UP"
        ),
        theme::dim(),
    ));
    let primary_rev = state
        .service
        .data
        .as_ref()
        .and_then(|s| task_definition_revision(&s.service.task_definition))
        .map_or(0, |(_, r)| r);
    let mut selected_line = None;
    let mut stopped_header = false;
    for (n, row) in state.rows().into_iter().enumerate() {
        let first = out.len();
        let is_selected = n == state.selected;
        match row {
            Row::Task(i) => {
                if let Some(task) = state.tasks().get(i) {
                    out.push(task_line(state, task, primary_rev, is_selected));
                    let count = task.containers.len();
                    for (k, c) in task.containers.iter().enumerate() {
                        out.push(container_line(state, task, c, k + 1 == count));
                    }
                }
            }
            Row::Stopped(g) => {
                if !stopped_header {
                    stopped_header = true;
                    out.push(Line::styled("Stopped recently (grouped by reason)", theme::dim()));
                }
                if let Some(group) = state.stopped.get(g) {
                    let ids: Vec<&str> = group.task_ids.iter().map(|id| id.get(..8).unwrap_or(id)).take(4).collect();
                    let more = group.task_ids.len().saturating_sub(4);
                    let style = if is_selected {
                        theme::selected()
                    } else if group.count > 1 {
                        theme::bad()
                    } else {
                        theme::warn()
                    };
                    let text = format!(
                        "×{:<3} last {:>4} ago  {}",
                        group.count,
                        format_age(state.now_ms - group.latest_ms),
                        theme::explain_reason(&group.reason)
                    );
                    out.push(Line::styled(text, style));
                    let mut detail = format!("     {}", group.stop_code.as_deref().unwrap_or("no stop code"));
                    detail.push_str(&format!(" · {}", ids.join(" ")));
                    if more > 0 {
                        detail.push_str(&format!(" +{more}"));
                    }
                    out.push(Line::styled(detail, theme::dim()));
                }
            }
        }
        if is_selected {
            selected_line = Some((first, out.len().saturating_sub(1)));
        }
    }
    if state.rows().is_empty() {
        out.push(Line::styled("no tasks", theme::warn()));
    }
    (out, selected_line)
}

/// `ap-northeast-1a` → `1a`.
fn az_short(az: &str) -> &str {
    az.rsplit('-').next().filter(|s| !s.is_empty()).unwrap_or(az)
}

fn health_style(h: &Health) -> Style {
    match h {
        Health::Healthy => theme::good(),
        Health::Unhealthy => theme::bad(),
        _ => theme::dim(),
    }
}

fn task_line(state: &State, task: &Task, primary_rev: u32, selected: bool) -> Line<'static> {
    let target = state.target_of(task);
    let (target_text, target_style) = match target.map(|t| &t.state) {
        None => ("–".to_owned(), theme::dim()),
        Some(s @ TargetState::Healthy) => (s.to_string(), theme::good()),
        Some(s @ (TargetState::Unhealthy | TargetState::UnhealthyDraining)) => (s.to_string(), theme::bad()),
        Some(s) => (s.to_string(), theme::warn()),
    };
    let status_style = if task.last_status == LastStatus::Running { Style::new() } else { theme::info() };
    let rev_style = if primary_rev != 0 && task.revision != primary_rev { theme::warn() } else { Style::new() };
    let uptime = task.uptime_ms(state.now_ms).map_or_else(|| "–".to_owned(), format_age);
    let spans = vec![
        Span::styled(cell(task.id.get(..8).unwrap_or(&task.id), 10), theme::title()),
        Span::styled(cell(task.last_status.as_str(), 13), status_style),
        Span::styled(cell(task.health.as_str(), 10), health_style(&task.health)),
        Span::raw(cell(az_short(&task.az), 5)),
        Span::raw(cell(task.private_ip.as_deref().unwrap_or("–"), 13)),
        Span::styled(cell(&target_text, 11), target_style),
        Span::styled(cell(&task.revision.to_string(), 5), rev_style),
        Span::raw(uptime),
    ];
    let line = Line::from(spans);
    if selected { line.style(theme::selected()) } else { line }
}

fn container_line(state: &State, task: &Task, c: &Container, last: bool) -> Line<'static> {
    let branch = if last { " └ " } else { " ├ " };
    let mut spans = vec![
        Span::styled(branch, theme::dim()),
        Span::raw(cell(&c.name, 10)),
        Span::raw(cell(c.last_status.as_str(), 10)),
    ];
    if c.role == ContainerRole::Warmer {
        let (text, style) = warmer_text(state, task);
        spans.push(Span::styled(text, style));
        return Line::from(spans);
    }
    let health = c.health.as_str().to_ascii_lowercase();
    spans.push(Span::styled(cell(&health, 10), health_style(&c.health)));
    if let Some(code) = c.exit_code {
        spans.push(Span::styled(describe_exit(code), if code == 0 { theme::dim() } else { theme::bad() }));
        spans.push(Span::raw(" "));
    }
    if let Some(reason) = &c.reason {
        spans.push(Span::styled(reason.clone(), theme::warn()));
    }
    Line::from(spans)
}

/// The warmer's line by the PRODUCT.md health rule: `1,834 ok · 0 failed · 9.8s` when healthy.
pub fn warmer_text(state: &State, task: &Task) -> (String, Style) {
    let report = state.reports.get(&task.id).map(|r| r.report);
    let took = state.warming_ms(task).map_or_else(String::new, |ms| format!(" · {}", theme::seconds(ms)));
    let since = task.started_at_ms.map_or_else(String::new, |s| format_age(state.now_ms - s));
    let limit = format_age(state.site.warm_limit_ms);
    match state.warmer_verdict(task) {
        WarmerVerdict::Healthy => match report {
            Some(r) => {
                (format!("exit 0    {} ok · 0 failed{took}", theme::thousands(u64::from(r.success))), theme::good())
            }
            None => ("exit 0    ok".to_owned(), theme::good()),
        },
        WarmerVerdict::ReportedFailures(n) => {
            let ok = report.map_or(0, |r| r.success);
            (
                format!(
                    "exit 0    {} ok · {} FAILED{took}",
                    theme::thousands(u64::from(ok)),
                    theme::thousands(u64::from(n))
                ),
                theme::bad(),
            )
        }
        WarmerVerdict::Failed { reason, .. } => {
            let why = task.warmer().and_then(|w| w.reason.clone()).map_or_else(String::new, |r| format!(" · {r}"));
            (format!("{reason} · warmer FAILED{why}"), theme::bad())
        }
        WarmerVerdict::NoReport => ("exit 0    no report found in its log".to_owned(), theme::warn()),
        WarmerVerdict::StillRunning { overdue: false } => (format!("warming… {since}"), theme::info()),
        WarmerVerdict::StillRunning { overdue: true } => {
            (format!("still warming after {since} (limit {limit})"), theme::warn())
        }
        WarmerVerdict::Pending { overdue: false } => ("waiting for nginx and php-fpm".to_owned(), theme::dim()),
        WarmerVerdict::Pending { overdue: true } => {
            (format!("not started after {since} (limit {limit})"), theme::warn())
        }
        v @ WarmerVerdict::NeverRan { .. } => (v.summary(), theme::bad()),
        WarmerVerdict::Missing => ("no warmer container".to_owned(), theme::warn()),
    }
}
