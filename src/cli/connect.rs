//! From a resolved site to working AWS clients: the subcommands' timeouts and retries, and for
//! `--demo` an in-process simulator with the demo's static credentials. It reports failures as
//! one line with the right exit code; it makes no AWS request itself (aws-config only loads).

use std::time::Duration;

use crate::aws::{Clients, Target};
use crate::sim::{self, SimHandle, SimOptions};

use super::args::Global;
use super::config::{self, ResolvedSite};
use super::failure::Failure;

/// A site, its clients, and the demo simulator while it is needed.
pub struct Session {
    pub clients: Clients,
    pub site: ResolvedSite,
    /// Kept alive for the session (`--demo`); the simulator stops when dropped.
    pub sim: Option<SimHandle>,
}

impl Session {
    pub fn profile(&self) -> Option<&str> {
        self.site.profile.as_deref()
    }
}

/// Timeouts and retries for a one-shot command: fail within seconds, not minutes.
pub fn target_for(site: &ResolvedSite) -> Target {
    Target {
        profile: site.profile.clone(),
        region: site.region.clone(),
        endpoint_url: site.endpoint_url.clone(),
        static_credentials: None,
        read_only: site.read_only,
        max_attempts: crate::aws::client::COMMAND_ATTEMPTS,
        operation_timeout: Duration::from_secs(15),
        attempt_timeout: Duration::from_secs(6),
    }
}

/// Starts the demo simulator (real time, the given scenario) on a free loopback port.
pub async fn start_demo(scenario: &str) -> Result<SimHandle, String> {
    sim::start(SimOptions { scenario: scenario.to_string(), ..SimOptions::default() }).await.map_err(|e| e.to_string())
}

/// Connects to `site`; for a demo site, starts the simulator first and points the site at it.
/// Failures name `command`.
pub async fn connect(mut site: ResolvedSite, scenario: &str, command: &str) -> Result<Session, Failure> {
    let mut target = target_for(&site);
    let sim = if site.demo {
        let handle = start_demo(scenario).await.map_err(|e| Failure::usage(command, e))?;
        site.endpoint_url = Some(handle.endpoint_url());
        target.endpoint_url = site.endpoint_url.clone();
        target.static_credentials = Some((config::DEMO_ACCESS_KEY.into(), config::DEMO_SECRET.into()));
        Some(handle)
    } else {
        None
    };
    if let (None, Some(p)) = (&sim, site.profile.as_deref()) {
        crate::aws::profiles::check(p).await.map_err(|e| Failure::usage(command, e))?;
    }
    match Clients::connect(&target).await {
        Ok(clients) => {
            if site.region.is_none() {
                site.region = Some(clients.region.clone());
            }
            Ok(Session { clients, site, sim })
        }
        Err(e) if e.operation == "config" => Err(Failure::usage(command, e.message)),
        Err(e) => Err(Failure::aws(command, &e, site.profile.as_deref())),
    }
}

/// Resolves the site from the flags and config and connects.
pub async fn open(command: &str, global: &Global) -> Result<Session, Failure> {
    let site = config::resolve(global).map_err(|e| Failure::usage(command, e.to_string()))?;
    connect(site, &global.scenario, command).await
}
