//! Command-line flags and subcommands, as PRODUCT.md names them.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

/// wpops: a terminal operations console for WordPress on AWS ECS Fargate.
#[derive(Debug, Parser)]
#[command(name = "wpops", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
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
    /// default, incident, large, quiet, or a path to a scenario .toml file.
    #[arg(long, default_value = "default")]
    pub scenario: String,
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
