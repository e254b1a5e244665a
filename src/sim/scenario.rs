//! Scenario files (`assets/scenarios/*.toml`, embedded in the binary): the shape of a simulated
//! world and its pace. Parsing and validation only; `world/build.rs` turns one into state.

use serde::Deserialize;

/// The scenarios shipped with wpops, by name.
pub const BUILT_IN: [(&str, &str); 4] = [
    ("default", include_str!("../../assets/scenarios/default.toml")),
    ("incident", include_str!("../../assets/scenarios/incident.toml")),
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
        assert!(err.contains("default, incident, large, quiet"), "{err}");
    }
}
