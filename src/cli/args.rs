//! Command-line flags and subcommands, as PRODUCT.md names them. Parsing only: what the flags
//! mean is decided in `config::resolve` and the subcommands' modules.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// wpops: a terminal operations console for WordPress on AWS ECS Fargate.
#[derive(Debug, Parser)]
#[command(name = "wpops", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub global: Global,
    #[command(flatten)]
    pub window: ConsoleWindow,
}

/// The console's window (live when none is given): before any subcommand.
#[derive(Debug, Clone, Default, Args)]
pub struct ConsoleWindow {
    /// Open the console on a window in the past: from this far back (2h, 90m), a time of day
    /// (09:10, in this machine's zone) or an RFC 3339 time, to now.
    #[arg(long, conflicts_with = "from", value_name = "WHEN")]
    pub since: Option<String>,
    /// Open the console on the window from this time (as --since) to --to.
    #[arg(long, requires = "to", value_name = "WHEN")]
    pub from: Option<String>,
    /// The window's end (as --since).
    #[arg(long, requires = "from", value_name = "WHEN")]
    pub to: Option<String>,
}

/// Flags every command takes.
#[derive(Debug, Clone, Default, Args)]
pub struct Global {
    /// Run against the embedded simulator: no AWS account needed.
    #[arg(long, global = true)]
    pub demo: bool,
    /// The simulator's scenario, for --demo and `wpops sim`: default, incident, insecure, large, quiet, or a
    /// path to a scenario .toml file.
    #[arg(long, global = true, value_name = "NAME", default_value = "default")]
    pub scenario: String,
    /// The site to work on: a [sites.NAME] table of the config file (else WPOPS_SITE, default_site).
    #[arg(long, global = true, value_name = "NAME")]
    pub site: Option<String>,
    /// The config file (default: $XDG_CONFIG_HOME/wpops/config.toml, ~/.config/wpops/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// ECS cluster name or ARN (else the site's, else WPOPS_CLUSTER).
    #[arg(long, global = true)]
    pub cluster: Option<String>,
    /// ECS service name or ARN (else the site's, else WPOPS_SERVICE).
    #[arg(long, global = true)]
    pub service: Option<String>,
    /// AWS region (else the site's, AWS_REGION, the profile's region).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// AWS profile (else the site's, AWS_PROFILE).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Send every AWS request to this endpoint, e.g. a running `wpops sim` (else the site's,
    /// AWS_ENDPOINT_URL).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Never change anything (the header says so).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Follow logs with CloudWatch Live Tail (StartLiveTail) instead of polling
    /// FilterLogEvents; polling takes over when a session cannot start or ends. Billed per
    /// session-minute (README). The console's `L` toggles it.
    #[arg(long, global = true)]
    pub live_tail: bool,
    /// Append a log to this file (never to the terminal): failed attempts, backoffs, each
    /// action's request and outcome (WPOPS_LOG sets the filter).
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the embedded AWS-compatible simulator alone, for any AWS client (--endpoint-url).
    Sim(SimArgs),
    /// The service, its rollout, tasks, warmers and stopped tasks; exit 0 healthy, 1 unhealthy,
    /// 2 usage or config, 3 AWS could not answer.
    Status(StatusArgs),
    /// Container logs of the service's tasks, interleaved in time order.
    Logs(LogsArgs),
    /// The web ACL on the service's load balancer: blocks per rule group and rule, top blocked.
    Waf(WafArgs),
    /// How the service is built, against the seed's practices (read-only roots, EFS read-only and
    /// encrypted, the warmer's wiring, secrets, logging, WAF rule groups and logging, ECR scans and
    /// tags); exit 0 when nothing critical or high fails, 1 otherwise.
    Audit(OutputArgs),
    /// An incident report over a window (default the last 2 hours): verdict and findings, the
    /// timeline, deployments, stopped tasks, warmers, metric peaks, WAF blocks and the logs'
    /// trouble grouped by message; Markdown or JSON (docs/json.md), to stdout or --out FILE.
    /// Only reads.
    Report(ReportArgs),
    /// The sites of the config file.
    Sites(OutputArgs),
    /// Every service of a cluster (--cluster, else the site's).
    Services(OutputArgs),
    /// The config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Force a new deployment (UpdateService --force-new-deployment); --wait follows it to the end.
    Redeploy(ActArgs),
    /// Roll back to the task definition of the last deployment that completed before the current
    /// one and ran another task definition (refused, exit 4, when there is none).
    Rollback(ActArgs),
    /// Re-run OPcache warming on every running task (a one-off warmer task per task).
    Warm(WarmArgs),
    /// Stop one task so the scheduler replaces it; --wait follows the replacement's warmer.
    Replace(ReplaceArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Flags of the mutating subcommands.
#[derive(Debug, Clone, Args)]
pub struct ActArgs {
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Follow the action to its outcome (progress on stderr, summary on stdout).
    #[arg(long, short = 'w')]
    pub wait: bool,
    /// How long --wait follows before giving up (e.g. 15m).
    #[arg(long, default_value = "30m")]
    pub timeout: String,
    /// Start even while another deployment is rolling out.
    #[arg(long)]
    pub force: bool,
    /// Text for people, or one JSON document for scripts (docs/json.md)
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// Flags of `wpops warm`.
#[derive(Debug, Clone, Args)]
pub struct WarmArgs {
    #[command(flatten)]
    pub act: ActArgs,
    /// When the warmer task definition is missing, register one derived from the service's warmer.
    #[arg(long)]
    pub register_warmer: bool,
}

/// Flags of `wpops replace`.
#[derive(Debug, Clone, Args)]
pub struct ReplaceArgs {
    /// The task to replace (its id or a unique prefix of it).
    pub task: String,
    #[command(flatten)]
    pub act: ActArgs,
}

/// Text for people, JSON for scripts (docs/json.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Output {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Text for people, or one JSON document for scripts (docs/json.md)
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Text for people, or one JSON document for scripts (docs/json.md)
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Every site of the config file in one table (polled concurrently).
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    /// Only these containers (repeatable); default all three.
    #[arg(long, short = 'c', value_parser = ["warmer", "nginx", "php-fpm"])]
    pub container: Vec<String>,
    /// Only this task (its id or a unique prefix of it).
    #[arg(long, short = 't', value_name = "ID")]
    pub task: Option<String>,
    /// Start: a duration back from now (10m, 2h, 1d) or an RFC 3339 time; default 10m, or
    /// with --task (and no --until, no --follow) the task's whole life, however long ago.
    #[arg(long)]
    pub since: Option<String>,
    /// End: as --since; default now (not with --follow).
    #[arg(long, conflicts_with = "follow")]
    pub until: Option<String>,
    /// Only lines matching this regular expression.
    #[arg(long, short = 'f', value_name = "RE")]
    pub filter: Option<String>,
    /// Keep printing new lines until interrupted (Ctrl-C).
    #[arg(long, short = 'F')]
    pub follow: bool,
    /// Text for people, or one JSON document for scripts (docs/json.md)
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// The report's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// GitHub-flavoured Markdown, for a ticket or a postmortem.
    #[default]
    Md,
    /// One JSON document (`wpops.report/1`, docs/json.md).
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The window's start: a duration back from now (2h, 90m) or an RFC 3339 time; default 2h.
    #[arg(long, conflicts_with = "from")]
    pub since: Option<String>,
    /// The window's start, as --since (with --to for a window in the past).
    #[arg(long)]
    pub from: Option<String>,
    /// The window's end, as --since; default now.
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, short = 'o', value_enum, default_value_t = ReportFormat::Md)]
    pub output: ReportFormat,
    /// Write the report to this file instead of stdout (its path is printed on stderr).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct WafArgs {
    /// How far back to count blocked requests (sampled requests cover at most the last 3h).
    #[arg(long, default_value = "3h")]
    pub window: String,
    /// Text for people, or one JSON document for scripts (docs/json.md)
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented example config file.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print where the config file is read from.
    Path,
}

/// Flags of `wpops sim`.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Loopback address to listen on.
    #[arg(long, default_value = "127.0.0.1:4566")]
    pub listen: SocketAddr,
    /// How fast the virtual clock runs (1 = real time).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Seed for a reproducible run.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Fraction of requests answered with ThrottlingException (0..1).
    #[arg(long, default_value_t = 0.0)]
    pub throttle_rate: f64,
    /// Fraction of requests answered with a 500 (0..1).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Delay added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
}
