//! Opening the console: the site is resolved like every subcommand's (flags, then the config's
//! site, then the environment, then defaults; `--demo` starts the simulator in-process), connected
//! with the console's interactive timeouts, and handed to the terminal loop (`tui.rs`) until the
//! operator quits (exit 0) or a signal stops it (exit 128 + the signal's number, after the
//! terminal is restored as for `q`).

use std::time::Duration;

use crate::app::SiteInfo;
use crate::aws::Target;
use crate::feed::runners::WarmSettings;

use super::args::{ConsoleWindow, Global};
use super::config::{self, Confirm};
use super::connect;
use super::exit;
use super::failure::{Failure, Outcome};
use crate::model::window::{self, Clock, TimeWindow};

/// How one site's console ended.
enum SiteEnd {
    Quit,
    /// Open this site next (from the fleet view).
    Open(String),
    /// Stopped by a signal: exit with this code.
    Signalled(u8),
}

/// Runs the console; when the operator opens another site from the fleet view, opens that one.
pub async fn run(g: &Global, w: &ConsoleWindow) -> Outcome {
    let mut global = g.clone();
    let mut from_fleet = false;
    let offset_secs = chrono::Local::now().offset().local_minus_utc();
    let clock = Clock { offset_secs, utc: false };
    let mut start = opening_window(w, crate::feed::now_ms(), clock).map_err(|e| Failure::usage("", e))?;
    loop {
        let opened = run_site(&global, from_fleet, offset_secs, start).await?;
        // A site opened from the fleet view starts live.
        start = TimeWindow::Live;
        match opened {
            SiteEnd::Open(next) => {
                global = Global { site: Some(next), cluster: None, service: None, demo: false, ..global };
                from_fleet = true;
            }
            SiteEnd::Quit => return Ok(exit::OK),
            SiteEnd::Signalled(code) => return Ok(code),
        }
    }
}

/// The window `--since` or `--from`/`--to` name (times of day in `clock`'s zone), live without.
pub fn opening_window(w: &ConsoleWindow, now: i64, clock: Clock) -> Result<TimeWindow, String> {
    let parse = |flag: &str, s: &str| window::parse_time_in(s, now, clock).map_err(|e| format!("{flag} {e}"));
    let (from, to) = match (&w.since, &w.from, &w.to) {
        (Some(s), _, _) => (parse("--since", s)?, now),
        (None, Some(f), Some(t)) => (parse("--from", f)?, parse("--to", t)?),
        _ => return Ok(TimeWindow::Live),
    };
    window::fixed(from, to, now)
}

/// With only `--cluster`: lists the cluster's services and asks which one to open.
async fn pick_service(g: &Global) -> Result<String, Failure> {
    use std::io::{BufRead, IsTerminal, Write};
    let cluster = g.cluster.clone().unwrap_or_default();
    let probe = config::ResolvedSite {
        name: cluster.clone(),
        profile: g.profile.clone(),
        region: g.region.clone(),
        endpoint_url: g.endpoint_url.clone(),
        cluster: cluster.clone(),
        ..config::ResolvedSite::default()
    };
    let session = connect::connect(probe, &g.scenario, "").await?;
    let arns = crate::aws::ecs::list_services(&session.clients, &cluster)
        .await
        .map_err(|e| Failure::aws("", &e, g.profile.as_deref()))?;
    let names: Vec<String> =
        arns.iter().map(|a| crate::model::sanitize_line(a.rsplit('/').next().unwrap_or(a))).collect();
    if names.is_empty() {
        return Err(Failure::usage("", format!("cluster {cluster} has no services")));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "",
            format!(
                "cluster {cluster} has {} services; pass --service NAME (`wpops services --cluster {cluster}` lists them)",
                names.len()
            ),
        ));
    }
    let mut err = std::io::stderr().lock();
    for (i, n) in names.iter().enumerate() {
        let _ = writeln!(err, "{:>5}  {n}", i + 1);
    }
    let _ = write!(err, "Open which service of {cluster} (number or name)? ");
    let _ = err.flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    let answer = answer.trim();
    let chosen = answer
        .parse::<usize>()
        .ok()
        .and_then(|i| names.get(i.wrapping_sub(1)))
        .or_else(|| names.iter().find(|n| *n == answer));
    chosen.cloned().ok_or_else(|| Failure::usage("", format!("no service {answer:?} in cluster {cluster}")))
}

async fn run_site(g: &Global, from_fleet: bool, offset_secs: i32, start: TimeWindow) -> Result<SiteEnd, Failure> {
    if g.cluster.is_some() && g.service.is_none() && g.site.is_none() && !g.demo && config::resolve(g).is_err() {
        let service = pick_service(g).await?;
        let g = Global { service: Some(service), ..g.clone() };
        return Box::pin(run_site(&g, from_fleet, offset_secs, start)).await;
    }
    let site = match config::resolve(g) {
        Ok(s) => s,
        Err(config::ConfigError::Invalid(m)) if !g.demo && g.cluster.is_none() && g.service.is_none() => {
            return Err(Failure::usage("", format!("{m}; or --demo to try it against the simulator")));
        }
        Err(e) => return Err(Failure::usage("", e.to_string())),
    };
    let session = connect::connect(site, &g.scenario, "").await?;
    // The console retries by itself (feeds back off): a few quick attempts, short timeouts.
    let target = Target {
        max_attempts: crate::aws::client::CONSOLE_ATTEMPTS,
        operation_timeout: Duration::from_secs(12),
        attempt_timeout: Duration::from_secs(5),
        ..connect::target_for(&session.site)
    };
    let target = Target {
        static_credentials: session.site.demo.then(|| (config::DEMO_ACCESS_KEY.into(), config::DEMO_SECRET.into())),
        endpoint_url: session.site.endpoint_url.clone(),
        region: Some(session.clients.region.clone()),
        ..target
    };
    let clients = match crate::aws::Clients::connect(&target).await {
        Ok(c) => c,
        Err(e) => return Err(Failure { code: exit::USAGE, ..Failure::aws("", &e, target.profile.as_deref()) }),
    };
    let s = &session.site;
    let info = SiteInfo {
        name: if s.demo { format!("demo ({})", g.scenario) } else { s.name.clone() },
        region: clients.region.clone(),
        cluster: s.cluster.clone(),
        service: s.service.clone(),
        profile: s.profile.clone(),
        read_only: s.read_only,
        demo: s.demo,
        warm_limit_ms: (s.warming.limit_secs as i64).saturating_mul(1000),
        confirm_by_typing: s.confirm == Confirm::TypeName,
        from_fleet,
        live_tail: s.live_tail,
        clock: Clock { offset_secs, utc: s.utc },
        window: start,
    };
    let warming = WarmSettings {
        task_definition: s.warming.task_definition.clone(),
        path: s.warming.path.clone(),
        port: s.warming.port,
    };
    let _sim = session.sim;
    let fleet = if s.demo { None } else { super::fleet::console_source(g) };
    let audit = crate::feed::runners::audit::AuditLog::for_site(s.demo, s.endpoint_url.as_deref());
    match crate::tui::run(info, clients, warming, fleet, audit).await {
        Ok(crate::tui::TuiExit::Quit) => Ok(SiteEnd::Quit),
        Ok(crate::tui::TuiExit::Open(name)) => Ok(SiteEnd::Open(name)),
        Ok(crate::tui::TuiExit::Signalled(sig)) => Ok(SiteEnd::Signalled(sig.exit_code())),
        Err(e) => Err(Failure::with_code(exit::UNHEALTHY, "", e.to_string())),
    }
}
