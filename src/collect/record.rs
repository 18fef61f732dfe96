//! Records every operation the scan sends: the read-only proof and the
//! calls-per-operation figures of the summary.
//!
//! [`OperationRecorder`] is an SDK interceptor installed on every client the
//! collectors build (through [`sdk_client!`](crate::sdk_client)); it counts
//! executions (one per API call, whatever the retries) and attempts (one per
//! HTTP request sent). When the environment variable
//! `DYNAUDIT_RECORD_OPERATIONS` names a file, the scan writes there the
//! sorted list of `service:Operation` names it sent, one per line, so tests
//! can check it against the allow-list in
//! [`permissions`](crate::collect::permissions).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The environment variable naming the file the operation list goes to.
pub const RECORD_ENV: &str = "DYNAUDIT_RECORD_OPERATIONS";

/// The environment variable naming the file the calls and attempts per
/// operation go to, as JSON `{"service:Operation": {"calls": N,
/// "attempts": M}}` (benchmarks: retries = attempts - calls).
pub const RECORD_CALLS_ENV: &str = "DYNAUDIT_RECORD_CALLS";

/// Counts of one operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OperationCount {
    /// API calls (executions).
    pub calls: u64,
    /// HTTP requests sent (calls plus retries).
    pub attempts: u64,
}

/// The interceptor; cheap to clone, all clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct OperationRecorder {
    counts: Arc<Mutex<BTreeMap<String, OperationCount>>>,
}

/// The IAM action prefix of an SDK service name (`DynamoDB` -> `dynamodb`).
pub fn iam_prefix(sdk_service: &str) -> String {
    let name: String = sdk_service
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    match name.as_str() {
        "configservice" => "config".to_string(),
        "applicationautoscaling" => "application-autoscaling".to_string(),
        _ => name,
    }
}

impl OperationRecorder {
    fn bump(&self, cfg: &ConfigBag, attempt: bool) {
        let key = match cfg.load::<Metadata>() {
            Some(meta) => format!("{}:{}", iam_prefix(meta.service()), meta.name()),
            None => "unknown:Unknown".to_string(),
        };
        let mut counts = crate::collect::util::lock(&self.counts);
        let entry = counts.entry(key).or_default();
        if attempt {
            entry.attempts += 1;
        } else {
            entry.calls += 1;
        }
    }

    /// Counts per `service:Operation` so far.
    pub fn snapshot(&self) -> BTreeMap<String, OperationCount> {
        crate::collect::util::lock(&self.counts).clone()
    }

    /// The sorted `service:Operation` names sent so far.
    pub fn operations(&self) -> Vec<String> {
        self.snapshot().into_keys().collect()
    }

    /// Writes [`operations`](Self::operations) to the file named by
    /// [`RECORD_ENV`], and the counts to the file named by
    /// [`RECORD_CALLS_ENV`], if set.
    pub fn write_if_requested(&self) -> std::io::Result<()> {
        if let Some(path) = std::env::var_os(RECORD_ENV) {
            let mut text = self.operations().join("\n");
            text.push('\n');
            std::fs::write(path, text)?;
        }
        if let Some(path) = std::env::var_os(RECORD_CALLS_ENV) {
            let counts: serde_json::Map<String, serde_json::Value> = self
                .snapshot()
                .into_iter()
                .map(|(op, c)| {
                    (
                        op,
                        serde_json::json!({ "calls": c.calls, "attempts": c.attempts }),
                    )
                })
                .collect();
            let text = serde_json::to_string_pretty(&counts).map_err(std::io::Error::other)?;
            std::fs::write(path, text + "\n")?;
        }
        Ok(())
    }
}

impl Intercept for OperationRecorder {
    fn name(&self) -> &'static str {
        "dynaudit::OperationRecorder"
    }

    // Not `read_before_execution`: for client-level interceptors it runs
    // before the operation's metadata is in the config bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.bump(cfg, false);
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.bump(cfg, true);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn maps_sdk_service_names_to_iam_prefixes() {
        assert_eq!(super::iam_prefix("DynamoDB"), "dynamodb");
        assert_eq!(super::iam_prefix("Config Service"), "config");
        assert_eq!(super::iam_prefix("ConfigService"), "config");
        assert_eq!(super::iam_prefix("CloudTrail"), "cloudtrail");
    }
}
