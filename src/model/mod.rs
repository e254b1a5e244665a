//! The domain room: plain types and pure parsers for services, tasks, logs, warming and WAF.
//! It imports only std, serde, regex, chrono, humantime and unicode-width: no IO, no async, no
//! clock.

mod scan;
mod text_enum;

pub mod access;
pub mod clean;
pub mod ecr;
pub mod ecs;
pub mod findings;
pub mod fleet;
pub mod format;
pub mod health;
pub mod history;
pub mod ids;
pub mod idset;
pub mod logline;
pub mod outcome;
pub mod past;
pub mod platform;
pub mod report;
pub mod ring;
pub mod sanitize;
pub mod snapshot;
pub mod stats;
pub mod stopped;
pub mod tail;
pub mod targets;
pub mod tasklog;
pub mod waf;
pub mod warm;
pub mod warm_run;
pub mod window;

pub use access::{AccessLine, StatusClass, parse_access_line, parse_time_local};
pub use clean::SanitizeText;
pub use ecr::{EcrImage, ImageScan, Repository, SeverityCounts, short_digest};
pub use ecs::{
    Container, ContainerDef, DependsOn, Deployment, DeploymentStatus, EnvVar, Health, LastStatus, MountPoint,
    RolloutState, Service, ServiceEvent, Task, TaskDefinition, Volume, looks_like_secret, shared_mutable_images,
    task_definition_revision,
};
pub use findings::{Finding, FindingAction, FindingKind, Findings, Severity};
pub use fleet::{FLEET_ALB_WINDOW_MS, FLEET_WAF_WINDOW_MS, FleetRow, SiteError};
pub use format::{format_age, format_ago, format_bytes, thousands};
pub use health::{HealthRules, Replacing, ServiceHealth, service_health, service_health_replacing};
pub use history::{
    ImageChange, NoRollbackTarget, RevisionImage, RevisionInfo, RollbackPlan, ServiceDeploymentInfo, image_changes,
    is_pinned, rollback_candidates, rollback_target,
};
pub use ids::{TaskDefArn, TaskId, short_task_id, short_td, task_prefix};
pub use logline::{
    ContainerRole, LineClass, LogEvent, LogSource, OwnedRawEvent, PhpTrouble, RawLogEvent, classify, ingest,
    ingest_owned, ingest_with_source, parse_stream_name,
};
pub use outcome::OpFailure;
pub use platform::{CallerIdentity, FetchError, FetchErrorKind, PlatformMetrics, Series};
pub use ring::{DEFAULT_RING_BYTES, DEFAULT_SEEN_IDS, LogRing};
pub use sanitize::{
    RawLines, is_control_or_format, is_format_char, sanitize_line, sanitize_line_into, sanitize_lines, split_lines,
};
pub use snapshot::{ServiceSnapshot, order_tasks};
pub use stats::{RequestStats, STATS_WINDOW_SECS, StatusMix};
pub use stopped::{StoppedGroup, group_stopped, stopped_reason_line};
pub use tail::{Behind, LiveTail, TailHealth};
pub use targets::{TargetHealth, TargetState, target_for_task};
pub use tasklog::{TaskLog, lifetime_window};
pub use waf::{
    AclRuleConfig, DEFAULT_TOP_N, RuleGroupStats, SampledRequest, TopLists, WafSnapshot, WebAclConfig,
    rule_group_label, top_blocked,
};
pub use warm::{
    DEFAULT_WARM_LIMIT_MS, FoundReport, REPORT_GRACE_MS, ReportLookup, WarmEvidence, WarmReport, WarmerFacts,
    WarmerVerdict, describe_exit, explain_exit_code, lookup_after_miss, parse_warm_report, report_counts,
    unreadable_text, warmer_verdict, warming_duration_ms,
};
pub use warm_run::{Rewarm, WarmOutcome, WarmResult, WarmRunSummary, WarmTarget};
