//! Log events as wpops keeps them: which task and container a line came from (awslogs stream
//! `<prefix>/<container>/<task-id>`), its class (access line, php-fpm trouble, warm report) and
//! its sanitised text. Classification reads the raw text; only sanitised text is stored. No IO.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::access::parse_access_line;
use super::sanitize::{sanitize_line, split_lines};
use super::scan::is_printable_ascii;
use super::warm::{WarmReport, parse_warm_report};

/// What a container is for, from its name in the task definition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContainerRole {
    Nginx,
    PhpFpm,
    Warmer,
    /// Any other container, by its (sanitised) name.
    Other(String),
}

impl ContainerRole {
    /// `nginx` → Nginx; `php-fpm`, `php`, anything with `php` → PhpFpm; `warmer`, `curl`,
    /// anything with `warm` → Warmer; else Other (the name sanitised). Case-insensitive.
    pub fn from_container_name(name: &str) -> ContainerRole {
        let lower = name.to_ascii_lowercase();
        if lower.contains("warm") || lower == "curl" {
            ContainerRole::Warmer
        } else if lower.contains("nginx") {
            ContainerRole::Nginx
        } else if lower.contains("php") {
            ContainerRole::PhpFpm
        } else {
            ContainerRole::Other(sanitize_line(name))
        }
    }

    /// The name the operator reads: `nginx`, `php-fpm`, `warmer`, or the other container's name.
    pub fn name(&self) -> &str {
        match self {
            ContainerRole::Nginx => "nginx",
            ContainerRole::PhpFpm => "php-fpm",
            ContainerRole::Warmer => "warmer",
            ContainerRole::Other(name) => name,
        }
    }
}

/// An unnamed Other container (so structs holding a role can derive `Default`).
impl Default for ContainerRole {
    fn default() -> Self {
        ContainerRole::Other(String::new())
    }
}

impl std::fmt::Display for ContainerRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for ContainerRole {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ContainerRole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(ContainerRole::from_container_name(&name))
    }
}

/// Where a log line came from. The task id is shared by every line of its streams (`Arc`), so a
/// line costs no allocation for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LogSource {
    pub container: ContainerRole,
    pub task_id: Arc<str>,
}

/// Splits an awslogs stream name `<prefix>/<container>/<task-id>` from the right:
/// `(container, task id)`. The prefix is optional; a name without `/` is not awslogs': `None`.
pub fn parse_stream_name(stream: &str) -> Option<(&str, &str)> {
    let (head, task_id) = stream.rsplit_once('/')?;
    let container = head.rsplit_once('/').map_or(head, |(_, c)| c);
    (!container.is_empty() && !task_id.is_empty()).then_some((container, task_id))
}

impl LogSource {
    /// From an awslogs stream name; an unparsable name becomes an Other container of that
    /// name with an empty task id, so no line is lost. Names are sanitised.
    pub fn from_stream_name(stream: &str) -> LogSource {
        match parse_stream_name(stream) {
            Some((container, task_id)) => LogSource {
                container: ContainerRole::from_container_name(container),
                task_id: sanitize_line(task_id).into(),
            },
            None => LogSource { container: ContainerRole::Other(sanitize_line(stream)), task_id: "".into() },
        }
    }
}

/// php-fpm trouble that must stand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PhpTrouble {
    /// `server reached pm.max_children setting`
    MaxChildren,
    /// `child N exited on signal 9 (SIGKILL)` — usually out of memory.
    Signal9,
    /// `PHP Fatal error: …` (also when nginx relays it from FastCGI stderr).
    Fatal,
}

impl PhpTrouble {
    pub fn label(self) -> &'static str {
        match self {
            PhpTrouble::MaxChildren => "pm.max_children reached",
            PhpTrouble::Signal9 => "worker killed (signal 9)",
            PhpTrouble::Fatal => "PHP fatal error",
        }
    }
}

/// What a line is, for colouring, counting and the warmer verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineClass {
    /// `latency_ms`: nginx's `$request_time`, when the line carries it.
    Access {
        status: u16,
        health_check: bool,
        latency_ms: Option<u32>,
    },
    PhpTrouble(PhpTrouble),
    WarmReport(WarmReport),
    Plain,
}

fn php_trouble(raw: &str) -> Option<PhpTrouble> {
    if raw.contains("pm.max_children") {
        Some(PhpTrouble::MaxChildren)
    } else if raw.contains("exited on signal 9") {
        Some(PhpTrouble::Signal9)
    } else if raw.contains("PHP Fatal error") {
        Some(PhpTrouble::Fatal)
    } else {
        None
    }
}

fn access(raw: &str) -> Option<LineClass> {
    parse_access_line(raw).map(|a| LineClass::Access {
        status: a.status,
        health_check: a.is_health_check,
        latency_ms: a.request_time_s.map(|s| (s.max(0.0) * 1000.0).round() as u32),
    })
}

fn warm(raw: &str) -> Option<LineClass> {
    parse_warm_report(raw).map(LineClass::WarmReport)
}

fn trouble(raw: &str) -> Option<LineClass> {
    php_trouble(raw).map(LineClass::PhpTrouble)
}

/// Classifies one raw line from a container of `role`; only the parsers that fit the role run.
pub fn classify(role: &ContainerRole, raw: &str) -> LineClass {
    let class = match role {
        ContainerRole::Nginx => access(raw).or_else(|| trouble(raw)),
        ContainerRole::PhpFpm => warm(raw).or_else(|| trouble(raw)),
        ContainerRole::Warmer => warm(raw),
        ContainerRole::Other(_) => access(raw).or_else(|| warm(raw)).or_else(|| trouble(raw)),
    };
    class.unwrap_or(LineClass::Plain)
}

/// One display line of a log event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    pub ts_ms: i64,
    pub ingestion_ms: i64,
    /// CloudWatch's eventId; the n-th extra line of a multi-line message gets `eventId#n`.
    pub event_id: String,
    /// Shared with the other lines of the task's streams.
    pub task_id: Arc<str>,
    pub container: ContainerRole,
    /// Sanitised, a single line.
    pub text: String,
    pub class: LineClass,
}

impl LogEvent {
    /// The first 8 chars of the task id, as tables show it.
    pub fn task_short(&self) -> &str {
        super::ids::task_prefix(&self.task_id)
    }

    /// Estimated heap + inline bytes this event holds, for the ring's byte budget. The task id
    /// is shared by all the task's lines, so only its pointer counts (inline).
    pub fn approx_bytes(&self) -> usize {
        let role = match &self.container {
            ContainerRole::Other(name) => name.capacity(),
            _ => 0,
        };
        std::mem::size_of::<LogEvent>() + self.text.capacity() + self.event_id.capacity() + role
    }
}

/// One event as FilterLogEvents / GetLogEvents return it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawLogEvent<'a> {
    pub log_stream: &'a str,
    pub event_id: &'a str,
    pub timestamp_ms: i64,
    pub ingestion_ms: i64,
    pub message: &'a str,
}

/// Turns one raw event into display lines: split on newlines, each classified from its raw text
/// and stored sanitised, all with the event's timestamp and derived ids.
pub fn ingest(raw: &RawLogEvent<'_>) -> Vec<LogEvent> {
    let mut out = Vec::with_capacity(1);
    ingest_with_source(&LogSource::from_stream_name(raw.log_stream), raw, &mut out);
    out
}

/// As [`ingest`], appending to `out`, with the stream name already parsed (callers may cache
/// the `LogSource` per stream; `raw.log_stream` is then ignored).
pub fn ingest_with_source(source: &LogSource, raw: &RawLogEvent<'_>, out: &mut Vec<LogEvent>) {
    let owned = OwnedRawEvent {
        event_id: raw.event_id.to_owned(),
        timestamp_ms: raw.timestamp_ms,
        ingestion_ms: raw.ingestion_ms,
        message: raw.message.to_owned(),
    };
    ingest_owned(source, owned, out);
}

/// One event whose text the caller hands over (a tailer's page it owns), so the common line
/// (one line of printable ASCII) is stored without copying its text or id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRawEvent {
    pub event_id: String,
    pub timestamp_ms: i64,
    pub ingestion_ms: i64,
    pub message: String,
}

/// As [`ingest_with_source`], taking the event's strings: on the hot path (QUALITY.md P1) a
/// line of printable ASCII with a printable id moves both into the `LogEvent` and allocates
/// nothing; anything else is split and sanitised as [`ingest`] describes.
pub fn ingest_owned(source: &LogSource, raw: OwnedRawEvent, out: &mut Vec<LogEvent>) {
    let OwnedRawEvent { event_id, timestamp_ms, ingestion_ms, message } = raw;
    let event = |event_id: String, class: LineClass, text: String| LogEvent {
        ts_ms: timestamp_ms,
        ingestion_ms,
        event_id,
        task_id: Arc::clone(&source.task_id),
        container: source.container.clone(),
        text,
        class,
    };
    let event_id = if is_printable_ascii(event_id.as_bytes()) { event_id } else { sanitize_line(&event_id) };
    // The common case: one line of printable ASCII needs neither splitting nor sanitising.
    if is_printable_ascii(message.as_bytes()) {
        let class = classify(&source.container, &message);
        out.push(event(event_id, class, message));
        return;
    }
    for (n, line) in split_lines(&message).enumerate() {
        let id = if n == 0 { event_id.clone() } else { format!("{event_id}#{n}") };
        out.push(event(id, classify(&source.container, line), sanitize_line(line)));
    }
}

#[cfg(test)]
mod tests;
