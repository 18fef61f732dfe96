//! The audit pipeline after collection: an inventory, the policies, the
//! parameters, waivers and a baseline give triaged findings. No command-line
//! types: every command that evaluates (`scan`, `eval`, `diff`,
//! `--baseline`) goes through here.

use std::path::Path;

use crate::config::Config;
use crate::diff::{Baseline, DiffError, Outcomes};
use crate::eval::EvalError;
use crate::finding::Finding;
use crate::inventory::Inventory;
use crate::policy::PolicySet;
use crate::waivers::{WaiverError, WaiverReport, Waivers};

/// Why findings could not be produced or triaged.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The waivers file is invalid.
    #[error(transparent)]
    Waivers(#[from] WaiverError),
    /// A compared file (baseline, diff side) could not be read.
    #[error(transparent)]
    Read(#[from] DiffError),
    /// Evaluation failed.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// The baseline could not be used.
    #[error("cannot use {path} as the baseline")]
    Baseline {
        /// The baseline file.
        path: String,
        /// Why.
        #[source]
        source: Box<AuditError>,
    },
    /// Waivers are judged on the evidence's day, which this inventory lacks.
    #[error(
        "the inventory's collected_at {0:?} is not an RFC 3339 time, so waiver expiry cannot be judged"
    )]
    EvidenceDay(String),
}

type Result<T> = std::result::Result<T, AuditError>;

/// Waivers and baseline, loaded and checked before anything is evaluated
/// (and, for `scan`, before the first AWS call).
pub struct Triage {
    waivers: Option<Waivers>,
    baseline: Option<Baseline>,
    /// The baseline file, as given.
    pub baseline_path: Option<String>,
}

impl Triage {
    /// Loads the waivers file and the baseline (a JSON report, or an
    /// inventory evaluated now with the same policies and waivers).
    pub fn load(
        waivers: Option<&Path>,
        baseline: Option<&Path>,
        max_input_bytes: u64,
        policies: &PolicySet,
        config: &Config,
    ) -> Result<Triage> {
        let waivers = load_waivers(waivers, policies)?;
        let loaded_baseline = match baseline {
            None => None,
            Some(path) => {
                let outcomes =
                    read_outcomes(path, max_input_bytes, policies, config, waivers.as_ref())
                        .map_err(|source| AuditError::Baseline {
                            path: path.display().to_string(),
                            source: Box::new(source),
                        })?;
                Some(Baseline::new(&outcomes.findings))
            }
        };
        Ok(Triage {
            waivers,
            baseline: loaded_baseline,
            baseline_path: baseline.map(|p| p.display().to_string()),
        })
    }

    /// Marks waived and new findings; returns what the waivers did.
    pub fn apply(
        &self,
        findings: &mut [Finding],
        inventory: &Inventory,
    ) -> Result<Option<WaiverReport>> {
        let report = match &self.waivers {
            None => None,
            Some(waivers) => Some(waivers.apply(findings, evidence_day(inventory)?)),
        };
        if let Some(baseline) = &self.baseline {
            baseline.mark(findings);
        }
        Ok(report)
    }
}

/// The day waivers are judged on: the evidence's collection day (UTC).
fn evidence_day(inventory: &Inventory) -> Result<time::Date> {
    crate::waivers::evidence_day(&inventory.collected_at)
        .ok_or_else(|| AuditError::EvidenceDay(inventory.collected_at.clone()))
}

/// Loads a waivers file, checking its rule ids against the loaded rules.
pub fn load_waivers(path: Option<&Path>, policies: &PolicySet) -> Result<Option<Waivers>> {
    let known: Vec<&str> = policies.rules().iter().map(|r| r.id.as_str()).collect();
    Ok(path.map(|path| Waivers::load(path, &known)).transpose()?)
}

/// The outcomes of a JSON report, or of an inventory evaluated with
/// [`evaluate_with_waivers`] (`--baseline`, `dynaudit diff`); the file has
/// at most `max_input_bytes`.
pub fn read_outcomes(
    path: &Path,
    max_input_bytes: u64,
    policies: &PolicySet,
    config: &Config,
    waivers: Option<&Waivers>,
) -> Result<Outcomes> {
    crate::diff::read_outcomes(path, max_input_bytes, |inventory| {
        evaluate_with_waivers(policies, config, waivers, inventory)
    })
}

/// Evaluates an inventory and applies waivers (as of its evidence day).
pub fn evaluate_with_waivers(
    policies: &PolicySet,
    config: &Config,
    waivers: Option<&Waivers>,
    inventory: &Inventory,
) -> Result<Vec<Finding>> {
    let mut findings =
        crate::eval::evaluate(policies, inventory, &config.parameters, &config.evaluation)?;
    if let Some(waivers) = waivers {
        waivers.apply(&mut findings, evidence_day(inventory)?);
    }
    Ok(findings)
}
