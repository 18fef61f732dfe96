//! The same estate, as a CloudFormation template and deployed, gives the
//! same verdicts from `dynaudit iac` (before deployment) and from
//! `dynaudit scan` (after): `fixtures/iac/equivalence/estate.yaml` is
//! audited as code, deployed to the emulator (moto 5.2.5) with
//! `CreateStack`, completed through the service APIs where moto's
//! CloudFormation does not apply what the template declares, and scanned;
//! for every rule of [`RULES`] the status on each resource must be the same.
//!
//! What moto 5.2.5's CloudFormation does not apply, found by describing
//! what it created (`tests/support/cloudformation.rs` checks each property
//! and the test asserts the list, [`EXPECTED_GAPS`]), and set by API:
//! - `AWS::DynamoDB::Table` `SSESpecification`: moto reads the API's
//!   `Enabled` instead of CloudFormation's `SSEEnabled`, so every table is
//!   on the AWS owned key, and `UpdateTable` ignores SSE: such tables are
//!   deleted and created again with the declared SSE (same key schema,
//!   billing mode, tags, deletion protection).
//! - `AWS::DynamoDB::Table` `PointInTimeRecoverySpecification`: ignored
//!   (`UpdateContinuousBackups`). `DeletionProtectionEnabled` and `Tags`
//!   are applied.
//! - `AWS::KMS::Key` `KeyPolicy`: stored as a mapping instead of JSON text,
//!   after which `DescribeKey` answers 500 (`PutKeyPolicy`); `Enabled:
//!   false` leaves the key state `Enabled` (`DisableKey`).
//!   `EnableKeyRotation` is applied.
//! - `AWS::IAM::Role` `ManagedPolicyArns`: ignored (`AttachRolePolicy`);
//!   `Policies`: stored as mappings, which `GetAccountAuthorizationDetails`
//!   fails on with a 500 (`PutRolePolicy`). `AWS::IAM::ManagedPolicy`
//!   (with `Roles`) and `AWS::IAM::Policy` are applied.
//! - `AWS::EC2::VPCEndpoint` `PolicyDocument`: stored as Python text, not
//!   JSON (`ModifyVpcEndpoint`); a gateway endpoint needs `RouteTableIds`
//!   (an empty list is fine), or `CreateStack` fails.
//! - `AWS::DAX::Cluster`: not a type moto's CloudFormation creates
//!   (`CreateCluster` with the declared properties).
//!
//! Resources are compared by a key both sides can name: a table, role,
//! policy or DAX cluster by its name, a KMS key, VPC or endpoint by its
//! logical id (the plan names it by its planned id `estate.yaml#LogicalId`, the emulator by the
//! physical id `DescribeStackResources` maps to that logical id).
//! Excluded, and only these: outcomes the plan reports unknown because a
//! value is "not determinable" from the template (the audit table's PITR
//! comes from a parameter without a default: [`EXPECTED_NOT_DETERMINABLE`]),
//! and resources the emulator has that the template does not declare
//! ([`emulator_only`]).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

use support::cloudformation::{Gap, Stack, deploy, read_template, set_what_moto_missed};
use support::moto::{TestAccount, base_command, fast_config};

const TEMPLATE: &str = "fixtures/iac/equivalence/estate.yaml";
const REGION: &str = "us-east-1";

/// The rules whose verdicts must be equal.
const RULES: [&str; 13] = [
    "DYN101", "DYN102", "DYN103", "DYN104", "DYN201", "DYN204", "DYN301", "DYN302", "DYN303",
    "DYN304", "DYN401", "DYN402", "DYN403",
];

/// What moto's CloudFormation did not apply, as (logical id, property):
/// see the module documentation.
const EXPECTED_GAPS: &[(&str, &str)] = &[
    ("AppDynamoEndpoint", "PolicyDocument"),
    ("ArchiveTable", "PointInTimeRecoverySpecification"),
    ("ArchiveTable", "SSESpecification"),
    ("AuditTable", "PointInTimeRecoverySpecification"),
    ("DisabledKey", "Enabled"),
    ("DisabledKey", "KeyPolicy"),
    ("EventsTable", "PointInTimeRecoverySpecification"),
    ("EventsTable", "SSESpecification"),
    ("LedgerTable", "SSESpecification"),
    ("OpenDynamoEndpoint", "PolicyDocument"),
    ("OpsAdminRole", "ManagedPolicyArns"),
    ("OpsAdminRole", "Policies"),
    ("OrdersTable", "PointInTimeRecoverySpecification"),
    ("OrdersTable", "SSESpecification"),
    ("PlainDax", "Type"),
    ("ReaderRole", "Policies"),
    ("RotatedKey", "KeyPolicy"),
    ("SecureDax", "Type"),
    ("TenantAppRole", "ManagedPolicyArns"),
    ("TenantsTable", "PointInTimeRecoverySpecification"),
    ("TenantsTable", "SSESpecification"),
    ("UnrotatedKey", "KeyPolicy"),
];

/// The outcomes the plan reports unknown as not determinable from the
/// template, as (rule, comparable key): the audit table's PITR is the
/// parameter `AuditPitr`, which has no default.
const EXPECTED_NOT_DETERMINABLE: &[(&str, &str)] = &[("DYN201", "table eq-audit")];

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn read_json(path: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// One outcome: its status, message and resource as the report names it.
#[derive(Debug, Clone)]
struct Outcome {
    status: String,
    message: String,
    resource: String,
}

/// The outcomes of [`RULES`] in a report, by (rule, comparable key).
fn outcomes(
    report: &serde_json::Value,
    key: &dyn Fn(&str) -> String,
    side: &str,
) -> BTreeMap<(String, String), Outcome> {
    let mut out = BTreeMap::new();
    for f in report["findings"].as_array().expect("findings array") {
        let rule = f["rule_id"].as_str().unwrap();
        if !RULES.contains(&rule) {
            continue;
        }
        let resource = f["resource"].as_str().unwrap().to_string();
        let outcome = Outcome {
            status: f["status"].as_str().unwrap().to_string(),
            message: f["message"].as_str().unwrap_or_default().to_string(),
            resource: resource.clone(),
        };
        let previous = out.insert((rule.to_string(), key(&resource)), outcome);
        assert!(
            previous.is_none(),
            "{side}: two {rule} outcomes map to {} ({resource})",
            key(&resource)
        );
    }
    out
}

/// The key under which both sides name `resource`: `table NAME`,
/// `role NAME`, `policy NAME`, `dax NAME`, `logical LOGICAL` (a KMS key,
/// VPC or endpoint), `region REGION`; anything else as it is, with its kind.
fn comparable(resource: &str, stack: &Stack) -> String {
    let logical = |physical: &str, planned: Option<&str>| -> String {
        match planned.and_then(|p| p.strip_prefix("planned-")) {
            Some(logical) => logical.to_string(),
            None => stack
                .logical_of(physical)
                .map_or_else(|| format!("(not in the stack) {physical}"), str::to_string),
        }
    };
    // The plan names what AWS assigns an id to (keys, VPCs, endpoints) by
    // its planned id, `estate.yaml#LogicalId`.
    if let Some((_, logical_id)) = resource.split_once('#') {
        return format!("logical {logical_id}");
    }
    if let Some(rest) = resource.strip_prefix("arn:aws:") {
        let parts: Vec<&str> = rest.splitn(4, ':').collect();
        let [service, _region, account, name] = parts[..] else {
            return format!("arn {resource}");
        };
        return match (service, name.split_once('/')) {
            ("dynamodb", Some(("table", table))) => format!("table {table}"),
            ("kms", Some(("key", id))) => format!("logical {}", logical(id, Some(id))),
            ("kms", Some(("alias", alias))) => format!("key alias/{alias}"),
            ("iam", Some(("policy", name))) if account == "aws" => {
                format!("aws-managed-policy {name}")
            }
            ("iam", Some((kind, name))) => {
                format!("{kind} {}", name.rsplit('/').next().unwrap_or(name))
            }
            ("dax", Some(("cache", name))) => format!("dax {name}"),
            _ => format!("arn {resource}"),
        };
    }
    for prefix in ["vpce-", "vpc-"] {
        if let Some(id) = resource.strip_prefix(prefix) {
            return format!("logical {}", logical(resource, Some(id)));
        }
    }
    if let Some((_, region)) = resource.split_once('/') {
        return format!("region {region}");
    }
    format!("other {resource}")
}

/// What the emulator has and the template does not declare, by comparable
/// key: moto's default VPC (its id, found by `IsDefault`), the role the
/// tests assume into each account, and the AWS managed policies moto
/// loads (no outcome unless attached, and the template attaches none).
fn emulator_only(key: &str, default_vpc: &str) -> bool {
    key == format!("logical (not in the stack) {default_vpc}")
        || key == "role dynaudit-test"
        || key.starts_with("aws-managed-policy ")
}

async fn default_vpc(account: &TestAccount) -> String {
    let ec2 = aws_sdk_ec2::Client::new(&account.config(REGION));
    let out = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
    let defaults: Vec<&str> = out
        .vpcs()
        .iter()
        .filter(|v| v.is_default() == Some(true))
        .filter_map(|v| v.vpc_id())
        .collect();
    assert_eq!(defaults.len(), 1, "moto creates one default VPC per region");
    defaults[0].to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_and_its_deployment_get_the_same_verdicts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let account = TestAccount::new().await;
    let dir = tempfile::tempdir().unwrap();
    let body = std::fs::read_to_string(root.join(TEMPLATE)).unwrap();

    // 1. The plan: `dynaudit iac` on the template, for the test account.
    let planned_report = dir.path().join("iac.json");
    let out = base_command(&account.endpoint)
        .current_dir(root)
        .args(["iac", TEMPLATE, "--account", &account.account_id])
        .args(["--regions", REGION, "--format", "json", "--fail-on", "none"])
        .arg("--output")
        .arg(&planned_report)
        .output()
        .expect("run dynaudit iac");
    assert_eq!(out.status.code(), Some(0), "dynaudit iac: {}", stderr(&out));
    let planned = read_json(&planned_report);

    // 2. The deployment, completed where moto's CloudFormation falls short.
    let stack = deploy(
        &account,
        REGION,
        "equivalence",
        &body,
        &[("AuditPitr", "true")],
    )
    .await;
    let template = read_template(&body);
    let gaps = set_what_moto_missed(&account, &template, &stack).await;
    let expected_gaps: Vec<Gap> = EXPECTED_GAPS
        .iter()
        .map(|(logical, property)| Gap {
            logical: logical.to_string(),
            property: property.to_string(),
        })
        .collect();
    assert_eq!(
        gaps, expected_gaps,
        "what moto's CloudFormation did not apply has changed: update EXPECTED_GAPS, the test's documentation and fixtures/iac/equivalence/README.md"
    );

    // 3. The live audit of the deployment.
    let scan_report = dir.path().join("scan.json");
    let out = account
        .dynaudit()
        .current_dir(dir.path())
        .args([
            "scan",
            "--regions",
            REGION,
            "--format",
            "json",
            "--fail-on",
            "none",
        ])
        .arg("--output")
        .arg(&scan_report)
        .arg("--config")
        .arg(fast_config(dir.path()))
        .output()
        .expect("run dynaudit scan");
    assert_eq!(
        out.status.code(),
        Some(0),
        "dynaudit scan: {}",
        stderr(&out)
    );
    let scanned = read_json(&scan_report);

    // 4. The comparison.
    let key = |resource: &str| comparable(resource, &stack);
    let mut plan = outcomes(&planned, &key, "iac");
    let mut live = outcomes(&scanned, &key, "scan");

    let not_determinable: BTreeSet<(String, String)> = plan
        .iter()
        .filter(|(_, o)| o.status == "unknown" && o.message.contains("not determinable"))
        .map(|(k, _)| k.clone())
        .collect();
    let expected_not_determinable: BTreeSet<(String, String)> = EXPECTED_NOT_DETERMINABLE
        .iter()
        .map(|(rule, key)| (rule.to_string(), key.to_string()))
        .collect();
    assert_eq!(
        not_determinable, expected_not_determinable,
        "the outcomes `dynaudit iac` reports as not determinable from the template"
    );
    for k in &not_determinable {
        plan.remove(k);
        live.remove(k);
    }
    let default_vpc = default_vpc(&account).await;
    live.retain(|(_, key), _| !emulator_only(key, &default_vpc));

    let keys: BTreeSet<&(String, String)> = plan.keys().chain(live.keys()).collect();
    let show = |o: Option<&Outcome>| -> String {
        o.map_or_else(
            || "no outcome".to_string(),
            |o| format!("{} ({}: {})", o.status, o.resource, o.message),
        )
    };
    // The whole comparison, shown with `--nocapture`.
    for (rule, key) in &keys {
        let status = |o: Option<&Outcome>| o.map_or("-".to_string(), |o| o.status.clone());
        eprintln!(
            "{rule} {key:<40} iac {:<8} scan {}",
            status(plan.get(&(rule.clone(), key.clone()))),
            status(live.get(&(rule.clone(), key.clone())))
        );
    }
    let differences: Vec<String> = keys
        .iter()
        .filter(|k| plan.get(*k).map(|o| &o.status) != live.get(*k).map(|o| &o.status))
        .map(|(rule, key)| {
            format!(
                "{rule} {key}:\n    iac:  {}\n    scan: {}",
                show(plan.get(&(rule.clone(), key.clone()))),
                show(live.get(&(rule.clone(), key.clone())))
            )
        })
        .collect();
    assert!(
        differences.is_empty(),
        "{} verdict(s) differ between `dynaudit iac` and `dynaudit scan`:\n  {}",
        differences.len(),
        differences.join("\n  ")
    );

    // Every rule is compared on something, and both verdicts occur.
    for rule in RULES {
        let statuses: BTreeSet<&str> = live
            .iter()
            .filter(|((r, _), _)| r == rule)
            .map(|(_, o)| o.status.as_str())
            .collect();
        assert!(
            statuses.contains("pass") && statuses.contains("fail"),
            "{rule}: the estate should make it pass somewhere and fail somewhere, got {statuses:?}"
        );
    }
}
