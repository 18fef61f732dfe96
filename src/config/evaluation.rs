//! The `[evaluation]` table of the configuration: the bounds every policy
//! evaluation runs within, so that a rule that loops or explodes (a custom
//! rule, or a built-in one on a hostile inventory) ends with an error that
//! names it instead of hanging the run or exhausting the machine.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `[evaluation]` table of the config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EvaluationSettings {
    /// Wall-clock seconds one rule's evaluation may take before it is
    /// stopped and the run ends with exit 2 naming the rule. Default 300:
    /// at 100,000 tables the whole evaluation (27 rules) takes about 31 s on
    /// the 2-core benchmark machine (docs/benchmarks.md) and its slowest
    /// rule (DYN304) about a sixth of the evaluation's CPU time, about 10 s,
    /// so a legitimate rule stays 30 times below the limit, and still 10
    /// times below it on a CI runner three times slower or busier.
    pub max_seconds_per_rule: f64,
    /// The most elements one call of `numbers.range`, `numbers.range_step`
    /// or `net.cidr_expand` may produce (a larger call is an error naming
    /// the rule, file and line). These builtins build their whole result in
    /// one step, before the time limit can be checked: `numbers.range(1,
    /// 1e15)` would otherwise abort the process. Default 1,000,000: ten
    /// times an index range over every table of 100,000.
    pub max_generated_elements: u64,
}

impl Default for EvaluationSettings {
    fn default() -> Self {
        EvaluationSettings {
            max_seconds_per_rule: 300.0,
            max_generated_elements: 1_000_000,
        }
    }
}

/// The largest time limit accepted: a day.
const MAX_SECONDS: f64 = 86_400.0;

impl EvaluationSettings {
    /// Checks the values; the message names the key to fix.
    pub fn validate(&self) -> Result<(), String> {
        let secs = self.max_seconds_per_rule;
        if !(secs.is_finite() && secs > 0.0 && secs <= MAX_SECONDS) {
            return Err(format!(
                "evaluation.max_seconds_per_rule must be a number of seconds above 0 and at most {MAX_SECONDS}, got {secs}"
            ));
        }
        if self.max_generated_elements == 0 {
            return Err("evaluation.max_generated_elements must be at least 1".to_string());
        }
        Ok(())
    }

    /// The per-rule time limit.
    pub fn rule_time_limit(&self) -> Duration {
        Duration::try_from_secs_f64(self.max_seconds_per_rule)
            .unwrap_or(Duration::from_secs_f64(MAX_SECONDS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let settings = EvaluationSettings::default();
        assert_eq!(settings.validate(), Ok(()));
        assert_eq!(settings.rule_time_limit(), Duration::from_secs(300));
    }

    #[test]
    fn refuses_limits_that_stop_nothing_or_everything() {
        for secs in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e9] {
            let settings = EvaluationSettings {
                max_seconds_per_rule: secs,
                ..EvaluationSettings::default()
            };
            let err = settings.validate().unwrap_err();
            assert!(err.contains("evaluation.max_seconds_per_rule"), "{err}");
        }
        let settings = EvaluationSettings {
            max_generated_elements: 0,
            ..EvaluationSettings::default()
        };
        assert!(settings.validate().is_err());
    }
}
