#![forbid(unsafe_code)]
//! The `dynaudit` binary: parse arguments, run, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;
use dynaudit::cli::{self, Cli};

fn main() -> ExitCode {
    let parsed = match Cli::try_parse() {
        Ok(parsed) => parsed,
        Err(err) => {
            let _ = err.print();
            // --help and --version are not errors.
            return ExitCode::from(if err.use_stderr() {
                cli::EXIT_ERROR
            } else {
                cli::EXIT_CLEAN
            });
        }
    };
    match cli::run(parsed) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
