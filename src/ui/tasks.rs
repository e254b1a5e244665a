//! The overview's task table: one row per running task (status, health, AZ, IP, target health,
//! revision, uptime), its containers underneath with exit codes explained, the warmer's verdict,
//! and the recently stopped tasks grouped by reason. Read-only.

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::theme::{self, cell};
use crate::app::{Row, State, TaskSort, WindowRead};
use crate::model::{
    Container, ContainerRole, Health, LastStatus, StoppedGroup, TargetState, Task, WarmerVerdict, describe_exit,
    format_age, format_ago, task_definition_revision, task_prefix, unreadable_text,
};

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let running = state.tasks().iter().filter(|t| t.is_running()).count();
    let stopped: usize = state.stopped_groups().iter().map(|g| g.count).sum();
    // Once per frame: ordering and narrowing judge every task's warmer.
    let rows = state.rows();
    // A window in the past: its tasks as they stood at its end once read (with those ECS
    // forgot); ECS's present until then, said so.
    let now = format!("{running} running · {stopped} stopped recently");
    let mut title = match (state.window.window.range(), &state.window.read) {
        (None, _) => format!(" Tasks {now} "),
        (Some((_, to)), WindowRead::Read(_)) => format!(
            " Tasks at {}, the window's end · {running} running · {stopped} stopped in it ",
            state.window.clock.hm(to)
        ),
        (Some(_), WindowRead::Failed(_)) => format!(" Tasks now (the window's unreadable) {now} "),
        (Some(_), _) => format!(" Tasks now (the window's loading) {now} "),
    };
    if state.nav.task_sort != TaskSort::Id {
        title.push_str(&format!("· sorted by {} ", state.nav.task_sort.label()));
    }
    let shown = rows.iter().filter(|r| matches!(r, Row::Task(_))).count();
    if state.nav.problems_only {
        title.push_str(&format!("· {shown} with a problem "));
    }
    if let Some(f) = &state.nav.task_filter {
        title.push_str(&format!("· {shown} containing {f:?} "));
    }
    let age = Line::from(vec![Span::raw(" "), theme::age_span(&state.feeds.service, state.now_ms), Span::raw(" ")]);
    // The title gives way to the data's age, marked where it is cut.
    let room = usize::from(area.width).saturating_sub(age.width() + 3);
    let block =
        Block::bordered().title(Line::styled(theme::clip(&title, room), theme::title())).title(age.right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // No data yet: the whole error, wrapped, with what to do.
    if state.feeds.service.data.is_none() && state.feeds.service.error.is_some() {
        let lines = theme::error_lines(&state.feeds.service, state.now_ms, inner.width);
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    // The error and the column header stay put; the rows scroll under them.
    let mut fixed: Vec<Line<'static>> = theme::error_line(&state.feeds.service, state.now_ms).into_iter().collect();
    if state.feeds.service.data.is_none() {
        fixed.push(Line::styled("loading…", theme::dim()));
        frame.render_widget(Paragraph::new(fixed), inner);
        return;
    }
    fixed.push(header());
    let height = usize::from(inner.height).saturating_sub(fixed.len());
    let compact = compact(state, &rows, height);
    let offset = scroll_offset(state, &rows, height, compact);
    fixed.extend(lines(state, &rows, offset..offset + height, compact, usize::from(inner.width)));
    // A row wider than the pane ends in `…` (the glyphs of a compact row, a long reason).
    let fixed: Vec<Line<'static>> = fixed.into_iter().map(|l| theme::clip_line(l, usize::from(inner.width))).collect();
    frame.render_widget(Paragraph::new(fixed), inner);
}

/// One line per task (containers folded into glyphs, the selected task expanded) when the full
/// table would not fit.
fn compact(state: &State, rows: &[Row], height: usize) -> bool {
    let mut first_stopped = true;
    let full: usize = rows
        .iter()
        .map(|r| {
            let h = row_height(state, *r, first_stopped && matches!(r, Row::Stopped(_)), false, false);
            first_stopped &= !matches!(r, Row::Stopped(_));
            h
        })
        .sum();
    full > height
}

fn header() -> Line<'static> {
    Line::styled(
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
    )
}

/// Collects the table's lines that fall inside the window on screen; the others are counted,
/// not formatted (a 100-task service has ~400 lines of which ~30 show: QUALITY.md P2).
struct Window {
    out: Vec<Line<'static>>,
    at: usize,
    shown: Range<usize>,
}

impl Window {
    /// True when any of the next `n` lines is on screen; else they are skipped.
    fn wants(&mut self, n: usize) -> bool {
        let wanted = self.at < self.shown.end && self.at + n > self.shown.start;
        if !wanted {
            self.at += n;
        }
        wanted
    }

    fn push(&mut self, line: Line<'static>) {
        if self.shown.contains(&self.at) {
            self.out.push(line);
        }
        self.at += 1;
    }
}

/// The lines a row takes: a task and its containers (one line when compact and not selected);
/// a stopped group's two, plus the section's heading before the first group.
fn row_height(state: &State, row: Row, first_stopped: bool, compact: bool, selected: bool) -> usize {
    match row {
        Row::Task(_) if compact && !selected => 1,
        Row::Task(i) => state.tasks().get(i).map_or(0, |t| 1 + t.containers.len()),
        Row::Stopped(g) => usize::from(first_stopped) + if state.stopped_groups().get(g).is_some() { 2 } else { 0 },
    }
}

/// The first line on screen: 0, or as far down as keeps the selected row in view.
fn scroll_offset(state: &State, rows: &[Row], height: usize, compact: bool) -> usize {
    if state.feeds.service.data.is_none() {
        return 0;
    }
    let mut at = 0;
    let mut first_stopped = true;
    for (n, row) in rows.iter().enumerate() {
        let selected = n == state.nav.selected;
        let h = row_height(state, *row, first_stopped && matches!(row, Row::Stopped(_)), compact, selected);
        first_stopped &= !matches!(row, Row::Stopped(_));
        if n == state.nav.selected {
            return (at + h).saturating_sub(height).min(at);
        }
        at += h;
    }
    0
}

/// The table's rows inside `shown` (line numbers from the first row, under the header).
fn lines(state: &State, rows: &[Row], shown: Range<usize>, compact: bool, width: usize) -> Vec<Line<'static>> {
    let mut out = Window { out: Vec::with_capacity(shown.len()), at: 0, shown };
    let primary_rev = state
        .feeds
        .service
        .data
        .as_ref()
        .and_then(|s| task_definition_revision(&s.service.task_definition))
        .map_or(0, |(_, r)| r);
    let mut stopped_header = false;
    for (n, row) in rows.iter().enumerate() {
        let is_selected = n == state.nav.selected;
        let first_stopped = !stopped_header && matches!(row, Row::Stopped(_));
        if !out.wants(row_height(state, *row, first_stopped, compact, is_selected)) {
            stopped_header |= first_stopped;
            continue;
        }
        match *row {
            Row::Task(i) => {
                if let Some(task) = state.tasks().get(i) {
                    if compact && !is_selected {
                        let mut line = task_line(state, task, primary_rev, false);
                        // The glyphs with their containers' names, or bare, where they fit whole;
                        // else none, and a task with a problem has its id in red.
                        let named = glyphs(state, task, true);
                        let bare = glyphs(state, task, false);
                        let room = width.saturating_sub(line.width() + 2);
                        let glyphs = [named, bare].into_iter().find(|g| Line::from(g.clone()).width() <= room);
                        match glyphs {
                            Some(g) => {
                                line.spans.push(Span::raw("  "));
                                line.spans.extend(g);
                            }
                            None if state.has_problem(task) => {
                                if let Some(id) = line.spans.first_mut() {
                                    id.style = theme::bad();
                                }
                            }
                            None => {}
                        }
                        out.push(line);
                        continue;
                    }
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
                    let heading = if state.past().is_some() {
                        "Stopped in the window (grouped by reason)"
                    } else {
                        "Stopped recently (grouped by reason)"
                    };
                    out.push(Line::styled(heading, theme::dim()));
                }
                if let Some(group) = state.stopped_groups().get(g) {
                    out.push(stopped_line(state, group, is_selected));
                    out.push(stopped_detail(group));
                }
            }
        }
    }
    if rows.is_empty() {
        if let Some(f) = state.nav.task_filter.as_ref().filter(|_| !state.tasks().is_empty()) {
            out.push(Line::styled(
                format!("no task contains {f:?} (/ then Enter on nothing shows them all)"),
                theme::warn(),
            ));
        } else if state.nav.problems_only && !state.tasks().is_empty() {
            out.push(Line::styled("no task has a problem (p shows them all)", theme::good()));
        } else {
            out.push(Line::styled("no tasks", theme::warn()));
        }
    }
    out.out
}

fn stopped_line(state: &State, group: &StoppedGroup, selected: bool) -> Line<'static> {
    let style = if selected {
        theme::selected()
    } else if group.count > 1 {
        theme::bad()
    } else {
        theme::warn()
    };
    let text = format!(
        "×{:<3} last {:>8}  {}",
        group.count,
        format_ago(state.now_ms, group.latest_ms),
        theme::explain_reason(&group.reason)
    );
    Line::styled(text, style)
}

fn stopped_detail(group: &StoppedGroup) -> Line<'static> {
    let ids: Vec<&str> = group.task_ids.iter().map(|id| task_prefix(id)).take(4).collect();
    let more = group.task_ids.len().saturating_sub(4);
    let mut detail = format!("     {}", group.stop_code.as_deref().unwrap_or("no stop code"));
    detail.push_str(&format!(" · {}", ids.join(" ")));
    if more > 0 {
        detail.push_str(&format!(" +{more}"));
    }
    Line::styled(detail, theme::dim())
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
    let uptime = task.uptime_ms(state.tasks_at_ms()).map_or_else(|| "–".to_owned(), format_age);
    let spans = vec![
        Span::styled(cell(task_prefix(&task.id), 10), theme::title()),
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

/// A task's containers folded into one glyph each: `nginx ● php-fpm ● warmer ✔ 9.8s`.
fn glyphs(state: &State, task: &Task, named: bool) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for c in &task.containers {
        let (glyph, style) = if c.role == ContainerRole::Warmer {
            let verdict = state.warmer_verdict(task);
            match verdict {
                WarmerVerdict::Healthy => ("✔", theme::good()),
                WarmerVerdict::StillRunning { overdue: false } | WarmerVerdict::LookingForReport => {
                    ("◌", theme::info())
                }
                v if v.stands_out() => ("✘", theme::bad()),
                _ => ("·", theme::dim()),
            }
        } else {
            match (&c.last_status, &c.health) {
                (_, Health::Unhealthy) => ("●", theme::bad()),
                (LastStatus::Running, Health::Healthy) => ("●", theme::good()),
                (LastStatus::Running, _) => ("●", theme::dim()),
                _ if c.exit_code.is_some_and(|x| x != 0) => ("✘", theme::bad()),
                _ => ("○", theme::info()),
            }
        };
        if !named {
            spans.push(Span::styled(glyph, style));
            continue;
        }
        spans.push(Span::styled(format!("{} ", c.name), theme::dim()));
        spans.push(Span::styled(format!("{glyph} "), style));
        if let Some(ms) = state.warming_ms(task).filter(|_| c.role == ContainerRole::Warmer) {
            spans.push(Span::styled(format!("{} ", theme::seconds(ms)), theme::dim()));
        }
    }
    spans
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
    let report = state.report_of(task.id.as_str()).map(|r| r.report);
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
        WarmerVerdict::LookingForReport => ("exit 0    looking for its report…".to_owned(), theme::info()),
        WarmerVerdict::ReportUnreadable { kind, retry_in_ms } => {
            (format!("exit 0    {}", unreadable_text(kind, retry_in_ms)), theme::warn())
        }
        v @ WarmerVerdict::Rewarmed { .. } => {
            let style = if v.stands_out() { theme::bad() } else { theme::good() };
            (v.summary(), style)
        }
        WarmerVerdict::StillRunning { overdue: false } => (format!("warming… {since}"), theme::info()),
        WarmerVerdict::StillRunning { overdue: true } => {
            (format!("still warming after {since} (limit {limit})"), theme::warn())
        }
        WarmerVerdict::Pending { overdue: false } => ("waiting for nginx and php-fpm".to_owned(), theme::dim()),
        WarmerVerdict::Pending { overdue: true } => {
            (format!("not started after {since} (limit {limit})"), theme::warn())
        }
        v @ WarmerVerdict::NeverRan { .. } => (v.summary(), theme::bad()),
        v @ WarmerVerdict::ExitUnknown { .. } => {
            let style = if v.stands_out() { theme::warn() } else { theme::good() };
            (v.summary(), style)
        }
        WarmerVerdict::Missing => ("no warmer container".to_owned(), theme::warn()),
    }
}
