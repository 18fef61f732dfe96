//! `AWS::DynamoDB::Table` and `AWS::DynamoDB::GlobalTable`: a table
//! record per table, and per replica of a global table (in the replica's
//! region), as `DescribeTable` and the per-table calls would show it once
//! deployed.

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical;
use crate::iac::cloudformation::resources::dynamodb_encryption::{encryption, replica_key};
use crate::iac::resolved::Resolved;
use crate::inventory::{PointInTimeRecovery, Replica, ResourcePolicy, Stream, Table};

/// The properties whose lines SARIF results point at, by inventory field.
const TABLE_LINES: [(&str, &[&str]); 7] = [
    ("encryption", &["SSESpecification"]),
    (
        "point_in_time_recovery",
        &["PointInTimeRecoverySpecification"],
    ),
    ("deletion_protection", &["DeletionProtectionEnabled"]),
    ("tags", &["Tags"]),
    ("resource_policy", &["ResourcePolicy"]),
    (
        "contributor_insights",
        &["ContributorInsightsSpecification"],
    ),
    ("stream", &["StreamSpecification"]),
];

/// `AWS::DynamoDB::Table`.
pub fn table(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let (name, determinable) = table_name(context)?;
    let region = context.region.clone();
    let arn = context.builder.table_arn(&region, &name);
    let p = context.properties.clone();
    let sse = p.get("SSESpecification");
    let encryption = encryption(
        context,
        &region,
        &arn,
        sse.get("SSEEnabled"),
        sse.get("KMSMasterKeyId"),
        &["SSESpecification"],
    );
    let table = Table {
        arn: arn.clone(),
        name,
        status: Some("ACTIVE".to_string()),
        creation_time: None,
        encryption,
        deletion_protection: flag(
            context,
            &arn,
            &region,
            p.get("DeletionProtectionEnabled"),
            "DescribeTable",
            &["DeletionProtectionEnabled"],
        ),
        point_in_time_recovery: pitr(
            context,
            &arn,
            &region,
            p.get("PointInTimeRecoverySpecification"),
            "PointInTimeRecoveryEnabled",
            &["PointInTimeRecoverySpecification"],
        ),
        stream: stream(
            context,
            &arn,
            &region,
            p.get("StreamSpecification"),
            &["StreamSpecification"],
        ),
        replicas: Some(Vec::new()),
        tags: tags(context, &arn, &region, p.get("Tags")),
        resource_policy: resource_policy(
            context,
            &arn,
            &region,
            p.get("ResourcePolicy"),
            &["ResourcePolicy"],
        ),
        contributor_insights: contributor_insights(
            context,
            &arn,
            &region,
            p.get("ContributorInsightsSpecification"),
        ),
        billing_mode: billing_mode(p.get("BillingMode")),
        global_secondary_indexes: Some(index_names(p.get("GlobalSecondaryIndexes"))),
        witness_regions: Some(Some(Vec::new())),
    };
    insert(context, &region, table, determinable, &TABLE_LINES);
    Ok(())
}

/// `AWS::DynamoDB::GlobalTable`: one table record per replica.
pub fn global_table(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let (name, determinable) = table_name(context)?;
    let p = context.properties.clone();
    let replicas = p.get("Replicas");
    if let Some(why) = replicas.undetermined() {
        let arn = context.builder.table_arn(&context.region.clone(), &name);
        let why = why.clone();
        context.undetermined("dynamodb", "DescribeTable", &arn, &why);
        return Ok(());
    }
    let regions: Vec<(usize, String)> = replicas
        .items()
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.get("Region").as_string().map(|region| (i, region)))
        .collect();
    let sse = p.get("SSESpecification");
    let sse_enabled = sse.get("SSEEnabled");
    let kms = matches!(sse.get("SSEType").as_string().as_deref(), Some("KMS"));
    for (index, region) in &regions {
        let replica = &replicas.items()[*index];
        let arn = context.builder.table_arn(region, &name);
        let index_text = index.to_string();
        let at = |field: &str| -> Vec<String> {
            vec!["Replicas".into(), index_text.clone(), field.into()]
        };
        let key = replica.get("SSESpecification").get("KMSMasterKeyId");
        let key_path = at("SSESpecification");
        let key_path: Vec<&str> = key_path.iter().map(String::as_str).collect();
        let encryption = if kms || !key.is_null() {
            encryption(context, region, &arn, &Resolved::Bool(true), key, &key_path)
        } else {
            encryption(
                context,
                region,
                &arn,
                sse_enabled,
                &Resolved::Null,
                &["SSESpecification"],
            )
        };
        let pitr_path = at("PointInTimeRecoverySpecification");
        let pitr_path: Vec<&str> = pitr_path.iter().map(String::as_str).collect();
        let others = regions
            .iter()
            .filter(|(i, _)| i != index)
            .map(|(i, other)| Replica {
                region: other.clone(),
                status: Some("ACTIVE".to_string()),
                kms_key_arn: replica_key(
                    context,
                    other,
                    replicas.items()[*i]
                        .get("SSESpecification")
                        .get("KMSMasterKeyId"),
                    kms,
                ),
            })
            .collect();
        let table = Table {
            arn: arn.clone(),
            name: name.clone(),
            status: Some("ACTIVE".to_string()),
            creation_time: None,
            encryption,
            deletion_protection: flag(
                context,
                &arn,
                region,
                replica.get("DeletionProtectionEnabled"),
                "DescribeTable",
                &[],
            ),
            point_in_time_recovery: pitr(
                context,
                &arn,
                region,
                replica.get("PointInTimeRecoverySpecification"),
                "PointInTimeRecoveryEnabled",
                &pitr_path,
            ),
            stream: stream(
                context,
                &arn,
                region,
                p.get("StreamSpecification"),
                &["StreamSpecification"],
            ),
            replicas: Some(others),
            tags: tags(context, &arn, region, replica.get("Tags")),
            resource_policy: resource_policy(
                context,
                &arn,
                region,
                replica.get("ResourcePolicy"),
                &[],
            ),
            contributor_insights: contributor_insights(
                context,
                &arn,
                region,
                replica.get("ContributorInsightsSpecification"),
            ),
            billing_mode: billing_mode(p.get("BillingMode")),
            global_secondary_indexes: Some(index_names(p.get("GlobalSecondaryIndexes"))),
            witness_regions: Some(Some(Vec::new())),
        };
        let lines: Vec<(&str, Vec<String>)> = vec![
            ("encryption", at("SSESpecification")),
            (
                "point_in_time_recovery",
                at("PointInTimeRecoverySpecification"),
            ),
            ("deletion_protection", at("DeletionProtectionEnabled")),
            ("tags", at("Tags")),
            ("resource_policy", at("ResourcePolicy")),
            (
                "contributor_insights",
                at("ContributorInsightsSpecification"),
            ),
        ];
        let owned: Vec<(&str, Vec<&str>)> = lines
            .iter()
            .map(|(f, path)| (*f, path.iter().map(String::as_str).collect()))
            .collect();
        let borrowed: Vec<(&str, &[&str])> =
            owned.iter().map(|(f, p)| (*f, p.as_slice())).collect();
        insert(context, region, table, determinable, &borrowed);
    }
    Ok(())
}

/// The table's name and whether the template determines it.
fn table_name(context: &Context<'_, '_>) -> Result<(String, bool), IacError> {
    let (name, determinable) = physical::name(context.resolver, context.logical, "TableName")?;
    Ok(match name.as_string() {
        Some(n) if determinable => (n, true),
        _ => (context.logical.to_string(), false),
    })
}

/// Adds the table record in `region` and notes where it is declared.
fn insert(
    context: &mut Context<'_, '_>,
    region: &str,
    table: Table,
    determinable: bool,
    lines: &[(&str, &[&str])],
) {
    let arn = table.arn.clone();
    if let Some(tables) = context.builder.region(region).tables.as_mut() {
        tables.insert(arn.clone(), table);
    }
    context.plan(&arn, determinable, lines);
}

/// A boolean property (`false` when unset, AWS's default).
fn flag(
    context: &mut Context<'_, '_>,
    arn: &str,
    region: &str,
    value: &Resolved,
    operation: &str,
    path: &[&str],
) -> Option<bool> {
    if let Some(why) = value.undetermined() {
        let why = why.clone();
        context.undetermined_in("dynamodb", region, operation, arn, &why);
        return None;
    }
    if value.is_null() {
        return Some(false);
    }
    match value.as_bool() {
        Some(b) => Some(b),
        None => {
            let why = context.unexpected(path, "true or false");
            context.undetermined_in("dynamodb", region, operation, arn, &why);
            None
        }
    }
}

/// Point-in-time recovery from its specification.
fn pitr(
    context: &mut Context<'_, '_>,
    arn: &str,
    region: &str,
    spec: &Resolved,
    enabled_key: &str,
    path: &[&str],
) -> Option<PointInTimeRecovery> {
    let mut enabled_path = path.to_vec();
    enabled_path.push(enabled_key);
    let enabled = flag(
        context,
        arn,
        region,
        spec.get(enabled_key),
        "DescribeContinuousBackups",
        &enabled_path,
    )?;
    let days = spec.get("RecoveryPeriodInDays");
    if let Some(why) = days.undetermined() {
        let why = why.clone();
        context.undetermined_in("dynamodb", region, "DescribeContinuousBackups", arn, &why);
        return None;
    }
    Some(PointInTimeRecovery {
        status: if enabled { "ENABLED" } else { "DISABLED" }.to_string(),
        recovery_period_days: if enabled {
            days.as_i64().filter(|d| (1..=35).contains(d))
        } else {
            None
        },
        earliest_restorable: None,
        latest_restorable: None,
    })
}

/// The stream, with its own resource policy.
fn stream(
    context: &mut Context<'_, '_>,
    arn: &str,
    region: &str,
    spec: &Resolved,
    path: &[&str],
) -> Option<Stream> {
    if let Some(why) = spec.get("StreamViewType").undetermined() {
        let why = why.clone();
        context.undetermined_in("dynamodb", region, "DescribeTable", arn, &why);
        return None;
    }
    let view_type = spec.get("StreamViewType").as_string();
    let enabled = view_type.is_some();
    let policy = if enabled {
        let mut policy_path = path.to_vec();
        policy_path.push("ResourcePolicy");
        resource_policy(
            context,
            arn,
            region,
            spec.get("ResourcePolicy"),
            &policy_path,
        )
    } else {
        None
    };
    Some(Stream {
        enabled,
        view_type,
        // The stream's ARN ends in a label AWS assigns at deployment.
        arn: Some(None),
        resource_policy: Some(policy),
    })
}

/// Tags (`[{Key, Value}]`).
fn tags(
    context: &mut Context<'_, '_>,
    arn: &str,
    region: &str,
    value: &Resolved,
) -> Option<BTreeMap<String, String>> {
    if let Some(why) = value.undetermined() {
        let why = why.clone();
        context.undetermined_in("dynamodb", region, "ListTagsOfResource", arn, &why);
        return None;
    }
    Some(
        value
            .items()
            .iter()
            .filter_map(|t| {
                Some((
                    t.get("Key").as_string()?,
                    t.get("Value").as_string().unwrap_or_default(),
                ))
            })
            .collect(),
    )
}

/// A resource policy (`{PolicyDocument: ...}`); no document when unset.
fn resource_policy(
    context: &mut Context<'_, '_>,
    arn: &str,
    region: &str,
    value: &Resolved,
    _path: &[&str],
) -> Option<ResourcePolicy> {
    let document = value.get("PolicyDocument");
    match document.to_json() {
        Ok(serde_json::Value::Null) => Some(ResourcePolicy { document: None }),
        Ok(serde_json::Value::String(text)) => match serde_json::from_str(&text) {
            Ok(json) => Some(ResourcePolicy {
                document: Some(json),
            }),
            Err(_) => Some(ResourcePolicy {
                document: Some(serde_json::Value::String(text)),
            }),
        },
        Ok(json) => Some(ResourcePolicy {
            document: Some(json),
        }),
        Err(why) => {
            let why = why.clone();
            context.undetermined_in("dynamodb", region, "GetResourcePolicy", arn, &why);
            None
        }
    }
}

/// Contributor Insights (`ENABLED` / `DISABLED`).
fn contributor_insights(
    context: &mut Context<'_, '_>,
    arn: &str,
    region: &str,
    spec: &Resolved,
) -> Option<String> {
    let enabled = flag(
        context,
        arn,
        region,
        spec.get("Enabled"),
        "DescribeContributorInsights",
        &[],
    )?;
    Some(if enabled { "ENABLED" } else { "DISABLED" }.to_string())
}

/// `BillingMode`, `PROVISIONED` when unset (AWS's default).
fn billing_mode(value: &Resolved) -> Option<String> {
    match value {
        Resolved::Null => Some("PROVISIONED".to_string()),
        other => other.as_string(),
    }
}

/// The names of the global secondary indexes.
fn index_names(value: &Resolved) -> Option<Vec<String>> {
    if value.undetermined().is_some() {
        return None;
    }
    Some(
        value
            .items()
            .iter()
            .filter_map(|i| i.get("IndexName").as_string())
            .collect(),
    )
}
