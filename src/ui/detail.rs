//! Task detail: the task's facts (status, health, AZ, IP, revision, uptime, stop reason and
//! code), the load balancer's view, the warmer's verdict, every container with image, digest,
//! exit code explained and reason, and the task's own log lines. Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::columns::{self, Col, Shorten};
use super::{logs, tasks, theme};
use crate::app::State;
use crate::model::{Task, describe_exit, format_age, format_ago, task_prefix};

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let Some(task) = state.detail() else {
        let text = if state.feeds.service.is_loading() {
            "loading…"
        } else {
            "this task is no longer listed (Esc goes back)"
        };
        frame.render_widget(Paragraph::new(Line::styled(text, theme::dim())).block(Block::bordered()), area);
        return;
    };
    // Each container that exited non-zero or has a reason gets its explanation whole, under
    // the table (its cells may be cut at this width).
    let why = why_lines(task, usize::from(area.width.saturating_sub(2)));
    let why_rows = u16::try_from(why.len()).unwrap_or(6).min(6);
    let containers = u16::try_from(task.containers.len()).unwrap_or(8).min(8) + 3 + why_rows;
    // The facts take the rows they wrap to (a long stopped reason takes a few), no more.
    let facts_lines = facts_lines(state, task, usize::from(area.width.saturating_sub(2)));
    let facts_rows = u16::try_from(facts_lines.len()).unwrap_or(9).min(9) + 2;
    let [facts, table, log] =
        Layout::vertical([Constraint::Length(facts_rows), Constraint::Length(containers), Constraint::Min(0)])
            .areas(area);
    let block = Block::bordered().title(Line::styled(format!(" Task {} ", task.id.as_str()), theme::title()));
    frame.render_widget(Paragraph::new(facts_lines).block(block), facts);
    render_containers(task, why, frame, table);
    render_log(state, task, frame, log);
}

/// The task's own lines, its whole life (read on open), newest at the bottom; j/k scroll.
fn render_log(state: &State, task: &Task, frame: &mut Frame, area: Rect) {
    let id = task.id.as_str();
    let width = usize::from(area.width.saturating_sub(2));
    let rows = usize::from(area.height.saturating_sub(2));
    let (mut lines, total) = logs::task_life_lines(state, id, rows, width, state.task_log.scroll);
    let title = theme::clip_line(
        Line::styled(
            format!(" Logs of task {} · {} ", task_prefix(id), life_status(state, task, total)),
            theme::title(),
        ),
        width,
    );
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if lines.is_empty() {
        lines.push(Line::styled(empty_text(state, task), theme::dim()));
        lines = lines.into_iter().flat_map(|l| theme::wrap_words(l, width.max(10))).collect();
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What the pane holds: the whole life (its span and line count) or as far back as was kept,
/// loading, or why it could not be read; and how far up it is scrolled.
fn life_status(state: &State, task: &Task, total: usize) -> String {
    let id = task.id.as_str();
    let mut text = if let (Some(log), true) = (state.task_log.loaded(id), task.never_started()) {
        if log.streams.is_empty() { "it never ran".to_owned() } else { format!("{} lines", total) }
    } else if let Some(log) = state.task_log.loaded(id) {
        // The task's own start and stop (the read reaches a little beyond both).
        let end = task.stopped_ms().map_or_else(|| "now".to_owned(), |t| state.window.clock.hms(t));
        let from = if log.is_whole() { task.started_at_ms.unwrap_or(log.from_ms) } else { log.reached_ms };
        let span = format!("{}–{end}", state.window.clock.hms(from));
        let kept = if log.is_whole() { "whole life" } else { "newest lines of its life (older not kept)" };
        format!("{kept} {span} · {} lines", crate::model::thousands(total as u64))
    } else if state.task_log.is_loading(id) {
        "reading its whole life… (the live tail's lines meanwhile)".to_owned()
    } else if let Some(e) = state.task_log.error(id) {
        format!("its whole life could not be read ({}): the live tail's lines only", e.message)
    } else {
        "the live tail's lines".to_owned()
    };
    if state.task_log.scroll > 0 && total > 0 {
        text.push_str(&format!(
            " · ↑{} from the newest (j/G)",
            crate::model::thousands(state.task_log.scroll.min(total) as u64)
        ));
    }
    text
}

fn empty_text(state: &State, task: &Task) -> String {
    let id = task.id.as_str();
    match state.task_log.loaded(id) {
        Some(log) if log.streams.is_empty() => match (task.never_started(), &task.stopped_reason) {
            (true, Some(_)) => {
                "no log streams: the task stopped before its containers started (its reason is above)".to_owned()
            }
            (true, None) => "no log streams yet: its containers have not started".to_owned(),
            _ => "no log streams: its containers wrote nothing, or the log group's retention removed it".to_owned(),
        },
        Some(_) => "no lines in its whole life".to_owned(),
        None if state.task_log.is_loading(id) => "reading the task's whole life…".to_owned(),
        None => "no lines from this task in the live tail yet".to_owned(),
    }
}

/// The task's facts, wrapped to `width`.
fn facts_lines(state: &State, task: &Task, width: usize) -> Vec<Line<'static>> {
    let sep = || Span::styled(" · ", theme::dim());
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".to_owned());
    let uptime = task.uptime_ms(state.tasks_at_ms()).map_or_else(|| "–".to_owned(), format_age);
    let revision = if task.revision == 0 { "unknown".to_owned() } else { task.revision.to_string() };
    let az = if task.az.is_empty() { "–" } else { task.az.as_str() };
    let past = state.past().map(|f| f.to_ms);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{} ", task.last_status), theme::title()),
            Span::styled(format!("(desired {})", task.desired_status), theme::dim()),
            sep(),
            Span::raw(format!("health {}", task.health)),
            sep(),
            Span::raw(format!("{az} · {}", opt(&task.private_ip))),
            sep(),
            Span::raw(format!("revision {revision}")),
            sep(),
            Span::raw(format!("up {uptime}")),
            sep(),
            Span::styled(format!("started by {}", opt(&task.started_by)), theme::dim()),
        ]),
        match state.target_of(task) {
            Some(t) => {
                let style = if t.is_unhealthy() { theme::bad() } else { theme::good() };
                let mut text = format!("target {} {}", t.address(), t.state);
                for extra in [&t.reason, &t.description].into_iter().flatten() {
                    text.push_str(&format!(" — {extra}"));
                }
                Line::styled(text, style)
            }
            None if state.targets_unknown() => Line::styled("target: how it stood then is not known", theme::dim()),
            None => Line::styled("target: not registered with the load balancer", theme::dim()),
        },
    ];
    if let Some(to) = past {
        lines.insert(
            0,
            Line::styled(
                format!("as it stood at {}, the window's end (:live shows ECS's present)", state.window.clock.hm(to)),
                theme::info(),
            ),
        );
    }
    if task.from_logs {
        lines.push(Line::styled(
            "ECS no longer lists this task: rebuilt from its log streams, the service events and the deployment \
             history (its start and stop are theirs; its exit codes, AZ and IP are lost)",
            theme::info(),
        ));
    }
    if let Some(reason) = &task.stopped_reason {
        let age = format!(" {}", format_ago(state.now_ms, task.stopped_ms()));
        // A task rebuilt from its logs has no stop code to show (ECS forgot it; said above).
        let code = match (&task.stop_code, task.from_logs) {
            (None, true) => String::new(),
            (code, _) => format!(" [{}]", opt(code)),
        };
        lines.push(Line::styled(format!("stopped{age}: {}{code}", theme::explain_reason(reason)), theme::bad()));
    }
    let (warmer, style) = tasks::warmer_text(state, task);
    lines.push(Line::from(vec![Span::styled("warmer ", theme::title()), Span::styled(warmer, style)]));
    // Wrapped, not cut: the useful end of a stopped reason (`Failed to resolve "fs-…"`) is last.
    lines.into_iter().flat_map(|l| theme::wrap_words(l, width.max(10))).collect()
}

/// The containers table: name, status and exit always (the exit's explanation whole where it
/// fits, else marked); the image keeps its repository and tag, the digest its prefix.
const CONTAINER_COLUMNS: [Col; 7] = [
    Col::new("CONTAINER", 7, 10, 0, Shorten::End),
    Col::new("STATUS", 7, 9, 0, Shorten::End),
    Col::new("HEALTH", 7, 9, 2, Shorten::End),
    Col::new("EXIT", 8, 44, 0, Shorten::End),
    Col::new("REASON", 12, 0, 3, Shorten::End),
    Col::new("IMAGE", 20, 72, 1, Shorten::Start),
    Col::new("DIGEST", 19, 19, 4, Shorten::End),
];

/// `warmer: exit 127 (command not found) — …` for every container that exited non-zero or that
/// ECS gave a reason, wrapped to `width`.
fn why_lines(task: &Task, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for c in &task.containers {
        let exit = c.exit_code.filter(|x| *x != 0).map(describe_exit);
        let text = match (exit, c.reason.as_deref()) {
            (Some(e), Some(r)) => format!("{}: {e} — {r}", c.name),
            (Some(e), None) => format!("{}: {e}", c.name),
            (None, Some(r)) => format!("{}: {r}", c.name),
            (None, None) => continue,
        };
        out.extend(theme::wrap_words(Line::styled(text, theme::warn()), width.max(10)));
    }
    out
}

fn render_containers(task: &Task, why: Vec<Line<'static>>, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(Line::styled(" Containers ", theme::title()));
    let widths = columns::layout(&CONTAINER_COLUMNS, usize::from(block.inner(area).width));
    let mut lines = vec![Line::styled(columns::header(&CONTAINER_COLUMNS, &widths), theme::dim())];
    for c in &task.containers {
        let exit = c.exit_code.map_or_else(|| "–".to_owned(), describe_exit);
        let exit_style = if c.exit_code.is_some_and(|x| x != 0) { theme::bad() } else { ratatui::style::Style::new() };
        let digest = c.image_digest.as_deref().map_or("–".to_owned(), |d| {
            let hex = d.strip_prefix("sha256:").unwrap_or(d);
            format!("sha256:{}", hex.get(..12).unwrap_or(hex))
        });
        let values = [
            c.name.clone(),
            c.last_status.as_str().to_owned(),
            c.health.as_str().to_owned(),
            exit,
            c.reason.clone().unwrap_or_default(),
            c.image.clone(),
            digest,
        ];
        lines.push(columns::styled(&CONTAINER_COLUMNS, &widths, &values, |i| match i {
            3 => exit_style,
            4 => theme::warn(),
            6 => theme::dim(),
            _ => ratatui::style::Style::new(),
        }));
    }
    lines.extend(why);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
