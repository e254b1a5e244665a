//! Opening the console: `wpops --demo` starts the simulator in-process and points real SDK
//! clients at it; `wpops --cluster C --service S` opens a real site. Either way the terminal
//! loop (`tui.rs`) takes over until the operator quits.

use crate::app::SiteInfo;
use crate::aws::{Clients, Target};
use crate::model::DEFAULT_WARM_LIMIT_MS;
use crate::sim::{self, SimOptions};

use super::args::Global;
use super::exit;

/// Credentials the demo uses against its own simulator (account 123456789012).
pub const DEMO_KEY: (&str, &str) = ("ASIA123456789012DEMO", "demo");
pub const DEMO_REGION: &str = "ap-northeast-1";

pub async fn run(g: &Global) -> u8 {
    let mut _sim = None;
    let (target, site) = if g.demo {
        let handle = match sim::start(SimOptions { scenario: g.scenario.clone(), ..SimOptions::default() }).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("wpops: {e}");
                return exit::USAGE;
            }
        };
        let target = Target {
            region: Some(DEMO_REGION.into()),
            endpoint_url: Some(handle.endpoint_url()),
            static_credentials: Some((DEMO_KEY.0.into(), DEMO_KEY.1.into())),
            read_only: g.read_only,
            ..Target::interactive()
        };
        _sim = Some(handle);
        let site = SiteInfo {
            name: format!("demo ({})", g.scenario),
            region: DEMO_REGION.into(),
            cluster: g.cluster.clone().unwrap_or_else(|| "wp-prod".into()),
            service: g.service.clone().unwrap_or_else(|| "wordpress".into()),
            profile: None,
            read_only: g.read_only,
            demo: true,
            warm_limit_ms: DEFAULT_WARM_LIMIT_MS,
            confirm_by_typing: false,
        };
        (target, site)
    } else {
        let (Some(cluster), Some(service)) = (g.cluster.clone(), g.service.clone()) else {
            eprintln!("wpops: which site? pass --cluster and --service (or --demo to try it against the simulator)");
            return exit::USAGE;
        };
        let target = Target {
            profile: g.profile.clone(),
            region: g.region.clone(),
            endpoint_url: g.endpoint_url.clone(),
            read_only: g.read_only,
            ..Target::interactive()
        };
        let site = SiteInfo {
            name: format!("{cluster}/{service}"),
            region: g.region.clone().unwrap_or_default(),
            cluster,
            service,
            profile: g.profile.clone(),
            read_only: g.read_only,
            demo: false,
            warm_limit_ms: DEFAULT_WARM_LIMIT_MS,
            confirm_by_typing: false,
        };
        (target, site)
    };
    let clients = match Clients::connect(&target).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("wpops: {}", e.report(target.profile.as_deref()));
            return exit::USAGE;
        }
    };
    let site = SiteInfo { region: clients.region.clone(), ..site };
    match crate::tui::run(site, clients, crate::feed::actions::WarmSettings::default()).await {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("wpops: {e}");
            exit::UNHEALTHY
        }
    }
}
