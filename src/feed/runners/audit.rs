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

/// Whose action on which service: the fields every audit line names.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditTarget {
    pub caller_arn: String,
    pub account: String,
    pub region: String,
    pub cluster: String,
    pub service: String,
}

/// One audit line: the request, written when it was sent (or refused).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditEntry {
    /// RFC 3339, UTC.
    pub time: String,
    /// This action's id (16 hex digits, filled in when empty): an outcome line that follows it
    /// carries the same id.
    pub id: String,
    #[serde(flatten)]
    pub target: AuditTarget,
    /// redeploy, rollback, warm, register-warmer, replace-task.
    pub action: AuditAction,
    pub request: serde_json::Value,
    /// ok, refused, failed: whether AWS accepted the call (how it ended is the outcome line's).
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

/// How an action ended (the outcome line's `outcome`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// The deployment completed; every warmer reported healthy; the replacement runs warmed.
    Completed,
    /// The deployment failed; a warmer failed or did not report; the replacement's warmer did
    /// not end healthy (`reason` says which).
    Failed,
    /// The deployment failed and the circuit breaker rolled the service back
    /// (`to_task_definition`).
    RolledBack,
    /// wpops stopped watching before the action ended (a signal, the console quit, the wait
    /// ended, the service could not be read): it goes on without wpops.
    #[default]
    NotSeen,
}

/// An action whose outcome is awaited: its request line's id and what it started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watched {
    pub id: String,
    pub action: AuditAction,
    pub deployment_id: Option<String>,
    pub task_ids: Vec<String>,
}

/// A second line about an action, with the id of its request line: how it ended. It has the
/// same target fields and no `request` or `result`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditOutcomeEntry {
    /// RFC 3339, UTC.
    pub time: String,
    /// The request line's id.
    pub id: String,
    #[serde(flatten)]
    pub target: AuditTarget,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub task_ids: Vec<String>,
    /// Why it failed, or why wpops did not see the end, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where the circuit breaker rolled the service back to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_task_definition: Option<String>,
    /// The task the scheduler started in place of a replaced one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// A warm's result per target (`WarmResult` as in `wpops warm -o json`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<serde_json::Value>,
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

    /// Where a site's lines go: the operator's log for AWS; its `-sim` sibling
    /// (`audit-sim.jsonl`) for the embedded simulator (`--demo`) and for an endpoint on this
    /// machine (`wpops sim`, LocalStack, moto), so trying wpops never mixes with what was done
    /// to real services.
    pub fn for_site(demo: bool, endpoint_url: Option<&str>) -> AuditLog {
        let log = AuditLog::default_location();
        if demo || endpoint_url.is_some_and(is_loopback_url) { log.sibling("sim") } else { log }
    }

    /// `audit.jsonl` → `audit-<tag>.jsonl`, in the same directory.
    fn sibling(&self, tag: &str) -> AuditLog {
        let stem = self.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "audit".into());
        let name = match self.path.extension() {
            Some(ext) => format!("{stem}-{tag}.{}", ext.to_string_lossy()),
            None => format!("{stem}-{tag}"),
        };
        AuditLog { path: self.path.with_file_name(name) }
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

/// True when `url`'s host is this machine (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_and_local_endpoints_have_their_own_log() {
        for url in ["http://127.0.0.1:4599", "http://localhost:4566/", "http://[::1]:5000", "http://127.1.2.3"] {
            assert!(is_loopback_url(url), "{url}");
        }
        for url in [
            "https://ecs.ap-northeast-1.amazonaws.com",
            "https://vpce-0a1b.ecs.ap-northeast-1.vpce.amazonaws.com",
            "http://10.0.0.5:4599",
            "http://127.0.0.1.example.com",
        ] {
            assert!(!is_loopback_url(url), "{url}");
        }
        let real = AuditLog { path: PathBuf::from("/state/wpops/audit.jsonl") };
        assert_eq!(real.sibling("sim").path, PathBuf::from("/state/wpops/audit-sim.jsonl"));
        assert_eq!(AuditLog { path: PathBuf::from("x/log") }.sibling("sim").path, PathBuf::from("x/log-sim"));
        let default = AuditLog::default_location();
        assert_eq!(AuditLog::for_site(false, None), default);
        assert_eq!(AuditLog::for_site(false, Some("https://ecs.eu-west-1.amazonaws.com")), default);
        assert_eq!(AuditLog::for_site(true, None), default.sibling("sim"));
        assert_eq!(AuditLog::for_site(false, Some("http://127.0.0.1:4599")), default.sibling("sim"));
    }

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
