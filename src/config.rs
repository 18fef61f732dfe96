//! The configuration file (`dynaudit.toml`): rule parameters, validated
//! before any rule sees them.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Why a configuration file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    File(#[from] crate::text_file::TextFileError),
    #[error("{path}: {key}: {message}")]
    Invalid {
        path: String,
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
    pub scan: crate::collect::ScanSettings,
}

/// Rule parameters. Every one has a default; all are echoed in reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Parameters {
    /// DYN101: when non-empty, tables must use one of these KMS key ARNs.
    pub allowed_kms_key_arns: Vec<String>,
    /// DYN201: minimum PITR recovery period in days (1-35).
    pub min_pitr_recovery_days: i64,
    /// DYN202: a backup must have completed within this many hours.
    pub backup_window_hours: i64,
    /// DYN205: table name -> regions it must have replicas in.
    pub required_replica_regions: BTreeMap<String, Vec<String>>,
    /// DYN205: tag whose value (space-separated regions) sets a table's
    /// required replica regions.
    pub replica_regions_tag: String,
    /// DYN304: names of tables that require row-level security.
    pub row_level_security_tables: Vec<String>,
    /// DYN304: tag that, set to `required`, marks a table as requiring
    /// row-level security.
    pub row_level_security_tag: String,
    /// DYN305: accounts (besides the scanned one) a table policy may grant.
    pub trusted_account_ids: Vec<String>,
    /// DYN401: VPCs that must have a DynamoDB endpoint (empty = all).
    pub vpc_ids: Vec<String>,
    /// DYN401: ignore default VPCs.
    pub skip_default_vpcs: bool,
    /// DYN602: AWS Config managed rule identifiers that must be deployed.
    pub required_config_rules: Vec<String>,
    /// DYN604: tag key -> allowed values (empty list = any non-empty value).
    pub required_tags: BTreeMap<String, Vec<String>>,
}

impl Default for Parameters {
    fn default() -> Self {
        Parameters {
            allowed_kms_key_arns: Vec::new(),
            min_pitr_recovery_days: 35,
            backup_window_hours: 24,
            required_replica_regions: BTreeMap::new(),
            replica_regions_tag: "dynaudit:replica-regions".to_string(),
            row_level_security_tables: Vec::new(),
            row_level_security_tag: "dynaudit:row-level-security".to_string(),
            trusted_account_ids: Vec::new(),
            vpc_ids: Vec::new(),
            skip_default_vpcs: false,
            required_config_rules: vec![
                "DYNAMODB_TABLE_ENCRYPTED_KMS".to_string(),
                "DYNAMODB_PITR_ENABLED".to_string(),
                "DYNAMODB_IN_BACKUP_PLAN".to_string(),
            ],
            required_tags: BTreeMap::from([
                ("Application".to_string(), Vec::new()),
                ("Environment".to_string(), Vec::new()),
            ]),
        }
    }
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let (shown, text) = crate::text_file::read("config", path)?;
        Config::parse(&shown, &text)
    }

    /// Parses and validates configuration text; `path` names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text)
            .map_err(|err| crate::text_file::TextFileError::toml(path, text, &err))?;
        config.parameters.validate(path)?;
        config
            .scan
            .validate()
            .map_err(|message| ConfigError::Invalid {
                path: path.to_string(),
                key: "scan".to_string(),
                message,
            })?;
        Ok(config)
    }
}

impl Parameters {
    /// Checks values that TOML types alone cannot.
    pub fn validate(&self, path: &str) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            path: path.to_string(),
            key: format!("parameters.{key}"),
            message,
        };
        if !(1..=35).contains(&self.min_pitr_recovery_days) {
            return Err(invalid(
                "min_pitr_recovery_days",
                format!(
                    "{} is outside 1..=35 (DynamoDB's PITR recovery period range)",
                    self.min_pitr_recovery_days
                ),
            ));
        }
        if self.backup_window_hours < 1 {
            return Err(invalid(
                "backup_window_hours",
                format!("{} must be at least 1", self.backup_window_hours),
            ));
        }
        for account in &self.trusted_account_ids {
            if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
                return Err(invalid(
                    "trusted_account_ids",
                    format!("`{account}` is not a 12-digit AWS account id"),
                ));
            }
        }
        for arn in &self.allowed_kms_key_arns {
            if !arn.starts_with("arn:") || !arn.contains(":kms:") {
                return Err(invalid(
                    "allowed_kms_key_arns",
                    format!("`{arn}` is not a KMS key ARN"),
                ));
            }
        }
        for (table, regions) in &self.required_replica_regions {
            for region in regions {
                if !crate::regions::looks_like_region(region) {
                    return Err(invalid(
                        &format!("required_replica_regions.{table}"),
                        format!("`{region}` is not a region name"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The parameters as the JSON object rules see as `data.dynaudit.params`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
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
    fn out_of_range_is_rejected() {
        let err = Config::parse("c.toml", "[parameters]\nmin_pitr_recovery_days = 90\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("parameters.min_pitr_recovery_days"), "{err}");
    }
}
