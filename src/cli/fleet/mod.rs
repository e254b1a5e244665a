//! `wpops status --all`: every site of the config file in one table, read by `feed::fleet`
//! (concurrently, one budget and one reader per account and region, one GetMetricData call per
//! account and region). Exit 1 if any site is unhealthy, else 3 if any could not be read, else
//! 0. Rendering is in `view.rs`; the verdict is `model::service_health`'s.

pub mod view;

use crate::feed::fleet::{self, FleetSite, FleetSource};
use crate::feed::now_ms;
use crate::model::FleetRow;

use super::args::{Global, Output, StatusArgs};
use super::config::{self, ResolvedSite};
use super::failure::{Failure, Outcome};
use super::output::{self, Style};
use super::{connect, exit, sites};

pub async fn run(args: StatusArgs, global: &Global) -> Outcome {
    if global.site.is_some() || global.cluster.is_some() || global.service.is_some() || global.demo {
        return Err(Failure::usage(
            "status --all",
            "--all covers every site of the config file; drop --site, --cluster, --service and --demo",
        ));
    }
    let (_, file) = sites::load_required(global, "status --all")?;
    if file.sites.is_empty() {
        return Err(Failure::usage("status --all", "the config file has no [sites.NAME] tables"));
    }
    let mut resolved = Vec::new();
    for (name, entry) in &file.sites {
        match config::resolve_entry(Some(name), entry, global, &config::process_env) {
            Ok(s) => resolved.push(fleet_site(&s)),
            Err(e) => return Err(Failure::usage("status --all", format!("site {name}: {e}"))),
        }
    }
    let rows = fleet::poll(&resolved).await;
    let now = now_ms();
    let code = exit_code(&rows);
    match args.output {
        Output::Json => output::print_json(&view::json(&rows, now, code)),
        Output::Text => output::print_lines(&view::text(&rows, now, Style::detect())),
    };
    Ok(code)
}

/// What the fleet reader needs of a resolved site.
pub fn fleet_site(site: &ResolvedSite) -> FleetSite {
    FleetSite {
        name: site.name.clone(),
        target: connect::target_for(site),
        cluster: site.cluster.clone(),
        service: site.service.clone(),
        web_acl: site.web_acl.clone(),
        warm_limit_ms: site.warming.limit_secs as i64 * 1000,
    }
}

/// 1 if any site is unhealthy (a known problem outranks an unknown), else 3 if any could not be
/// read, else 0.
pub fn exit_code(rows: &[FleetRow]) -> u8 {
    if rows.iter().any(FleetRow::is_unhealthy) {
        exit::UNHEALTHY
    } else if rows.iter().any(|r| r.error.is_some()) {
        exit::AWS_UNAVAILABLE
    } else {
        exit::OK
    }
}

/// Every site of the config file, resolved with only the environment and `--config` applied
/// (the flags name one site; the fleet is all of them). Empty when there is no config file.
pub fn configured_sites(global: &Global) -> Vec<ResolvedSite> {
    let base = Global { config: global.config.clone(), ..Global::default() };
    let Some(path) = config::config_path(&base, &config::process_env) else { return Vec::new() };
    let Ok(Some(file)) = config::load(&path, false) else { return Vec::new() };
    file.sites
        .iter()
        .filter_map(|(name, entry)| config::resolve_entry(Some(name), entry, &base, &config::process_env).ok())
        .collect()
}

/// The console's fleet view source: every configured site, read as `status --all` reads them.
pub fn console_source(global: &Global) -> Option<FleetSource> {
    FleetSource::new(configured_sites(global).iter().map(fleet_site).collect())
}
