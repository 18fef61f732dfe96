//! Every AWS operation a scan can send, and the least-privilege IAM policy
//! built from them (`dynaudit iam-policy`).
//!
//! All of them are read-only (`Describe*`, `Get*`, `List*`). A test runs a
//! scan against the emulator with the [`OperationRecorder`] on and checks
//! that every operation it sent is in [`ALLOWED_OPERATIONS`].
//!
//! ## AWS managed `SecurityAudit` policy
//!
//! Checked against `SecurityAudit` version v45 (2024-10-30): it grants
//! `dynamodb:DescribeContinuousBackups`, `dynamodb:DescribeTable`,
//! `dynamodb:ListBackups`, `dynamodb:ListTables`,
//! `dynamodb:ListTagsOfResource`, `kms:Describe*`, `kms:Get*`, `kms:List*`,
//! `iam:Get*`, `iam:List*`, `ec2:Describe*`, `cloudtrail:DescribeTrails`,
//! `cloudtrail:GetTrailStatus`, `cloudtrail:GetEventSelectors`,
//! `config:Describe*`, `config:Get*` and `dax:Describe*`.
//! It does **not** grant `dynamodb:GetResourcePolicy`,
//! `dynamodb:DescribeContributorInsights`, `backup:ListBackupPlans`,
//! `backup:GetBackupPlan`, `backup:ListBackupSelections` or
//! `backup:GetBackupSelection` (its `backup:` actions are vault and settings
//! reads only). The reads added for schema 1.3 that it grants are marked
//! so above (`application-autoscaling:Describe*`, `cloudwatch:Describe*`,
//! `backup:ListBackupVaults`); `dynamodb:ListExports` and
//! `dynamodb:DescribeExport` are treated as not granted (they are in the
//! `SecurityAuditGaps` statement, which is harmless if the managed policy
//! also has them). So `SecurityAudit` alone is **not** enough: attach it plus
//! the `SecurityAuditGaps` statement of [`iam_policy`], or the whole policy
//! [`iam_policy`] prints. `sts:GetCallerIdentity` needs no permission.
//!
//! [`OperationRecorder`]: crate::collect::record::OperationRecorder

use serde_json::json;

/// `(IAM action prefix, operation, in SecurityAudit v45)`.
pub const ALLOWED_OPERATIONS: &[(&str, &str, bool)] = &[
    ("sts", "GetCallerIdentity", true),
    ("dynamodb", "ListTables", true),
    ("dynamodb", "DescribeTable", true),
    ("dynamodb", "DescribeContinuousBackups", true),
    ("dynamodb", "ListTagsOfResource", true),
    ("dynamodb", "ListBackups", true),
    ("dynamodb", "GetResourcePolicy", false),
    ("dynamodb", "DescribeContributorInsights", false),
    ("kms", "DescribeKey", true),
    ("kms", "GetKeyRotationStatus", true),
    ("kms", "ListAliases", true),
    ("iam", "GetAccountAuthorizationDetails", true),
    ("ec2", "DescribeRegions", true),
    ("ec2", "DescribeVpcs", true),
    ("ec2", "DescribeVpcEndpoints", true),
    ("cloudtrail", "DescribeTrails", true),
    ("cloudtrail", "GetTrailStatus", true),
    ("cloudtrail", "GetEventSelectors", true),
    ("config", "DescribeConfigurationRecorders", true),
    ("config", "DescribeConfigurationRecorderStatus", true),
    ("config", "DescribeConfigRules", true),
    ("config", "DescribeComplianceByConfigRule", true),
    ("config", "GetComplianceDetailsByConfigRule", true),
    ("backup", "ListBackupPlans", false),
    ("backup", "GetBackupPlan", false),
    ("backup", "ListBackupSelections", false),
    ("backup", "GetBackupSelection", false),
    ("dax", "DescribeClusters", true),
    ("dynamodb", "ListExports", false),
    ("dynamodb", "DescribeExport", false),
    ("backup", "ListBackupVaults", true),
    ("application-autoscaling", "DescribeScalableTargets", true),
    ("application-autoscaling", "DescribeScalingPolicies", true),
    ("cloudwatch", "DescribeAlarms", true),
];

/// `(IAM action prefix, operation)` of every entry of
/// [`ALLOWED_OPERATIONS`] that no rule names in an outcome's `needs`, each
/// with why it is granted. Every other allowed operation is one that a rule's
/// unknown outcome can depend on; `tests/policies.rs` checks that these
/// and the operations the rules need are exactly the allow-list.
pub const COLLECTOR_ONLY_OPERATIONS: &[(&str, &str)] = &[
    // The account id and partition of the credentials, asked before the scan (needs no permission).
    ("sts", "GetCallerIdentity"),
    // The account's enabled regions, for `--regions all` and to check region names this build does not know.
    ("ec2", "DescribeRegions"),
    // The resources a non-compliant DynamoDB Config rule names, which DYN603 quotes but does not decide on.
    ("config", "GetComplianceDetailsByConfigRule"),
    // Each selection ListBackupSelections lists; one that fails leaves the plan's selections unknown.
    ("backup", "GetBackupSelection"),
];

/// Whether `service:Operation` (as the recorder writes it) is allowed.
pub fn is_allowed(action: &str) -> bool {
    action.split_once(':').is_some_and(|(s, o)| {
        ALLOWED_OPERATIONS
            .iter()
            .any(|(ps, po, _)| *ps == s && *po == o)
            || BASE_CREDENTIAL_OPERATIONS
                .iter()
                .any(|(ps, po)| *ps == s && *po == o)
    })
}

/// Operations sent with the *base* credentials, not the audit role's: with
/// `--role-arn`, `sts:AssumeRole` on that role (granted to the caller and
/// by the role's trust policy, so not part of [`iam_policy`]). Not a read,
/// and the only such call.
pub const BASE_CREDENTIAL_OPERATIONS: &[(&str, &str)] = &[("sts", "AssumeRole")];

/// Whether an operation name is a read by its verb.
pub fn is_read_only_name(operation: &str) -> bool {
    ["Describe", "Get", "List"]
        .iter()
        .any(|verb| operation.starts_with(verb))
}

/// The least-privilege identity policy for a scan: every action in
/// [`ALLOWED_OPERATIONS`] except `sts:GetCallerIdentity` (which needs
/// none), in two statements: what `SecurityAudit` also grants, and the gaps.
pub fn iam_policy() -> serde_json::Value {
    let actions = |in_audit: bool| {
        let mut actions: Vec<String> = ALLOWED_OPERATIONS
            .iter()
            .filter(|(s, o, a)| *a == in_audit && !(*s == "sts" && *o == "GetCallerIdentity"))
            .map(|(s, o, _)| format!("{s}:{o}"))
            .collect();
        actions.sort();
        actions
    };
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DynauditReadOnly",
                "Effect": "Allow",
                "Action": actions(true),
                "Resource": "*"
            },
            {
                "Sid": "SecurityAuditGaps",
                "Effect": "Allow",
                "Action": actions(false),
                "Resource": "*"
            }
        ]
    })
}

/// [`iam_policy`] as pretty JSON with a trailing newline.
pub fn iam_policy_text() -> String {
    let mut text = serde_json::to_string_pretty(&iam_policy()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_allowed_operation_is_a_read() {
        for (service, op, _) in ALLOWED_OPERATIONS {
            assert!(is_read_only_name(op), "{service}:{op} is not a read");
        }
    }

    #[test]
    fn policy_lists_every_operation_once() {
        let policy = iam_policy();
        let mut all: Vec<String> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["Action"].as_array().unwrap().clone())
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
        assert_eq!(n, ALLOWED_OPERATIONS.len() - 1);
        assert!(all.contains(&"dynamodb:GetResourcePolicy".to_string()));
        assert!(!all.contains(&"sts:GetCallerIdentity".to_string()));
        assert!(is_allowed("dynamodb:DescribeTable"));
        assert!(!is_allowed("dynamodb:DeleteTable"));
        assert!(!is_allowed("DescribeTable"));
    }

    #[test]
    fn policy_text_is_stable() {
        insta::assert_snapshot!(iam_policy_text());
    }
}
