//! What each key does: typed input (`:` command, `/` filter, `s` search), the help overlay,
//! then the key table's `Action` for the current screen. Changing what the tailer follows
//! bumps the log generation and returns `Effect::FollowLogs`. Pure: no IO, no clock.

use crate::model::{ContainerRole, is_control_or_format};

use super::key::{Key, KeyCode};
use super::keymap::{Action, action_for, command_action};
use super::logview::compile_pattern;
use super::msg::{Effect, Feed, LogScope};
use super::ops::OpKind;
use super::opupdate;
use super::state::{Flash, Input, Screen, State};

/// Longest line the operator may type.
const MAX_INPUT: usize = 500;

pub(super) fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    if key == Key::ctrl('c') {
        return act(state, Action::Quit);
    }
    if state.ops.dialog.is_some() {
        return opupdate::on_dialog_key(state, key);
    }
    if state.input != Input::None {
        return on_input_key(state, key);
    }
    state.flash = None;
    if state.help {
        return match key.code {
            KeyCode::Char('q') => act(state, Action::Quit),
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') => {
                state.help = false;
                Vec::new()
            }
            _ => Vec::new(),
        };
    }
    match action_for(state.screen.key_scope(), key) {
        Some(action) => act(state, action),
        None => Vec::new(),
    }
}

fn on_input_key(state: &mut State, key: Key) -> Vec<Effect> {
    let text = match &mut state.input {
        Input::Command(t) | Input::Filter(t) | Input::Search(t) => t,
        Input::None => return Vec::new(),
    };
    match key.code {
        KeyCode::Esc => state.input = Input::None,
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c) if !key.ctrl && !key.alt && !is_control_or_format(c) && text.chars().count() < MAX_INPUT => {
            text.push(c);
        }
        KeyCode::Enter => {
            let input = std::mem::replace(&mut state.input, Input::None);
            return match input {
                Input::Command(t) => run_command(state, &t),
                Input::Filter(t) => {
                    set_filter(state, &t);
                    Vec::new()
                }
                Input::Search(t) => {
                    set_search(state, &t);
                    Vec::new()
                }
                Input::None => Vec::new(),
            };
        }
        _ => {}
    }
    Vec::new()
}

fn flash(state: &mut State, text: impl Into<String>, error: bool) {
    state.flash = Some(Flash { text: crate::model::sanitize_line(&text.into()), error });
}

fn run_command(state: &mut State, command: &str) -> Vec<Effect> {
    let word = command.trim();
    if word.is_empty() {
        return Vec::new();
    }
    match command_action(word) {
        Some(action) => act(state, action),
        None => {
            flash(state, format!("unknown command :{word} — try :help"), true);
            Vec::new()
        }
    }
}

fn set_filter(state: &mut State, pattern: &str) {
    if pattern.is_empty() {
        state.logs.filter = None;
        state.logs.filter_error = None;
        state.logs.rebuild_index();
        return;
    }
    match compile_pattern(pattern) {
        Ok(re) => {
            state.logs.filter = Some(re);
            state.logs.filter_error = None;
            state.logs.rebuild_index();
        }
        Err(e) => {
            flash(state, format!("bad filter /{pattern}/: {e} (filter unchanged)"), true);
            state.logs.filter_error = Some(e);
        }
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
                flash(state, format!("no line matches {pattern}"), false);
            }
        }
        Err(e) => {
            flash(state, format!("bad search /{pattern}/: {e}"), true);
            state.logs.search_error = Some(e);
        }
    }
}

pub(super) fn go(state: &mut State, screen: Screen) {
    if screen == Screen::Overview {
        state.back.clear();
    } else if state.screen != screen {
        state.back.push(state.screen);
        state.back.truncate(8);
    }
    state.screen = screen;
}

/// The tailer's scope from what the log view shows; bumps the generation.
fn follow_logs(state: &mut State) -> Vec<Effect> {
    state.logs.rebuild_index();
    let names = [ContainerRole::Nginx, ContainerRole::PhpFpm, ContainerRole::Warmer];
    let containers = if state.logs.show.iter().all(|s| *s) {
        Vec::new()
    } else {
        names.iter().zip(state.logs.show).filter(|(_, on)| *on).map(|(r, _)| r.name().to_owned()).collect()
    };
    state.log_scope =
        LogScope { containers, task: state.logs.task.clone(), generation: state.log_scope.generation + 1 };
    vec![Effect::FollowLogs(state.log_scope.clone())]
}

fn toggle_container(state: &mut State, i: usize) -> Vec<Effect> {
    if state.logs.show[i] && state.logs.show.iter().filter(|s| **s).count() == 1 {
        flash(state, "at least one container stays shown", false);
        return Vec::new();
    }
    state.logs.show[i] = !state.logs.show[i];
    follow_logs(state)
}

fn toggle_task_scope(state: &mut State) -> Vec<Effect> {
    if state.logs.task.is_some() {
        state.logs.task = None;
        return follow_logs(state);
    }
    let task = if state.screen == Screen::TaskDetail {
        state.detail().map(|t| t.id.clone())
    } else {
        state.selected_task().map(|t| t.id.clone())
    };
    match task {
        Some(id) => {
            state.logs.task = Some(id);
            follow_logs(state)
        }
        None => {
            flash(state, "no task selected", false);
            Vec::new()
        }
    }
}

fn page(state: &State) -> i64 {
    i64::from(state.size.1.saturating_sub(8).max(1))
}

fn move_by(state: &mut State, delta: i64) {
    let step = |v: usize, max: usize| usize::try_from((v as i64 + delta).clamp(0, max as i64)).unwrap_or(0);
    match state.screen {
        Screen::Overview => state.selected = step(state.selected, state.rows().len().saturating_sub(1)),
        Screen::Logs => state.logs.scroll(delta),
        Screen::Events => state.events_scroll = step(state.events_scroll, 10_000),
        Screen::Waf => state.waf_scroll = step(state.waf_scroll, 10_000),
        // The rollout view's events scroll from the newest: up goes back in time.
        Screen::Rollout => {
            let events = state.ops.rollout.as_ref().map_or(0, |w| w.events.len());
            let back = (state.rollout_scroll as i64 - delta).clamp(0, events as i64);
            state.rollout_scroll = usize::try_from(back).unwrap_or(0);
        }
        Screen::Sites => {
            let rows = state.fleet.as_ref().map_or(0, |(_, r)| r.len());
            state.fleet_selected = step(state.fleet_selected, rows.saturating_sub(1));
        }
        Screen::TaskDetail | Screen::Warming => {}
    }
}

fn refresh(state: &State) -> Vec<Effect> {
    match state.screen {
        Screen::Overview => {
            vec![Effect::Refresh(Feed::Service), Effect::Refresh(Feed::Platform), Effect::Refresh(Feed::Waf)]
        }
        Screen::TaskDetail | Screen::Events | Screen::Rollout | Screen::Warming => vec![Effect::Refresh(Feed::Service)],
        Screen::Logs => vec![Effect::Refresh(Feed::Logs)],
        Screen::Waf => vec![Effect::Refresh(Feed::Waf)],
        Screen::Sites => vec![Effect::WatchFleet],
    }
}

/// Carries out one action of the key table (or of a `:` command).
pub(super) fn act(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => {
            state.quit = true;
            return Vec::new();
        }
        Action::Help => state.help = !state.help,
        Action::Command => state.input = Input::Command(String::new()),
        Action::Filter => {
            state.input = Input::Filter(state.logs.filter.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default())
        }
        Action::Search => {
            state.input = Input::Search(state.logs.search.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default())
        }
        Action::Back => match state.back.pop() {
            Some(screen) => state.screen = screen,
            None => state.screen = Screen::Overview,
        },
        Action::Refresh => return refresh(state),
        Action::Up => move_by(state, -1),
        Action::Down => move_by(state, 1),
        Action::PageUp => move_by(state, -page(state)),
        Action::PageDown => move_by(state, page(state)),
        Action::Top => match state.screen {
            Screen::Logs => state.logs.pause_at(usize::try_from(page(state) - 1).unwrap_or(0)),
            _ => move_by(state, -1_000_000),
        },
        Action::Bottom => match state.screen {
            Screen::Logs => state.logs.follow = true,
            _ => move_by(state, 1_000_000),
        },
        Action::OpenTask => {
            let id = state.selected_task().map(|t| t.id.clone());
            if id.is_some() {
                state.detail_task = id;
                go(state, Screen::TaskDetail);
            }
        }
        Action::ShowOverview => go(state, Screen::Overview),
        Action::ShowLogs => go(state, Screen::Logs),
        Action::ShowWaf => go(state, Screen::Waf),
        Action::ShowEvents => go(state, Screen::Events),
        Action::ToggleFollow => state.logs.toggle_follow(),
        Action::ToggleTaskScope => return toggle_task_scope(state),
        Action::ToggleNginx => return toggle_container(state, 0),
        Action::TogglePhpFpm => return toggle_container(state, 1),
        Action::ToggleWarmer => return toggle_container(state, 2),
        Action::SearchNext | Action::SearchPrev => {
            if state.logs.search.is_none() {
                flash(state, "no search yet: press s", false);
            } else if !state.logs.search_step(action == Action::SearchNext) {
                flash(state, "no more hits", false);
            }
        }
        Action::ToggleWrap => state.logs.wrap = !state.logs.wrap,
        Action::ToggleTimestamps => state.logs.timestamps = !state.logs.timestamps,
        Action::Redeploy => return opupdate::ask(state, OpKind::Redeploy),
        Action::Rollback => return opupdate::ask(state, OpKind::Rollback),
        Action::Warm => return opupdate::ask(state, OpKind::Warm),
        Action::ReplaceTask => return opupdate::ask(state, OpKind::ReplaceTask),
        Action::ShowRollout => go(state, Screen::Rollout),
        Action::ShowWarming => go(state, Screen::Warming),
        Action::ShowSites => {
            go(state, Screen::Sites);
            return vec![Effect::WatchFleet];
        }
        Action::OpenSite => {
            let name =
                state.fleet.as_ref().and_then(|(_, rows)| rows.get(state.fleet_selected)).map(|r| r.site.clone());
            if let Some(name) = name.filter(|n| *n != state.site.name) {
                state.quit = true;
                return vec![Effect::OpenSite(name)];
            }
        }
        Action::ShowProgress => {
            let at = |w: &Option<super::opstate::Watch>| w.as_ref().map(|w| w.started_at_ms);
            let screen =
                if at(&state.ops.warming) > at(&state.ops.rollout) { Screen::Warming } else { Screen::Rollout };
            go(state, screen);
        }
    }
    Vec::new()
}
