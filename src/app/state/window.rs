//! The console's time window: live (the default) or a fixed range in the past, how times read
//! (the operator's zone or UTC), what was read over the window (its report, metrics, WAF and
//! events: `WindowFacts`), how far its log lines have loaded, the live log view kept aside
//! while a window is shown, and the timeline's selection. No IO, no clock.

use super::logview::LogView;
use super::panel::Panel;
use crate::model::WafSnapshot;
use crate::model::window::{Clock, TimeWindow, WindowFacts, WindowProgress};
use crate::model::{FetchError, LogRing};

/// How far back the timeline and the deployment history reach while live.
pub const LIVE_HISTORY_MS: i64 = 3 * 3_600_000;
/// A live history older than this is read again when its screen opens.
pub const LIVE_HISTORY_STALE_MS: i64 = 60_000;
/// The byte budget of a window's log view (as the live one's).
pub const WINDOW_RING_BYTES: usize = crate::model::DEFAULT_RING_BYTES;

/// What the window read delivered, for the generation asked.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum WindowRead {
    /// Nothing asked yet (live, before the timeline or the events were opened).
    #[default]
    None,
    Loading,
    Read(Box<WindowFacts>),
    Failed(FetchError),
}

/// The window and what was read over it.
#[derive(Debug, Clone, Default)]
pub struct WindowView {
    pub window: TimeWindow,
    pub clock: Clock,
    /// Bumped on every new read; results of an older one are dropped.
    pub generation: u64,
    pub read: WindowRead,
    /// When the read was asked for (a live history ages).
    pub read_at_ms: Option<i64>,
    /// The window's lines: how far they have loaded, and why they stopped.
    pub progress: Option<WindowProgress>,
    pub logs_error: Option<FetchError>,
    /// The live log view, still fed by the tail, while a fixed window is shown in its place.
    pub live_logs: Option<LogView>,
    /// The timeline's selected entry.
    pub selected: usize,
    /// The WAF's picture over a fixed window, as the WAF panels show it.
    pub waf: Option<Panel<WafSnapshot>>,
    /// Lines and pages of the window's earlier loads (before it was reached back further).
    pub earlier: (u64, u64),
}

impl WindowView {
    /// The facts read, if any.
    pub fn facts(&self) -> Option<&WindowFacts> {
        match &self.read {
            WindowRead::Read(f) => Some(f),
            _ => None,
        }
    }

    /// Lines and FilterLogEvents pages loaded for the window so far.
    pub fn loaded(&self) -> (u64, u64) {
        let (lines, pages) = self.progress.map_or((0, 0), |p| (p.lines, p.pages));
        (self.earlier.0 + lines, self.earlier.1 + pages)
    }

    /// The lines of a fixed window are still loading.
    pub fn logs_loading(&self) -> bool {
        !self.window.is_live() && self.logs_error.is_none() && self.progress.is_none_or(|p| !p.done)
    }
}

/// The WAF panel of a window's read: its picture, or why there is none.
pub fn waf_panel(facts: &WindowFacts, at_ms: i64) -> Panel<WafSnapshot> {
    let mut panel = Panel::of(crate::app::Feed::Waf);
    match &facts.waf {
        Ok(Some(w)) => panel.set(at_ms, w.clone()),
        Ok(None) => panel.fail(window_error("no web ACL on the load balancer")),
        Err(e) => panel.fail(window_error(e)),
    }
    panel
}

fn window_error(message: &str) -> FetchError {
    FetchError {
        kind: crate::model::FetchErrorKind::Other,
        operation: "the window's WAF".to_owned(),
        message: message.to_owned(),
        hint: String::new(),
    }
}

/// A log view for a window's lines, with the live view's settings (shown containers, task,
/// filter, search, wrap, timestamps) and an empty ring.
pub fn window_log_view(live: &LogView) -> LogView {
    let mut view = LogView::new(LogRing::new(WINDOW_RING_BYTES));
    view.copy_settings(live);
    view
}
