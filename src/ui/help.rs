//! The help overlay, generated from the key table (`app::keymap::BINDINGS`) and the `:`
//! commands for every scope the table knows — the screens, the help itself and the confirm
//! dialog — so it always tells the truth about the keys. Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme;
use crate::app::State;
use crate::app::keymap::{BINDINGS, COMMANDS, KeyScope};

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
    let (left_lines, right_lines) = columns(state);
    frame.render_widget(Paragraph::new(left_lines), left);
    frame.render_widget(Paragraph::new(right_lines), right);
}

/// The two columns: the global keys and the commands; then every other scope in the table's
/// order, the screens that add no keys of their own named together in one line.
fn columns(state: &State) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let mut left = section(KeyScope::Everywhere, state);
    left.push(Line::raw(""));
    left.push(Line::styled("Commands (type : then Enter)", theme::title()));
    for command in COMMANDS {
        let names: Vec<String> = command.names.iter().map(|n| format!(":{n}")).collect();
        left.push(Line::from(vec![
            Span::styled(format!("  {:<22}", names.join(" ")), theme::key()),
            Span::raw(command.help),
        ]));
    }
    let others = KeyScope::ALL.iter().copied().filter(|s| *s != KeyScope::Everywhere);
    let keyless: Vec<KeyScope> = others.clone().filter(|s| !has_own_keys(*s)).collect();
    let mut right = Vec::new();
    for scope in others {
        if has_own_keys(scope) {
            right.extend(section(scope, state));
        } else if keyless.first() == Some(&scope) {
            right.extend(keyless_section(&keyless, state));
        }
    }
    (left, right)
}

fn has_own_keys(scope: KeyScope) -> bool {
    BINDINGS.iter().any(|b| b.scope == scope)
}

fn title(text: String, here: bool) -> Line<'static> {
    Line::styled(if here { format!("{text}  (this screen)") } else { text }, theme::title())
}

fn section(scope: KeyScope, state: &State) -> Vec<Line<'static>> {
    let mut lines = vec![title(scope.title().to_owned(), scope == state.nav.screen.key_scope())];
    for b in BINDINGS.iter().filter(|b| b.scope == scope) {
        lines.push(Line::from(vec![Span::styled(format!("  {:<9}", b.label), theme::key()), Span::raw(b.help)]));
    }
    if scope != KeyScope::Everywhere {
        lines.push(Line::raw(""));
    }
    lines
}

/// The screens with only the global keys, in one line.
fn keyless_section(scopes: &[KeyScope], state: &State) -> Vec<Line<'static>> {
    let names: Vec<&str> = scopes.iter().map(|s| s.title()).collect();
    let here = scopes.contains(&state.nav.screen.key_scope());
    vec![
        title(names.join(" · "), here),
        Line::styled(format!("  {}", "only the keys listed under Everywhere"), theme::dim()),
        Line::raw(""),
    ]
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::app::keymap::Action;
    use crate::app::{SiteInfo, State};

    fn text(lines: &[Line<'_>]) -> String {
        let lines: Vec<String> = lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect();
        lines.join("\n")
    }

    #[test]
    fn help_names_every_scope_and_every_action() {
        let state = State::new(SiteInfo::default(), 0);
        let (left, right) = columns(&state);
        let all = format!("{}\n{}", text(&left), text(&right));
        for scope in KeyScope::ALL {
            assert!(all.contains(scope.title()), "{scope:?} is missing from help:\n{all}");
        }
        for action in Action::ALL {
            let bound = BINDINGS.iter().any(|b| {
                b.action == action && all.lines().any(|l| l.contains(b.label) && l.trim_end().ends_with(b.help))
            });
            let command = COMMANDS.iter().any(|c| c.action == action && all.contains(&format!(":{}", c.names[0])));
            assert!(bound || command, "{action:?} is missing from help:\n{all}");
        }
    }

    #[test]
    fn help_fits_its_overlay() {
        let state = State::new(SiteInfo::default(), 0);
        let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
        let frame = terminal.draw(|f| render(&state, f, f.area())).expect("draw");
        let drawn: String = frame.buffer.content.iter().map(|c| c.symbol()).collect();
        for scope in KeyScope::ALL {
            assert!(drawn.contains(scope.title()), "{scope:?} is cut off");
        }
    }
}
