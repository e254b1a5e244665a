//! The `wpops` binary as operators and scripts run it, against the in-process simulator: the
//! scripting commands (status, logs, waf, audit, fleet, config, the actions and their interruption by
//! signals), their fault drills, and the console in a real pseudo-terminal. `util` runs the binary, `pty` runs it in a pty (both
//! need `CARGO_BIN_EXE_wpops`, which cargo sets only for this package's tests).

mod pty;
mod util;

mod actions;
mod audit;
mod concurrent;
mod config;
mod console;
mod drill;
mod fleet;
mod interrupted;
mod log_file;
mod logs;
mod output;
mod pty_console;
mod report;
mod status;
mod waf;
mod windows;
