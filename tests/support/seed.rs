//! Seeding the emulator through the Rust SDK.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, PointInTimeRecoverySpecification,
    ScalarAttributeType, SseSpecification, SseType, StreamSpecification, StreamViewType, Tag,
};

/// A table to create.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableSpec<'a> {
    pub name: &'a str,
    /// `None`: the AWS owned key; `Some("")`: KMS with no key id (the AWS
    /// managed key `alias/aws/dynamodb`); `Some(arn)`: that key.
    pub kms_key: Option<&'a str>,
    pub pitr: bool,
    pub deletion_protection: bool,
    pub tags: &'a [(&'a str, &'a str)],
    pub stream: bool,
}

/// Creates the table (hash key `pk`, on-demand) and returns its ARN.
pub async fn create_table(ddb: &aws_sdk_dynamodb::Client, spec: &TableSpec<'_>) -> String {
    let mut req = ddb
        .create_table()
        .table_name(spec.name)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .deletion_protection_enabled(spec.deletion_protection);
    if let Some(key) = spec.kms_key {
        let mut sse = SseSpecification::builder()
            .enabled(true)
            .sse_type(SseType::Kms);
        if !key.is_empty() {
            sse = sse.kms_master_key_id(key);
        }
        req = req.sse_specification(sse.build());
    }
    if spec.stream {
        req = req.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewImage)
                .build()
                .unwrap(),
        );
    }
    for (k, v) in spec.tags {
        req = req.tags(Tag::builder().key(*k).value(*v).build().unwrap());
    }
    let out = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateTable {}: {e:?}", spec.name));
    if spec.pitr {
        ddb.update_continuous_backups()
            .table_name(spec.name)
            .point_in_time_recovery_specification(
                PointInTimeRecoverySpecification::builder()
                    .point_in_time_recovery_enabled(true)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("UpdateContinuousBackups");
    }
    out.table_description()
        .and_then(|t| t.table_arn())
        .unwrap()
        .to_string()
}
