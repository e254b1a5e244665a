//! Fixtures for the console's tests: realistic services, tasks, warm reports, logs, WAF and
//! platform numbers for a healthy morning and for an incident, at a fixed time (no clock).
#![allow(dead_code)]

mod ecs;
mod insight;
mod logs;
pub mod ops;
mod states;

#[allow(unused_imports)] // used by some of the crates that include this module (tests, benches)
pub use ecs::running;
#[allow(unused_imports)]
pub use insight::{platform, waf};
#[allow(unused_imports)]
pub use logs::log_lines;
#[allow(unused_imports)]
pub use states::{errors, healthy, incident};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wpops::app::{Msg, SiteInfo, State, update};
use wpops::model::{FetchError, FetchErrorKind};

/// 2025-11-28 14:02:11 UTC.
pub const NOW: i64 = 1_764_338_531_000;
pub const MIN: i64 = 60_000;

pub fn site() -> SiteInfo {
    SiteInfo {
        name: "corp-blog".into(),
        region: "ap-northeast-1".into(),
        cluster: "wp-prod".into(),
        service: "wordpress".into(),
        profile: None,
        read_only: false,
        demo: false,
        warm_limit_ms: 120_000,
        confirm_by_typing: false,
    }
}

pub fn fetch_error(operation: &str, kind: FetchErrorKind, message: &str, hint: &str) -> FetchError {
    FetchError { kind, operation: operation.into(), message: message.into(), hint: hint.into() }
}

/// Feeds a state with messages as the runtime would.
pub fn feed(state: &mut State, msgs: Vec<Msg>) {
    for m in msgs {
        update(state, m);
    }
}

pub const T1: &str = "3f2a9c1e5b7d4e0f8a9b1c2d3e4f5a6b";
pub const T2: &str = "8b41d07a2c3e4f5061728394a5b6c7d8";
pub const T3: &str = "c91e44f0aa12bb34cc56dd78ee90ff12";
pub const T4: &str = "e2d7a9b13c4f5e6d7c8b9a0f1e2d3c4b";

/// The buffer as text, one line per row, trailing spaces trimmed.
pub fn draw(state: &State, width: u16, height: u16) -> String {
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    let _ = terminal.draw(|f| wpops::ui::render(state, f));
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut row = String::new();
        for x in 0..buffer.area.width {
            row.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}
