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

use crate::collect::context::RegionContext;
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

#[cfg(test)]
mod mock_tests {
    use super::*;
    use crate::collect::testing::{
        assert_html_500_error, assert_no_errors, context, json_error, only_error, test_client,
    };
    use crate::inventory::ErrorKind;
    use aws_sdk_kms::operation::describe_key::DescribeKeyOutput;
    use aws_sdk_kms::operation::get_key_rotation_status::GetKeyRotationStatusOutput;
    use aws_sdk_kms::operation::list_aliases::ListAliasesOutput;
    use aws_sdk_kms::types::{AliasListEntry, KeyManagerType, KeyMetadata, KeyState};
    use aws_smithy_mocks::{RuleMode, mock};

    const REGION: &str = "us-east-1";

    fn key_arn(id: &str) -> String {
        format!("arn:aws:kms:us-east-1:123456789012:key/{id}")
    }

    fn describe(manager: KeyManagerType) -> aws_smithy_mocks::Rule {
        mock!(Client::describe_key).then_compute_output(move |req| {
            let arn = req.key_id().unwrap_or_default().to_string();
            let id = arn.rsplit('/').next().unwrap_or_default().to_string();
            DescribeKeyOutput::builder()
                .key_metadata(
                    KeyMetadata::builder()
                        .key_id(id)
                        .arn(arn)
                        .key_manager(manager.clone())
                        .key_state(KeyState::Enabled)
                        .multi_region(false)
                        .build()
                        .unwrap(),
                )
                .build()
        })
    }

    fn rotation(enabled: bool) -> aws_smithy_mocks::Rule {
        mock!(Client::get_key_rotation_status).then_output(move || {
            GetKeyRotationStatusOutput::builder()
                .key_rotation_enabled(enabled)
                .build()
        })
    }

    fn aliases_paged() -> aws_smithy_mocks::Rule {
        mock!(Client::list_aliases).then_compute_output(|req| match req.marker() {
            None => ListAliasesOutput::builder()
                .aliases(
                    AliasListEntry::builder()
                        .alias_name("alias/b")
                        .target_key_id("k1")
                        .build(),
                )
                .aliases(AliasListEntry::builder().alias_name("alias/aws/s3").build())
                .truncated(true)
                .next_marker("m2")
                .build(),
            Some(_) => ListAliasesOutput::builder()
                .aliases(
                    AliasListEntry::builder()
                        .alias_name("alias/a")
                        .target_key_id("k1")
                        .build(),
                )
                .truncated(false)
                .build(),
        })
    }

    async fn run(client: &Client, ctx: &RegionContext, ids: &[&str]) -> BTreeMap<String, KmsKey> {
        let keys: BTreeSet<String> = ids.iter().map(|id| key_arn(id)).collect();
        collect_with(client, ctx, REGION, &keys).await
    }

    #[tokio::test]
    async fn customer_key_with_rotation_and_paginated_aliases() {
        let rot = rotation(true);
        let aliases = aliases_paged();
        let client = test_client!(
            aws_sdk_kms,
            RuleMode::MatchAny,
            [&describe(KeyManagerType::Customer), &rot, &aliases]
        );
        let ctx = context(REGION);
        let keys = run(&client, &ctx, &["k1", "k2"]).await;
        assert_no_errors(&ctx);
        let k1 = &keys[&key_arn("k1")];
        assert_eq!(k1.key_manager.as_deref(), Some("CUSTOMER"));
        assert_eq!(k1.rotation_enabled, Some(true));
        assert_eq!(
            k1.aliases.as_deref(),
            Some(&["alias/a".to_string(), "alias/b".to_string()][..])
        );
        assert_eq!(keys[&key_arn("k2")].aliases.as_deref(), Some(&[][..]));
        assert_eq!(
            aliases.num_calls(),
            2,
            "ListAliases once per region, two pages"
        );
        assert_eq!(rot.num_calls(), 2);
    }

    #[tokio::test]
    async fn aws_managed_keys_are_not_asked_for_rotation() {
        let rot = rotation(true);
        let client = test_client!(
            aws_sdk_kms,
            RuleMode::MatchAny,
            [&describe(KeyManagerType::Aws), &rot, &aliases_paged()]
        );
        let ctx = context(REGION);
        let keys = run(&client, &ctx, &["k1"]).await;
        assert_no_errors(&ctx);
        assert_eq!(keys[&key_arn("k1")].rotation_enabled, None);
        assert_eq!(rot.num_calls(), 0);
    }

    #[tokio::test]
    async fn describe_key_denied_leaves_the_key_unknown() {
        let denied = mock!(Client::describe_key)
            .then_http_response(|| json_error(400, "AccessDeniedException", "no kms:DescribeKey"));
        let client = test_client!(aws_sdk_kms, RuleMode::MatchAny, [&denied, &aliases_paged()]);
        let ctx = context(REGION);
        let keys = run(&client, &ctx, &["k1"]).await;
        let key = &keys[&key_arn("k1")];
        assert_eq!(key.key_manager, None);
        assert_eq!(key.key_state, None);
        assert_eq!(key.rotation_enabled, None);
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(error.resource.as_deref(), Some(key_arn("k1").as_str()));
    }

    #[tokio::test]
    async fn throttled_rotation_and_html_500_aliases() {
        let throttled = mock!(Client::get_key_rotation_status)
            .then_http_response(|| json_error(400, "ThrottlingException", "Rate exceeded"));
        let broken =
            mock!(Client::list_aliases).then_http_response(crate::collect::testing::html_500);
        let client = test_client!(
            aws_sdk_kms,
            RuleMode::MatchAny,
            [&describe(KeyManagerType::Customer), &throttled, &broken]
        );
        let ctx = context(REGION);
        let keys = run(&client, &ctx, &["k1"]).await;
        let key = &keys[&key_arn("k1")];
        assert_eq!(key.key_manager.as_deref(), Some("CUSTOMER"));
        assert_eq!(key.rotation_enabled, None);
        assert_eq!(key.aliases, None);
        let errors = ctx.errors.snapshot();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        let rotation = errors
            .iter()
            .find(|e| e.operation == "GetKeyRotationStatus")
            .unwrap();
        assert_eq!(rotation.kind, ErrorKind::Throttled);
        assert_eq!(throttled.num_calls(), 3);
        let aliases = errors
            .iter()
            .find(|e| e.operation == "ListAliases")
            .unwrap();
        assert_html_500_error(aliases);
    }

    #[tokio::test]
    async fn no_keys_no_calls() {
        let aliases = aliases_paged();
        let client = test_client!(aws_sdk_kms, RuleMode::MatchAny, [&aliases]);
        let ctx = context(REGION);
        assert!(run(&client, &ctx, &[]).await.is_empty());
        assert_eq!(aliases.num_calls(), 0);
    }
}
