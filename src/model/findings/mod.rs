//! Findings: what is wrong with a site, or how it is built against the practices it was built
//! on, in one shape. A finding has a stable id, a severity, a title in the operator's words,
//! its evidence (numbers, times, task ids, the rule or control it comes from) and what to do:
//! a wpops action and its key where one fits, else a concrete change. Rules are small pure
//! functions of what the reader already fetched (`runtime.rs` for the running service,
//! `posture.rs` for how it is built), each with its thresholds named as constants.

use serde::{Deserialize, Serialize};

mod runtime;
mod signals;

pub use runtime::{Assessment, RuntimeInputs, assess};
pub use signals::{LogSignals, SIGNAL_WINDOW_MS, SLOW_REQUEST_MS, TaskCounts};

/// How bad a finding is, worst first when sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// Critical and high findings fail `wpops status` and `wpops audit` (exit 1).
    pub fn fails(self) -> bool {
        matches!(self, Severity::Critical | Severity::High)
    }
}

/// Which family a finding belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The running service: tasks, warmers, logs, metrics, WAF traffic.
    Runtime,
    /// How the service is built: task definition, web ACL, images (`wpops audit`).
    Posture,
}

/// A wpops action a finding suggests; it opens that action's normal confirmation, never runs
/// by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingAction {
    /// `X`: replace one task.
    Replace { task_id: String },
    /// `W`: re-run warming.
    Warm,
    /// `B`: roll back to the given task definition (`family:revision`).
    Rollback { to: String },
    /// `R`: force a new deployment.
    Redeploy,
}

impl FindingAction {
    /// The console key that opens it.
    pub fn key(&self) -> char {
        match self {
            FindingAction::Replace { .. } => 'X',
            FindingAction::Warm => 'W',
            FindingAction::Rollback { .. } => 'B',
            FindingAction::Redeploy => 'R',
        }
    }

    /// `X replaces 44bc807d`, `W re-runs warming`, `B rolls back to wordpress:41`.
    pub fn describe(&self) -> String {
        match self {
            FindingAction::Replace { task_id } => format!("X replaces {}", super::ids::task_prefix(task_id)),
            FindingAction::Warm => "W re-runs warming".to_owned(),
            FindingAction::Rollback { to } if to.is_empty() => "B rolls back to the last completed revision".to_owned(),
            FindingAction::Rollback { to } => format!("B rolls back to {to}"),
            FindingAction::Redeploy => "R forces a new deployment".to_owned(),
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id (`efs_io_limit`, `warmer_exit`, `ecs_readonly_root`…); with `subject`
    /// it identifies the finding across refreshes.
    pub id: String,
    /// What it is about when the rule fires per thing: a task id, a container, a rule group.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subject: Option<String>,
    pub kind: FindingKind,
    pub severity: Severity,
    /// In the operator's words: `EFS at its I/O limit for 25 min`.
    pub title: String,
    /// Numbers, times, task ids behind it, one fact a line.
    pub evidence: Vec<String>,
    /// The AWS Security Hub control or Trivy check it comes from (`ECS.5`, `AVD-AWS-0035`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub control: Option<String>,
    /// The wpops action to take, where one fits.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub action: Option<FindingAction>,
    /// Otherwise (or as well) the change to make: the task-definition field, the WAF rule.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub change: Option<String>,
}

impl Finding {
    pub fn new(id: &str, kind: FindingKind, severity: Severity, title: impl Into<String>) -> Finding {
        Finding {
            id: id.to_owned(),
            subject: None,
            kind,
            severity,
            title: title.into(),
            evidence: Vec::new(),
            control: None,
            action: None,
            change: None,
        }
    }

    pub fn runtime(id: &str, severity: Severity, title: impl Into<String>) -> Finding {
        Finding::new(id, FindingKind::Runtime, severity, title)
    }

    pub fn posture(id: &str, severity: Severity, title: impl Into<String>) -> Finding {
        Finding::new(id, FindingKind::Posture, severity, title)
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Finding {
        self.subject = Some(subject.into());
        self
    }

    pub fn evidence(mut self, line: impl Into<String>) -> Finding {
        self.evidence.push(line.into());
        self
    }

    pub fn control(mut self, control: &str) -> Finding {
        self.control = Some(control.to_owned());
        self
    }

    pub fn action(mut self, action: FindingAction) -> Finding {
        self.action = Some(action);
        self
    }

    pub fn change(mut self, change: impl Into<String>) -> Finding {
        self.change = Some(change.into());
        self
    }

    /// What to do in one line: the action's key and effect, else the change.
    pub fn what_to_do(&self) -> Option<String> {
        match (&self.action, &self.change) {
            (Some(a), _) => Some(a.describe()),
            (None, Some(c)) => Some(c.clone()),
            (None, None) => None,
        }
    }
}

/// The findings of one assessment, worst first, and what data they could not look at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    pub items: Vec<Finding>,
    /// The data the rules lacked (still loading, or unreadable): `EFS metrics (loading)`. A
    /// rule whose data is missing does not fire; this says so.
    pub lacking: Vec<String>,
}

impl Findings {
    /// Sorts worst first; within a severity the rules' own order stays.
    pub fn sort(&mut self) {
        self.items.sort_by_key(|f| f.severity);
    }

    pub fn push(&mut self, f: Finding) {
        self.items.push(f);
    }

    pub fn extend(&mut self, fs: impl IntoIterator<Item = Finding>) {
        self.items.extend(fs);
    }

    pub fn lack(&mut self, what: impl Into<String>) {
        let what = what.into();
        if !self.lacking.contains(&what) {
            self.lacking.push(what);
        }
    }

    pub fn worst(&self) -> Option<&Finding> {
        self.items.iter().min_by_key(|f| f.severity)
    }

    /// Whether any finding is critical or high.
    pub fn fails(&self) -> bool {
        self.items.iter().any(|f| f.severity.fails())
    }

    /// Count per severity, worst first, only the ones present: `2 high · 1 medium`.
    pub fn counts(&self) -> String {
        let mut out = Vec::new();
        for s in [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info] {
            let n = self.items.iter().filter(|f| f.severity == s).count();
            if n > 0 {
                out.push(format!("{n} {}", s.as_str()));
            }
        }
        out.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_sort_worst_first_and_keep_rule_order_within_a_severity() {
        let mut fs = Findings::default();
        fs.push(Finding::runtime("a", Severity::Medium, "a"));
        fs.push(Finding::runtime("b", Severity::Critical, "b"));
        fs.push(Finding::runtime("c", Severity::Medium, "c"));
        fs.push(Finding::runtime("d", Severity::High, "d"));
        fs.sort();
        let ids: Vec<&str> = fs.items.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["b", "d", "a", "c"]);
        assert_eq!(fs.counts(), "1 critical · 1 high · 2 medium");
        assert!(fs.fails());
        assert_eq!(fs.worst().map(|f| f.id.as_str()), Some("b"));
    }

    #[test]
    fn only_critical_and_high_fail() {
        let mut fs = Findings::default();
        fs.push(Finding::runtime("m", Severity::Medium, "m"));
        fs.push(Finding::runtime("l", Severity::Low, "l"));
        assert!(!fs.fails());
        fs.push(Finding::posture("h", Severity::High, "h"));
        assert!(fs.fails());
    }

    #[test]
    fn an_action_reads_as_its_key_and_effect() {
        let f = Finding::runtime("warmer_exit", Severity::High, "warmer exit 127 on 44bc807d")
            .action(FindingAction::Replace { task_id: "44bc807d0123456789".into() });
        assert_eq!(f.what_to_do().as_deref(), Some("X replaces 44bc807d"));
        let f = Finding::runtime("x", Severity::High, "x").change("set pm.max_children higher");
        assert_eq!(f.what_to_do().as_deref(), Some("set pm.max_children higher"));
        assert_eq!(FindingAction::Rollback { to: "wordpress:41".into() }.describe(), "B rolls back to wordpress:41");
    }
}
