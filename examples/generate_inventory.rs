//! Writes a synthetic, deterministic inventory for evaluation benchmarks.
//!
//!     cargo run --release --example generate_inventory -- TABLES [REGIONS] > inventory.json
//!
//! Tables are spread over REGIONS regions (default 3) with a mix of postures:
//! owned / AWS managed / customer managed keys, PITR on and off, backups,
//! tags, resource policies, and a few collection errors, plus IAM, VPCs,
//! trails, Config and DAX, so that every rule has work to do.

use std::collections::BTreeMap;

use dynaudit::inventory::*;

const ACCOUNT: &str = "111122223333";
const REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let tables: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let region_count: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(3)
        .clamp(1, REGIONS.len());
    let inventory = generate(tables, region_count);
    match serde_json::to_string_pretty(&inventory) {
        Ok(text) => println!("{text}"),
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(2);
        }
    }
}

fn generate(tables: usize, region_count: usize) -> Inventory {
    let regions = &REGIONS[..region_count];
    let mut by_region: BTreeMap<String, RegionInventory> = BTreeMap::new();
    let mut errors = Vec::new();
    for (r, region) in regions.iter().enumerate() {
        let cmk = format!("arn:aws:kms:{region}:{ACCOUNT}:key/0000000{r}-cmk");
        let managed = format!("arn:aws:kms:{region}:{ACCOUNT}:key/0000000{r}-aws");
        let mut kms_keys = BTreeMap::new();
        kms_keys.insert(
            cmk.clone(),
            KmsKey {
                arn: cmk.clone(),
                key_manager: Some("CUSTOMER".into()),
                key_state: Some("Enabled".into()),
                rotation_enabled: Some(r % 2 == 0),
                aliases: Some(vec![format!("alias/app-{region}")]),
                multi_region: Some(false),
            },
        );
        kms_keys.insert(
            managed.clone(),
            KmsKey {
                arn: managed.clone(),
                key_manager: Some("AWS".into()),
                key_state: Some("Enabled".into()),
                rotation_enabled: None,
                aliases: Some(vec!["alias/aws/dynamodb".into()]),
                multi_region: Some(false),
            },
        );
        let mut table_map = BTreeMap::new();
        let mut backups = BTreeMap::new();
        for i in (r..tables).step_by(region_count) {
            let name = format!("table-{i:06}");
            let arn = format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}");
            let encryption = match i % 3 {
                0 => Encryption {
                    sse_type: SseType::AwsOwned,
                    status: None,
                    kms_key_arn: None,
                    inaccessible_since: None,
                },
                1 => Encryption {
                    sse_type: SseType::Kms,
                    status: Some("ENABLED".into()),
                    kms_key_arn: Some(managed.clone()),
                    inaccessible_since: None,
                },
                _ => Encryption {
                    sse_type: SseType::Kms,
                    status: Some("ENABLED".into()),
                    kms_key_arn: Some(cmk.clone()),
                    inaccessible_since: None,
                },
            };
            let pitr = if i % 17 == 0 {
                errors.push(CollectionError {
                    service: "dynamodb".into(),
                    region: (*region).into(),
                    operation: "DescribeContinuousBackups".into(),
                    resource: Some(arn.clone()),
                    kind: ErrorKind::AccessDenied,
                    code: "AccessDeniedException".into(),
                    message: "not authorized".into(),
                });
                None
            } else {
                Some(PointInTimeRecovery {
                    status: if i % 2 == 0 { "ENABLED" } else { "DISABLED" }.into(),
                    recovery_period_days: if i % 2 == 0 { Some(35) } else { None },
                    earliest_restorable: None,
                    latest_restorable: None,
                })
            };
            let mut tags = BTreeMap::from([("Environment".to_string(), "prod".to_string())]);
            if i % 4 != 0 {
                tags.insert("Application".into(), format!("app-{}", i % 50));
            }
            if i % 10 == 0 {
                tags.insert("dynaudit:row-level-security".into(), "required".into());
            }
            if i % 5 == 0 {
                backups.insert(
                    arn.clone(),
                    vec![Backup {
                        arn: format!("{arn}/backup/0001"),
                        name: Some(format!("{name}-daily")),
                        backup_type: "USER".into(),
                        status: "AVAILABLE".into(),
                        creation_time: "2026-10-31T12:00:00Z".into(),
                        expiry_time: None,
                    }],
                );
            }
            table_map.insert(
                arn.clone(),
                Table {
                    arn: arn.clone(),
                    name,
                    status: Some("ACTIVE".into()),
                    creation_time: Some("2025-01-01T00:00:00Z".into()),
                    encryption: Some(encryption),
                    deletion_protection: Some(i % 3 != 1),
                    point_in_time_recovery: pitr,
                    stream: Some(Stream {
                        enabled: false,
                        view_type: None,
                        arn: Some(None),
                        resource_policy: Some(None),
                    }),
                    replicas: Some(Vec::new()),
                    tags: Some(tags),
                    resource_policy: Some(ResourcePolicy {
                        document: if i % 50 == 0 {
                            Some(serde_json::json!({
                                "Version": "2012-10-17",
                                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": arn}]
                            }))
                        } else {
                            None
                        },
                    }),
                    contributor_insights: Some(if i % 7 == 0 { "ENABLED" } else { "DISABLED" }.into()),
                    billing_mode: Some("PAY_PER_REQUEST".into()),
                    global_secondary_indexes: Some(Some(Vec::new())),
                    witness_regions: Some(Some(Vec::new())),
                },
            );
        }
        let vpc_id = format!("vpc-{r:08x}");
        let endpoint_id = format!("vpce-{r:08x}");
        by_region.insert(
            (*region).to_string(),
            RegionInventory {
                scalable_targets: Some(Some(Vec::new())),
                scaling_policies: Some(Some(Vec::new())),
                backup_vaults: Some(Some(BTreeMap::new())),
                metric_alarms: Some(Some(BTreeMap::new())),
                exports: Some(Some(BTreeMap::new())),
                tables: Some(table_map),
                backups: Some(backups),
                kms_keys,
                vpcs: Some(BTreeMap::from([(
                    vpc_id.clone(),
                    Vpc {
                        vpc_id: vpc_id.clone(),
                        cidr_block: Some("10.0.0.0/16".into()),
                        is_default: false,
                        tags: BTreeMap::new(),
                    },
                )])),
                vpc_endpoints: Some(BTreeMap::from([(
                    endpoint_id.clone(),
                    VpcEndpoint {
                        endpoint_id,
                        vpc_id,
                        service_name: format!("com.amazonaws.{region}.dynamodb"),
                        endpoint_type: "Gateway".into(),
                        state: Some("available".into()),
                        policy_document: None,
                        route_table_ids: vec![format!("rtb-{r:08x}")],
                        absent: vec![VpcEndpointField::PolicyDocument],
                    },
                )])),
                trail_arns: Some(vec![format!(
                    "arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org"
                )]),
                config_recorders: Some(vec![ConfigRecorder {
                    name: "default".into(),
                    all_supported: true,
                    resource_types: Vec::new(),
                    excluded_resource_types: Vec::new(),
                    recording: Some(true),
                    last_status: Some("Success".into()),
                }]),
                config_rules: Some(BTreeMap::new()),
                backup_plans: Some(BTreeMap::new()),
                dax_clusters: Some(BTreeMap::new()),
                not_collected: None,
            },
        );
    }
    let trail_arn = format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org");
    let trails = BTreeMap::from([(
        trail_arn.clone(),
        Trail {
            arn: trail_arn,
            name: "org".into(),
            home_region: "us-east-1".into(),
            is_multi_region: true,
            is_organization_trail: false,
            include_global_service_events: true,
            log_file_validation_enabled: true,
            kms_key_id: None,
            absent: vec![TrailField::KmsKeyId],
            s3_bucket_name: Some("trail-bucket".into()),
            is_logging: Some(true),
            selectors: Some(EventSelectors {
                event_selectors: vec![EventSelector {
                    read_write_type: Some("All".into()),
                    include_management_events: Some(true),
                    data_resources: vec![DataResource {
                        resource_type: "AWS::DynamoDB::Table".into(),
                        values: vec![format!(
                            "arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/table-0"
                        )],
                    }],
                }],
                advanced_event_selectors: Vec::new(),
            }),
        },
    )]);
    let mut iam = Iam::default();
    for p in 0..200 {
        let arn = format!("arn:aws:iam::{ACCOUNT}:policy/app-{p}");
        let statement = if p % 20 == 0 {
            serde_json::json!({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
        } else {
            serde_json::json!({
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": format!("arn:aws:dynamodb:*:{ACCOUNT}:table/table-{:06}", p * 3),
                "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenant}"]}}
            })
        };
        iam.policies.insert(
            arn.clone(),
            ManagedPolicy {
                arn: arn.clone(),
                name: format!("app-{p}"),
                attachment_count: Some(1),
                document: Some(
                    serde_json::json!({"Version": "2012-10-17", "Statement": [statement]}),
                ),
            },
        );
        let role = format!("arn:aws:iam::{ACCOUNT}:role/app-{p}");
        iam.roles.insert(
            role.clone(),
            Principal {
                arn: role,
                name: format!("app-{p}"),
                inline_policies: Vec::new(),
                attached_policy_arns: vec![arn],
                group_names: Vec::new(),
                tags: BTreeMap::new(),
            },
        );
    }
    errors.sort();
    Inventory {
        schema_version: SCHEMA_VERSION.to_string(),
        tool_version: "bench".to_string(),
        collected_at: "2026-11-01T00:00:00Z".to_string(),
        account_id: ACCOUNT.to_string(),
        partition: "aws".to_string(),
        errors,
        iam: Some(iam),
        trails,
        regions: by_region,
        organization: None,
        not_collected: None,
        planned: None,
    }
}
