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

/// Creates the table (hash key `pk`, on-demand) and returns its ARN;
/// panics on failure (tests).
pub async fn create_table(ddb: &aws_sdk_dynamodb::Client, spec: &TableSpec<'_>) -> String {
    try_create_table(ddb, spec)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// [`create_table`], returning the failure.
pub async fn try_create_table(
    ddb: &aws_sdk_dynamodb::Client,
    spec: &TableSpec<'_>,
) -> Result<String, String> {
    let err = |what: &str, e: &dyn std::fmt::Debug| format!("{what} {}: {e:?}", spec.name);
    let mut req = ddb
        .create_table()
        .table_name(spec.name)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .map_err(|e| err("KeySchemaElement", &e))?,
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(|e| err("AttributeDefinition", &e))?,
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
                .map_err(|e| err("StreamSpecification", &e))?,
        );
    }
    for (k, v) in spec.tags {
        req = req.tags(
            Tag::builder()
                .key(*k)
                .value(*v)
                .build()
                .map_err(|e| err("Tag", &e))?,
        );
    }
    let out = req.send().await.map_err(|e| err("CreateTable", &e))?;
    if spec.pitr {
        ddb.update_continuous_backups()
            .table_name(spec.name)
            .point_in_time_recovery_specification(
                PointInTimeRecoverySpecification::builder()
                    .point_in_time_recovery_enabled(true)
                    .build()
                    .map_err(|e| err("PointInTimeRecoverySpecification", &e))?,
            )
            .send()
            .await
            .map_err(|e| err("UpdateContinuousBackups", &e))?;
    }
    out.table_description()
        .and_then(|t| t.table_arn())
        .map(str::to_string)
        .ok_or_else(|| format!("CreateTable {}: no TableArn in the answer", spec.name))
}

/// An estate of many tables, for the fault tests and the benchmarks
/// (`examples/seed_estate.rs`).
#[derive(Debug, Clone)]
pub struct EstateSpec {
    /// Regions; IAM and the multi-region trail go to the first.
    pub regions: Vec<String>,
    /// Tables per region.
    pub tables_per_region: usize,
    /// Customer managed KMS keys per region.
    pub keys_per_region: usize,
    /// IAM roles, each with a managed policy.
    pub roles: usize,
    /// Requests in flight while seeding.
    pub concurrency: usize,
    /// `(endpoint, account id)` to create the trail's S3 bucket with a
    /// plain HTTP PUT; `None`: no trail.
    pub trail_bucket: Option<(String, String)>,
    /// A VPC with a DynamoDB gateway endpoint per region.
    pub vpc_endpoints: bool,
}

/// What [`seed_estate`] created.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    /// Table ARNs.
    pub tables: Vec<String>,
    /// Customer managed key ARNs.
    pub keys: Vec<String>,
    /// On-demand backups.
    pub backups: usize,
    /// Trail ARNs.
    pub trails: Vec<String>,
    /// VPC endpoint ids.
    pub vpc_endpoints: Vec<String>,
    /// IAM roles.
    pub roles: usize,
}

/// The posture of table `i`: a third customer managed keys (round robin
/// over the region's keys), a third the AWS managed key, a third AWS owned;
/// PITR on every 2nd, deletion protection every 4th, tags on 4 of 5, a
/// stream every 7th, an on-demand backup every 10th.
pub fn table_posture(i: usize) -> (u8, bool, bool, bool, bool, bool) {
    (
        (i % 3) as u8,
        i.is_multiple_of(2),
        i.is_multiple_of(4),
        i % 5 != 4,
        i.is_multiple_of(7),
        i.is_multiple_of(10),
    )
}

/// Seeds the estate through the SDK, `spec.concurrency` requests at once.
/// `config(region)` gives the SDK configuration of a region.
pub async fn seed_estate(
    config: &(dyn Fn(&str) -> aws_config::SdkConfig + Sync),
    spec: &EstateSpec,
) -> Result<Seeded, String> {
    use futures_util::{StreamExt, TryStreamExt};
    let mut seeded = Seeded::default();
    let concurrency = spec.concurrency.max(1);
    let first = spec
        .regions
        .first()
        .ok_or_else(|| "no region to seed".to_string())?
        .clone();

    for region in &spec.regions {
        let kms = aws_sdk_kms::Client::new(&config(region));
        let keys: Vec<String> = futures_util::stream::iter(0..spec.keys_per_region)
            .map(|k| {
                let kms = kms.clone();
                async move {
                    let key = kms
                        .create_key()
                        .description(format!("dynaudit bench key {k}"))
                        .send()
                        .await
                        .map_err(|e| format!("CreateKey: {e:?}"))?;
                    let arn = key
                        .key_metadata()
                        .and_then(|m| m.arn())
                        .ok_or("CreateKey: no Arn")?
                        .to_string();
                    if k.is_multiple_of(2) {
                        kms.enable_key_rotation()
                            .key_id(&arn)
                            .send()
                            .await
                            .map_err(|e| format!("EnableKeyRotation: {e:?}"))?;
                    }
                    Ok::<String, String>(arn)
                }
            })
            .buffered(concurrency)
            .try_collect()
            .await?;

        let ddb = aws_sdk_dynamodb::Client::new(&config(region));
        let tables: Vec<(String, bool)> = futures_util::stream::iter(0..spec.tables_per_region)
            .map(|i| {
                let ddb = ddb.clone();
                let keys = &keys;
                async move {
                    let (kms_kind, pitr, protection, tagged, stream, backup) = table_posture(i);
                    let name = format!("t{i:05}");
                    let key = match kms_kind {
                        0 if !keys.is_empty() => Some(keys[(i / 3) % keys.len()].as_str()),
                        1 => Some(""),
                        _ => None,
                    };
                    let tags: &[(&str, &str)] = if tagged {
                        &[("Environment", "bench"), ("Application", "dynaudit")]
                    } else {
                        &[]
                    };
                    let arn = try_create_table(
                        &ddb,
                        &TableSpec {
                            name: &name,
                            kms_key: key,
                            pitr,
                            deletion_protection: protection,
                            tags,
                            stream,
                        },
                    )
                    .await?;
                    if backup {
                        ddb.create_backup()
                            .table_name(&name)
                            .backup_name(format!("{name}-backup"))
                            .send()
                            .await
                            .map_err(|e| format!("CreateBackup {name}: {e:?}"))?;
                    }
                    Ok::<(String, bool), String>((arn, backup))
                }
            })
            .buffer_unordered(concurrency)
            .try_collect()
            .await?;
        seeded.backups += tables.iter().filter(|(_, b)| *b).count();
        seeded.tables.extend(tables.into_iter().map(|(arn, _)| arn));
        seeded.keys.extend(keys);

        if spec.vpc_endpoints {
            let ec2 = aws_sdk_ec2::Client::new(&config(region));
            let vpc = ec2
                .create_vpc()
                .cidr_block("10.42.0.0/16")
                .send()
                .await
                .map_err(|e| format!("CreateVpc: {e:?}"))?;
            let vpc_id = vpc
                .vpc()
                .and_then(|v| v.vpc_id())
                .ok_or("CreateVpc: no VpcId")?
                .to_string();
            let rt = ec2
                .create_route_table()
                .vpc_id(&vpc_id)
                .send()
                .await
                .map_err(|e| format!("CreateRouteTable: {e:?}"))?;
            let rt_id = rt
                .route_table()
                .and_then(|r| r.route_table_id())
                .ok_or("CreateRouteTable: no id")?
                .to_string();
            let endpoint = ec2
                .create_vpc_endpoint()
                .vpc_id(&vpc_id)
                .service_name(format!("com.amazonaws.{region}.dynamodb"))
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Gateway)
                .route_table_ids(rt_id)
                .send()
                .await
                .map_err(|e| format!("CreateVpcEndpoint: {e:?}"))?;
            seeded.vpc_endpoints.push(
                endpoint
                    .vpc_endpoint()
                    .and_then(|e| e.vpc_endpoint_id())
                    .ok_or("CreateVpcEndpoint: no id")?
                    .to_string(),
            );
        }
    }

    if let Some((endpoint, account)) = &spec.trail_bucket {
        let bucket = format!("dynaudit-trail-{account}");
        create_bucket(endpoint, account, &bucket)?;
        let ct = aws_sdk_cloudtrail::Client::new(&config(&first));
        let trail = ct
            .create_trail()
            .name("org-trail")
            .s3_bucket_name(&bucket)
            .is_multi_region_trail(true)
            .include_global_service_events(true)
            .enable_log_file_validation(true)
            .send()
            .await
            .map_err(|e| format!("CreateTrail: {e:?}"))?;
        ct.start_logging()
            .name("org-trail")
            .send()
            .await
            .map_err(|e| format!("StartLogging: {e:?}"))?;
        seeded
            .trails
            .push(trail.trail_arn().unwrap_or_default().to_string());
    }

    let iam = aws_sdk_iam::Client::new(&config(&first));
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    futures_util::stream::iter(0..spec.roles)
        .map(|r| {
            let iam = iam.clone();
            async move {
                let name = format!("app-role-{r:04}");
                iam.create_role()
                    .role_name(&name)
                    .assume_role_policy_document(trust)
                    .send()
                    .await
                    .map_err(|e| format!("CreateRole {name}: {e:?}"))?;
                let actions = if r.is_multiple_of(4) {
                    r#""dynamodb:*""#
                } else {
                    r#"["dynamodb:GetItem","dynamodb:Query"]"#
                };
                let policy = iam
                    .create_policy()
                    .policy_name(format!("{name}-tables"))
                    .policy_document(format!(
                        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"*"}}]}}"#
                    ))
                    .send()
                    .await
                    .map_err(|e| format!("CreatePolicy {name}: {e:?}"))?;
                let arn = policy
                    .policy()
                    .and_then(|p| p.arn())
                    .ok_or("CreatePolicy: no Arn")?
                    .to_string();
                iam.attach_role_policy()
                    .role_name(&name)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map_err(|e| format!("AttachRolePolicy {name}: {e:?}"))?;
                Ok::<(), String>(())
            }
        })
        .buffer_unordered(concurrency)
        .try_collect::<Vec<()>>()
        .await?;
    seeded.roles = spec.roles;
    Ok(seeded)
}

/// Creates an S3 bucket (CloudTrail's CreateTrail needs one; the crate has
/// no S3 SDK): a plain HTTP PUT, the account picked by moto's
/// `x-moto-account-id` header.
pub fn create_bucket(endpoint: &str, account_id: &str, bucket: &str) -> Result<(), String> {
    use std::io::{Read, Write};
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream =
        std::net::TcpStream::connect(host).map_err(|e| format!("connect to {host}: {e}"))?;
    let request = format!(
        "PUT /{bucket} HTTP/1.1\r\nHost: {host}\r\nx-moto-account-id: {account_id}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("CreateBucket {bucket}: {e}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| format!("CreateBucket {bucket}: {e}"))?;
    if response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200") {
        Ok(())
    } else {
        Err(format!("CreateBucket {bucket}: {response}"))
    }
}
