//! `dynaudit iac` on small templates a platform engineer writes, each a case
//! that once gave a wrong verdict (a review of the first version found them):
//! a global table that vanished from the report, a stream policy, a witness
//! region or `SSEEnabled` that were not read, list and SSM parameters, a
//! policy attached to an imported role, literal account ids judged against
//! the placeholder account, the dotted `Fn::GetAtt` in JSON, inline auto
//! scaling of a global table, values of the wrong kind.

use std::path::Path;
use std::process::{Command, Output};

const ACCOUNT: &str = "123456789012";

fn run(dir: &Path, file: &str, text: &str, extra: &[&str]) -> Output {
    std::fs::write(dir.join(file), text).unwrap();
    Command::new(env!("CARGO_BIN_EXE_dynaudit"))
        .current_dir(dir)
        .args([
            "iac",
            file,
            "--format",
            "json",
            "--fail-on",
            "none",
            "--quiet",
        ])
        .args(extra)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap()
}

/// (rule, resource, status, message) of every finding.
fn outcomes(text: &str, extra: &[&str]) -> Vec<(String, String, String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["--account", ACCOUNT];
    args.extend_from_slice(extra);
    let out = run(dir.path(), "t.yaml", text, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule_id"), s("resource"), s("status"), s("message"))
        })
        .collect()
}

/// The status of `rule` on the resource whose id ends with `resource`.
fn status(found: &[(String, String, String, String)], rule: &str, resource: &str) -> String {
    let matching: Vec<_> = found
        .iter()
        .filter(|(r, res, ..)| r == rule && res.ends_with(resource))
        .collect();
    assert_eq!(matching.len(), 1, "{rule} {resource}: {found:#?}");
    matching[0].2.clone()
}

const GLOBAL_HEAD: &str = "Resources:\n  G:\n    Type: AWS::DynamoDB::GlobalTable\n    Properties:\n      TableName: g\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]\n      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n";

#[test]
fn a_global_table_with_an_undetermined_replica_property_is_still_judged() {
    let t = format!(
        "{GLOBAL_HEAD}      Replicas:\n        - Region: us-east-1\n          Tags: [{{Key: Stack, Value: !ImportValue stack-name}}]\n"
    );
    let found = outcomes(&t, &[]);
    for rule in ["DYN101", "DYN201", "DYN204"] {
        assert_eq!(status(&found, rule, "table/g"), "fail", "{rule}");
    }
    assert_eq!(status(&found, "DYN604", "table/g"), "unknown");
    // A replica whose region is not determinable: the others are judged,
    // their replica list is not determinable.
    let t = format!(
        "Parameters:\n  Dr:\n    Type: String\n{GLOBAL_HEAD}      Replicas:\n        - Region: us-east-1\n          Tags: [{{Key: 'dynaudit:replica-regions', Value: 'us-east-1,eu-west-1'}}]\n        - Region: !Ref Dr\n"
    );
    let found = outcomes(&t, &[]);
    assert_eq!(status(&found, "DYN201", "table/g"), "fail");
    assert_eq!(status(&found, "DYN205", "table/g"), "unknown");
}

#[test]
fn a_global_table_replica_stream_policy_is_read() {
    let t = format!(
        "{GLOBAL_HEAD}      StreamSpecification: {{StreamViewType: NEW_AND_OLD_IMAGES}}\n      Replicas:\n        - Region: us-east-1\n          ReplicaStreamSpecification:\n            ResourcePolicy:\n              PolicyDocument: {{Version: '2012-10-17', Statement: [{{Effect: Allow, Principal: '*', Action: 'dynamodb:GetRecords', Resource: '*'}}]}}\n"
    );
    assert_eq!(status(&outcomes(&t, &[]), "DYN306", "table/g"), "fail");
}

#[test]
fn a_witness_region_is_a_region_of_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dr.toml");
    std::fs::write(
        &config,
        "[parameters]\nallowed_regions = [\"us-east-1\", \"us-east-2\"]\n",
    )
    .unwrap();
    let t = format!(
        "{GLOBAL_HEAD}      MultiRegionConsistency: STRONG\n      GlobalTableWitnesses: [{{Region: us-west-2}}]\n      Replicas: [{{Region: us-east-1}}, {{Region: us-east-2}}]\n"
    );
    let found = outcomes(&t, &["--config", config.to_str().unwrap()]);
    assert_eq!(
        status(&found, "DYN605", "us-east-1:123456789012:table/g"),
        "fail"
    );
}

#[test]
fn a_global_tables_sse_enabled_decides_before_the_replica_keys() {
    let t = |enabled: &str| {
        format!(
            "Parameters:\n  Encrypt:\n    Type: String\n{GLOBAL_HEAD}      SSESpecification: {{SSEEnabled: {enabled}, SSEType: KMS}}\n      Replicas: [{{Region: us-east-1, SSESpecification: {{KMSMasterKeyId: !GetAtt Key.Arn}}}}]\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      EnableKeyRotation: true\n"
        )
    };
    assert_eq!(
        status(&outcomes(&t("!Ref Encrypt"), &[]), "DYN101", "table/g"),
        "unknown"
    );
    assert_eq!(
        status(&outcomes(&t("false"), &[]), "DYN101", "table/g"),
        "fail"
    );
    assert_eq!(
        status(&outcomes(&t("true"), &[]), "DYN101", "table/g"),
        "pass"
    );
}

#[test]
fn list_parameters_are_lists_and_ssm_parameters_are_not_determinable() {
    let t = "Parameters:\n  Subnets:\n    Type: List<AWS::EC2::Subnet::Id>\n    Default: subnet-1,subnet-2\n  RouteTables:\n    Type: CommaDelimitedList\n    Default: rtb-0aaa,rtb-0bbb\n  Env:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /account/environment\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          FIRST_SUBNET: !Select [0, !Ref Subnets]\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n  Endpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref Vpc\n      ServiceName: !Sub com.amazonaws.${AWS::Region}.dynamodb\n      RouteTableIds: !Ref RouteTables\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: t\n      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: !If [IsProd, true, false]\n";
    let found = outcomes(t, &[]);
    assert_eq!(status(&found, "DYN403", "#Endpoint"), "pass");
    let pitr = found
        .iter()
        .find(|f| f.0 == "DYN201" && f.1.ends_with("table/t"))
        .unwrap();
    assert_eq!(pitr.2, "unknown", "{pitr:?}");
    assert!(pitr.3.contains("condition IsProd"), "{pitr:?}");
}

#[test]
fn a_policy_attached_to_an_imported_role_is_still_judged() {
    let t = "Resources:\n  AdminPolicy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      ManagedPolicyName: ddb-admin\n      Roles: [!ImportValue shared-app-role-name]\n      PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 'dynamodb:*', Resource: '*'}]}\n";
    let found = outcomes(t, &[]);
    assert!(
        found.iter().any(|f| f.0 == "DYN301" && f.2 == "fail"),
        "{found:#?}"
    );
}

#[test]
fn literal_account_ids_need_the_deploying_account() {
    let t = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: r\n      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n      Policies:\n        - PolicyName: all\n          PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/*'}]}\n";
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), "t.yaml", t, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("t.yaml:1:")
            && stderr.contains("123456789012")
            && stderr.contains("--account"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(status(&outcomes(t, &[]), "DYN301", "role/r"), "fail");
}

#[test]
fn the_dotted_get_att_is_read_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let t = r#"{"Resources": {
  "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": true}},
  "T": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "t",
    "SSESpecification": {"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": {"Fn::GetAtt": "Key.Arn"}}}}
}}"#;
    let out = run(dir.path(), "t.json", t, &["--account", ACCOUNT]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dyn101 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "DYN101")
        .unwrap();
    assert_eq!(dyn101["status"], "pass", "{dyn101}");
}

#[test]
fn inline_auto_scaling_of_a_global_table_counts() {
    let t = "Resources:\n  G:\n    Type: AWS::DynamoDB::GlobalTable\n    Properties:\n      TableName: g\n      BillingMode: PROVISIONED\n      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]\n      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n      WriteProvisionedThroughputSettings:\n        WriteCapacityAutoScalingSettings: {MinCapacity: 1, MaxCapacity: 10, TargetTrackingScalingPolicyConfiguration: {TargetValue: 70}}\n      Replicas:\n        - Region: us-east-1\n          ReadProvisionedThroughputSettings:\n            ReadCapacityAutoScalingSettings: {MinCapacity: 1, MaxCapacity: 10, TargetTrackingScalingPolicyConfiguration: {TargetValue: 70}}\n";
    assert_eq!(status(&outcomes(t, &[]), "DYN206", "table/g"), "pass");
}

#[test]
fn values_of_the_wrong_kind_are_not_determinable() {
    let t = "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: t\n      Tags: {Application: a, Environment: prod}\n      PointInTimeRecoverySpecification: [true]\n      SSESpecification: 'true'\n";
    let found = outcomes(t, &[]);
    for rule in ["DYN604", "DYN201", "DYN101"] {
        assert_eq!(
            status(&found, rule, "table/t"),
            "unknown",
            "{rule}: {found:#?}"
        );
    }
}
