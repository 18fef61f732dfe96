#![forbid(unsafe_code)]
//! The `dynaudit` binary: parse arguments, run, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;
use dynaudit::cli::{self, Cli};
use dynaudit::gate::{EXIT_CLEAN, EXIT_ERROR};
use dynaudit::report::escape::inert_lines;

fn main() -> ExitCode {
    let parsed = match Cli::try_parse() {
        Ok(parsed) => parsed,
        Err(err) => {
            let _ = err.print();
            // --help and --version are not errors.
            return ExitCode::from(if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            });
        }
    };
    match cli::run(parsed) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Messages quote evidence and paths: control and bidirectional
            // characters in them are shown escaped, never sent to the
            // terminal.
            eprintln!("error: {}", inert_lines(&err.to_string()));
            // A cause that its parent's message already quotes is not
            // repeated (e.g. the I/O error of "cannot read ...: <error>").
            let mut shown = err.to_string();
            for cause in err.chain().skip(1) {
                let text = cause.to_string();
                if !shown.ends_with(&text) {
                    eprintln!("  caused by: {}", inert_lines(&text));
                }
                shown = text;
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}
