//! The console's brain: `State`, `Msg`, `Effect`, the key table and a pure
//! `update(&mut State, Msg) -> Vec<Effect>` — no `.await`, no IO, time passed in. It imports
//! only `model`.

pub mod key;
pub mod msg;

pub use key::{Key, KeyCode};
pub use msg::{Effect, Feed, FoundReport, LogScope, Msg, ServiceSnapshot, SiteInfo};
