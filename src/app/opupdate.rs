//! The two phases of an action: a key opens the confirm dialog (asking the runtime for a preview
//! when one is needed); only confirming it — `y`/Enter, the typed service name on sites that
//! ask for it, and `F` first while a deployment rolls out — emits `Effect::Run`. Read-only
//! sites and a kind already in flight emit nothing. `OpEvent`s fill the dialog and the views.
//! Pure: no IO, no clock.

use std::collections::HashSet;

use crate::model::is_control_or_format;

use super::key::{Key, KeyCode};
use super::msg::{Effect, Feed};
use super::ops::{Op, OpEvent, OpKind, Preview};
use super::opstate::{Dialog, MAX_WATCH_EVENTS, Outcome, PreviewState, Watch, already_running};
use super::state::{Flash, Screen, State};
use crate::model::short_td;

/// The flash a read-only site answers every action key with.
pub const READ_ONLY_FLASH: &str = "read-only: wpops will not change this site";

/// Longest service name the operator may type.
const MAX_TYPED: usize = 255;

fn flash(state: &mut State, text: impl Into<String>, error: bool) {
    state.flash = Some(Flash { text: crate::model::sanitize_line(&text.into()), error });
}

/// True (and says why in the flash) when no action may start: read-only, or one of this kind
/// already running. Checked when the key is pressed and again when the dialog is confirmed.
fn refused(state: &mut State, kind: OpKind) -> bool {
    if state.site.read_only {
        flash(state, READ_ONLY_FLASH, false);
        true
    } else if state.ops.in_flight.contains(&kind) {
        flash(state, already_running(kind), false);
        true
    } else {
        false
    }
}

/// Phase one: an action key. Opens the dialog (and asks for its preview), or says why not.
pub(super) fn ask(state: &mut State, kind: OpKind) -> Vec<Effect> {
    if refused(state, kind) {
        return Vec::new();
    }
    let task_id = if kind == OpKind::ReplaceTask {
        let task = if state.screen == Screen::TaskDetail { state.detail() } else { state.selected_task() };
        match task.filter(|t| !t.is_stopped()) {
            Some(t) => Some(t.id.clone()),
            None => {
                flash(state, "select a running task to replace", false);
                return Vec::new();
            }
        }
    } else {
        None
    };
    state.help = false;
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

/// Keys while a dialog is open: nothing else reacts to them.
pub(super) fn on_dialog_key(state: &mut State, key: Key) -> Vec<Effect> {
    let Some(dialog) = state.ops.dialog.as_ref() else { return Vec::new() };
    let closing_only = matches!(dialog.preview, PreviewState::Failed(_)) || warm_without_targets(&dialog.preview);
    if key.code == KeyCode::Esc || (closing_only && matches!(key.code, KeyCode::Enter | KeyCode::Char('n' | 'q'))) {
        state.ops.dialog = None;
        return Vec::new();
    }
    if closing_only || dialog.preview == PreviewState::Preparing {
        return Vec::new();
    }
    let needs_force = state.needs_force(dialog.kind);
    let Some(dialog) = state.ops.dialog.as_mut() else { return Vec::new() };
    if needs_force && !dialog.forced {
        if key.code == KeyCode::Char('F') {
            dialog.forced = true;
            dialog.note = None;
        } else if matches!(key.code, KeyCode::Char('n')) {
            state.ops.dialog = None;
        } else if matches!(key.code, KeyCode::Enter | KeyCode::Char(_)) {
            dialog.note =
                Some("y alone does not start it while another deployment rolls out: press F first, then y".into());
        }
        return Vec::new();
    }
    if state.site.confirm_by_typing {
        match key.code {
            KeyCode::Backspace => {
                dialog.typed.pop();
            }
            KeyCode::Char(c)
                if !key.ctrl && !key.alt && !is_control_or_format(c) && dialog.typed.chars().count() < MAX_TYPED =>
            {
                dialog.typed.push(c);
            }
            KeyCode::Enter => {
                if dialog.typed == state.site.service {
                    return confirm(state);
                }
                dialog.note = Some(format!("type the service name exactly ({}), then Enter", state.site.service));
            }
            _ => {}
        }
        return Vec::new();
    }
    match key.code {
        KeyCode::Char('y') | KeyCode::Enter => confirm(state),
        KeyCode::Char('n') => {
            state.ops.dialog = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn warm_without_targets(preview: &PreviewState) -> bool {
    matches!(preview, PreviewState::Ready(Preview::Warm(p)) if p.targets.is_empty())
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
    let before: HashSet<String> = state.tasks().iter().map(|t| t.id.clone()).collect();
    let mut watch = Watch::new(op.clone(), state.now_ms, before);
    let current = state.service.data.as_ref().map(|s| short_td(&s.service.task_definition).to_string());
    watch.subject = match (&op, &dialog.preview) {
        (Op::Rollback { .. }, PreviewState::Ready(Preview::Rollback(p))) => {
            format!("{} → {}", short_td(&p.from.task_definition), short_td(&p.to.task_definition))
        }
        (Op::Warm { .. }, PreviewState::Ready(Preview::Warm(p))) => {
            watch.targets = p.targets.clone();
            format!("{} ×{}", p.task_definition, p.targets.len())
        }
        (Op::ReplaceTask { task_id }, _) => format!("task {task_id}"),
        _ => current.unwrap_or_default(),
    };
    let screen = if kind == OpKind::Warm {
        state.ops.warming = Some(watch);
        Screen::Warming
    } else {
        state.ops.rollout = Some(watch);
        Screen::Rollout
    };
    super::actions::go(state, screen);
    state.polling_fast = true;
    vec![Effect::Run(op), Effect::PollFast(true), Effect::Refresh(Feed::Service)]
}

/// Progress and outcomes from the runtime.
pub(super) fn on_event(state: &mut State, event: OpEvent) -> Vec<Effect> {
    state.dirty = true;
    match event {
        OpEvent::Previewed { request, result } => {
            let waiting = |d: &&mut Dialog| d.preview == PreviewState::Preparing && d.request == request;
            if let Some(d) = state.ops.dialog.as_mut().filter(waiting) {
                d.preview = match result {
                    Ok(p) if preview_fits(d.kind, &p) => PreviewState::Ready(p),
                    Ok(_) => d.preview.clone(),
                    Err(e) => PreviewState::Failed(crate::model::sanitize_line(&e.to_string())),
                };
            }
        }
        OpEvent::Started { kind, ids } => {
            if matches!(kind, OpKind::Redeploy | OpKind::Rollback) {
                state.ops.started_deployments.extend(ids.iter().cloned());
            }
            if let Some(w) = watch_of(state, kind) {
                w.ids = ids;
            }
        }
        OpEvent::Rollout { elapsed_ms, new_events } => {
            if let Some(w) = state.ops.rollout.as_mut().filter(|w| w.outcome.is_none()) {
                w.reported_elapsed_ms = Some(elapsed_ms);
                for e in new_events {
                    if !w.events.iter().any(|old| old.id == e.id) {
                        w.events.push(e);
                    }
                }
                let extra = w.events.len().saturating_sub(MAX_WATCH_EVENTS);
                w.events.drain(..extra);
            }
        }
        OpEvent::Warmed(line) => {
            if let Some(w) = state.ops.warming.as_mut() {
                w.warm_lines.push(line);
            }
        }
        OpEvent::Refused { kind, reason } => {
            end(state, kind, Outcome { ok: false, summary: reason.clone(), refused: true });
            flash(state, format!("{} refused: {reason}", kind.label()), true);
            return poll_after_end(state);
        }
        OpEvent::Finished { kind, ok, summary } => {
            end(state, kind, Outcome { ok, summary: summary.clone(), refused: false });
            let shown = matches!(
                (kind, state.screen),
                (OpKind::Warm, Screen::Warming)
                    | (OpKind::Redeploy | OpKind::Rollback | OpKind::ReplaceTask, Screen::Rollout)
            );
            if !shown {
                flash(state, format!("{} finished: {summary}", kind.label()), !ok);
            }
            return poll_after_end(state);
        }
    }
    Vec::new()
}

fn preview_fits(kind: OpKind, preview: &Preview) -> bool {
    matches!((kind, preview), (OpKind::Rollback, Preview::Rollback(_)) | (OpKind::Warm, Preview::Warm(_)))
}

fn watch_of(state: &mut State, kind: OpKind) -> Option<&mut Watch> {
    let w = if kind == OpKind::Warm { state.ops.warming.as_mut() } else { state.ops.rollout.as_mut() };
    w.filter(|w| w.op.kind() == kind)
}

fn end(state: &mut State, kind: OpKind, outcome: Outcome) {
    state.ops.in_flight.remove(&kind);
    let now = state.now_ms;
    if let Some(w) = watch_of(state, kind).filter(|w| w.outcome.is_none()) {
        w.outcome = Some(outcome);
        w.ended_at_ms = Some(now);
    }
}

/// Slow polling again once nothing is in flight and no rollout is under way.
fn poll_after_end(state: &mut State) -> Vec<Effect> {
    let rolling = state.service.data.as_ref().is_some_and(|s| s.service.rollout_in_progress());
    if state.polling_fast && state.ops.in_flight.is_empty() && !rolling {
        state.polling_fast = false;
        return vec![Effect::PollFast(false)];
    }
    Vec::new()
}
