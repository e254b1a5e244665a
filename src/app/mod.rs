//! The console's brain: `State`, `Msg`, `Effect`, the key table and a pure
//! `update(&mut State, Msg) -> Vec<Effect>` — no `.await`, no IO, time passed in. It imports
//! only `model` (and `regex` for the log filter).

mod actions;
pub mod key;
pub mod keymap;
pub mod logview;
pub mod msg;
pub mod ops;
pub mod opstate;
mod opupdate;
pub mod state;
mod update;

#[cfg(test)]
mod optests;
#[cfg(test)]
mod tests;

pub use key::{Key, KeyCode};
pub use keymap::{Action, BINDINGS, Binding, COMMANDS, KeyScope};
pub use logview::LogView;
pub use msg::{Effect, Feed, LogScope, Msg, SiteInfo};
pub use ops::{Op, OpEvent, OpKind, Preview, WarmLine, WarmPreview};
pub use opstate::{Dialog, OpsState, Outcome, PreviewState, Rolling, Watch};
pub use opupdate::READ_ONLY_FLASH;
pub use state::{Flash, Input, Panel, Row, STALE_AFTER_MS, Screen, State};
pub use update::update;
