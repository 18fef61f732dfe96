//! `aws_dynamodb_table`: a table record in the table's region, and one per
//! `replica` block in the replica's region with that replica's key and
//! point-in-time recovery, as the live collector records a global table
//! (each record lists the others as its replicas).
//!
//! AWS's defaults where the code sets nothing: no `server_side_encryption`
//! block (or `enabled = false`) is the AWS owned key, `enabled = true`
//! without `kms_key_arn` the AWS managed key `alias/aws/dynamodb`; no
//! `point_in_time_recovery` is disabled, and an enabled one without
//! `recovery_period_in_days` keeps 35 days; deletion protection, streams,
//! a replica's point-in-time recovery and deletion protection are off; a
//! replica has the table's tags only with `propagate_tags`.

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::resolved::Undetermined;
use crate::iac::terraform::Adapter;
use crate::iac::terraform::kms::{self, KEY_REFERENCES};
use crate::iac::terraform::plan::Instance;
use crate::iac::terraform::table_extras::TableExtras;
use crate::inventory::{
    Encryption, PointInTimeRecovery, Replica, ResourcePolicy, SseType, Stream, Table,
};

/// The table's server-side encryption as the code declares it.
enum Sse {
    /// The AWS owned key.
    Owned,
    /// A KMS key: the one named, or the AWS managed key.
    Kms(Option<String>),
}

/// What every record of one table shares.
struct Shared {
    name: String,
    determinable: bool,
    sse: Result<Sse, Undetermined>,
    stream: Result<(bool, Option<String>), Undetermined>,
    tags: Result<BTreeMap<String, String>, Undetermined>,
    billing_mode: Result<String, Undetermined>,
    indexes: Result<Vec<String>, Undetermined>,
    witnesses: Vec<String>,
}

/// One record of the table: the table itself or a replica.
struct Record {
    region: String,
    arn: String,
    /// The index of the replica block (none for the table itself).
    replica: Option<usize>,
    encryption: Option<Encryption>,
}

/// Reads the plan's tables.
pub fn read(adapter: &mut Adapter<'_, '_>) -> Result<(), IacError> {
    let plan = adapter.plan;
    let extras = TableExtras::read(plan);
    for table in plan.of_type("aws_dynamodb_table") {
        read_table(adapter, &extras, table);
    }
    Ok(())
}

fn read_table(adapter: &mut Adapter<'_, '_>, extras: &TableExtras, table: &Instance<'_>) {
    let (name, determinable) = match table.string(&["name"]) {
        Ok(Some(name)) => (name, true),
        _ => (table.address.clone(), false),
    };
    let shared = Shared {
        sse: sse(adapter, table),
        stream: stream(table),
        tags: table.tags(),
        billing_mode: table
            .string(&["billing_mode"])
            .map(|m| m.unwrap_or_else(|| "PROVISIONED".to_string())),
        indexes: table.blocks(&["global_secondary_index"]).map(|blocks| {
            let mut names: Vec<String> = blocks
                .iter()
                .filter_map(|b| b.get("name").and_then(|n| n.as_str()).map(str::to_string))
                .collect();
            names.sort();
            names
        }),
        witnesses: table
            .blocks(&["global_table_witness"])
            .unwrap_or_default()
            .iter()
            .filter_map(|b| {
                b.get("region_name")
                    .and_then(|n| n.as_str())
                    .map(str::to_string)
            })
            .collect(),
        name,
        determinable,
    };
    let main_arn = adapter.builder.table_arn(&table.region, &shared.name);
    let main = Record {
        region: table.region.clone(),
        arn: main_arn.clone(),
        replica: None,
        encryption: encryption(adapter, table, &shared, &table.region, &main_arn, None),
    };
    let mut records = vec![main];
    let mut replicas_known = true;
    match table.blocks(&["replica"]) {
        Ok(blocks) => {
            for index in 0..blocks.len() {
                let i = index.to_string();
                match table.string(&["replica", &i, "region_name"]) {
                    Ok(Some(region)) if !records.iter().any(|r| r.region == region) => {
                        let arn = adapter.builder.table_arn(&region, &shared.name);
                        let encryption =
                            encryption(adapter, table, &shared, &region, &arn, Some(index));
                        records.push(Record {
                            region,
                            arn,
                            replica: Some(index),
                            encryption,
                        });
                    }
                    Ok(_) => {}
                    Err(why) => {
                        adapter.undetermined(
                            "dynamodb",
                            &table.region,
                            "DescribeTable",
                            Some(&main_arn),
                            &why,
                        );
                        replicas_known = false;
                    }
                }
            }
        }
        Err(why) => {
            adapter.undetermined(
                "dynamodb",
                &table.region,
                "DescribeTable",
                Some(&main_arn),
                &why,
            );
            replicas_known = false;
        }
    }
    if let Some(why) = extras.separate_replica(&main_arn) {
        let why = why.clone();
        adapter.undetermined(
            "dynamodb",
            &table.region,
            "DescribeTable",
            Some(&main_arn),
            &why,
        );
        replicas_known = false;
    }
    for record in &records {
        let others: Vec<Replica> = records
            .iter()
            .filter(|other| other.region != record.region)
            .map(|other| Replica {
                region: other.region.clone(),
                status: Some("ACTIVE".to_string()),
                kms_key_arn: other
                    .encryption
                    .as_ref()
                    .and_then(|e| e.kms_key_arn.clone()),
            })
            .collect();
        let replicas = (replicas_known || record.replica.is_some()).then_some(others);
        insert(adapter, extras, table, &shared, record, replicas);
    }
}

/// The table's encryption as the code declares it.
fn sse(adapter: &Adapter<'_, '_>, table: &Instance<'_>) -> Result<Sse, Undetermined> {
    if table.blocks(&["server_side_encryption"])?.is_empty() {
        return Ok(Sse::Owned);
    }
    if table.boolean(&["server_side_encryption", "0", "enabled"])? != Some(true) {
        return Ok(Sse::Owned);
    }
    let path = ["server_side_encryption", "0", "kms_key_arn"];
    Ok(Sse::Kms(table.linked(
        adapter.plan,
        &path,
        Some(&path),
        &KEY_REFERENCES,
    )?))
}

/// The config path of replica block `index` of the values: the
/// configuration's block for the same region (a set's order may differ).
fn replica_config(table: &Instance<'_>, index: usize) -> Option<String> {
    let region = table
        .string(&["replica", &index.to_string(), "region_name"])
        .ok()??;
    let blocks = table.config?.get("replica")?.items();
    let by_region = blocks.iter().position(|b| {
        b.get("region_name")
            .and_then(|r| r.get("constant_value"))
            .and_then(|r| r.as_str())
            == Some(region.as_str())
    });
    match by_region {
        Some(position) => Some(position.to_string()),
        // One block written with a reference for its region: that one.
        None if blocks.len() == 1 && table.blocks(&["replica"]).ok()?.len() == 1 => {
            Some("0".to_string())
        }
        None => None,
    }
}

/// The encryption of the record in `region` (a replica when `replica` is
/// its block's index).
fn encryption(
    adapter: &mut Adapter<'_, '_>,
    table: &Instance<'_>,
    shared: &Shared,
    region: &str,
    arn: &str,
    replica: Option<usize>,
) -> Option<Encryption> {
    let (key, path): (Option<String>, Vec<String>) = match (&shared.sse, replica) {
        (Err(why), _) => {
            adapter.undetermined("dynamodb", region, "DescribeTable", Some(arn), why);
            return None;
        }
        (Ok(Sse::Owned), _) => {
            return Some(Encryption {
                sse_type: SseType::AwsOwned,
                status: None,
                kms_key_arn: None,
                inaccessible_since: None,
            });
        }
        (Ok(Sse::Kms(key)), None) => (
            key.clone(),
            ["server_side_encryption", "0", "kms_key_arn"]
                .map(String::from)
                .to_vec(),
        ),
        (Ok(Sse::Kms(_)), Some(index)) => {
            let i = index.to_string();
            let path = ["replica", i.as_str(), "kms_key_arn"];
            let config = replica_config(table, index);
            let config_path = config.as_deref().map(|c| ["replica", c, "kms_key_arn"]);
            match table.linked(
                adapter.plan,
                &path,
                config_path.as_ref().map(|p| &p[..]),
                &KEY_REFERENCES,
            ) {
                Ok(key) => (key, path.map(String::from).to_vec()),
                Err(why) => {
                    adapter.undetermined("dynamodb", region, "DescribeTable", Some(arn), &why);
                    return None;
                }
            }
        }
    };
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let key_arn = kms::table_key(adapter, region, key.as_deref(), table, &path);
    Some(Encryption {
        sse_type: SseType::Kms,
        status: Some("ENABLED".to_string()),
        kms_key_arn: Some(key_arn),
        inaccessible_since: None,
    })
}

/// Whether the table has a stream, and its view type.
fn stream(table: &Instance<'_>) -> Result<(bool, Option<String>), Undetermined> {
    let enabled = table.boolean(&["stream_enabled"])?.unwrap_or(false);
    let view_type = if enabled {
        table.string(&["stream_view_type"])?
    } else {
        None
    };
    Ok((enabled, view_type.filter(|v| !v.is_empty())))
}

/// Point-in-time recovery of the table, or of replica block `replica`.
fn pitr(table: &Instance<'_>, replica: Option<usize>) -> Result<PointInTimeRecovery, Undetermined> {
    let (enabled, days) = match replica {
        None => {
            if table.blocks(&["point_in_time_recovery"])?.is_empty() {
                (false, None)
            } else {
                let enabled = table
                    .boolean(&["point_in_time_recovery", "0", "enabled"])?
                    .unwrap_or(false);
                let days = if enabled {
                    table.integer(&["point_in_time_recovery", "0", "recovery_period_in_days"])?
                } else {
                    None
                };
                (enabled, days)
            }
        }
        Some(index) => {
            let i = index.to_string();
            let config = replica_config(table, index);
            let config_path = config
                .as_deref()
                .map(|c| ["replica", c, "point_in_time_recovery"]);
            let enabled = table
                .boolean_at(
                    &["replica", &i, "point_in_time_recovery"],
                    config_path.as_ref().map(|p| &p[..]),
                )?
                .unwrap_or(false);
            (enabled, None)
        }
    };
    Ok(PointInTimeRecovery {
        status: if enabled { "ENABLED" } else { "DISABLED" }.to_string(),
        recovery_period_days: days.filter(|d| (1..=35).contains(d)),
        earliest_restorable: None,
        latest_restorable: None,
    })
}

/// A value, or `None` with an error saying why it is not determinable.
fn known<T>(
    adapter: &mut Adapter<'_, '_>,
    value: Result<T, Undetermined>,
    region: &str,
    operation: &str,
    arn: &str,
) -> Option<T> {
    match value {
        Ok(value) => Some(value),
        Err(why) => {
            adapter.undetermined("dynamodb", region, operation, Some(arn), &why);
            None
        }
    }
}

/// A resource policy record from a document, none, or why not.
fn policy_record(
    adapter: &mut Adapter<'_, '_>,
    policy: Result<Option<serde_json::Value>, Undetermined>,
    region: &str,
    arn: &str,
) -> Option<ResourcePolicy> {
    known(adapter, policy, region, "GetResourcePolicy", arn)
        .map(|document| ResourcePolicy { document })
}

/// Adds one record of the table and notes where it is declared.
fn insert(
    adapter: &mut Adapter<'_, '_>,
    extras: &TableExtras,
    table: &Instance<'_>,
    shared: &Shared,
    record: &Record,
    replicas: Option<Vec<Replica>>,
) {
    let (region, arn) = (record.region.as_str(), record.arn.as_str());
    let index = record.replica.map(|i| i.to_string());
    let config = record.replica.and_then(|i| replica_config(table, i));
    let in_replica = |field: &'static str| -> (Vec<String>, Option<Vec<String>>) {
        let index = index.clone().unwrap_or_default();
        (
            vec!["replica".to_string(), index, field.to_string()],
            config
                .clone()
                .map(|c| vec!["replica".to_string(), c, field.to_string()]),
        )
    };
    let deletion_protection = match record.replica {
        None => table.boolean(&["deletion_protection_enabled"]),
        Some(_) => {
            let (path, config_path) = in_replica("deletion_protection_enabled");
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let config_path: Option<Vec<&str>> = config_path
                .as_ref()
                .map(|p| p.iter().map(String::as_str).collect());
            table.boolean_at(&path, config_path.as_deref())
        }
    };
    let tags = match record.replica {
        None => shared.tags.clone(),
        Some(_) => {
            let (path, config_path) = in_replica("propagate_tags");
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let config_path: Option<Vec<&str>> = config_path
                .as_ref()
                .map(|p| p.iter().map(String::as_str).collect());
            match table.boolean_at(&path, config_path.as_deref()) {
                Ok(Some(true)) => shared.tags.clone(),
                Ok(_) => Ok(BTreeMap::new()),
                Err(why) => Err(why),
            }
        }
    };
    let stream = known(adapter, shared.stream.clone(), region, "DescribeTable", arn).map(
        |(enabled, view_type)| {
            let policy = if enabled {
                let (policy, _) = extras.stream_policy(region, arn);
                policy_record(adapter, policy, region, arn)
            } else {
                None
            };
            Stream {
                enabled,
                view_type,
                // The stream's ARN ends in a label AWS assigns at creation.
                arn: Some(None),
                resource_policy: Some(policy),
            }
        },
    );
    let (policy, policy_line) = extras.table_policy(region, arn);
    let (insights, insights_line) = extras.insights(region, &shared.name);
    let record_value = Table {
        arn: arn.to_string(),
        name: shared.name.clone(),
        status: Some("ACTIVE".to_string()),
        creation_time: None,
        encryption: record.encryption.clone(),
        deletion_protection: known(
            adapter,
            deletion_protection.map(|d| d.unwrap_or(false)),
            region,
            "DescribeTable",
            arn,
        ),
        point_in_time_recovery: known(
            adapter,
            pitr(table, record.replica),
            region,
            "DescribeContinuousBackups",
            arn,
        ),
        stream,
        replicas,
        tags: known(adapter, tags, region, "ListTagsOfResource", arn),
        resource_policy: policy_record(adapter, policy, region, arn),
        contributor_insights: known(
            adapter,
            insights,
            region,
            "DescribeContributorInsights",
            arn,
        ),
        billing_mode: known(
            adapter,
            shared.billing_mode.clone(),
            region,
            "DescribeTable",
            arn,
        ),
        global_secondary_indexes: Some(known(
            adapter,
            shared.indexes.clone(),
            region,
            "DescribeTable",
            arn,
        )),
        witness_regions: Some(Some(shared.witnesses.clone())),
    };
    if let Some(tables) = adapter.builder.region(region).tables.as_mut() {
        tables.insert(arn.to_string(), record_value);
    }
    let line = |path: &[&str]| table.property_line(path, Some(path));
    let mut lines = vec![
        ("resource_policy", policy_line),
        ("contributor_insights", insights_line),
        ("stream", line(&["stream_enabled"])),
    ];
    match (&index, &config) {
        (None, _) => lines.extend([
            ("encryption", line(&["server_side_encryption"])),
            ("point_in_time_recovery", line(&["point_in_time_recovery"])),
            (
                "deletion_protection",
                line(&["deletion_protection_enabled"]),
            ),
            ("tags", line(&["tags"])),
        ]),
        (Some(i), config) => {
            let at = |field: &str| -> Option<u32> {
                let config_path = config.as_deref().map(|c| ["replica", c, field]);
                table.property_line(&["replica", i, field], config_path.as_ref().map(|p| &p[..]))
            };
            lines.extend([
                ("encryption", at("kms_key_arn")),
                ("point_in_time_recovery", at("point_in_time_recovery")),
                ("deletion_protection", at("deletion_protection_enabled")),
                ("tags", at("propagate_tags")),
            ]);
        }
    }
    adapter.planned(arn, table, shared.determinable, &lines);
}
