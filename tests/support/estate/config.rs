//! AWS Config recorders and managed rules in the three regions.

use super::{EAST, EU, Estate, WEST};
use crate::support::moto::TestAccount;

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

pub(super) async fn seed_config(account: &TestAccount, e: &mut Estate) {
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
