//! The collection run: the session, every region's collectors
//! concurrently (IAM once per account), and the inventory with its summary.

use std::collections::BTreeMap;
use std::time::Instant;

use tokio::task::JoinSet;

use crate::collect::context::RegionContext;
use crate::collect::progress::Progress;
use crate::collect::services::cloudtrail::TrailRegistry;
use crate::collect::services::{
    application_autoscaling, aws_config, backup, cloudtrail, cloudwatch, dax, dynamodb,
    dynamodb_exports, ec2, iam, kms,
};
use crate::collect::session::{CollectError, CollectOptions, Session};
use crate::collect::summary::CollectSummary;
use crate::inventory::{ErrorKind, Inventory, RegionInventory, SCHEMA_VERSION};

/// `collected_at`: now, UTC, seconds precision.
pub(crate) fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Collects the inventory.
pub async fn collect(opts: &CollectOptions) -> Result<(Inventory, CollectSummary), CollectError> {
    let started = Instant::now();
    let collected_at = now_rfc3339();
    opts.settings
        .validate()
        .map_err(|invalid| CollectError::Settings(invalid.to_string()))?;

    let session = Session::open(opts).await?;
    let regions = &session.regions;
    let identity = &session.identity;
    let errors = session.errors.clone();
    let recorder = session.recorder.clone();
    let progress = Progress::new(opts.progress);
    progress.regions(regions.len());
    let context = |region: &str| session.context(region);

    // IAM once per account, concurrently with the regions.
    let iam_ctx = context(&session.home_region);
    let iam_task = tokio::spawn(async move { iam::collect(&iam_ctx).await });

    let trails = TrailRegistry::new();
    let concurrency = opts.settings.concurrency;
    let results = per_region(regions, |region| {
        let ctx = context(&region);
        let progress = progress.clone();
        let trails = trails.clone();
        async move {
            let inventory = collect_region(&ctx, concurrency, &progress, &trails).await;
            progress.region_done(&ctx.region);
            inventory
        }
    })
    .await;
    let mut region_map = BTreeMap::new();
    for (region, result) in results {
        let inventory = match result {
            Ok(mut inventory) => {
                // A region cut off by the breaker before anything of it
                // was listed was not collected at all.
                if inventory.tables.is_none()
                    && let Some(cause) = session.breaker.cause(&region)
                {
                    inventory.not_collected =
                        Some(format!("the region could not be reached: {cause}"));
                }
                inventory
            }
            Err(panic) => {
                // A collector failed (a bug): the region is reported with
                // nothing collected and why, never dropped.
                let cause = format!(
                    "the collector of {region} failed ({panic}); nothing of the region is used"
                );
                errors.push(internal_error(&region, &cause));
                RegionInventory {
                    not_collected: Some(cause),
                    ..RegionInventory::default()
                }
            }
        };
        region_map.insert(region, inventory);
    }
    let iam = match iam_task.await {
        Ok(iam) => iam,
        Err(join_error) => {
            errors.push(internal_error("global", &join_error.to_string()));
            None
        }
    };
    progress.finish();

    let inventory = Inventory {
        schema_version: SCHEMA_VERSION.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at,
        account_id: identity.account_id.clone(),
        partition: identity.partition.clone(),
        errors: errors.snapshot(),
        iam,
        trails: trails.trails(),
        regions: region_map,
        organization: None,
        not_collected: None,
        planned: None,
    };

    // Best effort: the list is for tests; failing to write it is not a
    // reason to lose the scan.
    if opts.shared_recorder.is_none()
        && let Err(e) = recorder.write_if_requested()
    {
        eprintln!("dynaudit: could not write the operation record: {e}");
    }

    let mut errors_by_kind = BTreeMap::new();
    for error in &inventory.errors {
        *errors_by_kind.entry(error.kind).or_insert(0) += 1;
    }
    let summary = CollectSummary {
        regions: inventory.regions.len(),
        tables: inventory
            .regions
            .values()
            .filter_map(|r| r.tables.as_ref())
            .map(|t| t.len())
            .sum(),
        resources: count_resources(&inventory),
        calls: recorder.snapshot(),
        errors_by_kind,
        duration: started.elapsed(),
    };
    Ok((inventory, summary))
}

/// Runs `collect` for every region concurrently. A region whose task
/// panicked comes back as `Err` with the panic's message: every region asked
/// for is in the result.
pub(crate) async fn per_region<T, F, Fut>(
    regions: &[String],
    collect: F,
) -> BTreeMap<String, Result<T, String>>
where
    T: Send + 'static,
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let mut tasks = JoinSet::new();
    let mut names = std::collections::HashMap::new();
    for region in regions {
        let handle = tasks.spawn(collect(region.clone()));
        names.insert(handle.id(), region.clone());
    }
    let mut results = BTreeMap::new();
    while let Some(joined) = tasks.join_next_with_id().await {
        let (id, result) = match joined {
            Ok((id, value)) => (id, Ok(value)),
            Err(err) => (err.id(), Err(panic_message(err))),
        };
        if let Some(region) = names.remove(&id) {
            results.insert(region, result);
        }
    }
    results
}

/// What a failed task said.
fn panic_message(err: tokio::task::JoinError) -> String {
    if !err.is_panic() {
        return "cancelled".to_string();
    }
    let payload = err.into_panic();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .map_or_else(|| "panicked".to_string(), |m| format!("panicked: {m}"))
}

/// A collector task that panicked (a bug), as evidence.
fn internal_error(region: &str, message: &str) -> crate::inventory::CollectionError {
    crate::inventory::CollectionError {
        service: "dynaudit".to_string(),
        region: region.to_string(),
        operation: "collect".to_string(),
        resource: None,
        kind: ErrorKind::Other,
        code: "InternalError".to_string(),
        message: message.to_string(),
    }
}

/// Everything of one region: every service concurrently; KMS after the
/// tables (it describes the keys they reference).
async fn collect_region(
    ctx: &RegionContext,
    concurrency: usize,
    progress: &Progress,
    trails: &TrailRegistry,
) -> RegionInventory {
    let dynamo_and_keys = async {
        let dynamo = dynamodb::collect(ctx, concurrency, progress).await;
        let keys = kms::collect(ctx, &dynamo.kms_key_arns()).await;
        (dynamo, keys)
    };
    let (
        (dynamo, keys),
        network,
        trail_arns,
        config,
        backup_plans,
        dax_clusters,
        capacity,
        backup_vaults,
        metric_alarms,
        exports,
    ) = tokio::join!(
        dynamo_and_keys,
        ec2::collect(ctx),
        cloudtrail::collect(ctx, trails),
        aws_config::collect(ctx),
        backup::collect(ctx),
        dax::collect(ctx),
        application_autoscaling::collect(ctx),
        backup::collect_vaults(ctx),
        cloudwatch::collect(ctx),
        dynamodb_exports::collect(ctx),
    );
    RegionInventory {
        tables: dynamo.tables,
        backups: dynamo.backups,
        kms_keys: keys,
        vpcs: network.vpcs,
        vpc_endpoints: network.vpc_endpoints,
        trail_arns,
        config_recorders: config.recorders,
        config_rules: config.rules,
        backup_plans,
        dax_clusters,
        scalable_targets: Some(capacity.scalable_targets),
        scaling_policies: Some(capacity.scaling_policies),
        backup_vaults: Some(backup_vaults),
        metric_alarms: Some(metric_alarms),
        exports: Some(exports),
        not_collected: None,
    }
}

fn count_resources(inventory: &Inventory) -> usize {
    let mut n = inventory.trails.len();
    if let Some(iam) = &inventory.iam {
        n += iam.users.len() + iam.groups.len() + iam.roles.len() + iam.policies.len();
    }
    for region in inventory.regions.values() {
        n += region.tables.as_ref().map_or(0, BTreeMap::len);
        n += region
            .backups
            .as_ref()
            .map_or(0, |b| b.values().map(Vec::len).sum());
        n += region.kms_keys.len();
        n += region.vpcs.as_ref().map_or(0, BTreeMap::len);
        n += region.vpc_endpoints.as_ref().map_or(0, BTreeMap::len);
        n += region.config_recorders.as_ref().map_or(0, Vec::len);
        n += region.config_rules.as_ref().map_or(0, BTreeMap::len);
        n += region.backup_plans.as_ref().map_or(0, BTreeMap::len);
        n += region.dax_clusters.as_ref().map_or(0, BTreeMap::len);
        n += crate::inventory::since::value(&region.scalable_targets).map_or(0, Vec::len);
        n += crate::inventory::since::value(&region.scaling_policies).map_or(0, Vec::len);
        n += crate::inventory::since::value(&region.backup_vaults).map_or(0, BTreeMap::len);
        n += crate::inventory::since::value(&region.metric_alarms).map_or(0, BTreeMap::len);
        n += crate::inventory::since::value(&region.exports).map_or(0, BTreeMap::len);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A region whose collector panics is in the result with the panic's
    /// message; before, it vanished from the inventory and the scan read
    /// "0 region(s)" with exit 0.
    #[tokio::test]
    async fn a_panicking_region_is_reported_not_dropped() {
        let regions = vec!["eu-west-1".to_string(), "us-east-1".to_string()];
        let results = per_region(&regions, |region| async move {
            if region == "eu-west-1" {
                panic!("tripped by a hostile answer");
            }
            region.len()
        })
        .await;
        assert_eq!(results.len(), 2);
        assert_eq!(results["us-east-1"], Ok(9));
        assert_eq!(
            results["eu-west-1"],
            Err("panicked: tripped by a hostile answer".to_string())
        );
    }

    #[test]
    fn collected_at_has_seconds_precision() {
        let t = now_rfc3339();
        assert!(t.ends_with('Z'), "{t}");
        assert_eq!(t.len(), "2024-01-01T00:00:00Z".len(), "{t}");
    }
}
