//! Command-line flags and subcommands, as PRODUCT.md names them.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

/// wpops: a terminal operations console for WordPress on AWS ECS Fargate.
#[derive(Debug, Parser)]
#[command(name = "wpops", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub global: Global,
}

/// Flags every command takes.
#[derive(Debug, Clone, Default, Args)]
pub struct Global {
    /// Run against the embedded simulator: no AWS account needed.
    #[arg(long, global = true)]
    pub demo: bool,
    /// The simulator's scenario, for --demo and `wpops sim`: default, incident, large, quiet, or a
    /// path to a scenario .toml file.
    #[arg(long, global = true, value_name = "NAME", default_value = "default")]
    pub scenario: String,
    /// ECS cluster name or ARN.
    #[arg(long, global = true, env = "WPOPS_CLUSTER")]
    pub cluster: Option<String>,
    /// ECS service name or ARN.
    #[arg(long, global = true, env = "WPOPS_SERVICE")]
    pub service: Option<String>,
    /// AWS region (else AWS_REGION, the profile's region).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// AWS profile (else AWS_PROFILE).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Send every AWS request to this endpoint (e.g. a running `wpops sim`).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Never change anything (the header says so).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Write a debug log to this file (never to the terminal).
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the embedded AWS-compatible simulator alone, for any AWS client (--endpoint-url).
    Sim(SimArgs),
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
