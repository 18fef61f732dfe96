//! CloudTrail trails (and the S3 bucket they log to).

use super::{EAST, EU, Estate, WEST};
use crate::support::moto::TestAccount;

/// Creates an S3 bucket in the account (CloudTrail's CreateTrail needs one):
/// [`seed::create_bucket`](crate::support::seed::create_bucket), panicking
/// on failure.
pub fn create_bucket(endpoint: &str, account_id: &str, bucket: &str) {
    crate::support::seed::create_bucket(endpoint, account_id, bucket)
        .unwrap_or_else(|e| panic!("{e}"));
}

fn cloudtrail(account: &TestAccount, region: &str) -> aws_sdk_cloudtrail::Client {
    aws_sdk_cloudtrail::Client::new(&account.config(region))
}

/// A trail to create with [`create_trail`].
pub struct TrailSpec<'a> {
    pub name: &'a str,
    pub region: &'a str,
    pub multi_region: bool,
    pub validation: bool,
    pub kms_key: Option<&'a str>,
    pub logging: bool,
}

/// Creates the trail (starting its logging if asked) and returns its ARN.
pub async fn create_trail(account: &TestAccount, bucket: &str, spec: &TrailSpec<'_>) -> String {
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

pub(super) async fn seed_trails(account: &TestAccount, e: &mut Estate) {
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
