//! KMS: the keys that encrypt tables and replicas, each described once.
//!
//! For every distinct key ARN a region's tables and replicas reference:
//! `DescribeKey`, then `GetKeyRotationStatus` for customer managed keys
//! (AWS managed keys rotate yearly, by AWS; the field stays `null`).
//! `ListAliases` runs once per key region (paginated) and is mapped to the
//! keys by key id. A replica's key lives in the replica's region, so keys
//! are described in the region their ARN names.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_kms::Client;
use aws_sdk_kms::config::Region;
use futures_util::StreamExt;

use crate::collect::RegionContext;
use crate::inventory::KmsKey;

const SERVICE: &str = "kms";

/// Keys described at once per region.
const KEY_CONCURRENCY: usize = 16;

/// The region part of a KMS key ARN, if it is one.
pub fn key_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn")).then_some(())?;
    let _partition = parts.next()?;
    (parts.next() == Some("kms")).then_some(())?;
    parts.next().filter(|r| !r.is_empty())
}

/// The key id (UUID or `mrk-...`) of a key ARN or id.
fn key_id(arn: &str) -> &str {
    arn.rsplit_once(":key/").map(|(_, id)| id).unwrap_or(arn)
}

/// Describes every key in `key_arns`; the result is keyed by the ARN as
/// referenced.
pub async fn collect(ctx: &RegionContext, key_arns: &BTreeSet<String>) -> BTreeMap<String, KmsKey> {
    let mut by_region: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for arn in key_arns {
        let region = key_region(arn).unwrap_or(&ctx.region).to_string();
        by_region.entry(region).or_default().insert(arn.clone());
    }
    let futures = by_region.into_iter().map(|(region, keys)| async move {
        let client =
            crate::sdk_client!(aws_sdk_kms, ctx, |b| b.region(Region::new(region.clone())));
        collect_with(&client, ctx, &region, &keys).await
    });
    let mut keys = BTreeMap::new();
    for part in futures_util::future::join_all(futures).await {
        keys.extend(part);
    }
    keys
}

/// Describes `key_arns`, all in `region`, with a given client.
pub async fn collect_with(
    client: &Client,
    ctx: &RegionContext,
    region: &str,
    key_arns: &BTreeSet<String>,
) -> BTreeMap<String, KmsKey> {
    if key_arns.is_empty() {
        return BTreeMap::new();
    }
    let described = futures_util::stream::iter(key_arns.iter().cloned())
        .map(|arn| describe(client, ctx, region, arn))
        .buffer_unordered(KEY_CONCURRENCY)
        .collect::<Vec<_>>();
    let (described, aliases) = tokio::join!(described, list_aliases(client, ctx, region));
    let mut keys = BTreeMap::new();
    for (mut key, id) in described {
        key.aliases = aliases.as_ref().map(|by_id| {
            let mut names = by_id.get(&id).cloned().unwrap_or_default();
            names.sort();
            names
        });
        keys.insert(key.arn.clone(), key);
    }
    keys
}

/// One key and its key id (for the alias mapping).
async fn describe(
    client: &Client,
    ctx: &RegionContext,
    region: &str,
    arn: String,
) -> (KmsKey, String) {
    let mut key = KmsKey {
        arn: arn.clone(),
        ..KmsKey::default()
    };
    let mut id = key_id(&arn).to_string();
    ctx.limits.acquire(SERVICE, "DescribeKey", region).await;
    let metadata = match client.describe_key().key_id(&arn).send().await {
        Ok(out) => out.key_metadata,
        Err(err) => {
            ctx.errors
                .record(SERVICE, region, "DescribeKey", Some(&arn), &err);
            return (key, id);
        }
    };
    let Some(metadata) = metadata else {
        return (key, id);
    };
    id = metadata.key_id().to_string();
    key.key_manager = metadata.key_manager().map(|m| m.as_str().to_string());
    key.key_state = metadata.key_state().map(|s| s.as_str().to_string());
    key.multi_region = metadata.multi_region();
    if key.key_manager.as_deref() == Some("CUSTOMER") {
        ctx.limits
            .acquire(SERVICE, "GetKeyRotationStatus", region)
            .await;
        match client.get_key_rotation_status().key_id(&arn).send().await {
            Ok(out) => key.rotation_enabled = Some(out.key_rotation_enabled()),
            Err(err) => {
                ctx.errors
                    .record(SERVICE, region, "GetKeyRotationStatus", Some(&arn), &err);
            }
        }
    }
    (key, id)
}

/// Alias names by target key id; `None` if any page failed.
async fn list_aliases(
    client: &Client,
    ctx: &RegionContext,
    region: &str,
) -> Option<BTreeMap<String, Vec<String>>> {
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut marker: Option<String> = None;
    loop {
        ctx.limits.acquire(SERVICE, "ListAliases", region).await;
        let result = client
            .list_aliases()
            .set_marker(marker.clone())
            .send()
            .await;
        match result {
            Ok(page) => {
                for alias in page.aliases() {
                    if let (Some(name), Some(target)) = (alias.alias_name(), alias.target_key_id())
                    {
                        by_key
                            .entry(target.to_string())
                            .or_default()
                            .push(name.to_string());
                    }
                }
                match page.next_marker() {
                    Some(next) if page.truncated() && marker.as_deref() != Some(next) => {
                        marker = Some(next.to_string())
                    }
                    _ => break,
                }
            }
            Err(err) => {
                ctx.errors
                    .record(SERVICE, region, "ListAliases", None, &err);
                return None;
            }
        }
    }
    Some(by_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_arns() {
        let arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert_eq!(key_region(arn), Some("eu-west-1"));
        assert_eq!(key_id(arn), "1234abcd-12ab-34cd-56ef-1234567890ab");
        assert_eq!(key_region("1234abcd"), None);
        assert_eq!(key_region("arn:aws:s3:::bucket"), None);
        assert_eq!(key_id("mrk-1"), "mrk-1");
    }
}
