//! The console's screens without a terminal, from constructed states at a fixed time: insta
//! snapshots of every screen (`screens`, `sites`, and at 80×24, 100×30 and 200×50 `sizes`; the
//! `.snap` files are in `snapshots/`) and
//! every screen drawn at any size without panicking (`any_size`, proptest).
//!
//! One of the four test binaries (console, sim, e2e, cli): each is a folder whose `main.rs`
//! declares its modules, and the fixtures they share come from the `wpops-fixtures` crate.

mod any_size;
mod screens;
mod sites;
mod sizes;
