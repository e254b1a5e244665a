//! `wpops sites` (the config file's sites), `wpops services` (every service of a cluster, paged),
//! `wpops config init|path` and `wpops completions`: small listings and files. The only AWS
//! call here is ListServices; nothing here changes anything in AWS.

use clap::CommandFactory;
use serde::Serialize;

use crate::aws::ecs;

use super::args::{Cli, ConfigCommand, Global, Output, OutputArgs};
use super::config::{self, ConfigFile};
use super::failure::{Failure, Outcome};
use super::output::{self, Color, Style};
use super::{connect, exit};

#[derive(Serialize)]
struct SiteRow<'a> {
    name: &'a str,
    default: bool,
    profile: Option<&'a str>,
    region: Option<&'a str>,
    cluster: Option<&'a str>,
    service: Option<&'a str>,
    read_only: bool,
    endpoint_url: Option<&'a str>,
}

/// Loads the config file for commands that need one: exit 2 with a hint when there is none.
pub fn load_required(global: &Global, command: &str) -> Result<(std::path::PathBuf, ConfigFile), Failure> {
    let Some(path) = config::config_path(global, &config::process_env) else {
        return Err(Failure::usage(command, "no config file: set HOME or XDG_CONFIG_HOME, or pass --config"));
    };
    match config::load(&path, false) {
        Ok(Some(file)) => Ok((path, file)),
        Ok(None) => {
            Err(Failure::usage(command, format!("no config file at {}: run `wpops config init`", path.display())))
        }
        Err(e) => Err(Failure::usage(command, e.to_string())),
    }
}

pub fn sites(args: OutputArgs, global: &Global) -> Outcome {
    let (path, file) = load_required(global, "sites")?;
    let default = file.default_site.as_deref();
    let rows: Vec<SiteRow> = file
        .sites
        .iter()
        .map(|(name, s)| SiteRow {
            name,
            default: default == Some(name.as_str()),
            profile: s.profile.as_deref(),
            region: s.region.as_deref(),
            cluster: s.cluster.as_deref(),
            service: s.service.as_deref(),
            read_only: s.read_only.unwrap_or(false),
            endpoint_url: s.endpoint_url.as_deref(),
        })
        .collect();
    if args.output == Output::Json {
        #[derive(Serialize)]
        struct Doc<'a> {
            schema: &'static str,
            config: String,
            sites: Vec<SiteRow<'a>>,
        }
        output::print_json(&Doc { schema: "wpops.sites/1", config: path.display().to_string(), sites: rows });
        return Ok(exit::OK);
    }
    let st = Style::detect();
    let mut table = vec![["SITE", "PROFILE", "REGION", "CLUSTER/SERVICE", ""].map(String::from).to_vec()];
    for r in &rows {
        let mark = if r.default { "*" } else { " " };
        table.push(vec![
            format!("{mark}{}", r.name),
            r.profile.unwrap_or("-").to_string(),
            r.region.unwrap_or("-").to_string(),
            format!("{}/{}", r.cluster.unwrap_or("?"), r.service.unwrap_or("?")),
            if r.read_only { st.paint(Color::Yellow, "read-only") } else { String::new() },
        ]);
    }
    let mut lines = output::table(&table);
    lines.push(st.paint(Color::Dim, &format!("{} sites in {} (* default)", rows.len(), path.display())));
    output::print_lines(&lines);
    Ok(exit::OK)
}

pub async fn services(args: OutputArgs, global: &Global) -> Outcome {
    // The service is not needed to list a cluster: a placeholder keeps resolve's checks.
    let mut g = global.clone();
    if g.service.is_none() {
        g.service = Some("-".into());
    }
    let session = connect::open("services", &g).await.map_err(|f| {
        // Only the cluster is needed here; the generic message also asks for a service.
        if f.message.starts_with("no cluster in") {
            let message = "which cluster? pass --cluster NAME or --site NAME (see `wpops config init`)".to_owned();
            Failure { message, ..f }
        } else {
            f
        }
    })?;
    let cluster = session.site.cluster.clone();
    let arns = match ecs::list_services(&session.clients, &cluster).await {
        Ok(a) => a,
        Err(e) => return Err(Failure::aws("services", &e, session.profile())),
    };
    let mut names: Vec<String> =
        arns.iter().map(|a| crate::model::sanitize_line(a.rsplit('/').next().unwrap_or(a))).collect();
    names.sort();
    if args.output == Output::Json {
        #[derive(Serialize)]
        struct Doc<'a> {
            schema: &'static str,
            cluster: &'a str,
            count: usize,
            services: &'a [String],
        }
        output::print_json(&Doc {
            schema: "wpops.services/1",
            cluster: &cluster,
            count: names.len(),
            services: &names,
        });
    } else {
        let mut lines = names.clone();
        lines.push(Style::detect().paint(Color::Dim, &format!("{} services in {cluster}", names.len())));
        output::print_lines(&lines);
    }
    Ok(exit::OK)
}

pub fn config_cmd(cmd: ConfigCommand, global: &Global) -> Outcome {
    let Some(path) = config::config_path(global, &config::process_env) else {
        return Err(Failure::usage("config", "no config path: set HOME or XDG_CONFIG_HOME, or pass --config"));
    };
    match cmd {
        ConfigCommand::Path => {
            output::print_lines(&[path.display().to_string()]);
            Ok(exit::OK)
        }
        ConfigCommand::Init { force } => {
            if path.exists() && !force {
                return Err(Failure::usage(
                    "config init",
                    format!("{} exists; pass --force to overwrite it", path.display()),
                ));
            }
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, config::EXAMPLE));
            match written {
                Ok(()) => {
                    eprintln!("wpops: wrote {}; edit it, then run `wpops sites`", path.display());
                    Ok(exit::OK)
                }
                Err(e) => Err(Failure::usage("config init", format!("cannot write {}: {e}", path.display()))),
            }
        }
    }
}

pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "wpops", &mut buf);
    output::print_bytes(&buf);
    Ok(exit::OK)
}
