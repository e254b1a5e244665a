//! The warming view: the last warming run, one line per target task (IP, URL, and its result as
//! it arrives — ok in green, failed in red), the elapsed time and the final summary. Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::columns::{self, Col, Shorten};
use super::rollout::{elapsed, outcome_line};
use super::theme;
use crate::app::{State, WarmingWatch};
use crate::model::task_prefix;

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let [head, body] = Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(area);
    let block = Block::bordered().title(Line::styled(" Warming ", theme::title()));
    let Some(w) = state.ops.warming.as_ref() else {
        let text = "no warming run from this console yet — W re-runs warming on every running task";
        frame.render_widget(Paragraph::new(Line::styled(text, theme::dim())).block(block), head);
        frame.render_widget(Block::bordered(), body);
        return;
    };
    let done = w.warm_lines.len();
    let failed = w.warm_lines.iter().filter(|l| !l.ok()).count();
    let mut counts = vec![Span::styled(format!(" · {done}/{} done", w.targets.len().max(done)), theme::dim())];
    if failed > 0 {
        counts.push(Span::styled(format!(" · {failed} failed"), theme::bad()));
    }
    let mut first = vec![Span::styled("Warming", theme::title()), Span::styled(" · ", theme::dim())];
    first.push(Span::raw(w.run.subject.clone()));
    first.extend(counts);
    if !w.run.ids.is_empty() {
        let ids: Vec<&str> = w.run.ids.iter().map(|i| task_prefix(i)).collect();
        first.push(Span::styled(format!(" · one-off tasks {}", ids.join(" ")), theme::dim()));
    }
    first.push(Span::styled(format!(" · elapsed {}", elapsed(w.elapsed_ms(state.now_ms))), theme::dim()));
    let head_lines =
        vec![Line::from(first), outcome_line(&w.run, "warming… results arrive per task as each warmer stops")];
    frame.render_widget(Paragraph::new(head_lines).block(block), head);
    let block = Block::bordered().title(Line::styled(" Targets ", theme::title()));
    let width = usize::from(block.inner(body).width);
    frame.render_widget(Paragraph::new(target_lines(w, width)).block(block), body);
}

/// The warming table: the task and its result always, its IP next; the URL gives way first
/// (shortened in the middle, so that its host and path's end stay).
const TARGET_COLUMNS: [Col; 4] = [
    Col::new("TASK", 8, 8, 0, Shorten::End),
    Col::new("IP", 15, 15, 1, Shorten::Middle),
    Col::new("URL", 16, 42, 2, Shorten::Middle),
    Col::new("RESULT", 16, 0, 0, Shorten::End),
];

fn target_lines(w: &WarmingWatch, width: usize) -> Vec<Line<'static>> {
    let widths = columns::layout(&TARGET_COLUMNS, width);
    let mut lines = vec![Line::styled(columns::header(&TARGET_COLUMNS, &widths), theme::dim())];
    let mut rows: Vec<(String, String, String)> = w.targets.clone();
    for l in &w.warm_lines {
        if !rows.iter().any(|(id, _, _)| *id == l.task_id) {
            rows.push((l.task_id.clone(), l.ip.clone(), String::new()));
        }
    }
    for (task, ip, url) in rows {
        let (result, style) = match w.warm_line(&task) {
            Some(l) if l.ok() => (format!("ok      {}", l.summary()), theme::good()),
            Some(l) => (format!("FAILED  {}", l.summary()), theme::bad()),
            None if w.run.outcome.is_some() => ("no result".to_owned(), theme::warn()),
            None => ("warming…".to_owned(), theme::info()),
        };
        let values = [task_prefix(&task).to_owned(), ip, url, result];
        lines.push(columns::styled(&TARGET_COLUMNS, &widths, &values, |i| match i {
            2 => theme::dim(),
            3 => style,
            _ => ratatui::style::Style::new(),
        }));
    }
    if lines.len() == 1 {
        lines.push(Line::styled("no targets", theme::dim()));
    }
    lines
}
