//! The `focus` binary: parse the command line, run it, map the outcome to an exit code.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = focus::cli::Cli::parse();
    match focus::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "focus: error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
