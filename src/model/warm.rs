//! The OPcache warmer: parsing its `success: N failure: N no_change: N total: N` report (bare,
//! or wrapped by php-fpm's "child N said into stderr"), explaining exit codes, and the pure
//! warmer health rule of PRODUCT.md — a task's warm state is the newest of its in-task warmer
//! and any re-warm of it. It must not read the clock: `now` is passed in.

use serde::{Deserialize, Serialize};

use super::format::{format_age, thousands};
use super::warm_run::WarmOutcome;

mod lookup;

pub use lookup::{REPORT_GRACE_MS, ReportLookup, WarmEvidence, fetch_error_word, lookup_after_miss};

/// Seconds after the task started by which a warmer is expected to have finished (PRODUCT.md).
pub const DEFAULT_WARM_LIMIT_MS: i64 = 120_000;

/// The counts printed by `opcache_warmer.php`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WarmReport {
    pub success: u32,
    pub failure: u32,
    pub no_change: u32,
    pub total: u32,
}

/// A warmer's report, found in its log stream (or php-fpm's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundReport {
    pub task_id: String,
    pub report: WarmReport,
    /// When the report line was written (warming time = this − the task's startedAt).
    pub at_ms: i64,
}

/// Finds the report in one raw log line. Fields are `key: number`, separated by any mix of
/// spaces, tabs, literal `\t`/`\n` (php-fpm escapes them) and commas, in any order; all four
/// keys are required. A number cut short by php-fpm's `...` truncation is not trusted: `None`.
pub fn parse_warm_report(line: &str) -> Option<WarmReport> {
    line.match_indices("success:").find_map(|(start, _)| parse_report_at(line, start))
}

fn parse_report_at(line: &str, start: usize) -> Option<WarmReport> {
    let bytes = line.as_bytes();
    let mut i = start;
    let (mut success, mut failure, mut no_change, mut total) = (None, None, None, None);
    loop {
        i = skip_separators(bytes, i);
        let key_start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') {
            i += 1;
        }
        let key = &line[key_start..i];
        if key.is_empty() || bytes.get(i) != Some(&b':') {
            break;
        }
        i += 1;
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        let num_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if num_start == i || line[i..].starts_with("...") {
            break;
        }
        let slot = match key {
            "success" => &mut success,
            "failure" => &mut failure,
            "no_change" => &mut no_change,
            "total" => &mut total,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(line[num_start..i].parse().ok()?);
        }
    }
    Some(WarmReport { success: success?, failure: failure?, no_change: no_change?, total: total? })
}

fn skip_separators(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b',' | b';' => i += 1,
            b'\\' if matches!(bytes.get(i + 1), Some(b't' | b'n' | b'r')) => i += 2,
            _ => break,
        }
    }
    i
}

/// What an exit code means for the warmer (a curl image) or any container.
pub fn explain_exit_code(code: i32) -> &'static str {
    match code {
        0 => "ok",
        1 => "general error",
        2 => "misuse of shell command",
        6 => "could not resolve host",
        7 => "connection refused",
        22 => "HTTP error (curl -f)",
        28 => "timeout",
        52 => "empty reply from server",
        56 => "network receive failure",
        126 => "not executable",
        127 => "command not found",
        130 => "interrupted (SIGINT)",
        137 => "killed (SIGKILL, out of memory?)",
        139 => "segmentation fault",
        143 => "terminated (SIGTERM)",
        129..=192 => "killed by a signal",
        _ => "unrecognised exit code",
    }
}

/// `exit 127 (command not found)`; a code wpops does not know reads just `exit 42`.
pub fn describe_exit(code: i32) -> String {
    match explain_exit_code(code) {
        "unrecognised exit code" => format!("exit {code}"),
        text => format!("exit {code} ({text})"),
    }
}

/// The warmer's health, per task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WarmerVerdict {
    /// Exited 0, the report was found and `failure` is 0.
    Healthy,
    /// Exited non-zero; `reason` reads like `exit 127 (command not found)`.
    Failed { exit_code: i32, reason: String },
    /// Exited 0 but the report counted failures.
    ReportedFailures(u32),
    /// Exited 0 but a lookup that covered its whole run found no report line in its or
    /// php-fpm's log.
    NoReport,
    /// Exited 0; its report is still being looked for.
    LookingForReport,
    /// Exited 0; the last read of its log failed (`retry_in_ms` until the next try, if any).
    ReportUnreadable { kind: super::FetchErrorKind, retry_in_ms: Option<i64> },
    /// A re-run of warming aimed at the task is newer than its in-task warmer: how it ended,
    /// how long it took and how long ago it finished.
    Rewarmed { outcome: WarmOutcome, elapsed_ms: u64, ago_ms: i64 },
    /// Still running; `overdue` once it is past the expected limit after the task started.
    StillRunning { overdue: bool },
    /// Not started yet (PENDING, PROVISIONING…); `overdue` past the limit.
    Pending { overdue: bool },
    /// Stopped without an exit code: it never ran (a dependency failed, the task stopped first).
    NeverRan { reason: Option<String> },
    /// The task is one ECS no longer lists (`Task::from_logs`): its exit code is lost; what its
    /// log says is all there is. `failures`: the report's count when one was found; `searched`:
    /// a lookup covered its whole run (without a report, none was written); `logged`: it has a
    /// log stream at all (without one, nothing about its run is left).
    ExitUnknown { failures: Option<u32>, searched: bool, logged: bool },
    /// The task has no warmer container at all.
    Missing,
}

impl WarmerVerdict {
    /// True when the operator should look at this warmer.
    pub fn stands_out(&self) -> bool {
        match self {
            WarmerVerdict::Healthy => false,
            WarmerVerdict::StillRunning { overdue } | WarmerVerdict::Pending { overdue } => *overdue,
            WarmerVerdict::LookingForReport | WarmerVerdict::ReportUnreadable { .. } => false,
            WarmerVerdict::Rewarmed { outcome, .. } => !outcome.ok(),
            WarmerVerdict::ExitUnknown { failures, searched, logged } => {
                failures.map_or(*searched && *logged, |n| n > 0)
            }
            _ => true,
        }
    }

    /// One short phrase that reads after the word "warmer", for tables and `wpops status`.
    pub fn summary(&self) -> String {
        match self {
            WarmerVerdict::Healthy => "ok".to_owned(),
            WarmerVerdict::Failed { reason, .. } => format!("failed: {reason}"),
            WarmerVerdict::ReportedFailures(n) => format!("reported {n} failures"),
            WarmerVerdict::NoReport => "exited 0 but no report found".to_owned(),
            WarmerVerdict::LookingForReport => "exited 0, looking for its report".to_owned(),
            WarmerVerdict::ReportUnreadable { kind, retry_in_ms } => {
                format!("exited 0, {}", unreadable_text(*kind, *retry_in_ms))
            }
            WarmerVerdict::Rewarmed { outcome, elapsed_ms, ago_ms } => {
                format!("re-warmed {} ago: {}", format_age(*ago_ms), outcome.brief(*elapsed_ms))
            }
            WarmerVerdict::StillRunning { overdue: false } => "running".to_owned(),
            WarmerVerdict::StillRunning { overdue: true } => "still running past its limit".to_owned(),
            WarmerVerdict::Pending { overdue: false } => "not started yet".to_owned(),
            WarmerVerdict::Pending { overdue: true } => "not started, past its limit".to_owned(),
            WarmerVerdict::NeverRan { reason: Some(r) } => format!("never ran: {r}"),
            WarmerVerdict::NeverRan { reason: None } => "never ran".to_owned(),
            WarmerVerdict::ExitUnknown { failures: Some(0), .. } => "ok by its report (exit no longer kept by ECS)".to_owned(),
            WarmerVerdict::ExitUnknown { failures: Some(n), .. } => {
                format!("reported {n} failures (exit no longer kept by ECS)")
            }
            WarmerVerdict::ExitUnknown { failures: None, logged: false, .. } => {
                "no log stream left: it ran before the log group's oldest line, or wrote nothing (exit no longer kept by ECS)"
                    .to_owned()
            }
            WarmerVerdict::ExitUnknown { failures: None, searched: true, .. } => {
                "no report in its log (exit no longer kept by ECS)".to_owned()
            }
            WarmerVerdict::ExitUnknown { failures: None, searched: false, .. } => {
                "exit no longer kept by ECS, looking for its report".to_owned()
            }
            WarmerVerdict::Missing => "missing".to_owned(),
        }
    }
}

/// `couldn't read the report (throttled, retry in 8s)`; without a retry `(throttled)`.
pub fn unreadable_text(kind: super::FetchErrorKind, retry_in_ms: Option<i64>) -> String {
    let word = fetch_error_word(kind);
    match retry_in_ms {
        Some(ms) => {
            let secs = ms.max(0).div_euclid(1000) + i64::from(ms.max(0).rem_euclid(1000) > 0);
            format!("couldn't read the report ({word}, retry in {secs}s)")
        }
        None => format!("couldn't read the report ({word})"),
    }
}

/// `1,834 ok · 0 unchanged · 0 failed` (or `44 FAILED`): a report's counts, labelled.
pub fn report_counts(r: &WarmReport) -> String {
    let failed =
        if r.failure > 0 { format!("{} FAILED", thousands(u64::from(r.failure))) } else { "0 failed".to_owned() };
    format!("{} ok · {} unchanged · {failed}", thousands(u64::from(r.success)), thousands(u64::from(r.no_change)))
}

/// What ECS and the logs say about one task's warmer container.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarmerFacts<'a> {
    /// The container's lastStatus (`PENDING`, `RUNNING`, `STOPPED`); `None` if the task has no warmer.
    pub last_status: Option<&'a str>,
    pub exit_code: Option<i32>,
    /// The container's `reason`, if ECS gave one.
    pub reason: Option<&'a str>,
    /// The report lookup and the newest re-warm.
    pub evidence: WarmEvidence<'a>,
    pub task_started_at_ms: Option<i64>,
    /// ECS no longer lists the task (`Task::from_logs`): its exit code is not known.
    pub exit_forgotten: bool,
    /// The warmer of such a task has no log stream left.
    pub no_log_stream: bool,
}

/// A task's warm state: the newest of its in-task warmer and a re-warm of it. The re-warm wins
/// unless the in-task report was written after it finished.
pub fn warmer_verdict(facts: &WarmerFacts<'_>, now_ms: i64, limit_ms: i64) -> WarmerVerdict {
    let in_task = in_task_verdict(facts, now_ms, limit_ms);
    let ev = &facts.evidence;
    match ev.rewarm {
        Some(r) if ev.report.is_none_or(|f| f.at_ms <= r.at_ms) => WarmerVerdict::Rewarmed {
            outcome: r.outcome.clone(),
            elapsed_ms: r.elapsed_ms,
            ago_ms: now_ms.saturating_sub(r.at_ms).max(0),
        },
        _ => in_task,
    }
}

/// The in-task warmer's health rule: healthy only when it exited 0, its report was found and
/// `failure` is 0; a report not found yet is still being looked for, a log that could not be
/// read is not a missing report; running or pending past `limit_ms` after the task started is
/// overdue.
fn in_task_verdict(facts: &WarmerFacts<'_>, now_ms: i64, limit_ms: i64) -> WarmerVerdict {
    let overdue = facts.task_started_at_ms.is_some_and(|started| now_ms.saturating_sub(started) > limit_ms);
    let Some(status) = facts.last_status else {
        return WarmerVerdict::Missing;
    };
    if status.eq_ignore_ascii_case("RUNNING") {
        return WarmerVerdict::StillRunning { overdue };
    }
    if !status.eq_ignore_ascii_case("STOPPED") {
        return WarmerVerdict::Pending { overdue };
    }
    if facts.exit_forgotten {
        let failures = facts.evidence.report.map(|f| f.report.failure);
        let searched = facts.evidence.lookup == Some(&ReportLookup::NotFound);
        return WarmerVerdict::ExitUnknown { failures, searched, logged: !facts.no_log_stream };
    }
    match (facts.exit_code, facts.evidence.report.map(|f| f.report)) {
        (None, _) => WarmerVerdict::NeverRan { reason: facts.reason.map(str::to_owned) },
        (Some(code), _) if code != 0 => WarmerVerdict::Failed { exit_code: code, reason: describe_exit(code) },
        (Some(_), None) => match facts.evidence.lookup {
            None | Some(ReportLookup::Looking) => WarmerVerdict::LookingForReport,
            Some(ReportLookup::NotFound) => WarmerVerdict::NoReport,
            Some(ReportLookup::Unreadable { kind, retry_at_ms }) => {
                let retry_in_ms = retry_at_ms.map(|at| at.saturating_sub(now_ms).max(0));
                WarmerVerdict::ReportUnreadable { kind: *kind, retry_in_ms }
            }
        },
        (Some(_), Some(r)) if r.failure > 0 => WarmerVerdict::ReportedFailures(r.failure),
        (Some(_), Some(_)) => WarmerVerdict::Healthy,
    }
}

/// Warming time: the report line's timestamp minus the task's startedAt (ECS gives containers
/// no start/stop times). `None` when the report predates the start (clock skew, stale line).
pub fn warming_duration_ms(report_ts_ms: i64, task_started_at_ms: i64) -> Option<i64> {
    let d = report_ts_ms.checked_sub(task_started_at_ms)?;
    (d >= 0).then_some(d)
}

#[cfg(test)]
mod tests;
