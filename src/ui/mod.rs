//! The console's screens: `render(&State, &mut Frame)` lays out the header, the current screen,
//! the footer and any overlay (the confirm dialog, help). One module per screen or panel; each only reads `State` and
//! never panics at any size (QUALITY.md item 2). Nothing here changes state or does IO.

mod columns;
mod detail;
mod dialog;
mod events;
mod findings;
mod footer;
mod header;
mod help;
mod logs;
mod metrics;
mod overview;
mod rollout;
mod sites;
mod tasks;
mod theme;
mod timeline;
mod waf;
mod warming;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::app::{Screen, State};

/// Draws the whole console for `state` into `frame`.
pub fn render(state: &State, frame: &mut Frame) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(header::height(state, area.width)),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(state, frame, top);
    match state.nav.screen {
        Screen::Overview => overview::render(state, frame, body),
        Screen::TaskDetail => detail::render(state, frame, body),
        Screen::Logs => logs::render_screen(state, frame, body),
        Screen::Waf => waf::render(state, frame, body),
        Screen::Events => events::render(state, frame, body),
        Screen::Rollout => rollout::render(state, frame, body),
        Screen::Warming => warming::render(state, frame, body),
        Screen::Sites => sites::render(state, frame, body),
        Screen::Findings => findings::render(state, frame, body),
        Screen::Timeline => timeline::render(state, frame, body),
        Screen::Metrics => metrics::render(state, frame, body),
    }
    footer::render(state, frame, bottom);
    if let Some(dialog) = &state.ops.dialog {
        dialog::render(state, dialog, frame, area);
    }
    if state.nav.help {
        help::render(state, frame, area);
    }
}
