//! The two phases of an action: a key opens the confirm dialog (asking the runtime for a preview
//! when one is needed); only confirming it — the dialog's keys from the key table, the typed
//! service name on sites that ask for it, and the force key first while a deployment rolls out
//! — emits `Effect::Run`. Read-only sites and a kind already in flight emit nothing. `OpEvent`s
//! fill the dialog and the views. Pure: no IO, no clock.

use std::collections::HashSet;

use crate::app::key::{Key, KeyCode};
use crate::app::keymap::{Action, KeyScope, action_among};
use crate::app::msg::{Effect, Feed};
use crate::app::state::{Screen, State};
use crate::model::{Rewarm, is_control_or_format, sanitize_line, short_td, task_prefix};

use super::dialog::{Dialog, PreviewState, Stage};
use super::watch::{Outcome, RolloutWatch, Run, WarmingWatch};
use super::{Op, OpEvent, OpKind, Preview, already_running};

/// The flash a read-only site answers every action key with.
pub const READ_ONLY_FLASH: &str = "read-only: wpops will not change this site";

/// Longest service name the operator may type.
const MAX_TYPED: usize = 255;

/// True (and says why in the flash) when no action may start: read-only, or one of this kind
/// already running. Checked when the key is pressed and again when the dialog is confirmed.
fn refused(state: &mut State, kind: OpKind) -> bool {
    if state.site.read_only {
        state.flash(READ_ONLY_FLASH, false);
        true
    } else if state.ops.in_flight.contains(&kind) {
        state.flash(already_running(kind), false);
        true
    } else {
        false
    }
}

/// Phase one: an action key. Opens the dialog (and asks for its preview), or says why not.
pub(in crate::app) fn ask(state: &mut State, kind: OpKind) -> Vec<Effect> {
    let task = if state.nav.screen == Screen::TaskDetail { state.detail() } else { state.selected_task() };
    let task_id = task.map(|t| t.id.as_str().to_owned());
    ask_about(state, kind, task_id)
}

/// Phase one of replacing a named task (a finding's `X replaces …`).
pub(in crate::app) fn ask_replace(state: &mut State, task_id: String) -> Vec<Effect> {
    ask_about(state, OpKind::ReplaceTask, Some(task_id))
}

fn ask_about(state: &mut State, kind: OpKind, task_id: Option<String>) -> Vec<Effect> {
    if refused(state, kind) {
        return Vec::new();
    }
    let task_id = if kind == OpKind::ReplaceTask {
        // Acted on as ECS lists it now, whatever window is shown (a window's task may have
        // been running at its end and be long gone).
        let task = task_id.as_deref().and_then(|id| state.live_task(id));
        match task.filter(|t| !t.is_stopped()) {
            Some(t) => Some(t.id.as_str().to_owned()),
            None if !state.window.window.is_live() => {
                state.flash("that task is not running now (the window shows how it stood then; :live)", false);
                return Vec::new();
            }
            None => {
                state.flash("select a running task to replace", false);
                return Vec::new();
            }
        }
    } else {
        None
    };
    state.nav.help = false;
    let needs_preview = matches!(kind, OpKind::Rollback | OpKind::Warm);
    let preview = if needs_preview { PreviewState::Preparing } else { PreviewState::NotNeeded };
    let mut dialog = Dialog::new(kind, task_id, preview);
    if !needs_preview {
        state.ops.dialog = Some(dialog);
        return Vec::new();
    }
    state.ops.last_request += 1;
    dialog.request = state.ops.last_request;
    state.ops.dialog = Some(dialog);
    vec![Effect::Preview { request: state.ops.last_request, kind }]
}

/// Keys while a dialog is open: nothing else reacts to them. Which keys mean what comes from
/// the key table's dialog scope, for the actions the dialog's stage allows.
pub(in crate::app) fn on_dialog_key(state: &mut State, key: Key) -> Vec<Effect> {
    let Some(dialog) = state.ops.dialog.as_ref() else { return Vec::new() };
    let stage = state.dialog_stage(dialog);
    let service = state.site.service.clone();
    let Some(dialog) = state.ops.dialog.as_mut() else { return Vec::new() };
    // The service name is typed into the dialog: every character key is text there.
    if stage == Stage::Typing {
        match key.code {
            KeyCode::Backspace => {
                dialog.typed.pop();
                return Vec::new();
            }
            KeyCode::Char(c) => {
                if !key.ctrl && !key.alt && !is_control_or_format(c) && dialog.typed.chars().count() < MAX_TYPED {
                    dialog.typed.push(c);
                }
                return Vec::new();
            }
            _ => {}
        }
    }
    let action = action_among(KeyScope::Dialog, stage.actions(), key);
    match (stage, action) {
        (_, Some(Action::Cancel | Action::Decline | Action::Dismiss)) => state.ops.dialog = None,
        (Stage::NeedsForce, Some(Action::Force)) => {
            dialog.forced = true;
            dialog.note = None;
        }
        // Confirming, or any other character, while the second confirmation is missing.
        (Stage::NeedsForce, Some(Action::Confirm)) | (Stage::NeedsForce, None)
            if action.is_some() || matches!(key.code, KeyCode::Char(_)) =>
        {
            dialog.note = Some(format!(
                "{confirm} alone does not start it while another deployment rolls out: press {force} first, then \
                 {confirm}",
                confirm = confirm_key(),
                force = crate::app::keymap::label_of(KeyScope::Dialog, Action::Force),
            ));
        }
        (Stage::Typing, Some(Action::SubmitTyped)) => {
            if dialog.typed == service {
                return confirm(state);
            }
            dialog.note = Some(format!("type the service name exactly ({service}), then Enter"));
        }
        (Stage::Ready, Some(Action::Confirm)) => return confirm(state),
        // Enter is "open task" elsewhere: in a ready dialog it says which key confirms.
        (Stage::Ready, Some(Action::SubmitTyped)) => {
            dialog.note = Some(format!("Enter does not confirm: press {} to carry it out", confirm_key()));
        }
        _ => {}
    }
    Vec::new()
}

/// The first key that confirms (`y`), as the notes name it.
fn confirm_key() -> &'static str {
    let label = crate::app::keymap::label_of(KeyScope::Dialog, Action::Confirm);
    label.split('/').next().unwrap_or(label)
}

/// Phase two: the dialog was confirmed. Emits exactly one `Run` per kind in flight.
fn confirm(state: &mut State) -> Vec<Effect> {
    let Some(dialog) = state.ops.dialog.take() else { return Vec::new() };
    let kind = dialog.kind;
    if refused(state, kind) {
        return Vec::new();
    }
    let force = state.needs_force(kind) && dialog.forced;
    let op = match (kind, &dialog.preview) {
        (OpKind::Redeploy, _) => Op::Redeploy { force },
        (OpKind::Rollback, PreviewState::Ready(Preview::Rollback(p))) => Op::Rollback { plan: p.clone(), force },
        (OpKind::Warm, PreviewState::Ready(Preview::Warm(p))) => {
            Op::Warm { register_warmer: p.missing_warmer_image.is_some() }
        }
        (OpKind::ReplaceTask, _) => match dialog.task_id.clone() {
            Some(task_id) => Op::ReplaceTask { task_id },
            None => return Vec::new(),
        },
        // A rollback or warm without its preview cannot be confirmed.
        _ => return Vec::new(),
    };
    state.ops.in_flight.insert(kind);
    let current = state.feeds.service.data.as_ref().map(|s| short_td(&s.service.task_definition).to_string());
    let subject = match (&op, &dialog.preview) {
        (Op::Rollback { .. }, PreviewState::Ready(Preview::Rollback(p))) => {
            format!("{} → {}", short_td(&p.from.task_definition), short_td(&p.to.task_definition))
        }
        (Op::Warm { .. }, PreviewState::Ready(Preview::Warm(p))) => {
            format!("{} ×{}", p.task_definition, p.targets.len())
        }
        (Op::ReplaceTask { task_id }, _) => format!("task {}", task_prefix(task_id)),
        _ => current.unwrap_or_default(),
    };
    let run = Run::new(op.clone(), subject, state.now_ms);
    let screen = match &dialog.preview {
        PreviewState::Ready(Preview::Warm(p)) if kind == OpKind::Warm => {
            state.ops.warming = Some(WarmingWatch::new(run, p.targets.clone()));
            Screen::Warming
        }
        _ => {
            let before: HashSet<String> = state.tasks().iter().map(|t| t.id.as_str().to_owned()).collect();
            state.ops.rollout = Some(RolloutWatch::new(run, before));
            Screen::Rollout
        }
    };
    state.go(screen);
    state.polling_fast = true;
    vec![Effect::Run(op), Effect::PollFast(true), Effect::Refresh(Feed::Service)]
}

/// Progress and outcomes from the runtime.
pub(in crate::app) fn on_event(state: &mut State, event: OpEvent) -> Vec<Effect> {
    state.dirty = true;
    match event {
        OpEvent::Previewed { request, result } => {
            let waiting = |d: &&mut Dialog| d.preview == PreviewState::Preparing && d.request == request;
            if let Some(d) = state.ops.dialog.as_mut().filter(waiting) {
                d.preview = match result {
                    Ok(p) if preview_fits(d.kind, &p) => PreviewState::Ready(p),
                    Ok(_) => d.preview.clone(),
                    Err(e) => PreviewState::Failed(sanitize_line(&e.to_string())),
                };
            }
        }
        OpEvent::Started { kind, ids } => {
            if matches!(kind, OpKind::Redeploy | OpKind::Rollback) {
                state.ops.started_deployments.extend(ids.iter().cloned());
            }
            if let Some(run) = state.ops.run_mut(kind) {
                run.ids = ids;
            }
        }
        OpEvent::Rollout { elapsed_ms, new_events } => {
            if let Some(w) = state.ops.rollout.as_mut().filter(|w| w.run.outcome.is_none()) {
                w.reported_elapsed_ms = Some(elapsed_ms);
                w.add_events(new_events);
            }
        }
        OpEvent::Warmed(line) => {
            // The task's warm state is the newest of its in-task warmer and this re-warm.
            let rewarm = Rewarm { outcome: line.outcome.clone(), elapsed_ms: line.elapsed_ms, at_ms: state.now_ms };
            state.ops.rewarmed.insert(line.task_id.clone(), rewarm);
            if let Some(w) = state.ops.warming.as_mut() {
                w.warm_lines.push(line);
            }
        }
        OpEvent::Refused { kind, reason } => {
            end(state, kind, Outcome { ok: false, summary: reason.clone(), refused: true });
            state.flash(format!("{} refused: {reason}", kind.label()), true);
            return poll_after_end(state);
        }
        OpEvent::Finished { kind, ok, summary } => {
            end(state, kind, Outcome { ok, summary: summary.clone(), refused: false });
            let shown = matches!(
                (kind, state.nav.screen),
                (OpKind::Warm, Screen::Warming)
                    | (OpKind::Redeploy | OpKind::Rollback | OpKind::ReplaceTask, Screen::Rollout)
            );
            if !shown {
                state.flash(format!("{} finished: {summary}", kind.label()), !ok);
            }
            return poll_after_end(state);
        }
    }
    Vec::new()
}

fn preview_fits(kind: OpKind, preview: &Preview) -> bool {
    matches!((kind, preview), (OpKind::Rollback, Preview::Rollback(_)) | (OpKind::Warm, Preview::Warm(_)))
}

fn end(state: &mut State, kind: OpKind, outcome: Outcome) {
    state.ops.in_flight.remove(&kind);
    let now = state.now_ms;
    if let Some(run) = state.ops.run_mut(kind).filter(|r| r.outcome.is_none()) {
        run.outcome = Some(outcome);
        run.ended_at_ms = Some(now);
    }
}

/// Slow polling again once nothing is in flight and no rollout is under way.
fn poll_after_end(state: &mut State) -> Vec<Effect> {
    let rolling = state.feeds.service.data.as_ref().is_some_and(|s| s.service.rollout_in_progress());
    if state.polling_fast && state.ops.in_flight.is_empty() && !rolling {
        state.polling_fast = false;
        return vec![Effect::PollFast(false)];
    }
    Vec::new()
}
