//! Where the search for a task's in-task warm report stands when no report was found: still
//! looking, not found after covering the warmer's whole run, or the log could not be read —
//! and `WarmEvidence`, everything besides ECS that a task's warm state is judged on (the report,
//! the lookup, the newest re-warm). Pure: times are passed in; the lookup itself is `feed/warm.rs`.

use serde::{Deserialize, Serialize};

use super::FoundReport;
use crate::model::platform::FetchErrorKind;
use crate::model::warm_run::Rewarm;

/// How long after a warmer was seen stopped its report may still be on its way into the log
/// (CloudWatch ingestion): a lookup made earlier has not covered the warmer's whole run.
pub const REPORT_GRACE_MS: i64 = 15_000;

/// A task's report lookup when no report has been found (a found one is a [`FoundReport`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReportLookup {
    /// Not looked for yet, or looked for before the lookup could cover the warmer's whole run.
    Looking,
    /// A lookup that covered the warmer's whole run found no report line.
    NotFound,
    /// The last read of the warmer's log failed; it is tried again at `retry_at_ms` (`None`:
    /// a one-shot read such as `wpops status`).
    Unreadable { kind: FetchErrorKind, retry_at_ms: Option<i64> },
}

/// What a lookup that found nothing means: "not found" only when it read every page and was
/// made at least [`REPORT_GRACE_MS`] after `stopped_by_ms` (by when the warmer had stopped).
pub fn lookup_after_miss(stopped_by_ms: i64, looked_at_ms: i64, read_every_page: bool) -> ReportLookup {
    if read_every_page && looked_at_ms >= stopped_by_ms.saturating_add(REPORT_GRACE_MS) {
        ReportLookup::NotFound
    } else {
        ReportLookup::Looking
    }
}

/// `throttled`, `access denied`… — the error word in "couldn't read the report (throttled, …)".
pub fn fetch_error_word(kind: FetchErrorKind) -> &'static str {
    match kind {
        FetchErrorKind::Throttled => "throttled",
        FetchErrorKind::AccessDenied => "access denied",
        FetchErrorKind::NotFound => "log group not found",
        FetchErrorKind::Credentials => "no credentials",
        FetchErrorKind::Network => "network error",
        FetchErrorKind::Other => "AWS error",
    }
}

/// Everything besides ECS that a task's warm state is judged on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarmEvidence<'a> {
    /// The in-task warmer's report, when found.
    pub report: Option<&'a FoundReport>,
    /// Where the lookup stands when no report was found (`None`: not looked for yet).
    pub lookup: Option<&'a ReportLookup>,
    /// The newest re-run of warming aimed at the task, if any.
    pub rewarm: Option<&'a Rewarm>,
}
