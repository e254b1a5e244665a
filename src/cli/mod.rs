//! The command line: argument parsing (clap), and one module per subcommand. It turns flags into
//! calls on the rest of the library and outcomes into exit codes; it holds no domain logic.

pub mod args;
pub mod exit;
mod sim_cmd;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

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
    let code = runtime.block_on(async move {
        match cli.command {
            Some(Command::Sim(opts)) => sim_cmd::run(opts).await,
            None => {
                eprintln!("wpops: the console is not built yet; run `wpops sim` to start the simulator (see --help)");
                exit::USAGE
            }
        }
    });
    ExitCode::from(code)
}
