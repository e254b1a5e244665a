//! Scenario files (`assets/scenarios/*.toml`, embedded in the binary): the shape of a simulated
//! world and its pace. Parsing and validation only; `world/build.rs` turns one into state.

use serde::Deserialize;

/// The scenarios shipped with wpops, by name.
pub const BUILT_IN: [(&str, &str); 5] = [
    ("default", include_str!("../../assets/scenarios/default.toml")),
    ("incident", include_str!("../../assets/scenarios/incident.toml")),
    ("insecure", include_str!("../../assets/scenarios/insecure.toml")),
    ("large", include_str!("../../assets/scenarios/large.toml")),
    ("quiet", include_str!("../../assets/scenarios/quiet.toml")),
];

/// Names of the built-in scenarios.
pub fn names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(n, _)| *n).collect()
}

/// A whole scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub timing: Timing,
    pub traffic: Traffic,
    pub clusters: Vec<ClusterSpec>,
}

/// Durations in virtual seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    pub provisioning: f64,
    pub pending: f64,
    pub activating: f64,
    pub target_healthy_after: f64,
    pub health_check_failure_after: f64,
    pub warm_seconds: [f64; 2],
    pub draining: f64,
    pub stopping: f64,
    pub deprovisioning: f64,
    pub stopped_retention: f64,
    /// 0 disables ALB health-check lines.
    pub health_check_interval: f64,
}

/// The site's traffic.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    pub requests_per_second: f64,
    pub probes_per_second: f64,
    pub target_5xx_ratio: f64,
    /// Minutes relative to the start, `[from, to]`, when the ALB itself answers 5xx.
    #[serde(default)]
    pub elb_5xx_burst_minutes: Option<[i64; 2]>,
    #[serde(default)]
    pub elb_5xx_per_second: f64,
    #[serde(default)]
    pub efs_credit_dip: bool,
    #[serde(default)]
    pub php_max_children: bool,
    /// The metric history before the current deployment was better: a tenth of the 5xx and
    /// every task warm (the incident: its deployment brought a cold task).
    #[serde(default)]
    pub worse_after_deploy: bool,
    pub history_minutes: i64,
    pub log_history_minutes: i64,
    /// Minutes relative to the start, `[from, to]`, when the EFS file system was at its I/O
    /// limit in the past (credits falling, requests slow); it must end early enough for the
    /// credits to recover before anything later (see `sim::history`).
    #[serde(default)]
    pub efs_slow_minutes: Option<[i64; 2]>,
    /// Minutes relative to the start, `[from, to]`, of a burst of probes the WAF blocks (the
    /// WordPress and SQLi rule groups), at `waf_spike_per_second` on top of the usual probes.
    #[serde(default)]
    pub waf_spike_minutes: Option<[i64; 2]>,
    #[serde(default)]
    pub waf_spike_per_second: f64,
    /// Every task that ran in the `history_minutes` wrote its nginx, php-fpm and warmer lines
    /// over its lifetime (thinned), not only in the last `log_history_minutes`.
    #[serde(default)]
    pub full_log_history: bool,
}

/// A cluster and its services.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    pub name: String,
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    /// Small services with one task each and no traffic, for listing at scale.
    #[serde(default)]
    pub filler_services: u32,
}

/// A WordPress service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub name: String,
    pub family: String,
    pub revision: i32,
    #[serde(default)]
    pub earlier_revisions: Vec<i32>,
    #[serde(default)]
    pub undeployed_revisions: Vec<i32>,
    pub desired: i32,
    pub php_files: u32,
    pub task_age_minutes: i64,
    pub load_balancer: String,
    pub target_group: String,
    pub web_acl: String,
    pub efs: String,
    pub warmer_family: String,
    #[serde(default)]
    pub initial_warmers: Vec<[i64; 2]>,
    #[serde(default)]
    pub next_deploy_fails: bool,
    #[serde(default)]
    pub stopped_history: Vec<String>,
    /// Minutes relative to the start when a first attempt to deploy `revision` failed its health
    /// checks and the circuit breaker rolled it back to the last earlier revision (history:
    /// ListServiceDeployments, the service events and the failed tasks' logs).
    #[serde(default)]
    pub failed_deploy_minutes: Option<i64>,
    /// How the service is built (`wpops audit`); the default is the seed's build.
    #[serde(default)]
    pub posture: PostureSpec,
}

/// How a service is built, for the posture checks. Every default is the seed's practice, its
/// mutable image tags included.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PostureSpec {
    /// Containers registered with `readonlyRootFilesystem` false.
    pub writable_root: Vec<String>,
    /// php-fpm gets `WORDPRESS_DB_PASSWORD` in its environment instead of its `secrets`.
    pub secret_in_environment: bool,
    /// The warmer runs the seed's `CMD GET …` instead of curl.
    pub warmer_runs_get: bool,
    /// `logConfiguration.options.mode` of nginx and php-fpm.
    pub log_mode: String,
    pub efs_transit_encryption: bool,
    pub public_ip: bool,
    /// Managed rule groups overridden to COUNT (`AWSManagedRulesSQLiRuleSet`).
    pub waf_count_groups: Vec<String>,
    pub waf_logging: bool,
    /// The family's repository (nginx and php-fpm) allows tags to be pushed over, as the seed's
    /// `:php-latest` is; the warmer's repository is immutable.
    pub mutable_tags: bool,
    /// Repositories that do not scan on push (`wordpress-warmer`): their images have no scan.
    pub unscanned_repositories: Vec<String>,
    /// Scan findings of the images pushed for a container: container → [critical, high, medium, low].
    pub image_findings: std::collections::BTreeMap<String, [u32; 4]>,
}

impl Default for PostureSpec {
    fn default() -> Self {
        PostureSpec {
            writable_root: Vec::new(),
            secret_in_environment: false,
            warmer_runs_get: false,
            log_mode: "non-blocking".into(),
            efs_transit_encryption: true,
            public_ip: false,
            waf_count_groups: Vec::new(),
            waf_logging: true,
            mutable_tags: true,
            unscanned_repositories: Vec::new(),
            image_findings: Default::default(),
        }
    }
}

/// Parses a scenario from TOML text.
pub fn parse(text: &str) -> Result<Scenario, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

/// Loads a built-in scenario by name, or a scenario file by path.
pub fn load(name_or_path: &str) -> Result<Scenario, String> {
    if let Some((_, text)) = BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
        return parse(text);
    }
    if name_or_path.ends_with(".toml") {
        let text = std::fs::read_to_string(name_or_path)
            .map_err(|e| format!("cannot read scenario file {name_or_path}: {e}"))?;
        return parse(&text).map_err(|e| format!("{name_or_path}: {e}"));
    }
    Err(format!("unknown scenario {name_or_path:?}; built-in scenarios: {}", names().join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_scenario_parses() {
        for (name, text) in BUILT_IN {
            let s = parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(s.name, name);
        }
    }

    #[test]
    fn unknown_scenario_names_the_built_in_ones() {
        let err = load("nope").unwrap_err();
        assert!(err.contains("default, incident, insecure, large, quiet"), "{err}");
    }
}
