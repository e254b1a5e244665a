//! The help overlay, generated from the key table (`app::keymap::BINDINGS`) and the `:`
//! commands, so it always tells the truth about the keys. Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme;
use crate::app::State;
use crate::app::keymap::{BINDINGS, COMMANDS, KeyScope};

const SCOPES: [KeyScope; 6] =
    [KeyScope::Everywhere, KeyScope::Overview, KeyScope::TaskDetail, KeyScope::Logs, KeyScope::Waf, KeyScope::Events];

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let popup = centered(area, 110, 40);
    if popup.width < 4 || popup.height < 3 {
        return;
    }
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(Line::styled(" Help — keys and commands ", theme::title()))
        .title_bottom(Line::styled(" Esc or ? closes ", theme::dim()).right_aligned());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    let mut left_lines = section(KeyScope::Everywhere, state);
    left_lines.push(Line::raw(""));
    left_lines.push(Line::styled("Commands (type : then Enter)", theme::title()));
    for command in COMMANDS {
        let names: Vec<String> = command.names.iter().map(|n| format!(":{n}")).collect();
        left_lines.push(Line::from(vec![
            Span::styled(format!("  {:<22}", names.join(" ")), theme::key()),
            Span::raw(command.help),
        ]));
    }
    let right_lines: Vec<Line> = SCOPES[1..].iter().flat_map(|s| section(*s, state)).collect();
    frame.render_widget(Paragraph::new(left_lines), left);
    frame.render_widget(Paragraph::new(right_lines), right);
}

fn section(scope: KeyScope, state: &State) -> Vec<Line<'static>> {
    let mut title = scope.title().to_owned();
    if scope == state.nav.screen.key_scope() {
        title.push_str("  (this screen)");
    }
    let mut lines = vec![Line::styled(title, theme::title())];
    for b in BINDINGS.iter().filter(|b| b.scope == scope) {
        lines.push(Line::from(vec![Span::styled(format!("  {:<9}", b.label), theme::key()), Span::raw(b.help)]));
    }
    if lines.len() == 1 && scope != KeyScope::Everywhere {
        return Vec::new();
    }
    if scope != KeyScope::Everywhere {
        lines.push(Line::raw(""));
    }
    lines
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}
