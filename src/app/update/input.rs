//! The line typed at the bottom of the screen: a `:` command, a `/` filter or an `s` search.
//! Printable characters are added (control and format characters never get in), Backspace
//! removes, Esc cancels, Enter applies: a command names its action (which the key dispatch
//! carries out), a pattern compiles (a bad one is explained and changes nothing). Pure: no IO,
//! no clock.

use crate::app::key::{Key, KeyCode};
use crate::app::keymap::{Action, command_action};
use crate::app::state::logview::compile_pattern;
use crate::app::state::{Input, State};
use crate::model::is_control_or_format;

/// Longest line the operator may type.
const MAX_INPUT: usize = 500;

/// What an entered `:` command asks for.
pub(super) enum Entered {
    Action(Action),
    /// `:since 2h`, `:at 09:10 09:40`: a window, with the words after the command.
    Window {
        word: String,
        args: String,
    },
}

/// A key while a line is typed; what a `:` command entered asks for, for the caller to carry out.
pub(super) fn on_key(state: &mut State, key: Key) -> Option<Entered> {
    let text = match &mut state.nav.input {
        Input::Command(t) | Input::Filter(t) | Input::Search(t) | Input::HelpFind(t) | Input::TaskFilter(t) => t,
        Input::None => return None,
    };
    match key.code {
        KeyCode::Esc => state.nav.input = Input::None,
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c) if !key.ctrl && !key.alt && !is_control_or_format(c) && text.chars().count() < MAX_INPUT => {
            text.push(c);
        }
        KeyCode::Enter => {
            let input = std::mem::replace(&mut state.nav.input, Input::None);
            match input {
                Input::Command(t) => return command(state, &t),
                Input::Filter(t) => set_filter(state, &t),
                Input::Search(t) => set_search(state, &t),
                Input::HelpFind(t) => find_in_help(state, &t),
                Input::TaskFilter(t) => {
                    let selected = state.selected_id();
                    let t = t.trim();
                    state.nav.task_filter = (!t.is_empty()).then(|| t.to_owned());
                    state.reselect(selected);
                }
                Input::None => {}
            }
        }
        _ => {}
    }
    None
}

/// What a `:` command asks for, or why nothing (flashed).
fn command(state: &mut State, command: &str) -> Option<Entered> {
    let line = command.trim();
    if line.is_empty() {
        return None;
    }
    let (word, args) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let word = word.to_lowercase();
    if matches!(word.as_str(), "since" | "at") && !args.trim().is_empty() {
        return Some(Entered::Window { word, args: args.trim().to_owned() });
    }
    let action = if args.trim().is_empty() { command_action(&word) } else { None };
    if action.is_none() {
        state.flash(format!("unknown command :{line} — try :help"), true);
    }
    action.map(Entered::Action)
}

fn set_filter(state: &mut State, pattern: &str) {
    if pattern.is_empty() {
        state.logs.set_filter(None);
        return;
    }
    match compile_pattern(pattern) {
        Ok(re) => state.logs.set_filter(Some(re)),
        Err(e) => {
            state.flash(format!("bad filter /{pattern}/: {e} (filter unchanged)"), true);
            state.logs.filter_error = Some(e);
        }
    }
}

/// Scrolls the help overlay to the first entry from the top one that has `words`.
fn find_in_help(state: &mut State, words: &str) {
    let words = words.trim();
    state.nav.help_find = (!words.is_empty()).then(|| words.to_owned());
    if words.is_empty() {
        return;
    }
    let entries = crate::app::help::entries(state.nav.screen.key_scope());
    match crate::app::help::find(&entries, words, state.nav.help_top) {
        Some(i) => state.nav.help_top = i,
        None => state.flash(format!("help has no {words:?}"), false),
    }
}

fn set_search(state: &mut State, pattern: &str) {
    state.logs.search_hit = None;
    if pattern.is_empty() {
        state.logs.search = None;
        state.logs.search_error = None;
        return;
    }
    match compile_pattern(pattern) {
        Ok(re) => {
            state.logs.search = Some(re);
            state.logs.search_error = None;
            if !state.logs.search_step(false) {
                state.flash(format!("no line matches {pattern}"), false);
            }
        }
        Err(e) => {
            state.flash(format!("bad search /{pattern}/: {e}"), true);
            state.logs.search_error = Some(e);
        }
    }
}
