//! DynamoDB exports to Amazon S3: `ListExports` once per region (all the
//! region's tables, paginated), then `DescribeExport` per export for where
//! it went and how it was encrypted (DYN507).
//!
//! An export whose description fails keeps its ARN and status with the
//! destination fields `null` (not named in `absent`), so DYN507 says
//! unknown for that export alone. Fields the export has no value for
//! (no bucket owner given: the table account's bucket; no encryption
//! chosen: the bucket's default) are named in `absent`.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::Client;
use futures_util::StreamExt;

use crate::collect::calls::{Call, paginate, record_malformed, single};
use crate::collect::context::RegionContext;
use crate::inventory::{ExportField, TableExport};

const SERVICE: &str = "dynamodb";
/// Largest page `ListExports` allows.
const PAGE: i32 = 25;
/// Exports described at once.
const IN_FLIGHT: usize = 8;

/// Collects the region's table exports keyed by export ARN.
pub async fn collect(ctx: &RegionContext) -> Option<BTreeMap<String, TableExport>> {
    collect_with(&crate::sdk_client!(aws_sdk_dynamodb, ctx), ctx).await
}

/// [`collect`] with a given client.
pub async fn collect_with(
    client: &Client,
    ctx: &RegionContext,
) -> Option<BTreeMap<String, TableExport>> {
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: "ListExports",
        resource: None,
    };
    let listed = paginate(ctx, call, |token| {
        let request = client
            .list_exports()
            .max_results(PAGE)
            .set_next_token(token);
        async move {
            let page = request.send().await?;
            let exports: Vec<(Option<String>, Option<String>)> = page
                .export_summaries
                .unwrap_or_default()
                .into_iter()
                .map(|summary| {
                    let status = summary.export_status.map(|s| s.as_str().to_string());
                    (summary.export_arn, status)
                })
                .collect();
            Ok((exports, page.next_token))
        }
    })
    .await?;
    // An export without an ARN cannot be described: left out, it would
    // read as "no such export".
    let Some(listed) = listed
        .into_iter()
        .map(|(arn, status)| arn.map(|arn| (arn, status)))
        .collect::<Option<Vec<_>>>()
    else {
        record_malformed(
            &ctx.errors,
            SERVICE,
            &ctx.region,
            "ListExports",
            None,
            "an export summary without an ExportArn",
        );
        return None;
    };
    let described: Vec<TableExport> = futures_util::stream::iter(listed)
        .map(|(arn, status)| describe(client, ctx, arn, status))
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    Some(
        described
            .into_iter()
            .map(|export| (export.arn.clone(), export))
            .collect(),
    )
}

async fn describe(
    client: &Client,
    ctx: &RegionContext,
    arn: String,
    status: Option<String>,
) -> TableExport {
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: "DescribeExport",
        resource: Some(&arn),
    };
    let description = single(ctx, call, client.describe_export().export_arn(&arn).send())
        .await
        .and_then(|out| out.export_description);
    let Some(description) = description else {
        return TableExport {
            arn,
            table_arn: None,
            status,
            s3_bucket: None,
            s3_bucket_owner: None,
            s3_sse_algorithm: None,
            s3_sse_kms_key_id: None,
            absent: Vec::new(),
        };
    };
    let mut absent = Vec::new();
    if description.s3_bucket_owner.is_none() {
        absent.push(ExportField::S3BucketOwner);
    }
    if description.s3_sse_algorithm.is_none() {
        absent.push(ExportField::S3SseAlgorithm);
    }
    if description.s3_sse_kms_key_id.is_none() {
        absent.push(ExportField::S3SseKmsKeyId);
    }
    TableExport {
        arn,
        table_arn: description.table_arn,
        status: description
            .export_status
            .map(|s| s.as_str().to_string())
            .or(status),
        s3_bucket: description.s3_bucket,
        s3_bucket_owner: description.s3_bucket_owner,
        s3_sse_algorithm: description
            .s3_sse_algorithm
            .map(|algorithm| algorithm.as_str().to_string()),
        s3_sse_kms_key_id: description.s3_sse_kms_key_id,
        absent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::testing::{assert_no_errors, context, json_error, only_error, test_client};
    use crate::inventory::ErrorKind;
    use aws_sdk_dynamodb::operation::describe_export::DescribeExportOutput;
    use aws_sdk_dynamodb::operation::list_exports::ListExportsOutput;
    use aws_sdk_dynamodb::types::{ExportDescription, ExportStatus, ExportSummary, S3SseAlgorithm};
    use aws_smithy_mocks::{RuleMode, mock};

    const TABLE: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";

    fn export_arn(id: &str) -> String {
        format!("{TABLE}/export/{id}")
    }

    fn summary(id: &str) -> ExportSummary {
        ExportSummary::builder()
            .export_arn(export_arn(id))
            .export_status(ExportStatus::Completed)
            .build()
    }

    #[tokio::test]
    async fn lists_and_describes_exports() {
        let p1 = mock!(Client::list_exports)
            .match_requests(|req| {
                req.next_token().is_none()
                    && req.table_arn().is_none()
                    && req.max_results() == Some(PAGE)
            })
            .then_output(|| {
                ListExportsOutput::builder()
                    .export_summaries(summary("kms"))
                    .next_token("t1")
                    .build()
            });
        let p2 = mock!(Client::list_exports)
            .match_requests(|req| req.next_token() == Some("t1"))
            .then_output(|| {
                ListExportsOutput::builder()
                    .export_summaries(summary("plain"))
                    .build()
            });
        let kms = mock!(Client::describe_export)
            .match_requests(|req| req.export_arn() == Some(export_arn("kms").as_str()))
            .then_output(|| {
                DescribeExportOutput::builder()
                    .export_description(
                        ExportDescription::builder()
                            .export_arn(export_arn("kms"))
                            .export_status(ExportStatus::Completed)
                            .table_arn(TABLE)
                            .s3_bucket("partner-archive")
                            .s3_bucket_owner("444455556666")
                            .s3_sse_algorithm(S3SseAlgorithm::Kms)
                            .s3_sse_kms_key_id("arn:aws:kms:us-east-1:123456789012:key/k")
                            .build(),
                    )
                    .build()
            });
        let plain = mock!(Client::describe_export)
            .match_requests(|req| req.export_arn() == Some(export_arn("plain").as_str()))
            .then_output(|| {
                DescribeExportOutput::builder()
                    .export_description(
                        ExportDescription::builder()
                            .export_arn(export_arn("plain"))
                            .export_status(ExportStatus::Failed)
                            .table_arn(TABLE)
                            .s3_bucket("own-archive")
                            .build(),
                    )
                    .build()
            });
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [&p1, &p2, &kms, &plain]
        );
        let ctx = context("us-east-1");

        let exports = collect_with(&client, &ctx).await.expect("collected");
        assert_no_errors(&ctx);
        let kms = &exports[&export_arn("kms")];
        assert_eq!(kms.s3_bucket_owner.as_deref(), Some("444455556666"));
        assert_eq!(kms.s3_sse_algorithm.as_deref(), Some("KMS"));
        assert!(kms.absent.is_empty());
        let plain = &exports[&export_arn("plain")];
        assert_eq!(plain.status.as_deref(), Some("FAILED"));
        assert_eq!(plain.s3_bucket.as_deref(), Some("own-archive"));
        assert_eq!(
            plain.absent,
            [
                ExportField::S3BucketOwner,
                ExportField::S3SseAlgorithm,
                ExportField::S3SseKmsKeyId
            ]
        );
    }

    #[tokio::test]
    async fn a_failed_description_leaves_that_export_unknown() {
        let list = mock!(Client::list_exports).then_output(|| {
            ListExportsOutput::builder()
                .export_summaries(summary("x"))
                .build()
        });
        let denied = mock!(Client::describe_export).then_http_response(|| {
            json_error(
                400,
                "AccessDeniedException",
                "User is not authorized to perform: dynamodb:DescribeExport",
            )
        });
        let client = test_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&list, &denied]);
        let ctx = context("us-east-1");

        let exports = collect_with(&client, &ctx).await.expect("listed");
        let export = &exports[&export_arn("x")];
        assert_eq!(export.status.as_deref(), Some("COMPLETED"));
        assert_eq!(
            (export.s3_bucket.as_deref(), export.absent.len()),
            (None, 0)
        );
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(error.operation, "DescribeExport");
        assert_eq!(error.resource.as_deref(), Some(export_arn("x").as_str()));
    }

    #[tokio::test]
    async fn an_export_without_an_arn_leaves_the_exports_unknown() {
        let list = mock!(Client::list_exports).then_output(|| {
            ListExportsOutput::builder()
                .export_summaries(summary("x"))
                .export_summaries(
                    ExportSummary::builder()
                        .export_status(ExportStatus::Completed)
                        .build(),
                )
                .build()
        });
        let client = test_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&list]);
        let ctx = context("us-east-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        let error = only_error(&ctx);
        assert_eq!(
            (error.operation.as_str(), error.code.as_str()),
            ("ListExports", "MalformedResponse")
        );
    }

    #[tokio::test]
    async fn a_failed_listing_is_null() {
        let list = mock!(Client::list_exports)
            .then_http_response(|| json_error(500, "InternalFailure", "boom"));
        let client = test_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&list]);
        let ctx = context("us-east-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        assert_eq!(only_error(&ctx).operation, "ListExports");
    }
}
