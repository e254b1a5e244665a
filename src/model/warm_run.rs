//! A re-run of warming as data: the tasks it aims at, how warming each one ended, and the run's
//! summary — shared by the console's warm view and `wpops warm`, each line written here once.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::task_prefix;
use super::warm::{WarmReport, report_counts};

/// One task to warm: the one-off warmer calls `url` on the task's private IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarmTarget {
    pub task_id: String,
    pub ip: String,
    pub url: String,
}

/// How warming one target ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum WarmOutcome {
    Warmed {
        report: WarmReport,
    },
    ReportedFailures {
        report: WarmReport,
    },
    /// Exited 0 but wrote no report.
    NoReport,
    Failed {
        exit_code: Option<i32>,
        reason: String,
    },
    TimedOut,
}

impl WarmOutcome {
    pub fn ok(&self) -> bool {
        matches!(self, WarmOutcome::Warmed { .. })
    }

    /// The console's one-line result: `1,834 ok · 0 unchanged · 0 failed · 9.8s`.
    pub fn brief(&self, elapsed_ms: u64) -> String {
        let secs = elapsed_ms as f64 / 1000.0;
        match self {
            WarmOutcome::Warmed { report } | WarmOutcome::ReportedFailures { report } => {
                format!("{} · {secs:.1}s", report_counts(report))
            }
            WarmOutcome::NoReport => "exited 0 but wrote no report".into(),
            WarmOutcome::Failed { reason, .. } => reason.clone(),
            WarmOutcome::TimedOut => "still running when the wait ended".into(),
        }
    }
}

/// The long form `wpops warm` prints: `ok · success 1834 · failure 0 · no_change 0 · total 1834`.
impl fmt::Display for WarmOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WarmOutcome::Warmed { report } => write!(
                f,
                "ok · success {} · failure 0 · no_change {} · total {}",
                report.success, report.no_change, report.total
            ),
            WarmOutcome::ReportedFailures { report } => {
                write!(f, "FAILED · {} of {} files failed to compile", report.failure, report.total)
            }
            WarmOutcome::NoReport => f.write_str("FAILED · exited 0 but wrote no report"),
            WarmOutcome::Failed { reason, .. } => write!(f, "FAILED · {reason}"),
            WarmOutcome::TimedOut => f.write_str("FAILED · still running when the wait ended"),
        }
    }
}

/// One target's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarmResult {
    pub target: WarmTarget,
    pub run_task_arn: String,
    pub outcome: WarmOutcome,
    pub elapsed_ms: u64,
}

/// The newest re-run of warming aimed at one task, as its warm state remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rewarm {
    pub outcome: WarmOutcome,
    /// How long the one-off warmer took.
    pub elapsed_ms: u64,
    /// When its result arrived.
    pub at_ms: i64,
}

/// A whole run's outcome: `3 tasks warmed`, or `1 of 3 tasks failed to warm: 8b41d07a`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmRunSummary {
    pub targets: usize,
    /// Task ids of the targets that did not warm.
    pub failed: Vec<String>,
}

impl WarmRunSummary {
    pub fn of(results: &[WarmResult]) -> WarmRunSummary {
        WarmRunSummary {
            targets: results.len(),
            failed: results.iter().filter(|r| !r.outcome.ok()).map(|r| r.target.task_id.clone()).collect(),
        }
    }

    pub fn ok(&self) -> bool {
        self.failed.is_empty()
    }
}

impl fmt::Display for WarmRunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.failed.is_empty() {
            return write!(f, "{} tasks warmed", self.targets);
        }
        let names: Vec<&str> = self.failed.iter().map(|t| task_prefix(t)).collect();
        write!(f, "{} of {} tasks failed to warm: {}", self.failed.len(), self.targets, names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, outcome: WarmOutcome) -> WarmResult {
        let target = WarmTarget { task_id: id.into(), ip: "10.0.1.2".into(), url: "http://10.0.1.2/w.php".into() };
        WarmResult { target, run_task_arn: format!("arn:…/{id}"), outcome, elapsed_ms: 9_800 }
    }

    #[test]
    fn lines_and_summaries() {
        let r = WarmReport { success: 1834, failure: 0, no_change: 0, total: 1834 };
        assert_eq!(WarmOutcome::Warmed { report: r }.brief(9_800), "1,834 ok · 0 unchanged · 0 failed · 9.8s");
        let unchanged = WarmReport { success: 0, no_change: 1834, ..r };
        assert_eq!(
            WarmOutcome::Warmed { report: unchanged }.brief(22_000),
            "0 ok · 1,834 unchanged · 0 failed · 22.0s"
        );
        let bad = WarmReport { success: 0, failure: 44, no_change: 1790, total: 1834 };
        assert_eq!(
            WarmOutcome::ReportedFailures { report: bad }.brief(20_500),
            "0 ok · 1,790 unchanged · 44 FAILED · 20.5s"
        );
        assert_eq!(
            WarmOutcome::Warmed { report: r }.to_string(),
            "ok · success 1834 · failure 0 · no_change 0 · total 1834"
        );
        let ok = [result("3f2a9c1e0000", WarmOutcome::Warmed { report: r })];
        assert_eq!(WarmRunSummary::of(&ok).to_string(), "1 tasks warmed");
        let mixed = [ok[0].clone(), result("8b41d07a1111", WarmOutcome::TimedOut)];
        let s = WarmRunSummary::of(&mixed);
        assert!(!s.ok());
        assert_eq!(s.to_string(), "1 of 2 tasks failed to warm: 8b41d07a");
    }
}
