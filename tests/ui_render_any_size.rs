//! QUALITY.md item 2: every screen renders at any size from 0×0 to 300×100 without panicking,
//! with overlays and typed input open, healthy or in an incident, with or without data.

mod ui_fixtures;

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wpops::app::{Key, KeyCode, Msg, State, update};

fn states() -> Vec<State> {
    let mut out = Vec::new();
    for base in
        [ui_fixtures::healthy(), ui_fixtures::incident(), ui_fixtures::errors(), State::new(ui_fixtures::site(), 0)]
    {
        for keys in ["", "jjj\n", "jjjjjjjjj\n", "l", "l/50\ns50\n", "lw T", "w", "e", "?", ":wa", "l1t"] {
            let mut s = base.clone();
            for c in keys.chars() {
                let key = if c == '\n' { Key::plain(KeyCode::Enter) } else { Key::char(c) };
                update(&mut s, Msg::Key(key));
            }
            out.push(s);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn never_panics(width in 0u16..=300, height in 0u16..=100) {
        for state in states() {
            let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
            let drawn = terminal.draw(|f| wpops::ui::render(&state, f));
            prop_assert!(drawn.is_ok());
        }
    }
}

#[test]
fn tiny_and_huge_sizes() {
    for state in states() {
        for (w, h) in [(0, 0), (1, 1), (0, 50), (300, 0), (2, 3), (10, 5), (300, 100), (40, 12)] {
            let Ok(mut terminal) = Terminal::new(TestBackend::new(w, h));
            assert!(terminal.draw(|f| wpops::ui::render(&state, f)).is_ok());
        }
    }
}
