//! The help overlay, generated from the key table (`app::keymap::BINDINGS`) and the `:`
//! commands for every scope the table knows — the screens, the help itself and the confirm
//! dialog — so it always tells the truth about the keys. Side by side when it fits, else one
//! column wrapped to the width and scrolled by entry (`app::help`). Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::theme;
use crate::app::State;
use crate::app::help::{self, HelpEntry};
#[cfg(test)]
use crate::app::keymap::{BINDINGS, COMMANDS, KeyScope};

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let popup = centered(area, 150, 60);
    if popup.width < 4 || popup.height < 3 {
        return;
    }
    theme::overlay(frame, popup, area);
    let here = state.nav.screen.key_scope();
    let (left, right) = help::halves(here);
    let find = state.nav.help_find.as_deref();
    // Side by side when both halves fit whole; else one column, wrapped, scrolled by entry.
    let half = usize::from(Block::bordered().inner(popup).width / 2).saturating_sub(1);
    let wrapped = |e: &[HelpEntry]| e.iter().flat_map(|x| theme::wrap_words(line(x, find), half)).collect::<Vec<_>>();
    let (l_rows, r_rows) = (wrapped(&left), wrapped(&right));
    let side_by_side = l_rows.len().max(r_rows.len()) <= usize::from(Block::bordered().inner(popup).height);
    if side_by_side {
        let block = Block::bordered()
            .title(Line::styled(" Help — keys and commands ", theme::title()))
            .title_bottom(Line::styled(" Esc or ? closes ", theme::dim()).right_aligned());
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
        frame.render_widget(Paragraph::new(l_rows), l);
        frame.render_widget(Paragraph::new(r_rows), r);
        return;
    }
    let entries = help::entries(here);
    let top = state.nav.help_top.min(entries.len().saturating_sub(1));
    let inner = Block::bordered().inner(popup);
    let (width, height) = (usize::from(inner.width), usize::from(inner.height));
    let mut lines = Vec::new();
    let mut last = top;
    for (i, e) in entries.iter().enumerate().skip(top) {
        let rows = theme::wrap_words(line(e, find), width);
        if lines.len() + rows.len() > height && !lines.is_empty() {
            break;
        }
        lines.extend(rows);
        last = i;
    }
    lines.truncate(height);
    let position = format!(" {}–{} of {} ", top + 1, last + 1, entries.len());
    let more = if last + 1 < entries.len() { "j/↓ PgDn more · " } else { "" };
    let block = Block::bordered()
        .title(Line::styled(" Help — keys and commands ", theme::title()))
        .title(Line::styled(position, theme::dim()).right_aligned())
        .title_bottom(Line::styled(format!(" {more}/ find · Esc or ? closes "), theme::dim()).right_aligned());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// One entry as a line; the words being found are highlighted.
fn line(entry: &HelpEntry, find: Option<&str>) -> Line<'static> {
    let hit = find.is_some_and(|w| !w.is_empty() && entry.text().to_lowercase().contains(&w.to_lowercase()));
    let help_style = if hit { theme::hit() } else { ratatui::style::Style::new() };
    match entry {
        HelpEntry::Title { text, here } => {
            Line::styled(if *here { format!("{text}  (this screen)") } else { text.clone() }, theme::title())
        }
        HelpEntry::Key { label, help } => Line::from(vec![
            Span::styled(format!("  {label:<9}"), theme::key()),
            Span::styled((*help).to_owned(), help_style),
        ]),
        HelpEntry::Command { names, help } => Line::from(vec![
            Span::styled(format!("  {names:<22}"), theme::key()),
            Span::styled((*help).to_owned(), help_style),
        ]),
        HelpEntry::Note(t) => Line::styled(format!("  {t}"), theme::dim()),
        HelpEntry::Blank => Line::raw(""),
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    // Every row counts on a short terminal: the overlay takes the whole height below 60.
    let h = height.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::app::{SiteInfo, State};

    fn drawn(state: &State, w: u16, h: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        let frame = terminal.draw(|f| render(state, f, f.area())).expect("draw");
        let rows: Vec<String> = frame
            .buffer
            .content
            .chunks(usize::from(w))
            .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
            .collect();
        rows.join("\n")
    }

    #[test]
    fn help_fits_its_overlay_at_200_by_50() {
        // Smaller terminals scroll it (`at_80_by_24_every_entry_is_reached_by_scrolling`).
        let state = State::new(SiteInfo::default(), 0);
        let all = drawn(&state, 200, 50);

        for scope in KeyScope::ALL {
            assert!(all.contains(scope.title()), "{scope:?} is cut off");
        }
    }

    #[test]
    fn at_80_by_24_every_entry_is_reached_by_scrolling() {
        let mut state = State::new(SiteInfo::default(), 0);
        let entries = help::entries(KeyScope::Overview);
        let mut seen = String::new();
        for top in 0..entries.len() {
            state.nav.help_top = top;
            seen.push_str(&drawn(&state, 80, 24));
        }
        let flat: String = seen.split('│').collect::<Vec<_>>().concat();
        for b in BINDINGS {
            let words: String = b.help.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
            assert!(flat.contains(&words), "{:?} {:?} never shows at 80×24", b.scope, b.help);
        }
        for c in COMMANDS {
            assert!(flat.contains(c.help), "{} never shows at 80×24", c.help);
        }
        assert!(drawn(&state, 80, 24).contains("of "), "it says where it is");
    }
}
