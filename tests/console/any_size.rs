//! QUALITY.md item 2: every screen renders at any size from 0×0 to 300×100 without panicking,
//! with overlays (help over every screen) and typed input open (command, filter, search), with
//! flashes and filter errors, healthy or in an incident, with or without data, with every action
//! dialog open (preparing, previewed, failed, foreign deployment, typed name), in the rollout and
//! warming views and the fleet view.

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wpops::app::{Key, KeyCode, Msg, OpEvent, State, update};
use wpops::model::OpFailure;
use wpops_fixtures::ui::{self as ui_fixtures, ops};

fn press(s: &mut State, keys: &str) {
    for c in keys.chars() {
        let key = if c == '\n' { Key::plain(KeyCode::Enter) } else { Key::char(c) };
        update(s, Msg::Key(key));
    }
}

/// The action dialogs and views, each built the way the runtime would feed them.
fn action_states() -> Vec<State> {
    let mut out = vec![ops::rolling_out(), ops::rolled_back(), ops::warm_results()];
    let with = |base: State, keys: &str, msg: Option<Msg>, after: &str| {
        let mut s = base;
        press(&mut s, keys);
        if let Some(m) = msg {
            update(&mut s, m);
        }
        press(&mut s, after);
        s
    };
    out.push(with(ui_fixtures::healthy(), "B", Some(ops::rollback_preview()), ""));
    out.push(with(ui_fixtures::healthy(), "W", Some(ops::warm_preview(true)), ""));
    out.push(with(ui_fixtures::healthy(), "W", Some(ops::warm_preview(false)), "y"));
    out.push(with(
        ui_fixtures::healthy(),
        "B",
        Some(Msg::Op(OpEvent::Previewed {
            request: ops::FIRST_REQUEST,
            result: Err(OpFailure::Impossible("AccessDenied".into())),
        })),
        "",
    ));
    out.push(with(ui_fixtures::incident(), "R", None, "y"));
    out.push(with(ui_fixtures::incident(), "R", None, "Fy"));
    let mut typing = ui_fixtures::healthy();
    typing.site.confirm_by_typing = true;
    out.push(with(typing, "X", None, "wordp"));
    let mut read_only = ui_fixtures::incident();
    read_only.site.read_only = true;
    out.push(with(read_only, "R", None, ""));
    out.push(with(ui_fixtures::errors(), "R", None, ""));
    out.push(with(State::new(ui_fixtures::site(), 0), "Ry", None, ""));
    out.push(with(State::new(ui_fixtures::site(), 0), ":warming\n", None, ""));
    out
}

fn states() -> Vec<State> {
    let mut out = Vec::new();
    for base in
        [ui_fixtures::healthy(), ui_fixtures::incident(), ui_fixtures::errors(), State::new(ui_fixtures::site(), 0)]
    {
        // Every screen, each overlay and typed input over them, flashes and errors: help over
        // each screen, an open filter/search/command line, a bad filter, an unknown command, a
        // search hit, a paused view with new lines below; the action keys; the fleet view.
        for keys in [
            "",
            "jjj\n",
            "jjjjjjjjj\n",
            "l",
            "l/50\ns50\n",
            "lw T",
            "w",
            "e",
            "?",
            ":wa",
            "l1t",
            "R",
            "B",
            "jX",
            "\n?",
            "l?",
            "w?",
            "e?",
            "/5",
            "l/5",
            "ls5",
            "l/(\n",
            ":nope\n",
            "lsGET\nn",
            "lkkk",
            "e:q",
            "S",
            "S?",
        ] {
            let mut s = base.clone();
            press(&mut s, keys);
            out.push(s);
        }
    }
    out.extend(action_states());
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(25))]
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

/// At every width from 60 to 300 columns: the header names the site and the service, and no
/// revision is cut into another one (`wordpress:4` for wordpress:42): a task definition shows
/// its revision whole, or is marked as shortened.
#[test]
fn at_every_width_revisions_stay_whole_and_the_header_names_site_and_service() {
    let revision = regex::Regex::new(r"wordpress:(\d+)(.?)").unwrap();
    let known = ["41", "42", "43"];
    let mut screens = Vec::new();
    for (base, keys) in [
        (ui_fixtures::incident(), ""),
        (ui_fixtures::incident(), "e"),
        (ui_fixtures::incident(), "\n"),
        (ui_fixtures::healthy(), "e"),
        (ops::rolling_out(), ""),
    ] {
        let mut s = base;
        press(&mut s, keys);
        screens.push((s, keys));
    }
    for width in 60u16..=300 {
        for (state, keys) in &screens {
            let screen = wpops_fixtures::ui::draw(state, width, 40);
            let header = screen.lines().next().unwrap_or_default();
            assert!(
                header.contains(&state.site.name) && header.contains(&state.site.service),
                "{width} cols {keys:?}: {header}"
            );
            for line in screen.lines() {
                for cap in revision.captures_iter(line) {
                    let (rev, next) = (&cap[1], &cap[2]);
                    assert!(
                        known.contains(&rev) || next == "…",
                        "{width} cols {keys:?}: a cut revision wordpress:{rev} in\n{line}"
                    );
                }
            }
        }
    }
}
