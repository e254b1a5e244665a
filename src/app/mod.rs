//! The console's brain: `State`, `Msg`, `Effect`, the key table and a pure
//! `update(&mut State, Msg) -> Vec<Effect>` — no `.await`, no IO, time passed in. It imports
//! only `model` (and `regex` for the log filter).
//!
//! - `key`, `keymap`: the app's key type and the key table (every scope, dialogs included);
//!   `help`: what the help overlay lists, from the key table, scrolled and searched by entry.
//! - `msg`: the channel's vocabulary, `Msg` in and `Effect` out.
//! - `state/`: `State` grouped by meaning, `Panel<T>`, the log view, the dialog's wording.
//! - `update/`: the reducer: feed results, key dispatch, the typed line, navigation, the log scope.
//! - `ops/`: the operator's actions: their vocabulary, the dialog, the watches, their two phases.

pub mod help;
pub mod key;
pub mod keymap;
pub mod msg;
pub mod ops;
pub mod state;
mod update;

pub use key::{Key, KeyCode};
pub use keymap::{Action, BINDINGS, Binding, COMMANDS, Command, KeyScope};
pub use msg::{Effect, Feed, LogScope, Msg, SiteInfo, WindowLogLoad};
pub use ops::update::READ_ONLY_FLASH;
pub use ops::{
    Dialog, Op, OpEvent, OpKind, OpsState, Outcome, Preview, PreviewState, RolloutWatch, Run, WarmLine, WarmPreview,
    WarmingWatch,
};
pub use state::{
    Flash, FleetView, Input, LogView, Nav, Panel, Rolling, Row, STALE_AFTER_MS, Screen, Scroll, State, TaskSort,
    WindowRead, WindowView,
};
pub use update::{start, update};
