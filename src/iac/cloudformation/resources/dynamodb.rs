//! `AWS::DynamoDB::Table` and `AWS::DynamoDB::GlobalTable`: a table
//! record per table, and per replica of a global table (in the replica's
//! region), as `DescribeTable` and the per-table calls would show it once
//! deployed. A property of the wrong kind (a list where a mapping belongs)
//! is not determinable, never read as unset.

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical;
use crate::iac::cloudformation::resources::dynamodb_encryption::{encryption, replica_key};
use crate::iac::cloudformation::resources::global_table_scaling;
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::{PointInTimeRecovery, Replica, ResourcePolicy, Stream, Table};

/// What one table record is read from: the resolved properties and the
/// property path of each (a table's own, or a replica's).
struct RecordSpec<'r> {
    sse_enabled: &'r Resolved,
    key: &'r Resolved,
    sse_path: Vec<String>,
    deletion: &'r Resolved,
    deletion_path: Vec<String>,
    pitr: &'r Resolved,
    pitr_path: Vec<String>,
    stream: &'r Resolved,
    stream_policy: &'r Resolved,
    stream_policy_path: Vec<String>,
    tags: &'r Resolved,
    tags_path: Vec<String>,
    policy: &'r Resolved,
    policy_path: Vec<String>,
    insights: &'r Resolved,
    insights_path: Vec<String>,
    billing: &'r Resolved,
    indexes: &'r Resolved,
    witnesses: &'r Resolved,
}

fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| p.to_string()).collect()
}

fn refs(path: &[String]) -> Vec<&str> {
    path.iter().map(String::as_str).collect()
}

/// `AWS::DynamoDB::Table`.
pub fn table(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let (name, determinable) = table_name(context)?;
    let region = context.region.clone();
    let arn = context.builder.table_arn(&region, &name);
    let p = context.properties.clone();
    let sse = p.get("SSESpecification");
    let stream = p.get("StreamSpecification");
    let spec = RecordSpec {
        sse_enabled: sse.get("SSEEnabled"),
        key: sse.get("KMSMasterKeyId"),
        sse_path: path(&["SSESpecification"]),
        deletion: p.get("DeletionProtectionEnabled"),
        deletion_path: path(&["DeletionProtectionEnabled"]),
        pitr: p.get("PointInTimeRecoverySpecification"),
        pitr_path: path(&["PointInTimeRecoverySpecification"]),
        stream,
        stream_policy: stream.get("ResourcePolicy"),
        stream_policy_path: path(&["StreamSpecification", "ResourcePolicy"]),
        tags: p.get("Tags"),
        tags_path: path(&["Tags"]),
        policy: p.get("ResourcePolicy"),
        policy_path: path(&["ResourcePolicy"]),
        insights: p.get("ContributorInsightsSpecification"),
        insights_path: path(&["ContributorInsightsSpecification"]),
        billing: p.get("BillingMode"),
        indexes: p.get("GlobalSecondaryIndexes"),
        witnesses: &Resolved::Null,
    };
    let sse_ok = mapping(context, &region, &arn, sse, &spec.sse_path, "DescribeTable");
    let table = record(
        context,
        &region,
        &arn,
        &name,
        &spec,
        Some(Vec::new()),
        sse_ok,
    );
    insert(context, &region, table, determinable, &lines(&spec));
    Ok(())
}

/// `AWS::DynamoDB::GlobalTable`: one table record per replica. When the
/// replica list, or a replica's `Region`, is not determinable, the replicas
/// whose region is known still get their record, with the table's other
/// replicas not determinable.
pub fn global_table(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let (name, determinable) = table_name(context)?;
    let p = context.properties.clone();
    let replicas = p.get("Replicas");
    let mut regions_unknown: Option<Undetermined> = match replicas {
        Resolved::Unknown(why) => Some((**why).clone()),
        Resolved::List(_) => None,
        _ => Some(context.unexpected(&["Replicas"], "a list")),
    };
    let mut regions: Vec<(usize, String)> = Vec::new();
    for (i, replica) in replicas.items().iter().enumerate() {
        match replica.get("Region") {
            Resolved::Unknown(why) => {
                regions_unknown.get_or_insert((**why).clone());
            }
            value => match value.as_string() {
                Some(region) => regions.push((i, region)),
                None => {
                    let index = i.to_string();
                    let why = context.unexpected(&["Replicas", &index, "Region"], "a region name");
                    regions_unknown.get_or_insert(why);
                }
            },
        }
    }
    if let Some(why) = &regions_unknown {
        let arn = context.builder.table_arn(&context.region.clone(), &name);
        context.undetermined("dynamodb", "DescribeTable", &arn, why);
    }
    let sse = p.get("SSESpecification");
    let sse_path = path(&["SSESpecification"]);
    let stack_arn = context.builder.table_arn(&context.region.clone(), &name);
    let sse_ok = mapping(
        context,
        &context.region.clone(),
        &stack_arn,
        sse,
        &sse_path,
        "DescribeTable",
    );
    let sse_enabled = sse.get("SSEEnabled");
    let witnesses = p.get("GlobalTableWitnesses");
    for (index, region) in &regions {
        let replica = &replicas.items()[*index];
        let arn = context.builder.table_arn(region, &name);
        let i = index.to_string();
        let at = |field: &[&str]| -> Vec<String> {
            let mut out = vec!["Replicas".to_string(), i.clone()];
            out.extend(field.iter().map(|f| f.to_string()));
            out
        };
        let spec = RecordSpec {
            sse_enabled,
            key: replica.get("SSESpecification").get("KMSMasterKeyId"),
            sse_path: at(&["SSESpecification"]),
            deletion: replica.get("DeletionProtectionEnabled"),
            deletion_path: at(&["DeletionProtectionEnabled"]),
            pitr: replica.get("PointInTimeRecoverySpecification"),
            pitr_path: at(&["PointInTimeRecoverySpecification"]),
            stream: p.get("StreamSpecification"),
            stream_policy: replica
                .get("ReplicaStreamSpecification")
                .get("ResourcePolicy"),
            stream_policy_path: at(&["ReplicaStreamSpecification", "ResourcePolicy"]),
            tags: replica.get("Tags"),
            tags_path: at(&["Tags"]),
            policy: replica.get("ResourcePolicy"),
            policy_path: at(&["ResourcePolicy"]),
            insights: replica.get("ContributorInsightsSpecification"),
            insights_path: at(&["ContributorInsightsSpecification"]),
            billing: p.get("BillingMode"),
            indexes: p.get("GlobalSecondaryIndexes"),
            witnesses,
        };
        // The other replicas, as this one lists them: known only when every
        // replica's region is.
        let others = regions_unknown.is_none().then(|| {
            regions
                .iter()
                .filter(|(other, _)| other != index)
                .map(|(other, other_region)| Replica {
                    region: other_region.clone(),
                    status: Some("ACTIVE".to_string()),
                    kms_key_arn: match sse_enabled.as_bool() {
                        Some(true) => replica_key(
                            context,
                            other_region,
                            replicas.items()[*other]
                                .get("SSESpecification")
                                .get("KMSMasterKeyId"),
                            true,
                        ),
                        _ => None,
                    },
                })
                .collect()
        });
        let table = record(context, region, &arn, &name, &spec, others, sse_ok);
        insert(context, region, table, determinable, &lines(&spec));
        global_table_scaling::add(context, region, &name, &p, replica);
    }
    Ok(())
}

/// The table record of `spec` in `region`; `sse_ok` is false when the
/// `SSESpecification` is of the wrong kind (already recorded).
fn record(
    context: &mut Context<'_, '_>,
    region: &str,
    arn: &str,
    name: &str,
    spec: &RecordSpec<'_>,
    replicas: Option<Vec<Replica>>,
    sse_ok: bool,
) -> Table {
    let sse_path = refs(&spec.sse_path);
    let encryption = if sse_ok {
        encryption(context, region, arn, spec.sse_enabled, spec.key, &sse_path)
    } else {
        None
    };
    Table {
        arn: arn.to_string(),
        name: name.to_string(),
        status: Some("ACTIVE".to_string()),
        creation_time: None,
        encryption,
        deletion_protection: flag(
            context,
            arn,
            region,
            spec.deletion,
            "DescribeTable",
            &refs(&spec.deletion_path),
        ),
        point_in_time_recovery: pitr(context, arn, region, spec),
        stream: stream(context, arn, region, spec),
        replicas,
        tags: tags(context, arn, region, spec.tags, &refs(&spec.tags_path)),
        resource_policy: resource_policy(
            context,
            arn,
            region,
            spec.policy,
            &refs(&spec.policy_path),
        ),
        contributor_insights: contributor_insights(context, arn, region, spec),
        billing_mode: billing_mode(spec.billing),
        global_secondary_indexes: Some(index_names(spec.indexes)),
        witness_regions: Some(witness_regions(context, arn, region, spec.witnesses)),
    }
}

/// The lines of the properties that decide findings, by inventory field.
fn lines<'s>(spec: &'s RecordSpec<'_>) -> Vec<(&'static str, Vec<&'s str>)> {
    let stream_path = spec
        .stream_policy_path
        .first()
        .map_or_else(Vec::new, |_| refs(&spec.stream_policy_path));
    vec![
        ("encryption", refs(&spec.sse_path)),
        ("point_in_time_recovery", refs(&spec.pitr_path)),
        ("deletion_protection", refs(&spec.deletion_path)),
        ("tags", refs(&spec.tags_path)),
        ("resource_policy", refs(&spec.policy_path)),
        ("contributor_insights", refs(&spec.insights_path)),
        ("stream", stream_path),
    ]
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
    lines: &[(&'static str, Vec<&str>)],
) {
    let arn = table.arn.clone();
    if let Some(tables) = context.builder.region(region).tables.as_mut() {
        tables.insert(arn.clone(), table);
    }
    let borrowed: Vec<(&str, &[&str])> = lines.iter().map(|(f, p)| (*f, p.as_slice())).collect();
    context.plan(&arn, determinable, &borrowed);
}

/// Whether `value` is a mapping or unset; anything else (not determinable,
/// or of the wrong kind) is recorded against `operation`.
fn mapping(
    context: &mut Context<'_, '_>,
    region: &str,
    arn: &str,
    value: &Resolved,
    path: &[String],
    operation: &str,
) -> bool {
    match value {
        Resolved::Null | Resolved::Map(_) => true,
        Resolved::Unknown(why) => {
            let why = (**why).clone();
            context.undetermined_in("dynamodb", region, operation, arn, &why);
            false
        }
        _ => {
            let why = context.unexpected(&refs(path), "a mapping");
            context.undetermined_in("dynamodb", region, operation, arn, &why);
            false
        }
    }
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
    spec: &RecordSpec<'_>,
) -> Option<PointInTimeRecovery> {
    const OPERATION: &str = "DescribeContinuousBackups";
    if !mapping(context, region, arn, spec.pitr, &spec.pitr_path, OPERATION) {
        return None;
    }
    let mut enabled_path = refs(&spec.pitr_path);
    enabled_path.push("PointInTimeRecoveryEnabled");
    let enabled = flag(
        context,
        arn,
        region,
        spec.pitr.get("PointInTimeRecoveryEnabled"),
        OPERATION,
        &enabled_path,
    )?;
    let days = spec.pitr.get("RecoveryPeriodInDays");
    if let Some(why) = days.undetermined() {
        let why = why.clone();
        context.undetermined_in("dynamodb", region, OPERATION, arn, &why);
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
    spec: &RecordSpec<'_>,
) -> Option<Stream> {
    let view = spec.stream.get("StreamViewType");
    if let Some(why) = view.undetermined() {
        let why = why.clone();
        context.undetermined_in("dynamodb", region, "DescribeTable", arn, &why);
        return None;
    }
    let view_type = view.as_string();
    let enabled = view_type.is_some();
    let policy = if enabled {
        resource_policy(
            context,
            arn,
            region,
            spec.stream_policy,
            &refs(&spec.stream_policy_path),
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
    path: &[&str],
) -> Option<BTreeMap<String, String>> {
    if let Some(why) = value.undetermined() {
        let why = why.clone();
        context.undetermined_in("dynamodb", region, "ListTagsOfResource", arn, &why);
        return None;
    }
    if !matches!(value, Resolved::Null | Resolved::List(_)) {
        let why = context.unexpected(path, "a list of {Key, Value}");
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
    path: &[&str],
) -> Option<ResourcePolicy> {
    let owned_path: Vec<String> = path.iter().map(|p| p.to_string()).collect();
    if !mapping(
        context,
        region,
        arn,
        value,
        &owned_path,
        "GetResourcePolicy",
    ) {
        return None;
    }
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
    spec: &RecordSpec<'_>,
) -> Option<String> {
    const OPERATION: &str = "DescribeContributorInsights";
    if !mapping(
        context,
        region,
        arn,
        spec.insights,
        &spec.insights_path,
        OPERATION,
    ) {
        return None;
    }
    let mut enabled_path = refs(&spec.insights_path);
    enabled_path.push("Enabled");
    let enabled = flag(
        context,
        arn,
        region,
        spec.insights.get("Enabled"),
        OPERATION,
        &enabled_path,
    )?;
    Some(if enabled { "ENABLED" } else { "DISABLED" }.to_string())
}

/// The witness regions of a multi-Region strong consistency global table
/// (`GlobalTableWitnesses[].Region`).
fn witness_regions(
    context: &mut Context<'_, '_>,
    arn: &str,
    region: &str,
    value: &Resolved,
) -> Option<Vec<String>> {
    if let Some(why) = value.undetermined() {
        let why = why.clone();
        context.undetermined_in("dynamodb", region, "DescribeTable", arn, &why);
        return None;
    }
    let mut regions = Vec::new();
    for witness in value.items() {
        match witness.get("Region").as_string() {
            Some(r) => regions.push(r),
            None => {
                let why = context.unexpected(&["GlobalTableWitnesses"], "a list of {Region}");
                context.undetermined_in("dynamodb", region, "DescribeTable", arn, &why);
                return None;
            }
        }
    }
    Some(regions)
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
