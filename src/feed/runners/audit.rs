//! The local audit log: one JSON line per action (an id, time, caller, target, request, result,
//! deployment or task ids) appended to `$XDG_STATE_HOME/wpops/audit.jsonl`
//! (`WPOPS_AUDIT_LOG` overrides the path), and, when wpops stopped watching an action before
//! its outcome (a signal), a second line with the same id saying the outcome was not seen.
//! The site locks (`lock.rs`) go in the same directory. Credentials are never written.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

/// What was done (the audit line's `action`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditAction {
    #[default]
    Redeploy,
    Rollback,
    Warm,
    RegisterWarmer,
    ReplaceTask,
}

impl AuditAction {
    /// The word the audit line uses: `redeploy`, `replace-task`…
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::Redeploy => "redeploy",
            AuditAction::Rollback => "rollback",
            AuditAction::Warm => "warm",
            AuditAction::RegisterWarmer => "register-warmer",
            AuditAction::ReplaceTask => "replace-task",
        }
    }
}

/// How it went (the audit line's `result`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditResult {
    #[default]
    Ok,
    /// Refused before anything was sent (read-only, another deployment in progress…).
    Refused,
    Failed,
}

/// One audit line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditEntry {
    /// RFC 3339, UTC.
    pub time: String,
    /// This action's id (16 hex digits, filled in when empty): an outcome line that follows it
    /// carries the same id.
    pub id: String,
    pub caller_arn: String,
    pub account: String,
    pub region: String,
    pub cluster: String,
    pub service: String,
    /// redeploy, rollback, warm, register-warmer, replace-task.
    pub action: AuditAction,
    pub request: serde_json::Value,
    /// ok, refused, failed.
    pub result: AuditResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub task_ids: Vec<String>,
    /// Deployments of the service that appeared between wpops's last check and its call (or
    /// right after it), which this action did not start: a pipeline or a colleague.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub appeared_deployments: Vec<String>,
}

/// What became of an action, as far as wpops saw (the outcome line's `outcome`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// wpops stopped watching before the action ended (a signal): it goes on without wpops.
    #[default]
    NotSeen,
}

/// A second line about an action, with the id of its request line: how it ended. It has the
/// same target fields and no `request` or `result`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditOutcomeEntry {
    /// RFC 3339, UTC.
    pub time: String,
    /// The request line's id.
    pub id: String,
    pub caller_arn: String,
    pub account: String,
    pub region: String,
    pub cluster: String,
    pub service: String,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub task_ids: Vec<String>,
    /// The signal that stopped wpops watching (`SIGTERM`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
}

/// A fresh action id: 16 hex digits.
pub fn new_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Where audit lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLog {
    pub path: PathBuf,
}

impl AuditLog {
    /// `WPOPS_AUDIT_LOG`, else `$XDG_STATE_HOME/wpops/audit.jsonl` (`~/.local/state/…`).
    pub fn default_location() -> AuditLog {
        if let Some(p) = std::env::var_os("WPOPS_AUDIT_LOG") {
            return AuditLog { path: PathBuf::from(p) };
        }
        let base = dirs::state_dir()
            .or_else(|| dirs::home_dir().map(|h| h.join(".local/state")))
            .unwrap_or_else(|| PathBuf::from("."));
        AuditLog { path: base.join("wpops").join("audit.jsonl") }
    }

    /// The directory the log is in (created on first write), where the site locks go too.
    pub fn dir(&self) -> &std::path::Path {
        self.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."))
    }

    /// Appends one action's line; the error says which file could not be written.
    pub fn append(&self, mut entry: AuditEntry) -> Result<(), String> {
        if entry.time.is_empty() {
            entry.time = now_rfc3339();
        }
        if entry.id.is_empty() {
            entry.id = new_id();
        }
        self.append_line(&entry)
    }

    /// Appends an outcome line (its `id` is the request line's).
    pub fn append_outcome(&self, mut entry: AuditOutcomeEntry) -> Result<(), String> {
        if entry.time.is_empty() {
            entry.time = now_rfc3339();
        }
        self.append_line(&entry)
    }

    fn append_line(&self, entry: &impl Serialize) -> Result<(), String> {
        let dir = self.dir();
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| format!("cannot write the audit log {}: {e}", self.path.display()))?;
        writeln!(f, "{line}").map_err(|e| format!("cannot write the audit log {}: {e}", self.path.display()))
    }

    /// Deployment ids this machine's wpops started (to tell its own rollouts from foreign ones).
    pub fn started_deployments(&self) -> Vec<String> {
        let Ok(text) = std::fs::read_to_string(&self.path) else { return Vec::new() };
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("deployment_id").and_then(|d| d.as_str()).map(str::to_string))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_one_json_line_per_action_and_remembers_deployments() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog { path: dir.path().join("nested/audit.jsonl") };
        let entry = AuditEntry {
            action: AuditAction::Redeploy,
            result: AuditResult::Ok,
            deployment_id: Some("ecs-svc/1".into()),
            request: serde_json::json!({"forceNewDeployment": true}),
            ..AuditEntry::default()
        };
        log.append(entry.clone()).unwrap();
        log.append(AuditEntry { deployment_id: None, result: AuditResult::Refused, ..entry }).unwrap();
        let text = std::fs::read_to_string(&log.path).unwrap();
        assert_eq!(text.lines().count(), 2);
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["action"], "redeploy");
        assert_eq!(first["result"], "ok");
        let refused: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
        assert_eq!(refused["result"], "refused");
        let replace = AuditEntry { action: AuditAction::ReplaceTask, ..AuditEntry::default() };
        assert_eq!(serde_json::to_value(&replace).unwrap()["action"], "replace-task");
        for a in [AuditAction::Redeploy, AuditAction::Rollback, AuditAction::Warm, AuditAction::RegisterWarmer] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.label(), "label() is the serialised word");
        }
        assert!(first["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(log.started_deployments(), vec!["ecs-svc/1".to_string()]);
        let id = first["id"].as_str().unwrap();
        assert_eq!(id.len(), 16, "every line gets an id: {first}");
        assert_ne!(refused["id"], first["id"], "one id per action");
    }

    #[test]
    fn an_outcome_line_carries_the_request_lines_id_and_no_request_or_result() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog { path: dir.path().join("audit.jsonl") };
        let entry = AuditEntry { id: new_id(), deployment_id: Some("ecs-svc/2".into()), ..AuditEntry::default() };
        log.append(entry.clone()).unwrap();
        log.append_outcome(AuditOutcomeEntry {
            id: entry.id.clone(),
            deployment_id: entry.deployment_id.clone(),
            signal: Some("SIGTERM".into()),
            ..AuditOutcomeEntry::default()
        })
        .unwrap();
        let text = std::fs::read_to_string(&log.path).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["id"], lines[0]["id"]);
        assert_eq!(lines[1]["outcome"], "not_seen");
        assert_eq!(lines[1]["signal"], "SIGTERM");
        assert_eq!(lines[1]["deployment_id"], "ecs-svc/2");
        assert!(lines[1].get("result").is_none() && lines[1].get("request").is_none(), "{}", lines[1]);
        assert!(lines[0].get("outcome").is_none(), "the request line is unchanged: {}", lines[0]);
        assert_eq!(log.started_deployments(), vec!["ecs-svc/2".to_string(), "ecs-svc/2".to_string()]);
    }
}
