//! DynamoDB: tables and what decides their compliance, and backups.
//!
//! Per region: `ListTables` (paginated, 100 a page), then for every table,
//! concurrently and bounded: `DescribeTable`, `DescribeContinuousBackups`,
//! `ListTagsOfResource` (paginated), `GetResourcePolicy` and
//! `DescribeContributorInsights`. The per-table calls do not wait for each
//! other: the table ARN is built from the partition, region, account and
//! name, so a failed `DescribeTable` loses neither the table nor the other
//! evidence. `ListBackups` (type `ALL`, paginated) runs once per region,
//! concurrently with the tables, and is grouped by table ARN.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{BackupTypeFilter, TableDescription};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use futures_util::StreamExt;

use crate::collect::calls::{Call, paginate, record_malformed};
use crate::collect::context::RegionContext;
use crate::collect::progress::Progress;
use crate::inventory::{
    Backup, Encryption, PointInTimeRecovery, Replica, ResourcePolicy, SseType, Stream, Table,
};

const SERVICE: &str = "dynamodb";

/// What one region's DynamoDB collection produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DynamoRegion {
    /// Tables keyed by ARN; `None` if they could not be listed.
    pub tables: Option<BTreeMap<String, Table>>,
    /// Backups grouped by table ARN; `None` if `ListBackups` failed.
    pub backups: Option<BTreeMap<String, Vec<Backup>>>,
}

impl DynamoRegion {
    /// ARNs of the KMS keys the tables and their replicas use.
    pub fn kms_key_arns(&self) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for table in self.tables.iter().flat_map(|t| t.values()) {
            if let Some(arn) = table
                .encryption
                .as_ref()
                .and_then(|e| e.kms_key_arn.as_ref())
            {
                keys.insert(arn.clone());
            }
            for replica in table.replicas.iter().flatten() {
                if let Some(arn) = &replica.kms_key_arn {
                    keys.insert(arn.clone());
                }
            }
        }
        keys
    }
}

/// Collects the region's tables and backups with `concurrency` tables in
/// flight at once.
pub async fn collect(ctx: &RegionContext, concurrency: usize, progress: &Progress) -> DynamoRegion {
    let client = crate::sdk_client!(aws_sdk_dynamodb, ctx);
    collect_with(&client, ctx, concurrency, progress).await
}

/// [`collect`] with a given client.
pub async fn collect_with(
    client: &Client,
    ctx: &RegionContext,
    concurrency: usize,
    progress: &Progress,
) -> DynamoRegion {
    let tables = async {
        let names = list_tables(client, ctx).await?;
        progress.tables_found(&ctx.region, names.len());
        let tables: Vec<Option<Table>> = futures_util::stream::iter(names)
            .map(|name| async move {
                let table = collect_table(client, ctx, name).await;
                progress.table_done(&ctx.region);
                table
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        Some(
            tables
                .into_iter()
                .flatten()
                .map(|t| (t.arn.clone(), t))
                .collect::<BTreeMap<_, _>>(),
        )
    };
    let (tables, backups) = tokio::join!(tables, list_backups(client, ctx));
    DynamoRegion { tables, backups }
}

/// All table names of the region; `None` if any page failed (a partial
/// list would look complete to the rules).
async fn list_tables(client: &Client, ctx: &RegionContext) -> Option<Vec<String>> {
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: "ListTables",
        resource: None,
    };
    let mut names = paginate(ctx, call, |start| {
        let request = client
            .list_tables()
            .limit(100)
            .set_exclusive_start_table_name(start);
        async move {
            let page = request.send().await?;
            let next = page.last_evaluated_table_name().map(str::to_string);
            Ok((page.table_names().to_vec(), next))
        }
    })
    .await?;
    names.sort();
    names.dedup();
    Some(names)
}

/// The ARN of a table, as DynamoDB forms it.
pub fn table_arn(ctx: &RegionContext, name: &str) -> String {
    format!(
        "arn:{}:dynamodb:{}:{}:table/{}",
        ctx.partition, ctx.region, ctx.account_id, name
    )
}

/// One table; `None` only when `DescribeTable` says it no longer exists
/// (deleted between `ListTables` and now).
async fn collect_table(client: &Client, ctx: &RegionContext, name: String) -> Option<Table> {
    let arn = table_arn(ctx, &name);
    let (description, pitr, tags, policy, insights) = tokio::join!(
        describe_table(client, ctx, &name, &arn),
        continuous_backups(client, ctx, &name, &arn),
        tags(client, ctx, &arn),
        resource_policy(client, ctx, &arn),
        contributor_insights(client, ctx, &name, &arn),
    );
    let description = match description {
        Described::Gone => return None,
        Described::Failed => None,
        Described::Table(t) => Some(t),
    };
    let mut table = Table {
        arn,
        name,
        point_in_time_recovery: pitr,
        tags,
        resource_policy: policy,
        contributor_insights: insights,
        global_secondary_indexes: Some(None),
        witness_regions: Some(None),
        ..Table::default()
    };
    if let Some(desc) = description {
        fill_from_description(&mut table, &desc, ctx);
    }
    // The stream's own resource-based policy (DYN306), once its ARN is
    // known: a table without a stream has none to ask for.
    if let Some(stream) = &mut table.stream
        && let Some(Some(stream_arn)) = &stream.arn
    {
        let stream_arn = stream_arn.clone();
        stream.resource_policy = Some(resource_policy(client, ctx, &stream_arn).await);
    }
    Some(table)
}

enum Described {
    Table(Box<TableDescription>),
    Gone,
    Failed,
}

async fn describe_table(client: &Client, ctx: &RegionContext, name: &str, arn: &str) -> Described {
    ctx.limits
        .acquire(SERVICE, "DescribeTable", &ctx.region)
        .await;
    match client.describe_table().table_name(name).send().await {
        Ok(out) => match out.table {
            Some(table) => Described::Table(Box::new(table)),
            None => {
                malformed(ctx, "DescribeTable", arn, "no Table in the answer");
                Described::Failed
            }
        },
        Err(err) => {
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception())
            {
                return Described::Gone;
            }
            ctx.errors
                .record(SERVICE, &ctx.region, "DescribeTable", Some(arn), &err);
            Described::Failed
        }
    }
}

/// An answer that arrived but lacks what it must hold, for the table `arn`.
fn malformed(ctx: &RegionContext, operation: &str, arn: &str, message: impl Into<String>) {
    record_malformed(
        &ctx.errors,
        SERVICE,
        &ctx.region,
        operation,
        Some(arn),
        message,
    );
}

/// RFC 3339 text of an SDK timestamp.
pub fn rfc3339(dt: &DateTime) -> Option<String> {
    dt.fmt(Format::DateTime).ok()
}

fn fill_from_description(table: &mut Table, desc: &TableDescription, ctx: &RegionContext) {
    table.status = desc.table_status().map(|s| s.as_str().to_string());
    table.creation_time = desc.creation_date_time().and_then(rfc3339);
    table.encryption = Some(match desc.sse_description() {
        Some(sse) => {
            let kms_key_arn = sse.kms_master_key_arn().map(str::to_string);
            let is_kms = kms_key_arn.is_some()
                || sse
                    .sse_type()
                    .is_some_and(|t| t.as_str().eq_ignore_ascii_case("KMS"));
            Encryption {
                sse_type: if is_kms {
                    SseType::Kms
                } else {
                    SseType::AwsOwned
                },
                status: sse.status().map(|s| s.as_str().to_string()),
                kms_key_arn,
                inaccessible_since: sse.inaccessible_encryption_date_time().and_then(rfc3339),
            }
        }
        None => Encryption {
            sse_type: SseType::AwsOwned,
            status: None,
            kms_key_arn: None,
            inaccessible_since: None,
        },
    });
    // DynamoDB always reports DeletionProtectionEnabled; when an endpoint
    // leaves it out the value stays unknown (and is explained).
    table.deletion_protection = desc.deletion_protection_enabled();
    if table.deletion_protection.is_none() {
        malformed(
            ctx,
            "DescribeTable",
            &table.arn,
            "the answer has no DeletionProtectionEnabled",
        );
    }
    table.stream = Some(match desc.stream_specification() {
        Some(spec) => {
            let arn = desc
                .latest_stream_arn()
                .filter(|_| spec.stream_enabled())
                .map(str::to_string);
            if spec.stream_enabled() && arn.is_none() {
                malformed(
                    ctx,
                    "DescribeTable",
                    &table.arn,
                    "the stream is enabled but the answer has no LatestStreamArn",
                );
            }
            Stream {
                enabled: spec.stream_enabled(),
                view_type: spec.stream_view_type().map(|v| v.as_str().to_string()),
                arn: Some(arn),
                resource_policy: Some(None),
            }
        }
        None => Stream {
            enabled: false,
            view_type: None,
            arn: Some(None),
            resource_policy: Some(None),
        },
    });
    let mut indexes: Vec<String> = desc
        .global_secondary_indexes()
        .iter()
        .filter_map(|index| index.index_name().map(str::to_string))
        .collect();
    indexes.sort();
    table.global_secondary_indexes = Some(Some(indexes));
    let mut witnesses: Vec<String> = desc
        .global_table_witnesses()
        .iter()
        .filter_map(|witness| witness.region_name().map(str::to_string))
        .collect();
    witnesses.sort();
    table.witness_regions = Some(Some(witnesses));
    let mut replicas: Vec<Replica> = desc
        .replicas()
        .iter()
        .filter_map(|r| {
            let region = r.region_name()?.to_string();
            (region != ctx.region).then(|| Replica {
                region,
                status: r.replica_status().map(|s| s.as_str().to_string()),
                kms_key_arn: r.kms_master_key_id().map(str::to_string),
            })
        })
        .collect();
    replicas.sort_by(|a, b| a.region.cmp(&b.region));
    table.replicas = Some(replicas);
    // Tables created before on-demand existed have no BillingModeSummary:
    // they are provisioned.
    table.billing_mode = match desc.billing_mode_summary().and_then(|b| b.billing_mode()) {
        Some(mode) => Some(mode.as_str().to_string()),
        None => desc
            .provisioned_throughput()
            .map(|_| "PROVISIONED".to_string()),
    };
}

async fn continuous_backups(
    client: &Client,
    ctx: &RegionContext,
    name: &str,
    arn: &str,
) -> Option<PointInTimeRecovery> {
    const OP: &str = "DescribeContinuousBackups";
    ctx.limits.acquire(SERVICE, OP, &ctx.region).await;
    match client
        .describe_continuous_backups()
        .table_name(name)
        .send()
        .await
    {
        Ok(out) => {
            let Some(pitr) = out
                .continuous_backups_description()
                .and_then(|d| d.point_in_time_recovery_description())
            else {
                malformed(
                    ctx,
                    OP,
                    arn,
                    "the answer has no PointInTimeRecoveryDescription",
                );
                return None;
            };
            let Some(status) = pitr.point_in_time_recovery_status() else {
                malformed(ctx, OP, arn, "the answer has no PointInTimeRecoveryStatus");
                return None;
            };
            Some(PointInTimeRecovery {
                status: status.as_str().to_string(),
                recovery_period_days: pitr.recovery_period_in_days().map(i64::from),
                earliest_restorable: pitr.earliest_restorable_date_time().and_then(rfc3339),
                latest_restorable: pitr.latest_restorable_date_time().and_then(rfc3339),
            })
        }
        Err(err) => {
            ctx.errors.record(SERVICE, &ctx.region, OP, Some(arn), &err);
            None
        }
    }
}

async fn tags(client: &Client, ctx: &RegionContext, arn: &str) -> Option<BTreeMap<String, String>> {
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: "ListTagsOfResource",
        resource: Some(arn),
    };
    let tags = paginate(ctx, call, |token| {
        let request = client
            .list_tags_of_resource()
            .resource_arn(arn)
            .set_next_token(token);
        async move {
            let page = request.send().await?;
            let tags: Vec<(String, String)> = page
                .tags()
                .iter()
                .map(|tag| (tag.key().to_string(), tag.value().to_string()))
                .collect();
            Ok((tags, page.next_token().map(str::to_string)))
        }
    })
    .await?;
    Some(tags.into_iter().collect())
}

async fn resource_policy(
    client: &Client,
    ctx: &RegionContext,
    arn: &str,
) -> Option<ResourcePolicy> {
    const OP: &str = "GetResourcePolicy";
    ctx.limits.acquire(SERVICE, OP, &ctx.region).await;
    match client.get_resource_policy().resource_arn(arn).send().await {
        Ok(out) => match out.policy() {
            None => Some(ResourcePolicy { document: None }),
            Some(text) => match serde_json::from_str(text) {
                Ok(document) => Some(ResourcePolicy {
                    document: Some(document),
                }),
                Err(e) => {
                    malformed(ctx, OP, arn, format!("the policy is not JSON: {e}"));
                    None
                }
            },
        },
        Err(err) => {
            if err
                .as_service_error()
                .is_some_and(|e| e.is_policy_not_found_exception())
            {
                return Some(ResourcePolicy { document: None });
            }
            ctx.errors.record(SERVICE, &ctx.region, OP, Some(arn), &err);
            None
        }
    }
}

async fn contributor_insights(
    client: &Client,
    ctx: &RegionContext,
    name: &str,
    arn: &str,
) -> Option<String> {
    const OP: &str = "DescribeContributorInsights";
    ctx.limits.acquire(SERVICE, OP, &ctx.region).await;
    match client
        .describe_contributor_insights()
        .table_name(name)
        .send()
        .await
    {
        Ok(out) => match out.contributor_insights_status() {
            Some(status) => Some(status.as_str().to_string()),
            None => {
                malformed(ctx, OP, arn, "the answer has no ContributorInsightsStatus");
                None
            }
        },
        Err(err) => {
            ctx.errors.record(SERVICE, &ctx.region, OP, Some(arn), &err);
            None
        }
    }
}

/// All backups of the region grouped by table ARN; `None` if any page
/// failed.
async fn list_backups(
    client: &Client,
    ctx: &RegionContext,
) -> Option<BTreeMap<String, Vec<Backup>>> {
    const OP: &str = "ListBackups";
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: OP,
        resource: None,
    };
    let summaries = paginate(ctx, call, |start| {
        let request = client
            .list_backups()
            .backup_type(BackupTypeFilter::All)
            .set_exclusive_start_backup_arn(start);
        async move {
            let page = request.send().await?;
            let next = page.last_evaluated_backup_arn().map(str::to_string);
            Ok((page.backup_summaries().to_vec(), next))
        }
    })
    .await?;
    let mut grouped: BTreeMap<String, Vec<Backup>> = BTreeMap::new();
    for summary in &summaries {
        let (Some(table_arn), Some(arn)) = (summary.table_arn(), summary.backup_arn()) else {
            // A backup that cannot be told apart or tied to its table: the
            // listing cannot say which tables have recent backups, so it
            // is not used (every backup rule of the region is unknown).
            record_malformed(
                &ctx.errors,
                SERVICE,
                &ctx.region,
                OP,
                summary.table_arn(),
                format!(
                    "a backup summary lacks its {} (backup name {:?}); the region's backup list is not used",
                    if summary.table_arn().is_none() {
                        "TableArn"
                    } else {
                        "BackupArn"
                    },
                    summary.backup_name().unwrap_or("")
                ),
            );
            return None;
        };
        grouped
            .entry(table_arn.to_string())
            .or_default()
            .push(Backup {
                arn: arn.to_string(),
                name: summary.backup_name().map(str::to_string),
                backup_type: summary
                    .backup_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                status: summary
                    .backup_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                creation_time: summary
                    .backup_creation_date_time()
                    .and_then(rfc3339)
                    .unwrap_or_default(),
                expiry_time: summary.backup_expiry_date_time().and_then(rfc3339),
            });
    }
    for backups in grouped.values_mut() {
        backups.sort_by(|a, b| {
            (a.creation_time.as_str(), a.arn.as_str())
                .cmp(&(b.creation_time.as_str(), b.arn.as_str()))
        });
        backups.dedup_by(|a, b| a.arn == b.arn);
    }
    Some(grouped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::testing::{
        assert_html_500_error, assert_no_errors, context, json_error, only_error, test_client,
    };
    use crate::collect::testing::{json_error_without_message, xml_403};
    use crate::inventory::ErrorKind;
    use aws_sdk_dynamodb::operation::describe_continuous_backups::DescribeContinuousBackupsOutput;
    use aws_sdk_dynamodb::operation::describe_contributor_insights::DescribeContributorInsightsOutput;
    use aws_sdk_dynamodb::operation::describe_table::DescribeTableOutput;
    use aws_sdk_dynamodb::operation::get_resource_policy::{
        GetResourcePolicyError, GetResourcePolicyOutput,
    };
    use aws_sdk_dynamodb::operation::list_backups::ListBackupsOutput;
    use aws_sdk_dynamodb::operation::list_tables::ListTablesOutput;
    use aws_sdk_dynamodb::operation::list_tags_of_resource::ListTagsOfResourceOutput;
    use aws_sdk_dynamodb::types::error::PolicyNotFoundException;
    use aws_sdk_dynamodb::types::{
        BackupStatus, BackupSummary, BackupType, ContinuousBackupsDescription,
        ContinuousBackupsStatus, ContributorInsightsStatus, PointInTimeRecoveryDescription,
        PointInTimeRecoveryStatus, ReplicaDescription, ReplicaStatus, SseDescription, SseStatus,
        TableDescription, TableStatus, Tag,
    };
    use aws_smithy_mocks::{RuleMode, mock};

    const REGION: &str = "us-east-1";
    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    const REPLICA_KEY: &str =
        "arn:aws:kms:eu-west-1:123456789012:key/66666666-2222-3333-4444-555555555555";

    fn arn(name: &str) -> String {
        format!("arn:aws:dynamodb:us-east-1:123456789012:table/{name}")
    }

    fn list_tables(names: &[&str]) -> aws_smithy_mocks::Rule {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        mock!(Client::list_tables).then_output(move || {
            ListTablesOutput::builder()
                .set_table_names(Some(names.clone()))
                .build()
        })
    }

    fn describe_ok() -> aws_smithy_mocks::Rule {
        mock!(Client::describe_table).then_compute_output(|req| {
            let name = req.table_name().unwrap_or_default().to_string();
            DescribeTableOutput::builder()
                .table(
                    TableDescription::builder()
                        .table_name(&name)
                        .table_arn(arn(&name))
                        .table_status(TableStatus::Active)
                        .deletion_protection_enabled(true)
                        .sse_description(
                            SseDescription::builder()
                                .status(SseStatus::Enabled)
                                .sse_type(aws_sdk_dynamodb::types::SseType::Kms)
                                .kms_master_key_arn(KEY)
                                .build(),
                        )
                        .build(),
                )
                .build()
        })
    }

    fn pitr_ok() -> aws_smithy_mocks::Rule {
        mock!(Client::describe_continuous_backups).then_output(|| {
            DescribeContinuousBackupsOutput::builder()
                .continuous_backups_description(
                    ContinuousBackupsDescription::builder()
                        .continuous_backups_status(ContinuousBackupsStatus::Enabled)
                        .point_in_time_recovery_description(
                            PointInTimeRecoveryDescription::builder()
                                .point_in_time_recovery_status(PointInTimeRecoveryStatus::Enabled)
                                .recovery_period_in_days(35)
                                .build(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
        })
    }

    fn tags_ok() -> aws_smithy_mocks::Rule {
        mock!(Client::list_tags_of_resource).then_output(|| {
            ListTagsOfResourceOutput::builder()
                .tags(Tag::builder().key("env").value("prod").build().unwrap())
                .build()
        })
    }

    fn no_policy() -> aws_smithy_mocks::Rule {
        mock!(Client::get_resource_policy).then_error(|| {
            GetResourcePolicyError::PolicyNotFoundException(
                PolicyNotFoundException::builder().message("none").build(),
            )
        })
    }

    fn insights_ok() -> aws_smithy_mocks::Rule {
        mock!(Client::describe_contributor_insights).then_output(|| {
            DescribeContributorInsightsOutput::builder()
                .contributor_insights_status(ContributorInsightsStatus::Enabled)
                .build()
        })
    }

    fn no_backups() -> aws_smithy_mocks::Rule {
        mock!(Client::list_backups).then_output(|| ListBackupsOutput::builder().build())
    }

    async fn run(client: &Client, ctx: &RegionContext) -> DynamoRegion {
        collect_with(client, ctx, 4, &Progress::default()).await
    }

    #[tokio::test]
    async fn a_full_table_and_the_paths_moto_does_not_serve() {
        let describe = mock!(Client::describe_table).then_output(|| {
            DescribeTableOutput::builder()
                .table(
                    TableDescription::builder()
                        .table_name("orders")
                        .table_arn(arn("orders"))
                        .table_status(TableStatus::Active)
                        .deletion_protection_enabled(false)
                        .replicas(
                            ReplicaDescription::builder()
                                .region_name(REGION)
                                .replica_status(ReplicaStatus::Active)
                                .build(),
                        )
                        .replicas(
                            ReplicaDescription::builder()
                                .region_name("eu-west-1")
                                .replica_status(ReplicaStatus::Active)
                                .kms_master_key_id(REPLICA_KEY)
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
        let policy = mock!(Client::get_resource_policy).then_output(|| {
            GetResourcePolicyOutput::builder()
                .policy(r#"{"Version":"2012-10-17","Statement":[]}"#)
                .build()
        });
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [
                &list_tables(&["orders"]),
                &describe,
                &pitr_ok(),
                &tags_ok(),
                &policy,
                &insights_ok(),
                &no_backups()
            ]
        );
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        assert_no_errors(&ctx);
        let table = &out.tables.as_ref().unwrap()[&arn("orders")];
        let replicas = table.replicas.as_ref().unwrap();
        assert_eq!(replicas.len(), 1, "own region excluded: {replicas:?}");
        assert_eq!(replicas[0].region, "eu-west-1");
        assert_eq!(replicas[0].kms_key_arn.as_deref(), Some(REPLICA_KEY));
        assert_eq!(table.contributor_insights.as_deref(), Some("ENABLED"));
        assert_eq!(
            table.encryption.as_ref().map(|e| e.sse_type),
            Some(SseType::AwsOwned)
        );
        assert!(
            table
                .resource_policy
                .as_ref()
                .and_then(|p| p.document.as_ref())
                .is_some()
        );
        assert_eq!(
            out.kms_key_arns(),
            BTreeSet::from([REPLICA_KEY.to_string()])
        );
    }

    /// A client for one table, `orders`, described by `describe`, whose
    /// stream's `GetResourcePolicy` answers by `stream_policy` and whose
    /// other calls succeed (the table has no policy of its own).
    fn one_table_with_a_stream(
        describe: &aws_smithy_mocks::Rule,
        stream_policy: &aws_smithy_mocks::Rule,
    ) -> Client {
        test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [
                &list_tables(&["orders"]),
                describe,
                &pitr_ok(),
                &tags_ok(),
                stream_policy,
                &no_policy(),
                &insights_ok(),
                &no_backups()
            ]
        )
    }

    /// Schema 1.3: the stream's own policy (asked on the stream ARN, which
    /// moto does not serve), the index names and an MRSC witness.
    #[tokio::test]
    async fn a_streams_policy_indexes_and_witness_are_collected() {
        use aws_sdk_dynamodb::types::{
            GlobalSecondaryIndexDescription, GlobalTableWitnessDescription, StreamSpecification,
            StreamViewType,
        };
        const STREAM: &str =
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";
        let describe = mock!(Client::describe_table).then_output(|| {
            DescribeTableOutput::builder()
                .table(
                    TableDescription::builder()
                        .table_name("orders")
                        .table_arn(arn("orders"))
                        .table_status(TableStatus::Active)
                        .deletion_protection_enabled(true)
                        .stream_specification(
                            StreamSpecification::builder()
                                .stream_enabled(true)
                                .stream_view_type(StreamViewType::NewImage)
                                .build()
                                .unwrap(),
                        )
                        .latest_stream_arn(STREAM)
                        .global_secondary_indexes(
                            GlobalSecondaryIndexDescription::builder()
                                .index_name("by-customer")
                                .build(),
                        )
                        .global_secondary_indexes(
                            GlobalSecondaryIndexDescription::builder()
                                .index_name("by-date")
                                .build(),
                        )
                        .global_table_witnesses(
                            GlobalTableWitnessDescription::builder()
                                .region_name("us-west-2")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
        let stream_policy = mock!(Client::get_resource_policy)
            .match_requests(|req| req.resource_arn() == Some(STREAM))
            .then_output(|| {
                GetResourcePolicyOutput::builder()
                    .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"dynamodb:GetRecords"}]}"#)
                    .build()
            });
        let client = one_table_with_a_stream(&describe, &stream_policy);
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        assert_no_errors(&ctx);
        let table = &out.tables.as_ref().unwrap()[&arn("orders")];
        let stream = table.stream.as_ref().unwrap();
        assert_eq!(stream.arn, Some(Some(STREAM.to_string())));
        let policy = crate::inventory::since::value(&stream.resource_policy).expect("collected");
        assert_eq!(
            policy.document.as_ref().unwrap()["Statement"][0]["Principal"],
            "*"
        );
        // The table's own policy is a different call and answer.
        assert_eq!(
            table.resource_policy,
            Some(ResourcePolicy { document: None })
        );
        assert_eq!(
            table.global_secondary_indexes,
            Some(Some(vec!["by-customer".to_string(), "by-date".to_string()]))
        );
        assert_eq!(
            table.witness_regions,
            Some(Some(vec!["us-west-2".to_string()]))
        );
    }

    /// An enabled stream without `LatestStreamArn` is a malformed answer:
    /// recorded, and the stream's policy stays unknown (never asked).
    #[tokio::test]
    async fn an_enabled_stream_without_an_arn_is_recorded() {
        use aws_sdk_dynamodb::types::StreamSpecification;
        let describe = mock!(Client::describe_table).then_output(|| {
            DescribeTableOutput::builder()
                .table(
                    TableDescription::builder()
                        .table_name("orders")
                        .table_arn(arn("orders"))
                        .deletion_protection_enabled(true)
                        .stream_specification(
                            StreamSpecification::builder()
                                .stream_enabled(true)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
        });
        let stream_policy = mock!(Client::get_resource_policy)
            .match_requests(|req| req.resource_arn().is_some_and(|a| a.contains("/stream/")))
            .then_output(|| GetResourcePolicyOutput::builder().build());
        let client = one_table_with_a_stream(&describe, &stream_policy);
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        let stream = out.tables.as_ref().unwrap()[&arn("orders")]
            .stream
            .clone()
            .unwrap();
        assert_eq!(
            (stream.arn, stream.resource_policy),
            (Some(None), Some(None))
        );
        assert_eq!(stream_policy.num_calls(), 0);
        let error = only_error(&ctx);
        assert_eq!(
            (error.operation.as_str(), error.code.as_str()),
            ("DescribeTable", "MalformedResponse")
        );
        assert!(
            error.message.contains("LatestStreamArn"),
            "{}",
            error.message
        );
    }

    /// moto answers `GetResourcePolicy` on a stream ARN with
    /// `ResourceNotFoundException`: the stream's policy stays unknown.
    #[tokio::test]
    async fn a_streams_policy_that_cannot_be_read_is_not_collected() {
        use aws_sdk_dynamodb::types::StreamSpecification;
        let describe = mock!(Client::describe_table).then_output(|| {
            DescribeTableOutput::builder()
                .table(
                    TableDescription::builder()
                        .table_name("orders")
                        .table_arn(arn("orders"))
                        .deletion_protection_enabled(true)
                        .stream_specification(
                            StreamSpecification::builder()
                                .stream_enabled(true)
                                .build()
                                .unwrap(),
                        )
                        .latest_stream_arn(format!("{}/stream/x", arn("orders")))
                        .build(),
                )
                .build()
        });
        let missing = mock!(Client::get_resource_policy)
            .match_requests(|req| req.resource_arn().is_some_and(|a| a.contains("/stream/")))
            .then_http_response(|| {
                json_error(
                    400,
                    "ResourceNotFoundException",
                    "Requested resource not found: Table: x not found",
                )
            });
        let client = one_table_with_a_stream(&describe, &missing);
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        let table = &out.tables.as_ref().unwrap()[&arn("orders")];
        assert_eq!(table.stream.as_ref().unwrap().resource_policy, Some(None));
        let error = only_error(&ctx);
        assert_eq!(error.operation, "GetResourcePolicy");
        assert_eq!(
            error.resource.as_deref(),
            Some(format!("{}/stream/x", arn("orders")).as_str())
        );
    }

    #[tokio::test]
    async fn access_denied_on_pitr_keeps_the_table_and_the_rest() {
        let denied = mock!(Client::describe_continuous_backups).then_http_response(|| {
            json_error(
                400,
                "AccessDeniedException",
                "not authorized to perform dynamodb:DescribeContinuousBackups",
            )
        });
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [
                &list_tables(&["orders"]),
                &describe_ok(),
                &denied,
                &tags_ok(),
                &no_policy(),
                &insights_ok(),
                &no_backups()
            ]
        );
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        let table = &out.tables.as_ref().unwrap()[&arn("orders")];
        assert_eq!(table.point_in_time_recovery, None, "unknown, not DISABLED");
        assert_eq!(table.deletion_protection, Some(true));
        assert_eq!(table.tags.as_ref().map(|t| t.len()), Some(1));
        assert_eq!(
            table.resource_policy,
            Some(ResourcePolicy { document: None }),
            "PolicyNotFoundException means no policy"
        );
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(error.operation, "DescribeContinuousBackups");
        assert_eq!(error.resource.as_deref(), Some(arn("orders").as_str()));
        assert_eq!(out.kms_key_arns(), BTreeSet::from([KEY.to_string()]));
    }

    #[tokio::test]
    async fn throttling_that_outlasts_the_retries_leaves_tags_unknown() {
        let throttled = mock!(Client::list_tags_of_resource)
            .then_http_response(|| json_error(400, "ThrottlingException", "Rate exceeded"));
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [
                &list_tables(&["orders"]),
                &describe_ok(),
                &pitr_ok(),
                &throttled,
                &no_policy(),
                &insights_ok(),
                &no_backups()
            ]
        );
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        let table = &out.tables.as_ref().unwrap()[&arn("orders")];
        assert_eq!(table.tags, None);
        assert!(table.point_in_time_recovery.is_some());
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::Throttled);
        assert_eq!(error.operation, "ListTagsOfResource");
        assert_eq!(
            throttled.num_calls(),
            3,
            "every attempt of the retry budget"
        );
    }

    /// A custom endpoint that does not serve a call (moto answers its web
    /// framework's generic HTML 500, without an AWS request id) is asked
    /// once, not retried with back-off, and the field is unknown as
    /// unsupported; a 500 in the service's format is still retried (and
    /// from AWS's endpoints the HTML page too: the tests of `html_500`).
    #[tokio::test]
    async fn a_call_the_endpoint_does_not_implement_is_not_retried() {
        let emulator = || {
            crate::collect::testing::response(
                500,
                &[("content-type", "text/html; charset=utf-8")],
                "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>".to_string(),
            )
        };
        let internal = || json_error(500, "InternalServerError", "Internal server error");
        // (answer, attempts, kind): the emulator's page once, AWS's error
        // over the whole retry budget.
        type Answer = fn() -> aws_smithy_runtime_api::client::orchestrator::HttpResponse;
        let cases: [(Answer, usize, ErrorKind); 2] = [
            (emulator, 1, ErrorKind::Unsupported),
            (internal, 3, ErrorKind::Other),
        ];
        for (answer, attempts, kind) in cases {
            let insights = mock!(Client::describe_contributor_insights).then_http_response(answer);
            let client = test_client!(
                aws_sdk_dynamodb,
                RuleMode::MatchAny,
                [
                    &list_tables(&["orders"]),
                    &describe_ok(),
                    &pitr_ok(),
                    &tags_ok(),
                    &no_policy(),
                    &insights,
                    &no_backups()
                ],
                custom_endpoint = true
            );
            let mut ctx = context(REGION);
            ctx.errors = crate::collect::errors::ErrorRecorder::for_endpoints(
                crate::collect::errors::CustomEndpoints {
                    all: true,
                    ..Default::default()
                },
            );
            let out = run(&client, &ctx).await;
            let table = &out.tables.as_ref().unwrap()[&arn("orders")];
            assert_eq!(table.contributor_insights, None);
            assert_eq!(insights.num_calls(), attempts, "{kind:?}");
            let error = only_error(&ctx);
            assert_eq!(error.kind, kind);
            if kind == ErrorKind::Unsupported {
                assert!(
                    error.message.contains("does not serve this call")
                        && error.message.contains("not retried"),
                    "{}",
                    error.message
                );
            }
        }
    }

    #[tokio::test]
    async fn an_html_500_on_describe_table_keeps_the_table() {
        let broken =
            mock!(Client::describe_table).then_http_response(crate::collect::testing::html_500);
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [
                &list_tables(&["orders"]),
                &broken,
                &pitr_ok(),
                &tags_ok(),
                &no_policy(),
                &insights_ok(),
                &no_backups()
            ]
        );
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        let table = &out.tables.as_ref().unwrap()[&arn("orders")];
        assert_eq!(table.name, "orders");
        assert_eq!(table.status, None);
        assert_eq!(table.encryption, None);
        assert_eq!(table.deletion_protection, None);
        assert!(table.point_in_time_recovery.is_some());
        let error = only_error(&ctx);
        assert_eq!(error.operation, "DescribeTable");
        assert_html_500_error(&error);
    }

    #[tokio::test]
    async fn an_empty_account() {
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [&list_tables(&[]), &no_backups()]
        );
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        assert_no_errors(&ctx);
        assert_eq!(out.tables, Some(BTreeMap::new()));
        assert_eq!(out.backups, Some(BTreeMap::new()));
        assert!(out.kms_key_arns().is_empty());
    }

    #[tokio::test]
    async fn pagination_across_several_pages() {
        let pages = mock!(Client::list_tables)
            .sequence()
            .output(|| {
                ListTablesOutput::builder()
                    .table_names("a")
                    .table_names("b")
                    .last_evaluated_table_name("b")
                    .build()
            })
            .output(|| {
                ListTablesOutput::builder()
                    .table_names("c")
                    .last_evaluated_table_name("c")
                    .build()
            })
            .output(|| ListTablesOutput::builder().table_names("d").build())
            .build();
        let tag_pages = mock!(Client::list_tags_of_resource).then_compute_output(|req| {
            match req.next_token() {
                None => ListTagsOfResourceOutput::builder()
                    .tags(Tag::builder().key("k1").value("v").build().unwrap())
                    .next_token("t2")
                    .build(),
                Some(_) => ListTagsOfResourceOutput::builder()
                    .tags(Tag::builder().key("k2").value("v").build().unwrap())
                    .build(),
            }
        });
        let backup = |table: &str, n: u32| {
            BackupSummary::builder()
                .table_arn(arn(table))
                .table_name(table)
                .backup_arn(format!("{}/backup/{n}", arn(table)))
                .backup_type(BackupType::User)
                .backup_status(BackupStatus::Available)
                .backup_creation_date_time(DateTime::from_secs(1_700_000_000 + i64::from(n)))
                .build()
        };
        let backup_pages = mock!(Client::list_backups).then_compute_output(move |req| {
            match req.exclusive_start_backup_arn() {
                None => ListBackupsOutput::builder()
                    .backup_summaries(backup("a", 2))
                    .backup_summaries(backup("a", 1))
                    .last_evaluated_backup_arn("cursor")
                    .build(),
                Some(_) => ListBackupsOutput::builder()
                    .backup_summaries(backup("d", 3))
                    .build(),
            }
        });
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [
                &pages,
                &describe_ok(),
                &pitr_ok(),
                &tag_pages,
                &no_policy(),
                &insights_ok(),
                &backup_pages
            ]
        );
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        assert_no_errors(&ctx);
        let tables = out.tables.as_ref().unwrap();
        assert_eq!(tables.len(), 4);
        assert_eq!(pages.num_calls(), 3);
        for table in tables.values() {
            let tags = table.tags.as_ref().unwrap();
            assert_eq!(tags.keys().collect::<Vec<_>>(), ["k1", "k2"]);
        }
        let backups = out.backups.as_ref().unwrap();
        assert_eq!(backups[&arn("a")].len(), 2);
        assert!(backups[&arn("a")][0].creation_time < backups[&arn("a")][1].creation_time);
        assert_eq!(backups[&arn("d")].len(), 1);
    }

    /// Errors read in words: a 403 whose body the client cannot parse is
    /// classified by the code in it (a bad signature is not "access
    /// denied"), and an error without a message says so with its request
    /// id instead of the SDK's debug dump.
    #[tokio::test]
    async fn errors_are_described_in_words_and_classified_by_code() {
        let signature = mock!(Client::list_tables).then_http_response(|| {
            xml_403("SignatureDoesNotMatch", "The signature does not match")
        });
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [&signature, &no_backups()]
        );
        let ctx = context(REGION);
        run(&client, &ctx).await;
        let error = only_error(&ctx);
        assert_eq!(error.code, "SignatureDoesNotMatch", "{error:?}");
        assert_eq!(error.kind, ErrorKind::Other, "{error:?}");
        assert_eq!(error.message, "The signature does not match");

        let denied = mock!(Client::list_tables)
            .then_http_response(|| json_error_without_message(400, "AccessDeniedException"));
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [&denied, &no_backups()]
        );
        let ctx = context(REGION);
        run(&client, &ctx).await;
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied, "{error:?}");
        assert_eq!(
            error.message,
            "HTTP 400, no message in the answer (request id REQ-1234)"
        );
    }

    /// An endpoint that answers the same cursor twice (pages A, A) or
    /// cycles (A, B, A): the listing is incomplete, recorded, and not used.
    /// Before, A, A gave a short list as if complete and A, B, A never ended.
    #[tokio::test]
    async fn a_repeated_or_cycling_cursor_fails_the_listing() {
        for cursors in [vec!["A", "A"], vec!["A", "B", "A"]] {
            let pages = mock!(Client::list_tables).then_compute_output(move |req| {
                let position = match req.exclusive_start_table_name() {
                    None => 0,
                    Some(start) => cursors.iter().position(|c| *c == start).unwrap_or(0) + 1,
                };
                let next = cursors.get(position).copied().unwrap_or("A");
                ListTablesOutput::builder()
                    .table_names(format!("t{position}"))
                    .last_evaluated_table_name(next)
                    .build()
            });
            let client = test_client!(
                aws_sdk_dynamodb,
                RuleMode::MatchAny,
                [&pages, &no_backups()]
            );
            let ctx = context(REGION);
            let out = tokio::time::timeout(std::time::Duration::from_secs(20), run(&client, &ctx))
                .await
                .expect("the listing must end");
            assert_eq!(out.tables, None);
            let error = only_error(&ctx);
            assert_eq!(error.operation, "ListTables");
            assert_eq!(error.code, "MalformedResponse");
            assert!(error.message.contains("pagination"), "{error:?}");
        }
    }

    /// A backup summary without its ARN cannot be told apart: recorded as
    /// malformed and the region's backup list is not used (it was skipped
    /// silently before, so a table could look as if it had fewer backups).
    #[tokio::test]
    async fn a_backup_without_an_arn_is_recorded_as_malformed() {
        let backups = mock!(Client::list_backups).then_output(|| {
            ListBackupsOutput::builder()
                .backup_summaries(
                    BackupSummary::builder()
                        .table_arn(arn("a"))
                        .backup_name("nightly")
                        .backup_status(BackupStatus::Available)
                        .build(),
                )
                .build()
        });
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [&list_tables(&[]), &backups]
        );
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        assert_eq!(out.backups, None);
        let error = only_error(&ctx);
        assert_eq!(error.operation, "ListBackups");
        assert_eq!(error.code, "MalformedResponse");
        assert!(error.message.contains("BackupArn"), "{error:?}");
        assert!(error.message.contains("nightly"), "{error:?}");
    }

    #[tokio::test]
    async fn list_tables_denied_means_unknown_tables_but_backups_still_collected() {
        let denied = mock!(Client::list_tables)
            .then_http_response(|| json_error(400, "AccessDeniedException", "no"));
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [&denied, &no_backups()]
        );
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        assert_eq!(out.tables, None);
        assert_eq!(out.backups, Some(BTreeMap::new()));
        assert_eq!(only_error(&ctx).kind, ErrorKind::AccessDenied);
    }

    #[tokio::test]
    async fn a_table_deleted_meanwhile_is_dropped_silently() {
        let gone = mock!(Client::describe_table).then_http_response(|| {
            json_error(
                400,
                "ResourceNotFoundException",
                "Requested resource not found",
            )
        });
        let client = test_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            [
                &list_tables(&["gone"]),
                &gone,
                &pitr_ok(),
                &tags_ok(),
                &no_policy(),
                &insights_ok(),
                &no_backups()
            ]
        );
        let ctx = context(REGION);
        let out = run(&client, &ctx).await;
        assert_eq!(out.tables, Some(BTreeMap::new()));
        assert_no_errors(&ctx);
    }
}
