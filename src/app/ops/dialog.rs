//! The confirm dialog of one action (phase one of two: nothing runs until it is confirmed): its
//! preview, the second confirmation a foreign deployment needs, the typed service name, and
//! which keys it answers to in each stage. Plain data; the keys' effects are `update`'s job and
//! the words it shows are `State`'s (`state/confirm.rs`). No IO, no clock.

use super::{OpKind, Preview};
use crate::app::keymap::Action;

/// Where a dialog's preview stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewState {
    /// Redeploy and replace need none.
    NotNeeded,
    /// `Effect::Preview` was sent; the answer has not arrived.
    Preparing,
    Ready(Preview),
    /// The preview could not be made: the dialog can only be closed.
    Failed(String),
}

/// The confirm dialog of one action (phase one of two: nothing runs until it is confirmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub kind: OpKind,
    /// The task a replace stops.
    pub task_id: Option<String>,
    pub preview: PreviewState,
    /// The operator gave the second confirmation a deployment in progress needs (`F`).
    pub forced: bool,
    /// The service name typed so far (sites with `confirm_by_typing`).
    pub typed: String,
    /// Why the last confirm did not go through ("type the service name exactly…").
    pub note: Option<String>,
    /// The id of the preview request this dialog waits for (answers to others are dropped).
    pub request: u64,
}

impl Dialog {
    pub fn new(kind: OpKind, task_id: Option<String>, preview: PreviewState) -> Dialog {
        Dialog { kind, task_id, preview, forced: false, typed: String::new(), note: None, request: 0 }
    }

    /// Nothing can be confirmed: the preview failed, or a warm has no target.
    pub fn can_only_close(&self) -> bool {
        match &self.preview {
            PreviewState::Failed(_) => true,
            PreviewState::Ready(Preview::Warm(p)) => p.targets.is_empty(),
            _ => false,
        }
    }
}

/// Where an open dialog stands, which decides the keys it answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The preview failed or there is nothing to do: it can only be closed.
    CloseOnly,
    /// Waiting for the preview: only cancelling.
    Preparing,
    /// A deployment rolls out and `F` was not given yet.
    NeedsForce,
    /// The site asks for the service name to be typed.
    Typing,
    /// Ready to confirm.
    Ready,
}

impl Stage {
    /// The dialog key table's actions this stage answers to, in the order keys are looked up.
    pub fn actions(self) -> &'static [Action] {
        match self {
            Stage::CloseOnly => &[Action::Cancel, Action::Decline, Action::Dismiss],
            Stage::Preparing => &[Action::Cancel],
            Stage::NeedsForce => &[Action::Cancel, Action::Decline, Action::Force, Action::Confirm],
            Stage::Typing => &[Action::Cancel, Action::SubmitTyped],
            Stage::Ready => &[Action::Cancel, Action::Decline, Action::Confirm, Action::SubmitTyped],
        }
    }
}
