//! `dynaudit rules`: list the rules (built-in and `--policies`).

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};

use crate::cli::output::write_stdout;
use crate::gate::EXIT_CLEAN;
use crate::policy::PolicySet;
use crate::report::escape::{inert, inert_lines};

/// `dynaudit rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// Additional policy directory (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
}

/// Formats of `dynaudit rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    /// The rule index of `docs/rules/README.md`.
    Markdown,
}

/// Runs `dynaudit rules`.
pub fn run(args: &RulesArgs) -> Result<u8> {
    let policies = PolicySet::load(&args.policy_dirs)?;
    let text = match args.format {
        RulesFormat::Json => serde_json::to_string_pretty(policies.rules())? + "\n",
        RulesFormat::Markdown => {
            inert_lines(&crate::report::rule_doc::rule_index(policies.rules())).into_owned()
        }
        RulesFormat::Table => {
            let mut table = comfy_table::Table::new();
            table.load_style(comfy_table::presets::UTF8_HORIZONTAL_ONLY);
            table.set_header(vec!["id", "severity", "name", "PCI DSS v4.0", "SOC 2"]);
            for rule in policies.rules() {
                let controls = |f: &str| {
                    rule.frameworks
                        .get(f)
                        .map(|c| c.join(" "))
                        .unwrap_or_default()
                };
                // Rules of --policies are the user's text: shown inert.
                table.add_row(
                    [
                        rule.id.clone(),
                        rule.severity.to_string(),
                        rule.name.clone(),
                        controls(crate::frameworks::PCI_DSS_4),
                        controls(crate::frameworks::SOC2),
                    ]
                    .map(|text| inert(&text).into_owned()),
                );
            }
            format!("{table}\n")
        }
    };
    write_stdout(&text)?;
    Ok(EXIT_CLEAN)
}
