//! The overview: tasks and their warmers (left), the WAF at a glance (right), the log pane
//! below. The layout adapts to the terminal: the WAF pane goes below 110 columns. Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{logs, tasks, theme};
use crate::app::State;

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let log_height = (area.height / 3).max(3);
    let [top, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(log_height)]).areas(area);
    if top.width >= 110 {
        let [left, right] = Layout::horizontal([Constraint::Min(0), Constraint::Length(46)]).areas(top);
        tasks::render(state, frame, left);
        render_waf(state, frame, right);
    } else {
        tasks::render(state, frame, top);
    }
    logs::render_pane(state, frame, bottom, false);
}

fn render_waf(state: &State, frame: &mut Frame, area: Rect) {
    let p = state.waf_panel();
    let name = p
        .data
        .as_ref()
        .map_or_else(String::new, |w| format!(" {} · blocked {}", w.web_acl_name, theme::window(w.window_secs)));
    let block = Block::bordered()
        .title(Line::styled(format!(" WAF{name} "), theme::title()))
        .title(Line::from(vec![Span::raw(" "), theme::age_span(p, state.now_ms), Span::raw(" ")]).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines: Vec<Line<'static>> = theme::error_lines(p, state.now_ms, inner.width);
    match p.data.as_ref() {
        None if p.error.is_none() => lines.push(Line::styled("loading…", theme::dim())),
        None => {}
        Some(w) if w.groups.is_empty() => {
            lines.push(Line::styled("no managed rule groups on this web ACL", theme::dim()))
        }
        Some(w) => {
            let spark = usize::from(inner.width).saturating_sub(20).clamp(4, 30);
            for g in &w.groups {
                lines.push(Line::from(vec![
                    Span::raw(theme::cell(&g.label, 10)),
                    Span::styled(theme::fit(&theme::sparkline(&g.series, spark), spark), theme::info()),
                    Span::raw(format!(" {:>7}", w.blocked_text(g.blocked_total))),
                ]));
            }
            lines.push(Line::from(vec![
                Span::raw(theme::cell("total", 10 + spark)),
                Span::styled(format!(" {:>7}", w.blocked_text(w.total_blocked)), theme::title()),
            ]));
            for (label, list) in [("top URI ", &w.top_uris), ("top IP  ", &w.top_ips), ("top rule", &w.top_rules)] {
                if let Some((what, n)) = list.first() {
                    lines.push(Line::from(vec![
                        Span::styled(format!("{label} "), theme::dim()),
                        Span::raw(what.clone()),
                        Span::styled(format!("  {}", theme::thousands(*n)), theme::warn()),
                    ]));
                }
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
