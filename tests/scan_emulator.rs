//! `dynaudit scan` end to end against the AWS API emulator (moto): a
//! three-region estate seeded through the Rust SDK in which every rule the
//! emulator can model passes somewhere and fails somewhere; the outcome of
//! every rule on every seeded resource, checked exactly; unknowns (with the
//! failed operation named) for what the emulator does not serve; SARIF
//! locations in the inventory; `collect` + `eval` giving exactly the
//! findings of `scan`; and the read-only operation record.
//!
//! Every seeding call below was tried on moto 5.2.5 and is served (KMS
//! DisableKey/ScheduleKeyDeletion take only a bare key id there). What moto
//! cannot model, and so what the expectations cannot show:
//! - DynamoDB replicas (`UpdateTable` with `ReplicaUpdates` does nothing,
//!   `DescribeTable` has no `Replicas`): DYN205 only as "no replica" (fail)
//!   or "no region besides its own required" (pass); DYN101/DYN201 on
//!   replicas not at all.
//! - `DescribeContributorInsights` answers 500: DYN505 is always unknown.
//! - Config rules are never evaluated and `DescribeComplianceByConfigRule`
//!   answers 500: DYN603 is always unknown.
//! - AWS Backup has no `CreateBackupSelection` and `ListBackupSelections`
//!   answers 500: DYN203 is unknown where a plan exists, fails where none
//!   does, and never passes.
//! - A table in `INACCESSIBLE_ENCRYPTION_CREDENTIALS` (DYN102 by table
//!   status): moto never reports it; DYN102 fails here by key state.
//! - `alias/aws/dynamodb` is reported with `KeyManager = CUSTOMER`: DYN101
//!   recognises it by its alias.
//! - DYN501 cannot fail in one region and pass in another of the same
//!   account (a multi-region trail covers them all): it fails in a second,
//!   bare account.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Output;

use aws_sdk_dynamodb::types::PointInTimeRecoverySpecification;
use dynaudit::collect::permissions;
use support::moto::{TestAccount, fast_config};
use support::seed::{TableSpec, create_table};

const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";
const EU: &str = "eu-west-1";
const REGIONS: &str = "us-east-1,us-west-2,eu-west-1";
/// An account outside the estate (DYN305's cross-account grant).
const FOREIGN_ACCOUNT: &str = "999988887777";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Labels of seeded resources -> their ids (ARNs, VPC ids, ...), so the
/// expectations can be written before the ids exist.
#[derive(Debug, Default)]
struct Estate {
    account_id: String,
    ids: BTreeMap<String, String>,
}

impl Estate {
    fn put(&mut self, label: &str, id: impl Into<String>) {
        let previous = self.ids.insert(label.to_string(), id.into());
        assert!(previous.is_none(), "label {label} used twice");
    }

    /// The resource id of `label`; `region:R` is the per-region resource
    /// `<account>/R`.
    fn id(&self, label: &str) -> String {
        if let Some(region) = label.strip_prefix("region:") {
            return format!("{}/{region}", self.account_id);
        }
        self.ids
            .get(label)
            .unwrap_or_else(|| panic!("no seeded resource labelled {label}"))
            .clone()
    }
}

// ---------------------------------------------------------------------------
// Seeding helpers
// ---------------------------------------------------------------------------

/// Creates an S3 bucket in the account (CloudTrail's CreateTrail needs one
/// and the crate has no S3 SDK): a plain HTTP PUT, the account picked by
/// moto's `x-moto-account-id` header.
fn create_bucket(endpoint: &str, account_id: &str, bucket: &str) {
    let host = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).expect("connect to moto");
    let request = format!(
        "PUT /{bucket} HTTP/1.1\r\nHost: {host}\r\nx-moto-account-id: {account_id}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"),
        "CreateBucket {bucket}: {response}"
    );
}

async fn create_key(kms: &aws_sdk_kms::Client, rotation: bool) -> String {
    let key = kms.create_key().send().await.expect("CreateKey");
    let arn = key.key_metadata().unwrap().arn().unwrap().to_string();
    if rotation {
        kms.enable_key_rotation()
            .key_id(&arn)
            .send()
            .await
            .expect("EnableKeyRotation");
    }
    arn
}

/// The key id of a key ARN.
fn key_id(arn: &str) -> &str {
    arn.rsplit_once('/').map_or(arn, |(_, id)| id)
}

async fn put_table_policy(ddb: &aws_sdk_dynamodb::Client, table_arn: &str, policy: String) {
    ddb.put_resource_policy()
        .resource_arn(table_arn)
        .policy(policy)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutResourcePolicy {table_arn}: {e:?}"));
}

fn ddb(account: &TestAccount, region: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&account.config(region))
}

fn kms(account: &TestAccount, region: &str) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::new(&account.config(region))
}

// ---------------------------------------------------------------------------
// The estate
// ---------------------------------------------------------------------------

async fn seed_estate(account: &TestAccount) -> Estate {
    let mut e = Estate {
        account_id: account.account_id.clone(),
        ..Estate::default()
    };
    seed_tables(account, &mut e).await;
    seed_iam(account, &mut e).await;
    seed_network(account, &mut e).await;
    seed_trails(account, &mut e).await;
    seed_config(account, &mut e).await;
    seed_backup_plans(account, &mut e).await;
    seed_dax(account, &mut e).await;
    e
}

async fn seed_tables(account: &TestAccount, e: &mut Estate) {
    let acct = account.account_id.clone();
    let good_tags: &[(&str, &str)] = &[("Environment", "prod"), ("Application", "shop")];

    // us-east-1: keys.
    let kms_east = kms(account, EAST);
    let east_rotated = create_key(&kms_east, true).await;
    kms_east
        .create_alias()
        .alias_name("alias/tables")
        .target_key_id(&east_rotated)
        .send()
        .await
        .unwrap();
    e.put("key:east-rotated", &east_rotated);
    let east_disabled = create_key(&kms_east, false).await;
    kms_east
        .disable_key()
        // moto accepts only the bare key id here (AWS takes the ARN too).
        .key_id(key_id(&east_disabled))
        .send()
        .await
        .expect("DisableKey");
    e.put("key:east-disabled", &east_disabled);

    let ddb_east = ddb(account, EAST);
    let orders = create_table(
        &ddb_east,
        &TableSpec {
            name: "orders",
            kms_key: Some(&east_rotated),
            pitr: true,
            deletion_protection: true,
            tags: &[
                ("Environment", "prod"),
                ("Application", "shop"),
                // DYN205: only its own region required: covered.
                ("dynaudit:replica-regions", "us-east-1"),
            ],
            stream: false,
        },
    )
    .await;
    e.put("table:orders", &orders);
    ddb_east
        .create_backup()
        .table_name("orders")
        .backup_name("orders-now")
        .send()
        .await
        .expect("CreateBackup");
    put_table_policy(
        &ddb_east,
        &orders,
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{acct}:root"}},"Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"{orders}"}}]}}"#
        ),
    )
    .await;

    let sessions = create_table(
        &ddb_east,
        &TableSpec {
            name: "sessions",
            kms_key: None,
            pitr: false,
            deletion_protection: false,
            tags: &[],
            stream: false,
        },
    )
    .await;
    e.put("table:sessions", &sessions);

    let ledger = create_table(
        &ddb_east,
        &TableSpec {
            name: "ledger",
            kms_key: Some(""),
            pitr: true,
            deletion_protection: true,
            tags: &[
                ("Environment", "prod"),
                // DYN205: replicas required where moto cannot create any.
                ("dynaudit:replica-regions", "us-west-2 eu-west-1"),
            ],
            stream: false,
        },
    )
    .await;
    e.put("table:ledger", &ledger);
    // The AWS managed key moto created for the ledger table.
    let managed = kms_east
        .describe_key()
        .key_id("alias/aws/dynamodb")
        .send()
        .await
        .expect("DescribeKey alias/aws/dynamodb");
    e.put(
        "key:aws-managed-east",
        managed.key_metadata().unwrap().arn().unwrap(),
    );

    let rls: &[(&str, &str)] = &[
        ("Environment", "prod"),
        ("Application", "tenancy"),
        ("dynaudit:row-level-security", "required"),
    ];
    let tenants = create_table(
        &ddb_east,
        &TableSpec {
            name: "tenants",
            kms_key: Some(&east_rotated),
            pitr: true,
            deletion_protection: true,
            tags: rls,
            stream: false,
        },
    )
    .await;
    e.put("table:tenants", &tenants);
    let tenants_legacy = create_table(
        &ddb_east,
        &TableSpec {
            name: "tenants-legacy",
            kms_key: Some(&east_rotated),
            pitr: false,
            deletion_protection: false,
            tags: rls,
            stream: false,
        },
    )
    .await;
    e.put("table:tenants-legacy", &tenants_legacy);
    let archive = create_table(
        &ddb_east,
        &TableSpec {
            name: "archive",
            kms_key: Some(&east_disabled),
            pitr: true,
            deletion_protection: true,
            tags: good_tags,
            stream: false,
        },
    )
    .await;
    e.put("table:archive", &archive);
    // DYN201: PITR on, but with a recovery period below the 35 days required.
    ddb_east
        .update_continuous_backups()
        .table_name("archive")
        .point_in_time_recovery_specification(
            PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(true)
                .recovery_period_in_days(7)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("UpdateContinuousBackups with RecoveryPeriodInDays");

    // us-west-2.
    let kms_west = kms(account, WEST);
    let west_rotated = create_key(&kms_west, true).await;
    e.put("key:west-rotated", &west_rotated);
    let west_pending = create_key(&kms_west, true).await;
    kms_west
        .schedule_key_deletion()
        .key_id(key_id(&west_pending))
        .pending_window_in_days(7)
        .send()
        .await
        .expect("ScheduleKeyDeletion");
    e.put("key:west-pending", &west_pending);

    let ddb_west = ddb(account, WEST);
    let public_feed = create_table(
        &ddb_west,
        &TableSpec {
            name: "public-feed",
            kms_key: None,
            pitr: true,
            deletion_protection: false,
            tags: &[("Environment", "prod"), ("Application", "")],
            stream: false,
        },
    )
    .await;
    e.put("table:public-feed", &public_feed);
    put_table_policy(
        &ddb_west,
        &public_feed,
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"dynamodb:GetItem","Resource":"{public_feed}"}}]}}"#
        ),
    )
    .await;
    let org_shared = create_table(
        &ddb_west,
        &TableSpec {
            name: "org-shared",
            kms_key: Some(&west_rotated),
            pitr: true,
            deletion_protection: true,
            tags: good_tags,
            stream: false,
        },
    )
    .await;
    e.put("table:org-shared", &org_shared);
    put_table_policy(
        &ddb_west,
        &org_shared,
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"dynamodb:GetItem","Resource":"{org_shared}","Condition":{{"StringEquals":{{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}}}]}}"#
        ),
    )
    .await;
    let partner_share = create_table(
        &ddb_west,
        &TableSpec {
            name: "partner-share",
            kms_key: Some(&west_rotated),
            pitr: false,
            deletion_protection: true,
            tags: good_tags,
            stream: false,
        },
    )
    .await;
    e.put("table:partner-share", &partner_share);
    put_table_policy(
        &ddb_west,
        &partner_share,
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{FOREIGN_ACCOUNT}:root"}},"Action":"dynamodb:Query","Resource":"{partner_share}"}}]}}"#
        ),
    )
    .await;
    let retired = create_table(
        &ddb_west,
        &TableSpec {
            name: "retired",
            kms_key: Some(&west_pending),
            pitr: false,
            deletion_protection: false,
            tags: good_tags,
            stream: false,
        },
    )
    .await;
    e.put("table:retired", &retired);

    // eu-west-1.
    let kms_eu = kms(account, EU);
    let eu_unrotated = create_key(&kms_eu, false).await;
    e.put("key:eu-unrotated", &eu_unrotated);
    let ddb_eu = ddb(account, EU);
    let audit_log = create_table(
        &ddb_eu,
        &TableSpec {
            name: "audit-log",
            kms_key: Some(&eu_unrotated),
            pitr: true,
            deletion_protection: true,
            tags: good_tags,
            stream: false,
        },
    )
    .await;
    e.put("table:audit-log", &audit_log);
    let scratch = create_table(
        &ddb_eu,
        &TableSpec {
            name: "scratch",
            kms_key: None,
            pitr: false,
            deletion_protection: false,
            tags: &[("Application", "scratch")],
            stream: false,
        },
    )
    .await;
    e.put("table:scratch", &scratch);
}

fn statement_policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

async fn managed_policy(iam: &aws_sdk_iam::Client, name: &str, statements: &str) -> String {
    let out = iam
        .create_policy()
        .policy_name(name)
        .policy_document(statement_policy(statements))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreatePolicy {name}: {e:?}"));
    out.policy().unwrap().arn().unwrap().to_string()
}

async fn seed_iam(account: &TestAccount, e: &mut Estate) {
    let iam = aws_sdk_iam::Client::new(&account.config(EAST));
    let tenants = e.id("table:tenants");
    let tenants_legacy = e.id("table:tenants-legacy");
    let orders = e.id("table:orders");
    let trust = statement_policy(
        r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
    );

    // DYN301 fail: dynamodb:* on * with no condition, attached to the
    // ops-admin role, whose inline Deny keeps it off the tenants table
    // (DYN304 then passes for tenants and fails for tenants-legacy).
    let admin = managed_policy(
        &iam,
        "DynamoAdminAll",
        r#"{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}"#,
    )
    .await;
    e.put("policy:DynamoAdminAll", &admin);
    let role = iam
        .create_role()
        .role_name("ops-admin")
        .assume_role_policy_document(&trust)
        .send()
        .await
        .expect("CreateRole");
    e.put("role:ops-admin", role.role().unwrap().arn());
    iam.attach_role_policy()
        .role_name("ops-admin")
        .policy_arn(&admin)
        .send()
        .await
        .expect("AttachRolePolicy");
    iam.put_role_policy()
        .role_name("ops-admin")
        .policy_name("DenyTenants")
        .policy_document(statement_policy(&format!(
            r#"{{"Effect":"Deny","Action":"dynamodb:*","Resource":["{tenants}","{tenants}/index/*"]}}"#
        )))
        .send()
        .await
        .expect("PutRolePolicy");

    // A wildcard policy attached to nobody is out of scope (no outcome).
    let unused = managed_policy(
        &iam,
        "UnusedAdmin",
        r#"{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}"#,
    )
    .await;
    e.put("policy:UnusedAdmin", &unused);

    // DYN301 pass: scoped read access, attached to the analyst user.
    let read_only = managed_policy(
        &iam,
        "OrdersReadOnly",
        &format!(
            r#"{{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"{orders}"}}"#
        ),
    )
    .await;
    e.put("policy:OrdersReadOnly", &read_only);
    let user = iam
        .create_user()
        .user_name("analyst")
        .send()
        .await
        .expect("CreateUser");
    e.put("user:analyst", user.user().unwrap().arn());
    iam.attach_user_policy()
        .user_name("analyst")
        .policy_arn(&read_only)
        .send()
        .await
        .expect("AttachUserPolicy");

    // DYN302/DYN303 pass: a principal-bound ForAllValues:StringEquals on
    // keyed actions only.
    let tenant_access = managed_policy(
        &iam,
        "TenantAccess",
        &format!(
            r#"{{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:PutItem"],"Resource":["{tenants}","{tenants_legacy}"],"Condition":{{"ForAllValues:StringEquals":{{"dynamodb:LeadingKeys":["${{aws:userid}}"]}}}}}}"#
        ),
    )
    .await;
    e.put("policy:TenantAccess", &tenant_access);
    // DYN302 fail: StringEquals without ForAllValues, and a literal value.
    let tenant_weak = managed_policy(
        &iam,
        "TenantWeak",
        &format!(
            r#"{{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"{tenants}","Condition":{{"StringEquals":{{"dynamodb:LeadingKeys":"*"}}}}}}"#
        ),
    )
    .await;
    e.put("policy:TenantWeak", &tenant_weak);
    let role = iam
        .create_role()
        .role_name("tenant-app")
        .assume_role_policy_document(&trust)
        .send()
        .await
        .expect("CreateRole");
    e.put("role:tenant-app", role.role().unwrap().arn());
    for policy in [&tenant_access, &tenant_weak] {
        iam.attach_role_policy()
            .role_name("tenant-app")
            .policy_arn(policy)
            .send()
            .await
            .expect("AttachRolePolicy");
    }

    // DYN303 fail (DYN302 pass): the sound LeadingKeys condition also
    // allows Scan, which carries no partition key.
    let user = iam
        .create_user()
        .user_name("reporting")
        .send()
        .await
        .expect("CreateUser");
    e.put("user:reporting", user.user().unwrap().arn());
    iam.put_user_policy()
        .user_name("reporting")
        .policy_name("TenantScan")
        .policy_document(statement_policy(&format!(
            r#"{{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:Scan"],"Resource":"{tenants}","Condition":{{"ForAllValues:StringEquals":{{"dynamodb:LeadingKeys":["${{aws:username}}"]}}}}}}"#
        )))
        .send()
        .await
        .expect("PutUserPolicy");

    // A group with a scoped inline policy (DYN301 pass for the group).
    let group = iam
        .create_group()
        .group_name("readers")
        .send()
        .await
        .expect("CreateGroup");
    e.put("group:readers", group.group().unwrap().arn());
    iam.put_group_policy()
        .group_name("readers")
        .policy_name("ReadOrders")
        .policy_document(statement_policy(&format!(
            r#"{{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"{orders}"}}"#
        )))
        .send()
        .await
        .expect("PutGroupPolicy");
}

fn ec2(account: &TestAccount, region: &str) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&account.config(region))
}

async fn create_vpc(ec2: &aws_sdk_ec2::Client, cidr: &str) -> String {
    let out = ec2
        .create_vpc()
        .cidr_block(cidr)
        .send()
        .await
        .expect("CreateVpc");
    out.vpc().unwrap().vpc_id().unwrap().to_string()
}

async fn default_vpc(ec2: &aws_sdk_ec2::Client) -> String {
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

async fn gateway_endpoint(
    ec2: &aws_sdk_ec2::Client,
    vpc: &str,
    service: &str,
    route_tables: &[&str],
    policy: Option<String>,
) -> String {
    let mut req = ec2
        .create_vpc_endpoint()
        .vpc_id(vpc)
        .service_name(service)
        .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Gateway);
    for rt in route_tables {
        req = req.route_table_ids(*rt);
    }
    if let Some(policy) = policy {
        req = req.policy_document(policy);
    }
    let out = req.send().await.expect("CreateVpcEndpoint");
    out.vpc_endpoint()
        .unwrap()
        .vpc_endpoint_id()
        .unwrap()
        .to_string()
}

const FULL_ACCESS_ENDPOINT_POLICY: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

async fn seed_network(account: &TestAccount, e: &mut Estate) {
    let acct = account.account_id.clone();
    // us-east-1: a VPC with a routed, restricted DynamoDB gateway endpoint
    // (DYN401/402/403 pass); the default VPC has none (DYN401 fail).
    let east = ec2(account, EAST);
    e.put("vpc:default-east", default_vpc(&east).await);
    let vpc = create_vpc(&east, "10.1.0.0/16").await;
    e.put("vpc:app-east", &vpc);
    let rt = east
        .create_route_table()
        .vpc_id(&vpc)
        .send()
        .await
        .expect("CreateRouteTable");
    let rt = rt
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    let restricted = statement_policy(&format!(
        r#"{{"Effect":"Allow","Principal":"*","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:us-east-1:{acct}:table/*","Condition":{{"StringEquals":{{"aws:ResourceAccount":"{acct}"}}}}}}"#
    ));
    let vpce = gateway_endpoint(
        &east,
        &vpc,
        "com.amazonaws.us-east-1.dynamodb",
        &[&rt],
        Some(restricted),
    )
    .await;
    e.put("vpce:app-east", &vpce);

    // us-west-2: the gateway endpoint has the full-access policy and no
    // route table (DYN402 and DYN403 fail, DYN401 pass for its VPC).
    let west = ec2(account, WEST);
    e.put("vpc:default-west", default_vpc(&west).await);
    let vpc = create_vpc(&west, "10.2.0.0/16").await;
    e.put("vpc:app-west", &vpc);
    let vpce = gateway_endpoint(
        &west,
        &vpc,
        "com.amazonaws.us-west-2.dynamodb",
        &[],
        Some(FULL_ACCESS_ENDPOINT_POLICY.to_string()),
    )
    .await;
    e.put("vpce:app-west", &vpce);

    // eu-west-1: the default VPC has a routed DynamoDB endpoint with the
    // full-access policy; another VPC has only an S3 endpoint, which does
    // not count for DynamoDB (DYN401 fail).
    let eu = ec2(account, EU);
    let default_eu = default_vpc(&eu).await;
    e.put("vpc:default-eu", &default_eu);
    let rt = eu
        .create_route_table()
        .vpc_id(&default_eu)
        .send()
        .await
        .expect("CreateRouteTable");
    let rt = rt
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    let vpce = gateway_endpoint(
        &eu,
        &default_eu,
        "com.amazonaws.eu-west-1.dynamodb",
        &[&rt],
        Some(FULL_ACCESS_ENDPOINT_POLICY.to_string()),
    )
    .await;
    e.put("vpce:default-eu", &vpce);
    let vpc = create_vpc(&eu, "10.3.0.0/16").await;
    e.put("vpc:s3-only-eu", &vpc);
    let rt = eu
        .create_route_table()
        .vpc_id(&vpc)
        .send()
        .await
        .expect("CreateRouteTable");
    let rt = rt
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    let vpce = gateway_endpoint(&eu, &vpc, "com.amazonaws.eu-west-1.s3", &[&rt], None).await;
    e.put("vpce:s3-eu", &vpce);
}

fn cloudtrail(account: &TestAccount, region: &str) -> aws_sdk_cloudtrail::Client {
    aws_sdk_cloudtrail::Client::new(&account.config(region))
}

struct TrailSpec<'a> {
    name: &'a str,
    region: &'a str,
    multi_region: bool,
    validation: bool,
    kms_key: Option<&'a str>,
    logging: bool,
}

async fn create_trail(account: &TestAccount, bucket: &str, spec: &TrailSpec<'_>) -> String {
    let ct = cloudtrail(account, spec.region);
    let mut req = ct
        .create_trail()
        .name(spec.name)
        .s3_bucket_name(bucket)
        .is_multi_region_trail(spec.multi_region)
        .include_global_service_events(true)
        .enable_log_file_validation(spec.validation);
    if let Some(key) = spec.kms_key {
        req = req.kms_key_id(key);
    }
    let out = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateTrail {}: {e:?}", spec.name));
    if spec.logging {
        ct.start_logging()
            .name(spec.name)
            .send()
            .await
            .expect("StartLogging");
    }
    out.trail_arn().unwrap().to_string()
}

fn classic_selector(values: &[&str]) -> aws_sdk_cloudtrail::types::EventSelector {
    use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
    let mut resource = DataResource::builder().r#type("AWS::DynamoDB::Table");
    for v in values {
        resource = resource.values(*v);
    }
    EventSelector::builder()
        .read_write_type(ReadWriteType::All)
        .include_management_events(true)
        .data_resources(resource.build())
        .build()
}

fn field(
    name: &str,
    equals: &[&str],
    starts_with: &[&str],
) -> aws_sdk_cloudtrail::types::AdvancedFieldSelector {
    let mut f = aws_sdk_cloudtrail::types::AdvancedFieldSelector::builder().field(name);
    for v in equals {
        f = f.equals(*v);
    }
    for v in starts_with {
        f = f.starts_with(*v);
    }
    f.build().unwrap()
}

async fn seed_trails(account: &TestAccount, e: &mut Estate) {
    let bucket = format!("trail-logs-{}", account.account_id);
    create_bucket(&account.endpoint, &account.account_id, &bucket);

    // The trail DYN501 relies on: multi-region, logging, validation, KMS;
    // data events of the orders table only (classic selectors).
    let org = create_trail(
        account,
        &bucket,
        &TrailSpec {
            name: "org-audit",
            region: EAST,
            multi_region: true,
            validation: true,
            kms_key: Some(&e.id("key:east-rotated")),
            logging: true,
        },
    )
    .await;
    e.put("trail:org-audit", &org);
    cloudtrail(account, EAST)
        .put_event_selectors()
        .trail_name(&org)
        .event_selectors(classic_selector(&[&e.id("table:orders")]))
        .send()
        .await
        .expect("PutEventSelectors (classic)");

    // A second multi-region logging trail, home eu-west-1, without log file
    // validation or KMS (DYN502/DYN504 fail); advanced selectors: management
    // events, and data events of the audit-log table by ARN prefix.
    let legacy = create_trail(
        account,
        &bucket,
        &TrailSpec {
            name: "legacy",
            region: EU,
            multi_region: true,
            validation: false,
            kms_key: None,
            logging: true,
        },
    )
    .await;
    e.put("trail:legacy", &legacy);
    use aws_sdk_cloudtrail::types::AdvancedEventSelector;
    cloudtrail(account, EU)
        .put_event_selectors()
        .trail_name(&legacy)
        .advanced_event_selectors(
            AdvancedEventSelector::builder()
                .name("management")
                .field_selectors(field("eventCategory", &["Management"], &[]))
                .build()
                .unwrap(),
        )
        .advanced_event_selectors(
            AdvancedEventSelector::builder()
                .name("audit-log data")
                .field_selectors(field("eventCategory", &["Data"], &[]))
                .field_selectors(field("resources.type", &["AWS::DynamoDB::Table"], &[]))
                .field_selectors(field("resources.ARN", &[], &[&e.id("table:audit-log")]))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("PutEventSelectors (advanced)");

    // A single-region logging trail in us-west-2: never enough for DYN501,
    // but it records the data events of public-feed in its home region.
    let local = create_trail(
        account,
        &bucket,
        &TrailSpec {
            name: "west-local",
            region: WEST,
            multi_region: false,
            validation: true,
            kms_key: None,
            logging: true,
        },
    )
    .await;
    e.put("trail:west-local", &local);
    cloudtrail(account, WEST)
        .put_event_selectors()
        .trail_name(&local)
        .event_selectors(classic_selector(&[&e.id("table:public-feed")]))
        .send()
        .await
        .expect("PutEventSelectors");

    // A multi-region trail that records every table's data events but is
    // not logging: it counts for nothing.
    let stopped = create_trail(
        account,
        &bucket,
        &TrailSpec {
            name: "stopped",
            region: EAST,
            multi_region: true,
            validation: true,
            kms_key: Some(&e.id("key:east-rotated")),
            logging: false,
        },
    )
    .await;
    e.put("trail:stopped", &stopped);
    cloudtrail(account, EAST)
        .put_event_selectors()
        .trail_name(&stopped)
        .event_selectors(classic_selector(&["arn:aws:dynamodb"]))
        .send()
        .await
        .expect("PutEventSelectors");
}

fn config(account: &TestAccount, region: &str) -> aws_sdk_config::Client {
    aws_sdk_config::Client::new(&account.config(region))
}

async fn put_recorder(
    account: &TestAccount,
    region: &str,
    group: aws_sdk_config::types::RecordingGroup,
    start: bool,
) {
    use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel};
    let cfg = config(account, region);
    cfg.put_configuration_recorder()
        .configuration_recorder(
            ConfigurationRecorder::builder()
                .name("default")
                .role_arn(format!(
                    "arn:aws:iam::{}:role/aws-config-role",
                    account.account_id
                ))
                .recording_group(group)
                .build(),
        )
        .send()
        .await
        .expect("PutConfigurationRecorder");
    if start {
        cfg.put_delivery_channel()
            .delivery_channel(
                DeliveryChannel::builder()
                    .name("default")
                    .s3_bucket_name(format!("trail-logs-{}", account.account_id))
                    .build(),
            )
            .send()
            .await
            .expect("PutDeliveryChannel");
        cfg.start_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .expect("StartConfigurationRecorder");
    }
}

async fn put_managed_rule(
    account: &TestAccount,
    region: &str,
    name: &str,
    identifier: &str,
) -> String {
    use aws_sdk_config::types::{ConfigRule, Owner, Scope, Source};
    let cfg = config(account, region);
    cfg.put_config_rule()
        .config_rule(
            ConfigRule::builder()
                .config_rule_name(name)
                .source(
                    Source::builder()
                        .owner(Owner::Aws)
                        .source_identifier(identifier)
                        .build()
                        .unwrap(),
                )
                .scope(
                    Scope::builder()
                        .compliance_resource_types("AWS::DynamoDB::Table")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutConfigRule {name}: {e:?}"));
    let out = cfg
        .describe_config_rules()
        .config_rule_names(name)
        .send()
        .await
        .expect("DescribeConfigRules");
    out.config_rules()[0].config_rule_arn().unwrap().to_string()
}

async fn seed_config(account: &TestAccount, e: &mut Estate) {
    use aws_sdk_config::types::RecordingGroup;
    // us-east-1: recording everything, all three required rules (DYN601 and
    // DYN602 pass; DYN603 unknown: moto never evaluates rules).
    put_recorder(
        account,
        EAST,
        RecordingGroup::builder().all_supported(true).build(),
        true,
    )
    .await;
    for (name, identifier) in [
        (
            "dynamodb-table-encrypted-kms",
            "DYNAMODB_TABLE_ENCRYPTED_KMS",
        ),
        ("dynamodb-pitr-enabled", "DYNAMODB_PITR_ENABLED"),
        ("dynamodb-in-backup-plan", "DYNAMODB_IN_BACKUP_PLAN"),
    ] {
        let arn = put_managed_rule(account, EAST, name, identifier).await;
        e.put(&format!("config-rule:{name}"), arn);
    }
    // us-west-2: a recorder that records all types but was never started
    // (DYN601 fail); one of the three rules (DYN602 fail).
    put_recorder(
        account,
        WEST,
        RecordingGroup::builder().all_supported(true).build(),
        false,
    )
    .await;
    let arn = put_managed_rule(account, WEST, "pitr-west", "DYNAMODB_PITR_ENABLED").await;
    e.put("config-rule:pitr-west", arn);
    // eu-west-1: a recording recorder that records S3 buckets only (DYN601
    // fail); no rules (DYN602 fail, no DYN603 outcome).
    put_recorder(
        account,
        EU,
        RecordingGroup::builder()
            .all_supported(false)
            .resource_types(aws_sdk_config::types::ResourceType::Bucket)
            .build(),
        true,
    )
    .await;
}

async fn create_backup_plan(account: &TestAccount, region: &str, name: &str) -> String {
    use aws_sdk_backup::types::{BackupPlanInput, BackupRuleInput};
    let backup = aws_sdk_backup::Client::new(&account.config(region));
    let out = backup
        .create_backup_plan()
        .backup_plan(
            BackupPlanInput::builder()
                .backup_plan_name(name)
                .rules(
                    BackupRuleInput::builder()
                        .rule_name("daily")
                        .target_backup_vault_name("Default")
                        .schedule_expression("cron(0 5 ? * * *)")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBackupPlan {name}: {e:?}"));
    out.backup_plan_arn().unwrap().to_string()
}

async fn seed_backup_plans(account: &TestAccount, e: &mut Estate) {
    // Plans in us-east-1 and eu-west-1, none in us-west-2. moto 5.2.5 has
    // no CreateBackupSelection and answers ListBackupSelections with a 500,
    // so which tables a plan selects is never known: DYN203 is unknown
    // where a plan exists and fails where none does; it cannot pass here.
    e.put(
        "plan:east",
        create_backup_plan(account, EAST, "daily-east").await,
    );
    e.put("plan:eu", create_backup_plan(account, EU, "daily-eu").await);
}

async fn create_dax(account: &TestAccount, region: &str, name: &str, secure: bool) -> String {
    use aws_sdk_dax::types::{ClusterEndpointEncryptionType, SseSpecification};
    let dax = aws_sdk_dax::Client::new(&account.config(region));
    let out = dax
        .create_cluster()
        .cluster_name(name)
        .node_type("dax.t3.small")
        .replication_factor(1)
        .iam_role_arn(format!(
            "arn:aws:iam::{}:role/dax-access",
            account.account_id
        ))
        .sse_specification(SseSpecification::builder().enabled(secure).build().unwrap())
        .cluster_endpoint_encryption_type(if secure {
            ClusterEndpointEncryptionType::Tls
        } else {
            ClusterEndpointEncryptionType::None
        })
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateCluster {name}: {e:?}"));
    out.cluster().unwrap().cluster_arn().unwrap().to_string()
}

async fn seed_dax(account: &TestAccount, e: &mut Estate) {
    e.put(
        "dax:secure-east",
        create_dax(account, EAST, "secure", true).await,
    );
    e.put(
        "dax:plain-eu",
        create_dax(account, EU, "plain", false).await,
    );
}

// ---------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------

/// Rules with one outcome per table, in the column order of
/// [`TABLE_OUTCOMES`].
const TABLE_RULES: [&str; 10] = [
    "DYN101", "DYN102", "DYN201", "DYN202", "DYN203", "DYN204", "DYN305", "DYN503", "DYN505",
    "DYN604",
];

/// Per table (the table's name, then P pass, F fail or U unknown for each
/// of [`TABLE_RULES`]). The tables are in us-east-1 down to archive,
/// us-west-2 down to retired, then eu-west-1.
///
/// What moto 5.2.5 cannot model, and so what these columns can never show:
/// - DYN203 pass: moto has no CreateBackupSelection and answers
///   ListBackupSelections with a 500, so where a plan exists no selection
///   is known (unknown); where no plan exists the table fails.
/// - DYN505 pass or fail: DescribeContributorInsights answers 500 (unknown).
/// - DYN102 for a table in `INACCESSIBLE_ENCRYPTION_CREDENTIALS`: moto
///   never reports it; the failing cases come from the key states.
/// - DYN101 with `KeyManager = AWS`: moto reports the AWS managed key
///   `alias/aws/dynamodb` as `CUSTOMER`; the rule recognises it by alias.
const TABLE_OUTCOMES: &[&str] = &[
    // table        101 102 201 202 203 204 305 503 505 604
    "orders          P   P   P   P   U   P   P   P   U   P",
    "sessions        F   P   F   F   U   F   P   F   U   F",
    "ledger          F   P   P   F   U   P   P   F   U   F",
    "tenants         P   P   P   F   U   P   P   F   U   P",
    "tenants-legacy  P   P   F   F   U   F   P   F   U   P",
    "archive         P   F   F   F   U   P   P   F   U   P",
    "public-feed     F   P   P   F   F   F   F   P   U   F",
    "org-shared      P   P   P   F   F   P   P   F   U   P",
    "partner-share   P   P   F   F   F   P   F   F   U   P",
    "retired         P   F   F   F   F   F   P   F   U   P",
    "audit-log       P   P   P   F   U   P   P   P   U   P",
    "scratch         F   P   F   F   U   F   P   F   U   F",
];

/// Every other outcome: (rule, resource label, status). Labels are those of
/// [`Estate`]; `region:R` is the per-region resource `<account>/R`.
///
/// Not modelled by moto 5.2.5:
/// - DYN205 beyond "no replica at all": `UpdateTable` with `ReplicaUpdates`
///   does nothing and `DescribeTable` has no `Replicas`, so a table that
///   requires replicas always lacks them; the pass is a table whose
///   required regions are only its own.
/// - DYN603 pass or fail: `DescribeComplianceByConfigRule` answers 500 and
///   rules are never evaluated (unknown).
const OTHER_OUTCOMES: &[(&str, &str, &str)] = &[
    // Keys: rotation of customer managed keys; the AWS managed key of the
    // ledger table is out of scope (no outcome).
    ("DYN103", "key:east-rotated", "pass"),
    ("DYN103", "key:east-disabled", "fail"),
    ("DYN103", "key:west-rotated", "pass"),
    ("DYN103", "key:west-pending", "pass"),
    ("DYN103", "key:eu-unrotated", "fail"),
    // DAX.
    ("DYN104", "dax:secure-east", "pass"),
    ("DYN104", "dax:plain-eu", "fail"),
    ("DYN105", "dax:secure-east", "pass"),
    ("DYN105", "dax:plain-eu", "fail"),
    // Replicas: only tables that require some get an outcome.
    ("DYN205", "table:orders", "pass"),
    ("DYN205", "table:ledger", "fail"),
    // IAM: the unattached UnusedAdmin and the Deny-only inline policy of
    // ops-admin get no outcome.
    ("DYN301", "policy:DynamoAdminAll", "fail"),
    ("DYN301", "policy:OrdersReadOnly", "pass"),
    ("DYN301", "policy:TenantAccess", "pass"),
    ("DYN301", "policy:TenantWeak", "pass"),
    ("DYN301", "user:reporting", "pass"),
    ("DYN301", "group:readers", "pass"),
    ("DYN302", "policy:TenantAccess", "pass"),
    ("DYN302", "policy:TenantWeak", "fail"),
    ("DYN302", "user:reporting", "pass"),
    // TenantWeak has no ForAllValues restriction: no DYN303 outcome.
    ("DYN303", "policy:TenantAccess", "pass"),
    ("DYN303", "user:reporting", "fail"),
    // Only tables tagged dynaudit:row-level-security=required.
    ("DYN304", "table:tenants", "pass"),
    ("DYN304", "table:tenants-legacy", "fail"),
    // Network: the S3 endpoint gets no DYN402/DYN403 outcome.
    ("DYN401", "vpc:default-east", "fail"),
    ("DYN401", "vpc:app-east", "pass"),
    ("DYN401", "vpc:default-west", "fail"),
    ("DYN401", "vpc:app-west", "pass"),
    ("DYN401", "vpc:default-eu", "pass"),
    ("DYN401", "vpc:s3-only-eu", "fail"),
    ("DYN402", "vpce:app-east", "pass"),
    ("DYN402", "vpce:app-west", "fail"),
    ("DYN402", "vpce:default-eu", "fail"),
    ("DYN403", "vpce:app-east", "pass"),
    ("DYN403", "vpce:app-west", "fail"),
    ("DYN403", "vpce:default-eu", "pass"),
    // CloudTrail: DYN501 fails in the bare account (see
    // `dyn501_fails_without_a_logging_multi_region_trail`); the
    // single-region and the stopped trail get no DYN502/DYN504 outcome.
    ("DYN501", "region:us-east-1", "pass"),
    ("DYN501", "region:us-west-2", "pass"),
    ("DYN501", "region:eu-west-1", "pass"),
    ("DYN502", "trail:org-audit", "pass"),
    ("DYN502", "trail:legacy", "fail"),
    ("DYN504", "trail:org-audit", "pass"),
    ("DYN504", "trail:legacy", "fail"),
    // AWS Config.
    ("DYN601", "region:us-east-1", "pass"),
    ("DYN601", "region:us-west-2", "fail"),
    ("DYN601", "region:eu-west-1", "fail"),
    ("DYN602", "region:us-east-1", "pass"),
    ("DYN602", "region:us-west-2", "fail"),
    ("DYN602", "region:eu-west-1", "fail"),
    (
        "DYN603",
        "config-rule:dynamodb-table-encrypted-kms",
        "unknown",
    ),
    ("DYN603", "config-rule:dynamodb-pitr-enabled", "unknown"),
    ("DYN603", "config-rule:dynamodb-in-backup-plan", "unknown"),
    ("DYN603", "config-rule:pitr-west", "unknown"),
];

type Outcome = (String, String, String);

/// The names of the tables of [`TABLE_OUTCOMES`].
fn table_names() -> impl Iterator<Item = &'static str> {
    TABLE_OUTCOMES
        .iter()
        .map(|row| row.split_whitespace().next().unwrap())
}

fn expected_outcomes(e: &Estate) -> BTreeSet<Outcome> {
    let mut expected = BTreeSet::new();
    for row in TABLE_OUTCOMES {
        let mut cells = row.split_whitespace();
        let table = cells.next().unwrap();
        let cells: Vec<&str> = cells.collect();
        assert_eq!(cells.len(), TABLE_RULES.len(), "row of {table}");
        for (rule, cell) in TABLE_RULES.iter().zip(cells) {
            let status = match cell {
                "P" => "pass",
                "F" => "fail",
                "U" => "unknown",
                other => panic!("bad cell {other} in row of {table}"),
            };
            expected.insert((
                rule.to_string(),
                e.id(&format!("table:{table}")),
                status.to_string(),
            ));
        }
    }
    for (rule, label, status) in OTHER_OUTCOMES {
        expected.insert((rule.to_string(), e.id(label), status.to_string()));
    }
    expected
}

fn findings(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["findings"].as_array().expect("findings array")
}

fn outcomes(report: &serde_json::Value) -> BTreeSet<Outcome> {
    let all: Vec<Outcome> = findings(report)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let set: BTreeSet<Outcome> = all.iter().cloned().collect();
    let pairs: BTreeSet<(&String, &String)> = all.iter().map(|(r, id, _)| (r, id)).collect();
    assert_eq!(
        pairs.len(),
        all.len(),
        "one outcome per (rule, resource): {all:#?}"
    );
    set
}

/// Asserts that the outcomes are exactly `expected`, showing labels in the
/// difference.
fn assert_outcomes(e: &Estate, actual: &BTreeSet<Outcome>, expected: &BTreeSet<Outcome>) {
    let labels: BTreeMap<String, String> = e
        .ids
        .iter()
        .map(|(label, id)| (id.clone(), label.clone()))
        .collect();
    let show = |set: Vec<&Outcome>| -> Vec<String> {
        set.into_iter()
            .map(|(rule, id, status)| {
                let label = labels.get(id).map_or(id.as_str(), String::as_str);
                format!("{rule} {label} {status}")
            })
            .collect()
    };
    let missing = show(expected.difference(actual).collect());
    let unexpected = show(actual.difference(expected).collect());
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "outcomes differ from the expected table\nexpected but absent:\n  {}\nreported but not expected:\n  {}",
        missing.join("\n  "),
        unexpected.join("\n  ")
    );
}

fn finding<'a>(report: &'a serde_json::Value, rule: &str, resource: &str) -> &'a serde_json::Value {
    findings(report)
        .iter()
        .find(|f| f["rule_id"] == rule && f["resource"] == resource)
        .unwrap_or_else(|| panic!("no {rule} finding for {resource}"))
}

fn message<'a>(report: &'a serde_json::Value, rule: &str, resource: &str) -> &'a str {
    finding(report, rule, resource)["message"].as_str().unwrap()
}

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// `dynaudit scan` of the three regions into `dir` (report, inventory,
/// config), run from `dir` so the SARIF artifact URI is `inventory.json`.
/// Returns the report and the summary printed on stderr.
fn scan(
    account: &TestAccount,
    dir: &Path,
    format: &str,
    ops: Option<&Path>,
) -> (serde_json::Value, String) {
    std::fs::create_dir_all(dir).unwrap();
    let report = dir.join(format!("report.{format}"));
    let mut cmd = account.dynaudit();
    cmd.current_dir(dir)
        .args(["scan", "--regions", REGIONS, "--format", format, "--output"])
        .arg(&report)
        .arg("--inventory-out")
        .arg(dir.join("inventory.json"))
        .arg("--config")
        .arg(fast_config(dir));
    if let Some(ops) = ops {
        cmd.env("DYNAUDIT_RECORD_OPERATIONS", ops);
    }
    let out = cmd.output().expect("run dynaudit scan");
    let summary = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a scan of an estate with failing rules exits 1: {summary}"
    );
    assert!(
        summary.contains("collected 3 regions:") && summary.contains("failing"),
        "summary on stderr: {summary}"
    );
    (read_json(&report), summary)
}

/// The findings of a report with `evidence.collected_at`, where a rule
/// echoes it, checked against the report's collection time and blanked.
fn without_collection_time(report: &serde_json::Value) -> Vec<serde_json::Value> {
    let collected_at = &report["scope"]["collected_at"];
    assert!(collected_at.is_string(), "scope.collected_at");
    findings(report)
        .iter()
        .cloned()
        .map(|mut f| {
            let rule = f["rule_id"].to_string();
            if let Some(at) = f["evidence"].get_mut("collected_at") {
                assert_eq!(at, collected_at, "{rule} evaluated as of collected_at");
                *at = serde_json::Value::Null;
            }
            f
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn scan_reports_every_rule_per_resource_and_sends_only_reads() {
    let account = TestAccount::new().await;
    let estate = seed_estate(&account).await;
    let dir = tempfile::tempdir().unwrap();
    let ops_path = dir.path().join("operations.txt");
    let (report, summary) = scan(&account, dir.path(), "json", Some(&ops_path));
    // The summary counts the tables and the failed calls, by kind.
    assert!(
        summary.contains(": 12 tables,") && summary.contains(", 16 errors (16 other) in "),
        "{summary}"
    );

    assert_eq!(report["scope"]["account_id"], account.account_id.as_str());
    assert_eq!(
        report["scope"]["regions"],
        serde_json::json!(["eu-west-1", "us-east-1", "us-west-2"])
    );

    // 1. The outcome of every rule on every seeded resource, exactly.
    assert_outcomes(&estate, &outcomes(&report), &expected_outcomes(&estate));

    // Every rule the emulator can model both passes and fails somewhere:
    // all 27 but DYN203 (no pass), DYN505 and DYN603 (unknown only). DYN501
    // fails in the bare account of the test below.
    let statuses = |rule: &str| -> BTreeSet<String> {
        findings(&report)
            .iter()
            .filter(|f| f["rule_id"] == rule)
            .map(|f| f["status"].as_str().unwrap().to_string())
            .collect()
    };
    let rules: BTreeSet<String> = report["summary"]["by_rule"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(rules.len(), 27, "{rules:?}");
    for rule in &rules {
        let seen = statuses(rule);
        match rule.as_str() {
            "DYN203" => assert_eq!(seen, BTreeSet::from(["fail".into(), "unknown".into()])),
            "DYN505" | "DYN603" => assert_eq!(seen, BTreeSet::from(["unknown".into()])),
            "DYN501" => assert_eq!(seen, BTreeSet::from(["pass".into()])),
            _ => assert!(
                seen.contains("pass") && seen.contains("fail"),
                "{rule} should pass somewhere and fail somewhere: {seen:?}"
            ),
        }
    }

    // The failing outcomes fail for the seeded reason.
    let id = |label: &str| estate.id(label);
    assert!(message(&report, "DYN101", &id("table:ledger")).contains("alias/aws/dynamodb"));
    assert!(message(&report, "DYN101", &id("table:sessions")).contains("AWS owned key"));
    assert!(message(&report, "DYN102", &id("table:archive")).contains("Disabled"));
    assert!(message(&report, "DYN102", &id("table:retired")).contains("PendingDeletion"));
    assert!(message(&report, "DYN201", &id("table:archive")).contains("7 days"));
    assert!(message(&report, "DYN201", &id("table:sessions")).contains("disabled"));
    assert!(message(&report, "DYN305", &id("table:partner-share")).contains(FOREIGN_ACCOUNT));
    assert!(message(&report, "DYN304", &id("table:tenants-legacy")).contains("DynamoAdminAll"));
    assert!(message(&report, "DYN303", &id("user:reporting")).contains("scan"));
    assert!(
        message(&report, "DYN602", &id("region:us-west-2"))
            .contains("DYNAMODB_TABLE_ENCRYPTED_KMS, DYNAMODB_IN_BACKUP_PLAN")
    );
    assert!(message(&report, "DYN604", &id("table:public-feed")).contains("missing Application"));
    assert!(message(&report, "DYN205", &id("table:ledger")).contains("eu-west-1, us-west-2"));

    // 2. Unknowns name the operation the emulator does not serve, with the
    // recorded error as the reason.
    for table in table_names() {
        let arn = id(&format!("table:{table}"));
        let region = arn.split(':').nth(3).unwrap().to_string();
        let msg = message(&report, "DYN505", &arn);
        assert!(
            msg.contains(&format!(
                "dynamodb DescribeContributorInsights in {region} failed"
            )),
            "DYN505 {table}: {msg}"
        );
    }
    for rule in [
        "dynamodb-table-encrypted-kms",
        "dynamodb-pitr-enabled",
        "dynamodb-in-backup-plan",
        "pitr-west",
    ] {
        let msg = message(&report, "DYN603", &id(&format!("config-rule:{rule}")));
        assert!(
            msg.contains("config DescribeComplianceByConfigRule in") && msg.contains(rule),
            "DYN603 {rule}: {msg}"
        );
    }
    for (table, plan) in [
        ("orders", "daily-east"),
        ("sessions", "daily-east"),
        ("audit-log", "daily-eu"),
        ("scratch", "daily-eu"),
    ] {
        let f = finding(&report, "DYN203", &id(&format!("table:{table}")));
        let msg = f["message"].as_str().unwrap();
        assert!(
            msg.contains("backup ListBackupSelections in"),
            "DYN203 {table} names the recorded error: {msg}"
        );
        assert_eq!(
            f["evidence"]["plans_with_uncollected_selections"],
            serde_json::json!([plan]),
            "DYN203 {table}"
        );
    }

    // The collection errors are exactly what moto does not serve.
    let inventory = read_json(&dir.path().join("inventory.json"));
    let errors: BTreeSet<(String, String, String, String)> = inventory["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["service"].as_str().unwrap().to_string(),
                e["region"].as_str().unwrap().to_string(),
                e["operation"].as_str().unwrap().to_string(),
                e["resource"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let mut expected_errors: BTreeSet<(String, String, String, String)> = table_names()
        .map(|table| {
            let arn = id(&format!("table:{table}"));
            (
                "dynamodb".to_string(),
                arn.split(':').nth(3).unwrap().to_string(),
                "DescribeContributorInsights".to_string(),
                arn,
            )
        })
        .collect();
    for (region, plan) in [(EAST, "plan:east"), (EU, "plan:eu")] {
        expected_errors.insert((
            "backup".into(),
            region.into(),
            "ListBackupSelections".into(),
            id(plan),
        ));
    }
    // Compliance is asked for only where the region has Config rules.
    for region in [EAST, WEST] {
        expected_errors.insert((
            "config".into(),
            region.into(),
            "DescribeComplianceByConfigRule".into(),
            "-".into(),
        ));
    }
    assert_eq!(errors, expected_errors);
    assert_eq!(
        report["scope"]["collection_errors"],
        expected_errors.len(),
        "the report counts the failed calls"
    );

    // 4. Read-only, provably: every operation the scan sent is a
    // Describe/Get/List on the allow-list, and every service was asked.
    let ops = std::fs::read_to_string(&ops_path).expect("operation record written");
    let ops: BTreeSet<&str> = ops.lines().filter(|l| !l.is_empty()).collect();
    for op in &ops {
        assert!(
            permissions::is_allowed(op),
            "{op} was sent but is not on the read-only allow-list"
        );
        let (_, name) = op.split_once(':').unwrap();
        assert!(
            permissions::is_read_only_name(name),
            "{op} is not a Describe/Get/List"
        );
    }
    for op in [
        "sts:GetCallerIdentity",
        "dynamodb:ListTables",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:ListTagsOfResource",
        "dynamodb:ListBackups",
        "dynamodb:GetResourcePolicy",
        "dynamodb:DescribeContributorInsights",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "iam:GetAccountAuthorizationDetails",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcEndpoints",
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
        "config:DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorderStatus",
        "config:DescribeConfigRules",
        "config:DescribeComplianceByConfigRule",
        "backup:ListBackupPlans",
        "backup:GetBackupPlan",
        "backup:ListBackupSelections",
        "dax:DescribeClusters",
    ] {
        assert!(ops.contains(op), "{op} not recorded: {ops:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sarif_points_at_the_inventory_and_collect_then_eval_equals_scan() {
    let account = TestAccount::new().await;
    let estate = seed_estate(&account).await;
    let dir = tempfile::tempdir().unwrap();

    // scan --format json, the reference.
    let (scanned, _) = scan(&account, &dir.path().join("scan"), "json", None);
    let expected = expected_outcomes(&estate);
    assert_outcomes(&estate, &outcomes(&scanned), &expected);

    // 3. collect, then eval of the saved file: exactly the same findings
    // (messages and evidence included; the DYN202 backup is minutes old,
    // so its age as of each run's collected_at is the same).
    let saved = dir.path().join("collected.json");
    let out = account
        .dynaudit()
        .args(["collect", "--regions", REGIONS, "--quiet", "--output"])
        .arg(&saved)
        .arg("--config")
        .arg(fast_config(dir.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "collect: {}", stderr(&out));
    let evaluated_path = dir.path().join("eval.json");
    let out = account
        .dynaudit()
        .arg("eval")
        .arg(&saved)
        .args(["--format", "json", "--quiet", "--output"])
        .arg(&evaluated_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "eval: {}", stderr(&out));
    let evaluated = read_json(&evaluated_path);
    // The two runs collected at different instants: time-based evidence
    // (DYN202 echoes `collected_at`) must be each run's own collection
    // time, and is then set aside; everything else must be identical.
    let (a, b) = (
        without_collection_time(&scanned),
        without_collection_time(&evaluated),
    );
    assert_eq!(a.len(), b.len(), "same number of findings");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "collect + eval differs from scan");
    }
    assert_eq!(scanned["summary"], evaluated["summary"]);

    // SARIF: one result per failing or unknown outcome, each pointing at
    // the line of inventory.json where its resource's record starts.
    let sarif_dir = dir.path().join("sarif");
    let (sarif, _) = scan(&account, &sarif_dir, "sarif", None);
    let inventory_text = std::fs::read_to_string(sarif_dir.join("inventory.json")).unwrap();
    let lines: Vec<&str> = inventory_text.lines().collect();
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().expect("SARIF results");
    let rule_names: BTreeMap<String, String> = estate
        .ids
        .iter()
        .filter_map(|(label, id)| {
            label
                .strip_prefix("config-rule:")
                .map(|name| (id.clone(), name.to_string()))
        })
        .collect();
    let mut reported = BTreeSet::new();
    for result in results {
        let rule = result["ruleId"].as_str().unwrap();
        let status = result["properties"]["status"].as_str().unwrap();
        let location = &result["locations"][0];
        let resource = location["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        let physical = &location["physicalLocation"];
        assert_eq!(
            physical["artifactLocation"]["uri"], "inventory.json",
            "{rule} {resource}"
        );
        let line = physical["region"]["startLine"].as_u64().unwrap() as usize;
        assert!(
            line >= 2 && line <= lines.len(),
            "{rule} {resource}: line {line}"
        );
        let text = lines[line - 1];
        // The record's key: the resource id, the region of an
        // `<account>/<region>` resource, or the name of a Config rule.
        let needle = if let Some(name) = rule_names.get(resource) {
            format!("\"{name}\": {{")
        } else if let Some(region) = resource.strip_prefix(&format!("{}/", account.account_id)) {
            format!("\"{region}\": {{")
        } else {
            format!("\"{resource}\": {{")
        };
        assert!(
            text.contains(&needle),
            "{rule} {resource}: line {line} of inventory.json is {text:?}, expected {needle}"
        );
        reported.insert((rule.to_string(), resource.to_string(), status.to_string()));
    }
    let not_passing: BTreeSet<Outcome> = expected
        .into_iter()
        .filter(|(_, _, status)| status != "pass")
        .collect();
    assert_outcomes(&estate, &reported, &not_passing);
}

/// DYN501 fails in every region of an account whose only multi-region
/// trail is not logging and whose logging trail is single-region; DYN502
/// and DYN504 then have nothing to judge.
#[tokio::test(flavor = "multi_thread")]
async fn dyn501_fails_without_a_logging_multi_region_trail() {
    let account = TestAccount::new().await;
    let bucket = format!("trail-logs-{}", account.account_id);
    create_bucket(&account.endpoint, &account.account_id, &bucket);
    let mut e = Estate {
        account_id: account.account_id.clone(),
        ..Estate::default()
    };
    let stopped = create_trail(
        &account,
        &bucket,
        &TrailSpec {
            name: "stopped",
            region: EAST,
            multi_region: true,
            validation: true,
            kms_key: None,
            logging: false,
        },
    )
    .await;
    e.put("trail:stopped", stopped);
    let local = create_trail(
        &account,
        &bucket,
        &TrailSpec {
            name: "local",
            region: WEST,
            multi_region: false,
            validation: false,
            kms_key: None,
            logging: true,
        },
    )
    .await;
    e.put("trail:local", local);
    let dir = tempfile::tempdir().unwrap();
    let (report, summary) = scan(&account, dir.path(), "json", None);
    assert!(summary.contains(", 0 errors in "), "{summary}");
    let trail_outcomes: BTreeSet<Outcome> = outcomes(&report)
        .into_iter()
        .filter(|(rule, _, _)| ["DYN501", "DYN502", "DYN503", "DYN504"].contains(&rule.as_str()))
        .collect();
    let expected: BTreeSet<Outcome> = [EAST, WEST, EU]
        .iter()
        .map(|region| {
            (
                "DYN501".to_string(),
                e.id(&format!("region:{region}")),
                "fail".to_string(),
            )
        })
        .collect();
    assert_outcomes(&e, &trail_outcomes, &expected);
    let msg = message(&report, "DYN501", &e.id("region:us-west-2"));
    assert!(msg.contains("2 trail(s) known, none qualifies"), "{msg}");
}
