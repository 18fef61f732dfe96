//! DynamoDB exports to Amazon S3 (schema 1.3): where each export of the
//! region's tables went, which DYN507 judges.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A table export (`ListExports`, then `DescribeExport`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableExport {
    /// `ExportArn`.
    pub arn: String,
    /// `TableArn`; `null` if `DescribeExport` failed.
    #[serde(deserialize_with = "crate::inventory::fields::nullable")]
    pub table_arn: Option<String>,
    /// `ExportStatus`: `IN_PROGRESS`, `COMPLETED` or `FAILED`.
    #[serde(deserialize_with = "crate::inventory::fields::nullable")]
    pub status: Option<String>,
    /// `S3Bucket`; `null` if `DescribeExport` failed.
    #[serde(deserialize_with = "crate::inventory::fields::nullable")]
    pub s3_bucket: Option<String>,
    /// `S3BucketOwner`: the account that owns the bucket, given when it is
    /// not the table's account; `null` when the export named none (named
    /// in `absent`: the bucket is the table account's) or not collected.
    #[serde(deserialize_with = "crate::inventory::fields::nullable")]
    pub s3_bucket_owner: Option<String>,
    /// `S3SseAlgorithm`: `AES256` (SSE-S3) or `KMS`; `null` when the export
    /// named none (named in `absent`: the bucket's default encryption
    /// applies) or not collected.
    #[serde(deserialize_with = "crate::inventory::fields::nullable")]
    pub s3_sse_algorithm: Option<String>,
    /// `S3SseKmsKeyId`, with `KMS`.
    #[serde(deserialize_with = "crate::inventory::fields::nullable")]
    pub s3_sse_kms_key_id: Option<String>,
    /// Fields that are `null` because the export has no value for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<ExportField>,
}

/// A field of an export that its `absent` list can name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ExportField {
    /// `s3_bucket_owner`: the export named no bucket owner.
    S3BucketOwner,
    /// `s3_sse_algorithm`: the export chose no encryption.
    S3SseAlgorithm,
    /// `s3_sse_kms_key_id`: the export named no KMS key.
    S3SseKmsKeyId,
}
