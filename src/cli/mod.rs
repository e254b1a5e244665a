//! The command line: argument parsing (clap), config loading, and one module per subcommand. It
//! turns flags into calls on the rest of the library and outcomes into exit codes; it holds no
//! domain logic.

mod act;
mod act_warm;
pub mod args;
pub mod audit;
pub mod config;
pub mod connect;
mod console;
pub mod exit;
pub mod failure;
mod fleet;
mod logs_cmd;
pub mod output;
pub mod report_cmd;
mod sim_cmd;
mod sites;
pub mod status;
mod waf_cmd;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

pub use config::{ConfigError, ResolvedSite, resolve};
use failure::Failure;

/// Parses the command line and runs what it asks for.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wpops: cannot start the async runtime: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let _log = init_logging(&cli.global);
    let command = cli.command.as_ref().map_or("", command_name);
    tracing::info!(
        command,
        "wpops {} {}",
        env!("CARGO_PKG_VERSION"),
        if command.is_empty() { "console" } else { command }
    );
    let outcome = runtime.block_on(async move {
        let g = &cli.global;
        let w = &cli.window;
        if cli.command.is_some() && (w.since.is_some() || w.from.is_some() || w.to.is_some()) {
            return Err(failure::Failure::usage(
                "",
                "--since, --from and --to before a subcommand are the console's window; give a subcommand's own after it (wpops report --since 2h)",
            ));
        }
        match cli.command {
            Some(Command::Sim(opts)) => sim_cmd::run(opts, &g.scenario).await,
            Some(Command::Status(a)) => status::run(a, g).await,
            Some(Command::Logs(a)) => logs_cmd::run(a, g).await,
            Some(Command::Waf(a)) => waf_cmd::run(a, g).await,
            Some(Command::Audit(a)) => audit::run(a, g).await,
            Some(Command::Report(a)) => report_cmd::run(a, g).await,
            Some(Command::Sites(a)) => sites::sites(a, g),
            Some(Command::Services(a)) => sites::services(a, g).await,
            Some(Command::Config(c)) => sites::config_cmd(c, g),
            Some(Command::Redeploy(a)) => act::redeploy(&a, g).await,
            Some(Command::Rollback(a)) => act::rollback(&a, g).await,
            Some(Command::Warm(a)) => act_warm::warm(&a, g).await,
            Some(Command::Replace(a)) => act::replace(&a, g).await,
            Some(Command::Completions { shell }) => sites::completions(shell),
            None => console::run(g, w).await,
        }
    });
    // Do not wait for stray blocking work (DNS lookups) of an unreachable endpoint.
    runtime.shutdown_timeout(std::time::Duration::from_millis(300));
    // The one place a failure is printed; then the final flush of stdout, whose failure is one
    // (a closed pipe is not: the reader chose to stop).
    let code = match outcome {
        Ok(code) => code,
        Err(failure) => {
            tracing::error!(code = failure.code, "{failure}");
            eprintln!("{failure}");
            failure.code
        }
    };
    let code = match output::finish() {
        output::Written::All | output::Written::ReaderGone => code,
        output::Written::Failed(e) if code == exit::OK || code == exit::UNHEALTHY => {
            let failure = Failure::with_code(exit::WRITE_FAILED, command, format!("cannot write the output: {e}"));
            tracing::error!(code = failure.code, "{failure}");
            eprintln!("{failure}");
            exit::WRITE_FAILED
        }
        // The command failed already and said why; its code says more than the write error.
        output::Written::Failed(_) => code,
    };
    tracing::info!(code, "exit {code}");
    ExitCode::from(code)
}

/// The subcommand's name as failures print it (`wpops status: …`); empty for the console.
fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Sim(_) => "sim",
        Command::Status(_) => "status",
        Command::Logs(_) => "logs",
        Command::Waf(_) => "waf",
        Command::Audit(_) => "audit",
        Command::Report(_) => "report",
        Command::Sites(_) => "sites",
        Command::Services(_) => "services",
        Command::Config(_) => "config",
        Command::Redeploy(_) => "redeploy",
        Command::Rollback(_) => "rollback",
        Command::Warm(_) => "warm",
        Command::Replace(_) => "replace",
        Command::Completions { .. } => "completions",
    }
}

/// Sends `tracing` output to `--log-file`, never to the terminal the console owns.
fn init_logging(g: &args::Global) -> Option<()> {
    let path = g.log_file.as_ref()?;
    let file = match std::fs::OpenOptions::new().create(true).append(true).open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("wpops: cannot open the log file {}: {e}", path.display());
            return None;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("WPOPS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("wpops=debug,info"));
    tracing_subscriber::fmt().with_writer(std::sync::Mutex::new(file)).with_ansi(false).with_env_filter(filter).init();
    Some(())
}
