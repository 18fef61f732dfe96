//! Tests of the adapters of IAM, EC2, CloudTrail, AWS Config, AWS Backup,
//! DAX, CloudWatch and Application Auto Scaling: small templates read into
//! a planned inventory, its records and `not_determinable` errors, and the
//! verdicts of the rules each record feeds.

use std::collections::BTreeMap;

use serde_json::json;

use crate::config::Config;
use crate::finding::{Finding, Status};
use crate::iac::cloudformation::{TemplateOptions, adapt};
use crate::iac::estate::{AccountSource, EstateBuilder};
use crate::inventory::{CollectionError, ErrorKind, Inventory, RegionInventory, VpcEndpointField};
use crate::policy::{PolicySet, builtin_files};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const FILE: &str = "template.yaml";

/// The planned inventory of `yaml`, deployed in `us-east-1`.
fn plan(yaml: &str) -> Inventory {
    plan_with(yaml, &[])
}

fn plan_with(yaml: &str, parameters: &[(&str, &str)]) -> Inventory {
    let root = crate::iac::yaml::parse(yaml).unwrap();
    let mut builder = EstateBuilder::new(
        "cloudformation",
        "template",
        ACCOUNT,
        AccountSource::Flag,
        "aws",
        &[],
    );
    let options = TemplateOptions {
        parameters: parameters
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        stack_name: None,
        region: REGION.to_string(),
    };
    adapt(FILE, &root, &options, &mut builder).unwrap();
    builder.finish()
}

fn region(inventory: &Inventory) -> &RegionInventory {
    &inventory.regions[REGION]
}

/// The `not_determinable` errors of `operation`.
fn errors<'i>(inventory: &'i Inventory, operation: &str) -> Vec<&'i CollectionError> {
    inventory
        .errors
        .iter()
        .filter(|e| e.operation == operation)
        .inspect(|e| assert_eq!(e.kind, ErrorKind::NotDeterminable, "{e:?}"))
        .collect()
}

/// Whether an error of `operation` is about `resource`.
fn has_error(inventory: &Inventory, operation: &str, resource: Option<&str>) -> bool {
    errors(inventory, operation)
        .iter()
        .any(|e| e.resource.as_deref() == resource)
}

/// The findings of the rules `ids` (and the rules they import) on
/// `inventory`, with the default configuration.
fn evaluate(inventory: &Inventory, ids: &[&str]) -> Vec<Finding> {
    let files: Vec<_> = builtin_files()
        .into_iter()
        .filter(|f| {
            f.path.contains("/lib/")
                || ids.iter().any(|id| {
                    f.path.contains(&format!("/{}_", id.to_lowercase()))
                        && !f.path.ends_with("_test.rego")
                })
        })
        .collect();
    let set = PolicySet::from_files(&files).unwrap();
    let config = Config::default();
    crate::eval::evaluate(&set, inventory, &config.parameters, &config.evaluation)
        .unwrap()
        .into_iter()
        .filter(|f| ids.contains(&f.rule_id.as_str()))
        .collect()
}

/// The status of `rule`'s finding about `resource`.
fn status(findings: &[Finding], rule: &str, resource: &str) -> Status {
    let found: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule_id == rule && f.resource == resource)
        .collect();
    assert_eq!(found.len(), 1, "{rule} {resource}: {findings:#?}");
    found[0].status
}

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

// ---------------------------------------------------------------- IAM

const ADMIN: &str = r#"
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "dynamodb:*"
                Resource: "*""#;

#[test]
fn iam_role_inline_and_managed_policies_are_planned() {
    let inventory = plan(&format!(
        r#"
Resources:
  Reader:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: orders-reader
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: !Sub "arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/orders"
  App:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      Path: /service/
      AssumeRolePolicyDocument: {{}}
      ManagedPolicyArns:
        - !Ref Reader
        - arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess
      Policies:
        - PolicyName: admin
          PolicyDocument:{ADMIN}
      Tags:
        - Key: team
          Value: payments
  Ops:
    Type: AWS::IAM::Group
  Alice:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Ops]
      ManagedPolicyArns: [!Ref Reader]
"#
    ));
    let iam = inventory.iam.as_ref().unwrap();
    let arn = format!("arn:aws:iam::{ACCOUNT}:role/service/app");
    let role = &iam.roles[&arn];
    assert_eq!(role.name, "app");
    assert_eq!(
        role.tags,
        BTreeMap::from([("team".to_string(), "payments".to_string())])
    );
    assert_eq!(role.inline_policies.len(), 1);
    assert_eq!(role.inline_policies[0].name, "admin");
    assert_eq!(
        role.inline_policies[0].document["Statement"][0]["Action"],
        json!("dynamodb:*")
    );
    let reader = format!("arn:aws:iam::{ACCOUNT}:policy/orders-reader");
    let aws_managed = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess";
    assert_eq!(
        role.attached_policy_arns,
        vec![reader.clone(), aws_managed.to_string()]
    );
    let policy = &iam.policies[&reader];
    assert_eq!(policy.name, "orders-reader");
    assert_eq!(
        policy.document.as_ref().unwrap()["Statement"][0]["Resource"],
        json!(format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"))
    );
    // An AWS managed policy: its document is known only in the account.
    assert_eq!(iam.policies[aws_managed].document, None);
    assert_eq!(
        iam.policies[aws_managed].name,
        "AmazonDynamoDBReadOnlyAccess"
    );
    let error = errors(&inventory, "GetAccountAuthorizationDetails");
    assert_eq!(error.len(), 1, "{error:?}");
    assert_eq!(error[0].region, "global");
    assert_eq!(error[0].resource.as_deref(), Some(aws_managed));
    // The user joins the group by the name `!Ref` gives (the logical id
    // stands in for a generated name).
    let user = &iam.users[&format!("arn:aws:iam::{ACCOUNT}:user/Alice")];
    assert_eq!(user.group_names, vec!["Ops".to_string()]);
    assert_eq!(user.attached_policy_arns, vec![reader]);
    assert!(
        iam.groups
            .contains_key(&format!("arn:aws:iam::{ACCOUNT}:group/Ops"))
    );
    let planned = &inventory.planned.as_ref().unwrap().resources;
    assert_eq!(planned[&arn].planned_id, "template.yaml#App");
    assert!(planned[&arn].name_determinable);
    assert!(!planned[&format!("arn:aws:iam::{ACCOUNT}:user/Alice")].name_determinable);
    assert!(planned[&arn].property_lines.contains_key("inline_policies"));
}

#[test]
fn iam_policy_resources_attach_in_any_order() {
    let inventory = plan(&format!(
        r#"
Resources:
  Inline:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: admin
      Roles: [!Ref App, existing-role]
      PolicyDocument:{ADMIN}
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref App]
      Groups: [admins]
      PolicyDocument:{ADMIN}
  App:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {{}}
      Policies:
        - PolicyName: own
          PolicyDocument:{ADMIN}
"#
    ));
    let iam = inventory.iam.as_ref().unwrap();
    let app = &iam.roles[&role_arn("App")];
    let names: Vec<&str> = app
        .inline_policies
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, vec!["admin", "own"]);
    let shared = format!("arn:aws:iam::{ACCOUNT}:policy/Shared");
    assert_eq!(app.attached_policy_arns, vec![shared.clone()]);
    assert!(iam.policies[&shared].document.is_some());
    // Principals the template only names: a record of what it gives them.
    let existing = &iam.roles[&role_arn("existing-role")];
    assert_eq!(existing.inline_policies[0].name, "admin");
    let admins = &iam.groups[&format!("arn:aws:iam::{ACCOUNT}:group/admins")];
    assert_eq!(admins.attached_policy_arns, vec![shared]);
    assert!(inventory.errors.is_empty(), "{:?}", inventory.errors);
}

#[test]
fn iam_undetermined_documents_are_null_with_errors() {
    let inventory = plan(
        r#"
Resources:
  App:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: stream
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dynamodb:GetRecords
                Resource: !ImportValue SharedStreamArn
      ManagedPolicyArns: [!ImportValue SharedPolicyArn]
  Guard:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: guard
      Roles: [app]
      PolicyDocument:
        Statement:
          - Effect: Deny
            Action: dynamodb:DeleteTable
            Resource: !GetAtt Orders.StreamArn
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
"#,
    );
    let iam = inventory.iam.as_ref().unwrap();
    let app = &iam.roles[&role_arn("app")];
    assert_eq!(app.inline_policies[0].document, serde_json::Value::Null);
    assert!(has_error(
        &inventory,
        "GetAccountAuthorizationDetails",
        Some(&role_arn("app"))
    ));
    // The imported ARN is listed as its expression: the role's policies are
    // unknown.
    assert!(
        app.attached_policy_arns
            .contains(&"!ImportValue SharedPolicyArn".to_string())
    );
    let guard = format!("arn:aws:iam::{ACCOUNT}:policy/guard");
    assert_eq!(iam.policies[&guard].document, None);
    assert!(app.attached_policy_arns.contains(&guard));
    let error = errors(&inventory, "GetAccountAuthorizationDetails")
        .into_iter()
        .find(|e| e.resource.as_deref() == Some(guard.as_str()))
        .unwrap();
    assert_eq!(error.region, "global");
    assert!(
        error.message.contains("!GetAtt Orders.StreamArn"),
        "{}",
        error.message
    );
}

#[test]
fn iam_rules_judge_planned_policies() {
    let inventory = plan(&format!(
        r#"
Parameters:
  Table:
    Type: String
Resources:
  Admin:
    Type: AWS::IAM::Role
    Properties:
      RoleName: admin
      AssumeRolePolicyDocument: {{}}
      Policies:
        - PolicyName: all
          PolicyDocument:{ADMIN}
  Reader:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reader
      AssumeRolePolicyDocument: {{}}
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dynamodb:GetItem
                Resource: arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders
  Unknown:
    Type: AWS::IAM::Role
    Properties:
      RoleName: unknown
      AssumeRolePolicyDocument: {{}}
      Policies:
        - PolicyName: some
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dynamodb:*
                Resource: !Sub "arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/${{Table}}"
"#
    ));
    let findings = evaluate(&inventory, &["DYN301"]);
    assert_eq!(
        status(&findings, "DYN301", &role_arn("admin")),
        Status::Fail
    );
    assert_eq!(
        status(&findings, "DYN301", &role_arn("reader")),
        Status::Pass
    );
    let unknown = findings
        .iter()
        .find(|f| f.resource == role_arn("unknown"))
        .unwrap();
    assert_eq!(unknown.status, Status::Unknown);
    assert!(
        unknown.message.contains("!Ref Table"),
        "{}",
        unknown.message
    );
}

// ---------------------------------------------------------------- EC2

const ENDPOINTS: &str = r#"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      Tags:
        - Key: Name
          Value: main
  Bare:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.1.0.0/16
  Open:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.2.0.0/16
  Routes:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${AWS::Region}.dynamodb
      RouteTableIds: [!Ref Routes]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:aws:iam::${AWS::AccountId}:root
            Action: dynamodb:GetItem
            Resource: "*"
  OpenEndpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Open
      ServiceName: com.amazonaws.us-east-1.dynamodb
      PolicyDocument: '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "999999999999"}}}]}'
  NoPolicy:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Open
      ServiceName: com.amazonaws.us-east-1.dynamodb
"#;

#[test]
fn ec2_vpcs_and_endpoints_are_planned() {
    let inventory = plan(ENDPOINTS);
    let r = region(&inventory);
    let vpc = &r.vpcs.as_ref().unwrap()["vpc-planned-Vpc"];
    assert_eq!(vpc.cidr_block.as_deref(), Some("10.0.0.0/16"));
    assert!(!vpc.is_default);
    assert_eq!(vpc.tags["Name"], "main");
    let endpoints = r.vpc_endpoints.as_ref().unwrap();
    let endpoint = &endpoints["vpce-planned-Endpoint"];
    assert_eq!(endpoint.vpc_id, "vpc-planned-Vpc");
    assert_eq!(endpoint.service_name, "com.amazonaws.us-east-1.dynamodb");
    assert_eq!(endpoint.endpoint_type, "Gateway");
    assert_eq!(endpoint.state.as_deref(), Some("available"));
    assert_eq!(
        endpoint.route_table_ids,
        vec!["rtb-planned-Routes".to_string()]
    );
    assert_eq!(
        endpoint.policy_document.as_ref().unwrap()["Statement"][0]["Principal"]["AWS"],
        json!(format!("arn:aws:iam::{ACCOUNT}:root"))
    );
    assert!(endpoint.absent.is_empty());
    // A JSON string is read as the document it holds.
    assert!(
        endpoints["vpce-planned-OpenEndpoint"]
            .policy_document
            .as_ref()
            .unwrap()
            .is_object()
    );
    // No policy: absent, as DescribeVpcEndpoints leaves it out.
    let bare = &endpoints["vpce-planned-NoPolicy"];
    assert_eq!(bare.policy_document, None);
    assert_eq!(bare.absent, vec![VpcEndpointField::PolicyDocument]);
    assert!(inventory.errors.is_empty(), "{:?}", inventory.errors);
    let planned = &inventory.planned.as_ref().unwrap().resources;
    assert_eq!(
        planned["vpce-planned-Endpoint"].planned_id,
        "template.yaml#Endpoint"
    );
}

#[test]
fn ec2_undetermined_endpoint_values() {
    let inventory = plan(
        r#"
Parameters:
  Service:
    Type: String
Resources:
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !ImportValue SharedVpc
      ServiceName: com.amazonaws.us-east-1.dynamodb
      RouteTableIds: [!ImportValue SharedRoutes]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: "*"
            Resource: !ImportValue TableArn
"#,
    );
    let endpoint = &region(&inventory).vpc_endpoints.as_ref().unwrap()["vpce-planned-Endpoint"];
    assert_eq!(endpoint.vpc_id, "!ImportValue SharedVpc");
    assert_eq!(
        endpoint.route_table_ids,
        vec!["!ImportValue SharedRoutes".to_string()]
    );
    assert_eq!(endpoint.state.as_deref(), Some("available"));
    // Not determinable is not absent.
    assert_eq!(endpoint.policy_document, None);
    assert!(endpoint.absent.is_empty());
    assert!(has_error(
        &inventory,
        "DescribeVpcEndpoints",
        Some("vpce-planned-Endpoint")
    ));

    // A service that is not determinable: the region's endpoints are not
    // known.
    let inventory = plan(
        r#"
Parameters:
  Service:
    Type: String
Resources:
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: vpc-123
      ServiceName: !Ref Service
"#,
    );
    assert_eq!(region(&inventory).vpc_endpoints, None);
    assert!(has_error(&inventory, "DescribeVpcEndpoints", None));
}

#[test]
fn ec2_rules_judge_planned_endpoints() {
    let inventory = plan(ENDPOINTS);
    let findings = evaluate(&inventory, &["DYN401", "DYN402", "DYN403", "DYN404"]);
    assert_eq!(status(&findings, "DYN401", "vpc-planned-Vpc"), Status::Pass);
    assert_eq!(
        status(&findings, "DYN401", "vpc-planned-Bare"),
        Status::Fail
    );
    assert_eq!(
        status(&findings, "DYN402", "vpce-planned-Endpoint"),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN402", "vpce-planned-NoPolicy"),
        Status::Fail
    );
    assert_eq!(
        status(&findings, "DYN403", "vpce-planned-Endpoint"),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN403", "vpce-planned-NoPolicy"),
        Status::Fail
    );
    assert_eq!(
        status(&findings, "DYN404", "vpce-planned-Endpoint"),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN404", "vpce-planned-OpenEndpoint"),
        Status::Fail
    );
}

// ---------------------------------------------------------------- CloudTrail

const TRAILS: &str = r#"
Parameters:
  Validate:
    Type: String
Resources:
  Key:
    Type: AWS::KMS::Key
  Audit:
    Type: AWS::CloudTrail::Trail
    Properties:
      TrailName: audit
      IsLogging: true
      IsMultiRegionTrail: true
      EnableLogFileValidation: true
      KMSKeyId: !GetAtt Key.Arn
      S3BucketName: logs
  Plain:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      IsMultiRegionTrail: true
      S3BucketName: logs
      EventSelectors:
        - DataResources:
            - Type: AWS::DynamoDB::Table
              Values: [arn:aws:dynamodb]
  Unsure:
    Type: AWS::CloudTrail::Trail
    Properties:
      TrailName: unsure
      IsLogging: true
      IsMultiRegionTrail: true
      EnableLogFileValidation: !Ref Validate
      KMSKeyId: !ImportValue TrailKey
      S3BucketName: logs
"#;

fn trail_arn(name: &str) -> String {
    format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{name}")
}

#[test]
fn cloudtrail_trails_are_planned() {
    let inventory = plan(TRAILS);
    let audit = &inventory.trails[&trail_arn("audit")];
    assert_eq!(audit.home_region, REGION);
    assert!(
        audit.is_multi_region
            && audit.log_file_validation_enabled
            && audit.include_global_service_events
    );
    assert!(!audit.is_organization_trail);
    assert_eq!(
        audit.kms_key_id.as_deref(),
        Some(format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/planned-Key").as_str())
    );
    assert_eq!(audit.is_logging, Some(true));
    assert!(audit.absent.is_empty());
    // AWS's default selector: every management event.
    let selectors = audit.selectors.as_ref().unwrap();
    assert_eq!(selectors.event_selectors.len(), 1);
    assert_eq!(
        selectors.event_selectors[0].read_write_type.as_deref(),
        Some("All")
    );
    assert_eq!(
        selectors.event_selectors[0].include_management_events,
        Some(true)
    );
    // A generated name: the logical id stands in; no key is absent.
    let plain = &inventory.trails[&trail_arn("Plain")];
    assert!(!plain.log_file_validation_enabled);
    assert_eq!(plain.kms_key_id, None);
    assert_eq!(plain.absent, vec![crate::inventory::TrailField::KmsKeyId]);
    let data = &plain.selectors.as_ref().unwrap().event_selectors[0].data_resources[0];
    assert_eq!(data.values, vec!["arn:aws:dynamodb".to_string()]);
    assert!(!inventory.planned.as_ref().unwrap().resources[&trail_arn("Plain")].name_determinable);
    let arns = region(&inventory).trail_arns.as_ref().unwrap();
    assert_eq!(arns.len(), 3);
    // Undetermined values: null with the call's error.
    let unsure = &inventory.trails[&trail_arn("unsure")];
    assert_eq!(unsure.kms_key_id, None);
    assert!(unsure.absent.is_empty());
    assert!(has_error(
        &inventory,
        "DescribeTrails",
        Some(&trail_arn("unsure"))
    ));
    assert_eq!(unsure.is_logging, None);
    assert!(has_error(
        &inventory,
        "GetTrailStatus",
        Some(&trail_arn("unsure"))
    ));
}

#[test]
fn cloudtrail_rules_judge_planned_trails() {
    let inventory = plan(TRAILS);
    let findings = evaluate(&inventory, &["DYN502", "DYN504"]);
    assert_eq!(
        status(&findings, "DYN502", &trail_arn("audit")),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN502", &trail_arn("Plain")),
        Status::Fail
    );
    assert_eq!(
        status(&findings, "DYN502", &trail_arn("unsure")),
        Status::Unknown
    );
    assert_eq!(
        status(&findings, "DYN504", &trail_arn("audit")),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN504", &trail_arn("Plain")),
        Status::Fail
    );
    assert_eq!(
        status(&findings, "DYN504", &trail_arn("unsure")),
        Status::Unknown
    );
}

// ---------------------------------------------------------------- AWS Config

#[test]
fn config_recorders_and_rules_are_planned() {
    let inventory = plan(
        r#"
Resources:
  Recorder:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      Name: default
      RoleARN: arn:aws:iam::123456789012:role/config
  Channel:
    Type: AWS::Config::DeliveryChannel
    Properties:
      S3BucketName: config
  Pitr:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: dynamodb-pitr-enabled
      Source:
        Owner: AWS
        SourceIdentifier: DYNAMODB_PITR_ENABLED
      Scope:
        ComplianceResourceTypes: [AWS::DynamoDB::Table]
  Guard:
    Type: AWS::Config::ConfigRule
    Properties:
      Source:
        Owner: CUSTOM_POLICY
"#,
    );
    let r = region(&inventory);
    let recorder = &r.config_recorders.as_ref().unwrap()[0];
    assert_eq!(recorder.name, "default");
    assert!(recorder.all_supported);
    assert_eq!(recorder.recording, Some(true));
    let rules = r.config_rules.as_ref().unwrap();
    let pitr = &rules["dynamodb-pitr-enabled"];
    assert_eq!(
        pitr.source_identifier.as_deref(),
        Some("DYNAMODB_PITR_ENABLED")
    );
    assert_eq!(
        pitr.scope_resource_types,
        vec!["AWS::DynamoDB::Table".to_string()]
    );
    assert_eq!(pitr.state.as_deref(), Some("ACTIVE"));
    assert_eq!(
        (
            pitr.compliance.as_ref(),
            pitr.non_compliant_resources.as_ref()
        ),
        (None, None)
    );
    assert!(has_error(
        &inventory,
        "DescribeComplianceByConfigRule",
        Some("dynamodb-pitr-enabled")
    ));
    let guard = &rules["Guard"];
    assert_eq!(guard.source_owner, "CUSTOM_POLICY");
    assert_eq!(
        guard.absent,
        vec![crate::inventory::ConfigRuleField::SourceIdentifier]
    );
}

#[test]
fn config_rules_judge_planned_recorders() {
    // DYN601 is not evaluated on planned evidence (`iac::scope`); the
    // records still judge as the collector's would.
    let with_channel = plan(
        r#"
Resources:
  Recorder:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      RoleARN: arn:aws:iam::123456789012:role/config
  Channel:
    Type: AWS::Config::DeliveryChannel
    Properties:
      S3BucketName: config
"#,
    );
    let findings = evaluate(&with_channel, &["DYN601"]);
    assert_eq!(
        status(&findings, "DYN601", &format!("{ACCOUNT}/{REGION}")),
        Status::Pass
    );
    let excluded = plan(
        r#"
Resources:
  Recorder:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      RoleARN: arn:aws:iam::123456789012:role/config
      RecordingGroup:
        AllSupported: false
        ResourceTypes: [AWS::S3::Bucket]
  Channel:
    Type: AWS::Config::DeliveryChannel
    Properties:
      S3BucketName: config
"#,
    );
    let findings = evaluate(&excluded, &["DYN601"]);
    assert_eq!(
        status(&findings, "DYN601", &format!("{ACCOUNT}/{REGION}")),
        Status::Fail
    );
    let without_channel = plan(
        r#"
Resources:
  Recorder:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      RoleARN: arn:aws:iam::123456789012:role/config
"#,
    );
    assert_eq!(
        region(&without_channel).config_recorders.as_ref().unwrap()[0].recording,
        None
    );
    assert!(has_error(
        &without_channel,
        "DescribeConfigurationRecorderStatus",
        Some("Recorder")
    ));
    let findings = evaluate(&without_channel, &["DYN601"]);
    assert_eq!(
        status(&findings, "DYN601", &format!("{ACCOUNT}/{REGION}")),
        Status::Unknown
    );
}

// ---------------------------------------------------------------- AWS Backup

const BACKUP: &str = r#"
Parameters:
  Days:
    Type: Number
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      BillingMode: PAY_PER_REQUEST
      Tags:
        - Key: backup
          Value: "yes"
  Events:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: events
      BillingMode: PAY_PER_REQUEST
  Ledger:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ledger
      BillingMode: PAY_PER_REQUEST
  LongSelection:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !Ref Long
      BackupSelection:
        SelectionName: orders
        IamRoleArn: arn:aws:iam::123456789012:role/backup
        Resources: [!GetAtt Orders.Arn]
        Conditions:
          StringEquals:
            - ConditionKey: aws:ResourceTag/backup
              ConditionValue: "yes"
        ListOfTags:
          - ConditionType: STRINGEQUALS
            ConditionKey: tier
            ConditionValue: gold
  Long:
    Type: AWS::Backup::BackupPlan
    Properties:
      BackupPlan:
        BackupPlanName: long
        BackupPlanRule:
          - RuleName: daily
            TargetBackupVault: !Ref Vault
            ScheduleExpression: cron(0 5 * * ? *)
            Lifecycle:
              DeleteAfterDays: 35
  Short:
    Type: AWS::Backup::BackupPlan
    Properties:
      BackupPlan:
        BackupPlanName: short
        BackupPlanRule:
          - RuleName: daily
            TargetBackupVault: Default
            Lifecycle:
              DeleteAfterDays: 7
  ShortSelection:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !GetAtt Short.BackupPlanId
      BackupSelection:
        SelectionName: events
        IamRoleArn: arn:aws:iam::123456789012:role/backup
        Resources: [!GetAtt Events.Arn]
  Unsure:
    Type: AWS::Backup::BackupPlan
    Properties:
      BackupPlan:
        BackupPlanName: unsure
        BackupPlanRule:
          - RuleName: daily
            TargetBackupVault: !Ref Vault
            Lifecycle:
              DeleteAfterDays: !Ref Days
  UnsureSelection:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !Ref Unsure
      BackupSelection:
        SelectionName: ledger
        IamRoleArn: arn:aws:iam::123456789012:role/backup
        Resources: [!GetAtt Ledger.Arn]
  Vault:
    Type: AWS::Backup::BackupVault
    Properties:
      BackupVaultName: locked
      LockConfiguration:
        MinRetentionDays: 30
        MaxRetentionDays: 365
"#;

fn plan_arn(logical: &str) -> String {
    format!("arn:aws:backup:us-east-1:{ACCOUNT}:backup-plan:planned-{logical}")
}

fn table_arn(name: &str) -> String {
    format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}")
}

#[test]
fn backup_plans_selections_and_vaults_are_planned() {
    let inventory = plan(BACKUP);
    let r = region(&inventory);
    let plans = r.backup_plans.as_ref().unwrap();
    // The selection comes before its plan in the template.
    let long = &plans[&plan_arn("Long")];
    assert_eq!(
        (long.id.as_str(), long.name.as_str()),
        ("planned-Long", "long")
    );
    let rule = &long.rules.as_ref().unwrap()[0];
    assert_eq!(rule.target_vault.as_deref(), Some("locked"));
    assert_eq!(rule.delete_after_days, Some(35));
    assert_eq!(rule.schedule.as_deref(), Some("cron(0 5 * * ? *)"));
    let selection = &long.selections.as_ref().unwrap()[0];
    assert_eq!(selection.id, "planned-LongSelection");
    assert_eq!(selection.resources, vec![table_arn("orders")]);
    assert_eq!(selection.conditions[0].condition_type, "STRINGEQUALS");
    assert_eq!(selection.conditions[0].key, "backup");
    assert_eq!(selection.list_of_tags[0].key, "tier");
    assert_eq!(
        plans[&plan_arn("Short")].selections.as_ref().unwrap().len(),
        1
    );
    // A vault the template does not declare: its lock is not known.
    assert!(has_error(
        &inventory,
        "ListBackupVaults",
        Some(&plan_arn("Short"))
    ));
    // A retention that is not determinable: the rules are not known.
    assert_eq!(plans[&plan_arn("Unsure")].rules, None);
    assert!(has_error(
        &inventory,
        "GetBackupPlan",
        Some(&plan_arn("Unsure"))
    ));
    let vault = &r.backup_vaults.as_ref().unwrap().as_ref().unwrap()["locked"];
    assert!(vault.locked);
    assert_eq!(
        (vault.min_retention_days, vault.max_retention_days),
        (Some(30), Some(365))
    );
    assert_eq!(
        vault.arn,
        format!("arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:locked")
    );
}

#[test]
fn backup_undetermined_selection_hides_the_plans_selections() {
    let inventory = plan(
        r#"
Resources:
  Plan:
    Type: AWS::Backup::BackupPlan
    Properties:
      BackupPlan:
        BackupPlanName: p
        BackupPlanRule: []
  Known:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !Ref Plan
      BackupSelection:
        SelectionName: known
        IamRoleArn: arn:aws:iam::123456789012:role/backup
        Resources: ["*"]
  Imported:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !Ref Plan
      BackupSelection:
        SelectionName: imported
        IamRoleArn: arn:aws:iam::123456789012:role/backup
        Resources: [!ImportValue TableArn]
"#,
    );
    let plans = region(&inventory).backup_plans.as_ref().unwrap();
    assert_eq!(plans[&plan_arn("Plan")].selections, None);
    assert!(has_error(
        &inventory,
        "ListBackupSelections",
        Some(&plan_arn("Plan"))
    ));
}

#[test]
fn backup_rules_judge_planned_retention() {
    let inventory = plan(BACKUP);
    // DYN207 reads the selections as DYN203 decides them.
    let findings = evaluate(&inventory, &["DYN207", "DYN203"]);
    assert_eq!(
        status(&findings, "DYN207", &table_arn("orders")),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN207", &table_arn("events")),
        Status::Fail
    );
    assert_eq!(
        status(&findings, "DYN207", &table_arn("ledger")),
        Status::Unknown
    );
}

// ---------------------------------------------------------------- DAX

const DAX: &str = r#"
Resources:
  Spread:
    Type: AWS::DAX::Cluster
    Properties:
      ClusterName: spread
      NodeType: dax.r5.large
      IAMRoleARN: arn:aws:iam::123456789012:role/dax
      ReplicationFactor: 3
      AvailabilityZones: [us-east-1a, us-east-1b, us-east-1c]
      SSESpecification:
        SSEEnabled: true
      ClusterEndpointEncryptionType: TLS
  Single:
    Type: AWS::DAX::Cluster
    Properties:
      NodeType: dax.r5.large
      IAMRoleARN: arn:aws:iam::123456789012:role/dax
      ReplicationFactor: 1
  Placed:
    Type: AWS::DAX::Cluster
    Properties:
      ClusterName: placed
      NodeType: dax.r5.large
      IAMRoleARN: arn:aws:iam::123456789012:role/dax
      ReplicationFactor: 3
"#;

fn dax_arn(name: &str) -> String {
    format!("arn:aws:dax:us-east-1:{ACCOUNT}:cache/{name}")
}

#[test]
fn dax_clusters_are_planned() {
    let inventory = plan(DAX);
    let clusters = region(&inventory).dax_clusters.as_ref().unwrap();
    let spread = &clusters[&dax_arn("spread")];
    assert_eq!(spread.sse_status.as_deref(), Some("ENABLED"));
    assert_eq!(spread.endpoint_encryption.as_deref(), Some("TLS"));
    assert_eq!(spread.total_nodes, Some(Some(3)));
    let nodes = spread.nodes.as_ref().unwrap().as_ref().unwrap();
    let zones: Vec<_> = nodes
        .iter()
        .map(|n| n.availability_zone.as_deref().unwrap())
        .collect();
    assert_eq!(zones, vec!["us-east-1a", "us-east-1b", "us-east-1c"]);
    assert_eq!(nodes[0].id, "spread-a");
    // Defaults: no encryption at rest, no TLS; the name stands in.
    let single = &clusters[&dax_arn("Single")];
    assert_eq!(single.sse_status.as_deref(), Some("DISABLED"));
    assert_eq!(single.endpoint_encryption.as_deref(), Some("NONE"));
    // Zones DAX chooses at creation: not determinable.
    let placed = &clusters[&dax_arn("placed")];
    assert!(
        placed
            .nodes
            .as_ref()
            .unwrap()
            .as_ref()
            .unwrap()
            .iter()
            .all(|n| n.availability_zone.is_none())
    );
    assert!(has_error(
        &inventory,
        "DescribeClusters",
        Some(&dax_arn("placed"))
    ));
    assert!(!has_error(
        &inventory,
        "DescribeClusters",
        Some(&dax_arn("spread"))
    ));
}

#[test]
fn dax_rules_judge_planned_clusters() {
    let inventory = plan(DAX);
    let findings = evaluate(&inventory, &["DYN104", "DYN105", "DYN208"]);
    assert_eq!(
        status(&findings, "DYN104", &dax_arn("spread")),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN104", &dax_arn("Single")),
        Status::Fail
    );
    assert_eq!(
        status(&findings, "DYN105", &dax_arn("spread")),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN105", &dax_arn("Single")),
        Status::Fail
    );
    assert_eq!(
        status(&findings, "DYN208", &dax_arn("spread")),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN208", &dax_arn("Single")),
        Status::Fail
    );
    let placed = findings
        .iter()
        .find(|f| f.rule_id == "DYN208" && f.resource == dax_arn("placed"))
        .unwrap();
    assert_eq!(placed.status, Status::Unknown);
    assert!(
        placed.message.contains("AvailabilityZones"),
        "{}",
        placed.message
    );
}

// ---------------------------------------------------------------- CloudWatch

const ALARMS: &str = r#"
Parameters:
  OrdersName:
    Type: String
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: alerts
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Ref OrdersName
      BillingMode: PAY_PER_REQUEST
  Events:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: events
      BillingMode: PAY_PER_REQUEST
  Throttles:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: orders-throttles
      Namespace: AWS/DynamoDB
      MetricName: ThrottledRequests
      Dimensions:
        - Name: TableName
          Value: !Ref Orders
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      AlarmActions: [!Ref Topic]
  Errors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      AlarmActions: [!ImportValue PagerTopic]
      Metrics:
        - Id: errors
          MetricStat:
            Metric:
              Namespace: AWS/DynamoDB
              MetricName: SystemErrors
              Dimensions:
                - Name: TableName
                  Value: !Ref Orders
                - Name: Operation
                  Value: PutItem
            Period: 60
            Stat: Sum
  Cpu:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanThreshold
"#;

#[test]
fn cloudwatch_alarms_are_planned() {
    let inventory = plan(ALARMS);
    let alarms = region(&inventory)
        .metric_alarms
        .as_ref()
        .unwrap()
        .as_ref()
        .unwrap();
    assert_eq!(alarms.len(), 2, "{alarms:#?}");
    let arn = format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:orders-throttles");
    let throttles = &alarms[&arn];
    assert!(throttles.actions_enabled);
    assert_eq!(
        throttles.alarm_actions,
        vec![format!("arn:aws:sns:us-east-1:{ACCOUNT}:alerts")]
    );
    assert_eq!(throttles.state, None);
    // The table's name is not determinable: its logical id stands in, as
    // for the table's record.
    assert_eq!(throttles.metrics[0].dimensions["TableName"], "Orders");
    let errors = &alarms[&format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:Errors")];
    assert_eq!(
        errors.alarm_actions,
        vec!["!ImportValue PagerTopic".to_string()]
    );
    assert_eq!(errors.metrics[0].metric_name, "SystemErrors");
    assert_eq!(errors.metrics[0].dimensions["Operation"], "PutItem");
    let planned = &inventory.planned.as_ref().unwrap().resources;
    assert!(planned[&arn].name_determinable);

    // A dimension that is not determinable: no alarm can be matched.
    let inventory = plan(
        r#"
Resources:
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/DynamoDB
      MetricName: SystemErrors
      Dimensions:
        - Name: TableName
          Value: !ImportValue TableName
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanThreshold
"#,
    );
    assert_eq!(region(&inventory).metric_alarms, Some(None));
    assert!(has_error(&inventory, "DescribeAlarms", None));
}

#[test]
fn cloudwatch_rules_judge_planned_alarms() {
    let inventory = plan(ALARMS);
    let findings = evaluate(&inventory, &["DYN506"]);
    assert_eq!(
        status(&findings, "DYN506", &table_arn("Orders")),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN506", &table_arn("events")),
        Status::Fail
    );
}

// ---------------------------------------------------------------- Auto Scaling

const SCALING: &str = r#"
Parameters:
  OrdersName:
    Type: String
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Ref OrdersName
      BillingMode: PROVISIONED
  Events:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: events
  ReadPolicy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: orders-read
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref ReadTarget
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 70
  ReadTarget:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: !Sub table/${Orders}
      ScalableDimension: dynamodb:table:ReadCapacityUnits
      MinCapacity: 5
      MaxCapacity: 100
  WriteTarget:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: !Sub table/${Orders}
      ScalableDimension: dynamodb:table:WriteCapacityUnits
      MinCapacity: 5
      MaxCapacity: 100
  WritePolicy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: orders-write
      PolicyType: TargetTrackingScaling
      ServiceNamespace: dynamodb
      ResourceId: !Sub table/${Orders}
      ScalableDimension: dynamodb:table:WriteCapacityUnits
  EventsRead:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: table/events
      ScalableDimension: dynamodb:table:ReadCapacityUnits
      MinCapacity: 5
      MaxCapacity: 100
      SuspendedState:
        DynamicScalingInSuspended: true
  Ecs:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: ecs
      ResourceId: !ImportValue WebService
      ScalableDimension: ecs:service:DesiredCount
      MinCapacity: 1
      MaxCapacity: 2
"#;

#[test]
fn scaling_targets_and_policies_are_planned() {
    let inventory = plan(SCALING);
    let r = region(&inventory);
    let targets = r.scalable_targets.as_ref().unwrap().as_ref().unwrap();
    let ids: Vec<(&str, &str)> = targets
        .iter()
        .map(|t| (t.resource_id.as_str(), t.scalable_dimension.as_str()))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("table/Orders", "dynamodb:table:ReadCapacityUnits"),
            ("table/Orders", "dynamodb:table:WriteCapacityUnits"),
            ("table/events", "dynamodb:table:ReadCapacityUnits"),
        ]
    );
    assert_eq!((targets[0].min_capacity, targets[0].max_capacity), (5, 100));
    assert!(!targets[0].dynamic_scaling_suspended);
    assert!(targets[2].dynamic_scaling_suspended);
    let policies = r.scaling_policies.as_ref().unwrap().as_ref().unwrap();
    // The read policy names its target by `ScalingTargetId`.
    assert_eq!(policies[0].name, "orders-read");
    assert_eq!(policies[0].resource_id, "table/Orders");
    assert_eq!(
        policies[0].scalable_dimension,
        "dynamodb:table:ReadCapacityUnits"
    );
    assert_eq!(policies[0].policy_type, "TargetTrackingScaling");
    assert_eq!(policies[1].name, "orders-write");
    assert!(
        inventory
            .errors
            .iter()
            .all(|e| e.service != "application-autoscaling"),
        "{:?}",
        inventory.errors
    );

    // A resource that is not determinable: the targets are not known.
    let inventory = plan(
        r#"
Resources:
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: !ImportValue TableResource
      ScalableDimension: dynamodb:table:ReadCapacityUnits
      MinCapacity: 5
      MaxCapacity: 100
"#,
    );
    assert_eq!(region(&inventory).scalable_targets, Some(None));
    assert!(has_error(&inventory, "DescribeScalableTargets", None));
}

#[test]
fn scaling_rules_judge_planned_capacity() {
    let inventory = plan(SCALING);
    let findings = evaluate(&inventory, &["DYN206"]);
    assert_eq!(
        status(&findings, "DYN206", &table_arn("Orders")),
        Status::Pass
    );
    assert_eq!(
        status(&findings, "DYN206", &table_arn("events")),
        Status::Fail
    );
}
