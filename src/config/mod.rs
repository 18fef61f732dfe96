//! The configuration file (`dynaudit.toml`), validated before anything
//! uses it: rule [`parameters`], live-collection settings ([`scan`]) and
//! the bounds of policy evaluation ([`evaluation`]).
//! Every default is defined once, in these types; the parameter reference
//! in the README and `policies/README.md` is generated from them
//! ([`reference`]) and checked by a test. Nothing here depends on AWS.

pub mod endpoint;
pub mod evaluation;
pub mod limits;
pub mod parameters;
pub mod reference;
pub mod scan;

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use evaluation::EvaluationSettings;
pub use parameters::Parameters;
pub use scan::ScanSettings;

/// Why a configuration file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    File(#[from] crate::text_file::TextFileError),
    /// A value out of its range: `at` is `file:line:column` of the value
    /// (or the file, if the key was not found in it).
    #[error("{at}: {key}: {message}")]
    Invalid {
        at: String,
        key: String,
        message: String,
    },
}

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Rule parameters (`data.dynaudit.params` in Rego).
    pub parameters: Parameters,
    /// Live collection settings (`collect` and `scan`): retries, timeouts,
    /// concurrency, client-side rate limits.
    pub scan: ScanSettings,
    /// Bounds of policy evaluation: time per rule, size of generated
    /// collections.
    pub evaluation: EvaluationSettings,
}

impl Config {
    /// Reads and validates `path`, or the defaults without one.
    pub fn load_or_default(path: Option<&Path>) -> Result<Config, ConfigError> {
        match path {
            Some(path) => Config::load(path),
            None => Ok(Config::default()),
        }
    }

    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let (shown, text) = crate::text_file::read("config", path, limits::TEXT_FILE_LIMIT)?;
        Config::parse(&shown, &text)
    }

    /// Parses and validates configuration text; `path` names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text)
            .map_err(|err| crate::text_file::TextFileError::toml(path, text, &err))?;
        let at = |key: &[&str]| match crate::text_file::toml_key_position(text, key) {
            Some((line, column)) => format!("{path}:{line}:{column}"),
            None => path.to_string(),
        };
        config.parameters.validate().map_err(|invalid| {
            let mut key = vec!["parameters"];
            key.extend(invalid.key.splitn(2, '.'));
            ConfigError::Invalid {
                at: at(&key),
                key: format!("parameters.{}", invalid.key),
                message: invalid.message,
            }
        })?;
        config.scan.validate().map_err(|invalid| {
            let key: Vec<&str> = invalid.key.iter().map(String::as_str).collect();
            ConfigError::Invalid {
                at: at(&key),
                key: invalid.dotted_key(),
                message: invalid.message,
            }
        })?;
        config
            .evaluation
            .validate()
            .map_err(|message| ConfigError::Invalid {
                at: at(&["evaluation"]),
                key: "evaluation".to_string(),
                message,
            })?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let config = Config::parse("c.toml", "").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.parameters.min_pitr_recovery_days, 35);
    }

    #[test]
    fn unknown_key_names_line() {
        let err = Config::parse("c.toml", "[parameters]\nmin_pitr_days = 3\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:1:"), "{err}");
        assert!(err.contains("min_pitr_days"), "{err}");
    }

    #[test]
    fn wrong_type_names_line() {
        let err = Config::parse("c.toml", "[parameters]\nbackup_window_hours = \"day\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:"), "{err}");
    }

    #[test]
    fn evaluation_limits_are_read_and_checked() {
        let config = Config::parse(
            "c.toml",
            "[evaluation]\nmax_seconds_per_rule = 1.5\nmax_generated_elements = 10\n",
        )
        .unwrap();
        assert_eq!(config.evaluation.max_seconds_per_rule, 1.5);
        assert_eq!(config.evaluation.max_generated_elements, 10);
        let err = Config::parse("c.toml", "[evaluation]\nmax_seconds_per_rule = 0\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("evaluation.max_seconds_per_rule"), "{err}");
    }

    #[test]
    fn trusted_account_ids_take_ids_and_the_word_organization() {
        let config = Config::parse(
            "c.toml",
            "[parameters]\ntrusted_account_ids = [\"organization\", \"444455556666\"]\n",
        )
        .unwrap();
        assert_eq!(
            config.parameters.trusted_account_ids,
            vec!["organization", "444455556666"]
        );
        for bad in ["Organization", "organizations", "o-a1b2c3d4e5", "12345", ""] {
            let err = Config::parse(
                "c.toml",
                &format!("[parameters]\ntrusted_account_ids = [\"{bad}\"]\n"),
            )
            .unwrap_err()
            .to_string();
            assert!(err.contains("parameters.trusted_account_ids"), "{err}");
            assert!(
                err.contains("neither a 12-digit AWS account id nor `organization`"),
                "{err}"
            );
        }
    }

    #[test]
    fn out_of_range_is_rejected() {
        let err = Config::parse("c.toml", "[parameters]\nmin_pitr_recovery_days = 90\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("parameters.min_pitr_recovery_days"), "{err}");
    }
}
