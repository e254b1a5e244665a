//! The warming view: the last warming run, one line per target task (IP, URL, and its result as
//! it arrives — ok in green, failed in red), the elapsed time and the final summary. Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::rollout::{elapsed, outcome_line};
use super::theme::{self, cell};
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
    frame.render_widget(Paragraph::new(target_lines(w)).block(block), body);
}

fn target_lines(w: &WarmingWatch) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        format!("{}{}{}{}", cell("TASK", 10), cell("IP", 14), cell("URL", 42), "RESULT"),
        theme::dim(),
    )];
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
        lines.push(Line::from(vec![
            Span::raw(cell(task_prefix(&task), 10)),
            Span::raw(cell(&ip, 14)),
            Span::styled(cell(&url, 42), theme::dim()),
            Span::styled(result, style),
        ]));
    }
    if lines.len() == 1 {
        lines.push(Line::styled("no targets", theme::dim()));
    }
    lines
}
