//! `wpops report`: the incident report over a window, read by `feed::report` (the console's
//! `:report` uses the same) and built by `model::report`; printed as Markdown or JSON, or
//! written to `--out FILE`. Exit 0 when the report was written (whatever it says), 2 for a bad
//! window or file, 3 when the service could not be read.

use super::args::{Global, ReportArgs, ReportFormat};
use super::connect;
use super::exit;
use super::failure::{Failure, Outcome};
use super::logs_cmd::parse_time;
use super::output;
use crate::feed::now_ms;
use crate::feed::report::{ReportSite, gather};
use crate::model::report::{IncidentReport, markdown};

/// The window when none is given.
pub const DEFAULT_SINCE: &str = "2h";

/// `[from, to]` in epoch ms from `--since` or `--from`, and `--to`.
pub fn window(args: &ReportArgs, now: i64) -> Result<(i64, i64), String> {
    let (flag, start) = match (&args.since, &args.from) {
        (Some(s), _) => ("--since", s.as_str()),
        (None, Some(f)) => ("--from", f.as_str()),
        (None, None) => ("--since", DEFAULT_SINCE),
    };
    let from = parse_time(start, now).map_err(|e| format!("{flag} {e}"))?;
    let to = match &args.to {
        Some(t) => parse_time(t, now).map_err(|e| format!("--to {e}"))?,
        None => now,
    };
    if from >= now {
        return Err(format!("{flag} {start:?} is not in the past: nothing has happened there yet"));
    }
    if to <= from {
        return Err(format!(
            "--to ({}) is not after the window's start ({}): the window is empty",
            output::iso(to),
            output::iso(from)
        ));
    }
    Ok((from, to.min(now)))
}

/// The report in the chosen format.
pub fn render(report: &IncidentReport, format: ReportFormat) -> String {
    match format {
        ReportFormat::Md => markdown(report),
        ReportFormat::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
    }
}

pub async fn run(args: ReportArgs, global: &Global) -> Outcome {
    let now = now_ms();
    let (from, to) = window(&args, now).map_err(|e| Failure::usage("report", e))?;
    let session = connect::open("report", global).await?;
    let site = &session.site;
    let facts = gather(&session.clients, &site.cluster, &site.service, from, to)
        .await
        .map_err(|e| Failure::aws("report", &e, session.profile()))?;
    let report = facts.report(
        &ReportSite {
            name: &site.name,
            region: &session.clients.region,
            cluster: &site.cluster,
            service: &site.service,
            warm_limit_ms: site.warming.limit_secs as i64 * 1000,
        },
        now_ms(),
    );
    let text = render(&report, args.output);
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| Failure::usage("report", format!("cannot write {}: {e}", path.display())))?;
            eprintln!("wpops report: wrote {} ({} to {})", path.display(), report.window.from, report.window.to);
            Ok(exit::OK)
        }
        None => {
            output::print_lines(&[text.trim_end().to_owned()]);
            Ok(exit::OK)
        }
    }
}
