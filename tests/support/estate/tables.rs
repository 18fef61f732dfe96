//! KMS keys and DynamoDB tables (with backups and resource policies) in
//! the three regions.

use aws_sdk_dynamodb::types::PointInTimeRecoverySpecification;

use super::{EAST, EU, Estate, FOREIGN_ACCOUNT, WEST};
use crate::support::moto::TestAccount;
use crate::support::seed::{TableSpec, create_table};

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

pub(super) async fn seed_tables(account: &TestAccount, e: &mut Estate) {
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
            // DYN306: a stream, whose policy moto cannot serve (unknown).
            stream: true,
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
