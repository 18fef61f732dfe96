//! A CloudFormation template deployed to the emulator (moto 5.2.5) for
//! `tests/iac_emulator.rs`: `CreateStack`, the stack's physical ids, and
//! the settings moto's CloudFormation does not apply, set through the
//! service APIs afterwards.
//!
//! What moto gets wrong is found out, not assumed: [`set_what_moto_missed`]
//! compares what each resource of the template declares with what the
//! emulator describes, sets what differs, and returns every difference it
//! corrected as a [`Gap`], so the test can assert that list (and a moto
//! that changes shows up as a changed list, not as a silently different
//! estate).
//!
//! The template is read with `serde_yaml_ng` (not with the `dynaudit` code
//! under test), and the few intrinsics the equivalence template uses in
//! values moto stores wrongly (`Ref`, `Fn::GetAtt ... Arn`, `Fn::Sub`) are
//! resolved here from the stack's parameters and physical ids; anything
//! else panics with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{Capability, Parameter, StackStatus};
use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;

use crate::support::moto::TestAccount;

/// A deployed stack.
pub struct Stack {
    pub account_id: String,
    pub region: String,
    /// The stack's parameter values.
    pub parameters: BTreeMap<String, String>,
    /// Logical id -> (resource type, physical id), as
    /// `DescribeStackResources` lists them.
    pub resources: BTreeMap<String, (String, String)>,
}

/// A property of a template resource that the emulator did not apply as
/// declared, and that [`set_what_moto_missed`] set through the API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gap {
    /// The resource's logical id.
    pub logical: String,
    /// The property (or `Type` for a resource type moto does not create).
    pub property: String,
}

/// Reads a template (YAML with short-form tags, or JSON).
pub fn read_template(text: &str) -> Yaml {
    serde_yaml_ng::from_str(text).expect("the template is YAML")
}

/// The template's resources: logical id -> (type, properties).
pub fn resources(template: &Yaml) -> Vec<(String, String, Yaml)> {
    let resources = template
        .get("Resources")
        .and_then(Yaml::as_mapping)
        .expect("Resources");
    resources
        .iter()
        .map(|(logical, resource)| {
            let logical = logical.as_str().expect("logical id").to_string();
            let kind = resource["Type"].as_str().expect("Type").to_string();
            let properties = resource
                .get("Properties")
                .cloned()
                .unwrap_or(Yaml::Mapping(Default::default()));
            (logical, kind, properties)
        })
        .collect()
}

/// Creates the stack `name` from `body` with `parameters` and waits for
/// `CREATE_COMPLETE`.
pub async fn deploy(
    account: &TestAccount,
    region: &str,
    name: &str,
    body: &str,
    parameters: &[(&str, &str)],
) -> Stack {
    let cfn = aws_sdk_cloudformation::Client::new(&account.config(region));
    let mut create = cfn
        .create_stack()
        .stack_name(name)
        .template_body(body)
        .capabilities(Capability::CapabilityNamedIam);
    for (key, value) in parameters {
        create = create.parameters(
            Parameter::builder()
                .parameter_key(*key)
                .parameter_value(*value)
                .build(),
        );
    }
    create
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateStack {name}: {e:?}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = cfn
            .describe_stacks()
            .stack_name(name)
            .send()
            .await
            .expect("DescribeStacks");
        let stack = &out.stacks()[0];
        match stack.stack_status() {
            Some(StackStatus::CreateComplete) => break,
            Some(StackStatus::CreateInProgress) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => panic!(
                "stack {name} is {other:?}, not CREATE_COMPLETE: {:?}",
                stack.stack_status_reason()
            ),
        }
    }
    let out = cfn
        .describe_stack_resources()
        .stack_name(name)
        .send()
        .await
        .expect("DescribeStackResources");
    let resources = out
        .stack_resources()
        .iter()
        // moto lists the resources of types it does not create without a
        // logical id.
        .filter_map(|r| {
            let logical = r.logical_resource_id().filter(|l| !l.is_empty())?;
            Some((
                logical.to_string(),
                (
                    r.resource_type().unwrap_or_default().to_string(),
                    r.physical_resource_id().unwrap_or_default().to_string(),
                ),
            ))
        })
        .collect();
    Stack {
        account_id: account.account_id.clone(),
        region: region.to_string(),
        parameters: parameters
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        resources,
    }
}

impl Stack {
    /// The physical id of `logical`.
    pub fn physical(&self, logical: &str) -> &str {
        &self
            .resources
            .get(logical)
            .unwrap_or_else(|| panic!("{logical} is not a resource of the stack"))
            .1
    }

    /// The logical id whose physical id is `physical`.
    pub fn logical_of(&self, physical: &str) -> Option<&str> {
        self.resources
            .iter()
            .find(|(_, (_, p))| p == physical)
            .map(|(l, _)| l.as_str())
    }

    /// The ARN of a KMS key given as CloudFormation gives it (`Ref`: the
    /// key id; `GetAtt Arn`: the ARN).
    pub fn key_arn(&self, key: &str) -> String {
        if key.starts_with("arn:") {
            key.to_string()
        } else {
            format!("arn:aws:kms:{}:{}:key/{key}", self.region, self.account_id)
        }
    }

    /// `value` with its intrinsics resolved, as JSON.
    pub fn resolve(&self, value: &Yaml) -> Json {
        match value {
            Yaml::Null => Json::Null,
            Yaml::Bool(b) => Json::Bool(*b),
            Yaml::Number(n) => serde_json::to_value(n).expect("a YAML number"),
            Yaml::String(s) => Json::String(s.clone()),
            Yaml::Sequence(items) => Json::Array(items.iter().map(|v| self.resolve(v)).collect()),
            Yaml::Mapping(map) => {
                if map.len() == 1 {
                    let (key, arg) = map.iter().next().unwrap();
                    let key = key.as_str().unwrap_or_default();
                    if key == "Ref" || key.starts_with("Fn::") {
                        return Json::String(self.intrinsic(key, arg));
                    }
                }
                Json::Object(
                    map.iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().expect("a string key").to_string(),
                                self.resolve(v),
                            )
                        })
                        .collect(),
                )
            }
            Yaml::Tagged(tagged) => {
                let tag = tagged.tag.to_string();
                let name = match tag.trim_start_matches('!') {
                    "Ref" => "Ref".to_string(),
                    other => format!("Fn::{other}"),
                };
                Json::String(self.intrinsic(&name, &tagged.value))
            }
        }
    }

    /// A string-valued property, resolved (`None` when absent).
    pub fn string(&self, value: Option<&Yaml>) -> Option<String> {
        value.map(|v| match self.resolve(v) {
            Json::String(s) => s,
            other => panic!("expected a string, got {other}"),
        })
    }

    /// A boolean property, resolved (a parameter gives `"true"`/`"false"`).
    pub fn boolean(&self, value: Option<&Yaml>) -> Option<bool> {
        value.map(|v| match self.resolve(v) {
            Json::Bool(b) => b,
            Json::String(s) if s == "true" => true,
            Json::String(s) if s == "false" => false,
            other => panic!("expected a boolean, got {other}"),
        })
    }

    fn intrinsic(&self, name: &str, arg: &Yaml) -> String {
        match name {
            "Ref" => self.reference(arg.as_str().expect("Ref takes a name")),
            "Fn::GetAtt" => {
                let (logical, attribute) = match arg {
                    Yaml::String(s) => s.split_once('.').expect("!GetAtt Resource.Attribute"),
                    Yaml::Sequence(items) => (
                        items[0].as_str().expect("GetAtt resource"),
                        items[1].as_str().expect("GetAtt attribute"),
                    ),
                    other => panic!("GetAtt of {other:?}"),
                };
                self.attribute(logical, attribute)
            }
            "Fn::Sub" => self.substitute(
                arg.as_str()
                    .expect("the test resolves only the string form of Fn::Sub"),
            ),
            other => panic!(
                "tests/support/cloudformation.rs resolves Ref, GetAtt and Sub only, not {other}: keep the equivalence template to those where moto needs help"
            ),
        }
    }

    fn reference(&self, name: &str) -> String {
        match name {
            "AWS::AccountId" => self.account_id.clone(),
            "AWS::Region" => self.region.clone(),
            "AWS::Partition" => "aws".to_string(),
            _ => match self.parameters.get(name) {
                Some(value) => value.clone(),
                None => self.physical(name).to_string(),
            },
        }
    }

    fn attribute(&self, logical: &str, attribute: &str) -> String {
        let kind = self
            .resources
            .get(logical)
            .map(|(k, _)| k.as_str())
            .unwrap_or_else(|| panic!("GetAtt of {logical}, not a resource of the stack"));
        let physical = self.physical(logical);
        let (region, account) = (&self.region, &self.account_id);
        match (kind, attribute) {
            ("AWS::DynamoDB::Table", "Arn") => {
                format!("arn:aws:dynamodb:{region}:{account}:table/{physical}")
            }
            ("AWS::KMS::Key", "Arn") => self.key_arn(physical),
            ("AWS::IAM::Role", "Arn") => format!("arn:aws:iam::{account}:role/{physical}"),
            _ => panic!("the test does not resolve GetAtt {logical}.{attribute} ({kind})"),
        }
    }

    fn substitute(&self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}').expect("a closing } in Fn::Sub") + start;
            let name = &rest[start + 2..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str(&format!("${{{literal}}}"));
            } else if let Some((logical, attribute)) = name.split_once('.') {
                out.push_str(&self.attribute(logical, attribute));
            } else {
                out.push_str(&self.reference(name));
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Compares each resource of `template` with what the emulator describes
/// and sets what differs through the service APIs; returns what it set.
/// The checks (each verified on moto 5.2.5):
/// - `AWS::KMS::Key`: `KeyPolicy` (moto stores the mapping, not JSON text,
///   and `DescribeKey` then answers 500: `PutKeyPolicy`), `Enabled`
///   (`false` leaves the key state `Enabled`: `DisableKey`),
///   `EnableKeyRotation`.
/// - `AWS::DynamoDB::Table`: `SSESpecification` (moto reads the API's
///   `Enabled`, not CloudFormation's `SSEEnabled`, so no table is
///   encrypted with a KMS key, and `UpdateTable` ignores SSE: the table is
///   deleted and created again with the same key schema, billing mode,
///   tags and deletion protection and the declared SSE), then
///   `PointInTimeRecoverySpecification` (`UpdateContinuousBackups`),
///   `DeletionProtectionEnabled`, `Tags`.
/// - `AWS::IAM::Role`: `ManagedPolicyArns` (`AttachRolePolicy`) and
///   `Policies` (moto stores each document as a mapping, which
///   `GetRolePolicy` returns as Python text and
///   `GetAccountAuthorizationDetails` fails on: `PutRolePolicy`).
/// - `AWS::EC2::VPCEndpoint`: `PolicyDocument` (stored as Python text:
///   `ModifyVpcEndpoint`) and `RouteTableIds`.
/// - `AWS::DAX::Cluster`: moto's CloudFormation does not create the type
///   (`Type`): `CreateCluster` with the declared name, node type,
///   replication factor, role, SSE and endpoint encryption.
pub async fn set_what_moto_missed(
    account: &TestAccount,
    template: &Yaml,
    stack: &Stack,
) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let all = resources(template);
    // Keys first: tables are created again with them.
    for (logical, _, p) in all.iter().filter(|(_, k, _)| k == "AWS::KMS::Key") {
        key(account, stack, logical, p, &mut gaps).await;
    }
    for (logical, kind, p) in &all {
        match kind.as_str() {
            "AWS::DynamoDB::Table" => table(account, stack, logical, p, &mut gaps).await,
            "AWS::IAM::Role" => role(account, stack, logical, p, &mut gaps).await,
            "AWS::EC2::VPCEndpoint" => endpoint(account, stack, logical, p, &mut gaps).await,
            "AWS::DAX::Cluster" => dax(account, stack, logical, p, &mut gaps).await,
            _ => {}
        }
    }
    gaps.sort();
    gaps
}

fn gap(gaps: &mut Vec<Gap>, logical: &str, property: &str) {
    gaps.push(Gap {
        logical: logical.to_string(),
        property: property.to_string(),
    });
}

async fn key(account: &TestAccount, stack: &Stack, logical: &str, p: &Yaml, gaps: &mut Vec<Gap>) {
    let kms = aws_sdk_kms::Client::new(&account.config(&stack.region));
    let id = stack.physical(logical);
    // moto answers DescribeKey with a 500 when it stored the policy as a
    // mapping (its key policy check parses the text).
    if let Some(policy) = p.get("KeyPolicy")
        && kms.describe_key().key_id(id).send().await.is_err()
    {
        gap(gaps, logical, "KeyPolicy");
        kms.put_key_policy()
            .key_id(id)
            .policy_name("default")
            .policy(stack.resolve(policy).to_string())
            .send()
            .await
            .expect("PutKeyPolicy");
    }
    let described = kms
        .describe_key()
        .key_id(id)
        .send()
        .await
        .expect("DescribeKey");
    let state = described
        .key_metadata()
        .and_then(|m| m.key_state())
        .map(|s| s.as_str().to_string());
    let enabled = stack.boolean(p.get("Enabled")).unwrap_or(true);
    if enabled != (state.as_deref() == Some("Enabled")) {
        gap(gaps, logical, "Enabled");
        if enabled {
            kms.enable_key().key_id(id).send().await.expect("EnableKey");
        } else {
            kms.disable_key()
                .key_id(id)
                .send()
                .await
                .expect("DisableKey");
        }
    }
    let rotation = stack.boolean(p.get("EnableKeyRotation")).unwrap_or(false);
    let actual = kms
        .get_key_rotation_status()
        .key_id(id)
        .send()
        .await
        .expect("GetKeyRotationStatus")
        .key_rotation_enabled();
    if rotation != actual {
        gap(gaps, logical, "EnableKeyRotation");
        if rotation {
            kms.enable_key_rotation()
                .key_id(id)
                .send()
                .await
                .expect("EnableKeyRotation");
        } else {
            kms.disable_key_rotation()
                .key_id(id)
                .send()
                .await
                .expect("DisableKeyRotation");
        }
    }
}

async fn table(account: &TestAccount, stack: &Stack, logical: &str, p: &Yaml, gaps: &mut Vec<Gap>) {
    use aws_sdk_dynamodb::types::{
        BillingMode, PointInTimeRecoverySpecification, SseSpecification, SseType, Tag,
    };
    let ddb = aws_sdk_dynamodb::Client::new(&account.config(&stack.region));
    let name = stack.physical(logical).to_string();
    let describe = || async {
        ddb.describe_table()
            .table_name(&name)
            .send()
            .await
            .expect("DescribeTable")
            .table
            .expect("a table")
    };
    let described = describe().await;
    let arn = described.table_arn().expect("TableArn").to_string();

    // SSE: the declared key (by ARN), or the AWS managed key.
    let sse = p.get("SSESpecification");
    let sse_enabled = stack
        .boolean(sse.and_then(|s| s.get("SSEEnabled")))
        .unwrap_or(false);
    let declared_key = stack
        .string(sse.and_then(|s| s.get("KMSMasterKeyId")))
        .map(|k| stack.key_arn(&k));
    let actual = described
        .sse_description()
        .filter(|d| d.status().is_some_and(|s| s.as_str() == "ENABLED"));
    let actual_key = actual
        .and_then(|d| d.kms_master_key_arn())
        .map(str::to_string);
    let matches = match (sse_enabled, actual) {
        (false, None) => true,
        (true, Some(_)) => declared_key.is_none() || declared_key == actual_key,
        _ => false,
    };
    if !matches {
        gap(gaps, logical, "SSESpecification");
        assert!(
            sse_enabled,
            "{logical}: SSE reported that the template does not declare"
        );
        let tags = ddb
            .list_tags_of_resource()
            .resource_arn(&arn)
            .send()
            .await
            .expect("ListTagsOfResource")
            .tags
            .unwrap_or_default();
        let protected = described.deletion_protection_enabled().unwrap_or(false);
        assert!(
            described.global_secondary_indexes().is_empty()
                && described.local_secondary_indexes().is_empty()
                && described.stream_specification().is_none(),
            "{logical}: the test creates tables again without indexes or streams"
        );
        if protected {
            ddb.update_table()
                .table_name(&name)
                .deletion_protection_enabled(false)
                .send()
                .await
                .expect("UpdateTable");
        }
        ddb.delete_table()
            .table_name(&name)
            .send()
            .await
            .expect("DeleteTable");
        let billing = described
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .cloned()
            .unwrap_or(BillingMode::Provisioned);
        let mut spec = SseSpecification::builder()
            .enabled(true)
            .sse_type(SseType::Kms);
        if let Some(key) = &declared_key {
            spec = spec.kms_master_key_id(key);
        }
        let mut create = ddb
            .create_table()
            .table_name(&name)
            .set_attribute_definitions(Some(described.attribute_definitions().to_vec()))
            .set_key_schema(Some(described.key_schema().to_vec()))
            .billing_mode(billing.clone())
            .deletion_protection_enabled(protected)
            .set_tags(Some(tags).filter(|t: &Vec<Tag>| !t.is_empty()))
            .sse_specification(spec.build());
        if billing == BillingMode::Provisioned {
            let t = described
                .provisioned_throughput()
                .expect("ProvisionedThroughput");
            create = create.provisioned_throughput(
                aws_sdk_dynamodb::types::ProvisionedThroughput::builder()
                    .read_capacity_units(t.read_capacity_units().unwrap_or(1))
                    .write_capacity_units(t.write_capacity_units().unwrap_or(1))
                    .build()
                    .unwrap(),
            );
        }
        create.send().await.expect("CreateTable");
    }

    let pitr = p.get("PointInTimeRecoverySpecification");
    let pitr_on = stack
        .boolean(pitr.and_then(|s| s.get("PointInTimeRecoveryEnabled")))
        .unwrap_or(false);
    let status = ddb
        .describe_continuous_backups()
        .table_name(&name)
        .send()
        .await
        .expect("DescribeContinuousBackups")
        .continuous_backups_description()
        .and_then(|d| d.point_in_time_recovery_description())
        .and_then(|d| d.point_in_time_recovery_status())
        .map(|s| s.as_str() == "ENABLED")
        .unwrap_or(false);
    if pitr_on != status {
        gap(gaps, logical, "PointInTimeRecoverySpecification");
        let days = pitr
            .and_then(|s| s.get("RecoveryPeriodInDays"))
            .map(|d| stack.resolve(d).as_i64().expect("RecoveryPeriodInDays") as i32);
        ddb.update_continuous_backups()
            .table_name(&name)
            .point_in_time_recovery_specification(
                PointInTimeRecoverySpecification::builder()
                    .point_in_time_recovery_enabled(pitr_on)
                    .set_recovery_period_in_days(days)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("UpdateContinuousBackups");
    }

    let described = describe().await;
    let protection = stack
        .boolean(p.get("DeletionProtectionEnabled"))
        .unwrap_or(false);
    if described.deletion_protection_enabled() != Some(protection) {
        gap(gaps, logical, "DeletionProtectionEnabled");
        ddb.update_table()
            .table_name(&name)
            .deletion_protection_enabled(protection)
            .send()
            .await
            .expect("UpdateTable");
    }

    let declared: BTreeMap<String, String> = p
        .get("Tags")
        .and_then(Yaml::as_sequence)
        .map(|tags| {
            tags.iter()
                .map(|t| {
                    (
                        stack.string(t.get("Key")).expect("Key"),
                        stack.string(t.get("Value")).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let actual: BTreeMap<String, String> = ddb
        .list_tags_of_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("ListTagsOfResource")
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    if declared != actual {
        gap(gaps, logical, "Tags");
        let mut tag = ddb.tag_resource().resource_arn(&arn);
        for (k, v) in &declared {
            tag = tag.tags(Tag::builder().key(k).value(v).build().unwrap());
        }
        tag.send().await.expect("TagResource");
    }
}

async fn role(account: &TestAccount, stack: &Stack, logical: &str, p: &Yaml, gaps: &mut Vec<Gap>) {
    let iam = aws_sdk_iam::Client::new(&account.config(&stack.region));
    let name = stack.physical(logical).to_string();
    let declared: BTreeSet<String> = p
        .get("ManagedPolicyArns")
        .and_then(Yaml::as_sequence)
        .map(|arns| {
            arns.iter()
                .map(|a| stack.string(Some(a)).unwrap())
                .collect()
        })
        .unwrap_or_default();
    let attached: BTreeSet<String> = iam
        .list_attached_role_policies()
        .role_name(&name)
        .send()
        .await
        .expect("ListAttachedRolePolicies")
        .attached_policies()
        .iter()
        .filter_map(|a| a.policy_arn().map(str::to_string))
        .collect();
    let missing: Vec<&String> = declared.difference(&attached).collect();
    if !missing.is_empty() {
        gap(gaps, logical, "ManagedPolicyArns");
        for arn in missing {
            iam.attach_role_policy()
                .role_name(&name)
                .policy_arn(arn)
                .send()
                .await
                .expect("AttachRolePolicy");
        }
    }
    let mut wrong = false;
    for policy in p
        .get("Policies")
        .and_then(Yaml::as_sequence)
        .into_iter()
        .flatten()
    {
        let policy_name = stack.string(policy.get("PolicyName")).expect("PolicyName");
        let document = stack.resolve(&policy["PolicyDocument"]);
        let stored = iam
            .get_role_policy()
            .role_name(&name)
            .policy_name(&policy_name)
            .send()
            .await
            .expect("GetRolePolicy");
        let parsed = dynaudit::collect::util::parse_policy_document(stored.policy_document());
        if parsed.as_ref() != Ok(&document) {
            wrong = true;
            iam.put_role_policy()
                .role_name(&name)
                .policy_name(&policy_name)
                .policy_document(document.to_string())
                .send()
                .await
                .expect("PutRolePolicy");
        }
    }
    if wrong {
        gap(gaps, logical, "Policies");
    }
}

async fn endpoint(
    account: &TestAccount,
    stack: &Stack,
    logical: &str,
    p: &Yaml,
    gaps: &mut Vec<Gap>,
) {
    let ec2 = aws_sdk_ec2::Client::new(&account.config(&stack.region));
    let id = stack.physical(logical).to_string();
    let describe = || async {
        ec2.describe_vpc_endpoints()
            .vpc_endpoint_ids(&id)
            .send()
            .await
            .expect("DescribeVpcEndpoints")
            .vpc_endpoints()[0]
            .clone()
    };
    let described = describe().await;
    if let Some(policy) = p.get("PolicyDocument") {
        let document = stack.resolve(policy);
        let parsed = described
            .policy_document()
            .map(dynaudit::collect::util::parse_policy_document);
        if parsed.as_ref().map(|p| p.as_ref()) != Some(Ok(&document)) {
            gap(gaps, logical, "PolicyDocument");
            ec2.modify_vpc_endpoint()
                .vpc_endpoint_id(&id)
                .policy_document(document.to_string())
                .send()
                .await
                .expect("ModifyVpcEndpoint");
        }
    }
    let declared: BTreeSet<String> = p
        .get("RouteTableIds")
        .and_then(Yaml::as_sequence)
        .map(|ids| ids.iter().map(|i| stack.string(Some(i)).unwrap()).collect())
        .unwrap_or_default();
    let actual: BTreeSet<String> = described.route_table_ids().iter().cloned().collect();
    if declared != actual {
        gap(gaps, logical, "RouteTableIds");
        ec2.modify_vpc_endpoint()
            .vpc_endpoint_id(&id)
            .set_add_route_table_ids(Some(declared.difference(&actual).cloned().collect()))
            .set_remove_route_table_ids(Some(actual.difference(&declared).cloned().collect()))
            .send()
            .await
            .expect("ModifyVpcEndpoint");
    }
}

async fn dax(account: &TestAccount, stack: &Stack, logical: &str, p: &Yaml, gaps: &mut Vec<Gap>) {
    use aws_sdk_dax::types::{ClusterEndpointEncryptionType, SseSpecification};
    if stack.resources.contains_key(logical) {
        return;
    }
    gap(gaps, logical, "Type");
    let dax = aws_sdk_dax::Client::new(&account.config(&stack.region));
    let name = stack.string(p.get("ClusterName")).expect("ClusterName");
    let sse = stack
        .boolean(p.get("SSESpecification").and_then(|s| s.get("SSEEnabled")))
        .unwrap_or(false);
    let tls = stack
        .string(p.get("ClusterEndpointEncryptionType"))
        .as_deref()
        == Some("TLS");
    dax.create_cluster()
        .cluster_name(&name)
        .node_type(stack.string(p.get("NodeType")).expect("NodeType"))
        .replication_factor(
            stack
                .resolve(&p["ReplicationFactor"])
                .as_i64()
                .expect("ReplicationFactor") as i32,
        )
        .iam_role_arn(stack.string(p.get("IAMRoleARN")).expect("IAMRoleARN"))
        .sse_specification(SseSpecification::builder().enabled(sse).build().unwrap())
        .cluster_endpoint_encryption_type(if tls {
            ClusterEndpointEncryptionType::Tls
        } else {
            ClusterEndpointEncryptionType::None
        })
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateCluster {name}: {e:?}"));
}
