//! The local audit log: one JSON line per action (time, caller, target, request, result,
//! deployment or task ids) appended to `$XDG_STATE_HOME/wpops/audit.jsonl`
//! (`WPOPS_AUDIT_LOG` overrides the path). Credentials are never written.

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

    /// Appends one line; the error says which file could not be written.
    pub fn append(&self, mut entry: AuditEntry) -> Result<(), String> {
        if entry.time.is_empty() {
            entry.time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        }
        if let Some(dir) = self.path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let line = serde_json::to_string(&entry).map_err(|e| e.to_string())?;
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
        assert!(first["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(log.started_deployments(), vec!["ecs-svc/1".to_string()]);
    }
}
