//! The footer: the line being typed (`:` command, `/` filter, `s` search), else a one-line
//! message, else the most useful keys of this screen, generated from the key table. Read-only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::keymap::footer_for;
use crate::app::{Input, State};

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let line = match (&state.nav.input, &state.nav.flash) {
        (Input::Command(t), _) => prompt(":", t),
        (Input::Filter(t), _) => prompt("filter /", t),
        (Input::Search(t), _) => prompt("search /", t),
        (Input::HelpFind(t), _) => prompt("find in help: ", t),
        (Input::TaskFilter(t), _) => prompt("tasks containing ", t),
        (Input::None, Some(flash)) => {
            Line::styled(format!(" {}", flash.text), if flash.error { theme::bad() } else { theme::warn() })
        }
        (Input::None, None) => keys(state),
    };
    // The keys that do not fit end in `…`: `?` (listed early) shows them all.
    frame.render_widget(Paragraph::new(theme::clip_line(line, usize::from(area.width))), area);
}

fn prompt(label: &str, text: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {label}"), theme::key()),
        Span::raw(text.to_owned()),
        Span::styled("█", theme::dim()),
        Span::styled("   Enter apply · Esc cancel", theme::dim()),
    ])
}

fn keys(state: &State) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (keys, word) in footer_for(state.nav.screen.key_scope(), state.site.read_only) {
        spans.push(Span::styled(keys, theme::key()));
        spans.push(Span::styled(format!(" {word}  "), theme::dim()));
    }
    Line::from(spans)
}
