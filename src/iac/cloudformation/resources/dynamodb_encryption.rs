//! The encryption of a planned table: `SSESpecification` and the KMS key
//! `KMSMasterKeyId` names (a key of the template, its alias, the AWS
//! managed key, or a key created elsewhere, which is not determinable).

use std::collections::BTreeMap;

use crate::iac::cloudformation::context::Context;
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::{Encryption, PlannedResource, SseType};

/// The alias of the AWS managed key of DynamoDB.
const AWS_MANAGED_ALIAS: &str = "alias/aws/dynamodb";

/// Server-side encryption from `SSEEnabled` and `KMSMasterKeyId`; the key
/// is added to the region's keys when the template does not declare it
/// (the AWS managed key) or recorded as not determinable.
pub fn encryption(
    context: &mut Context<'_, '_>,
    region: &str,
    table_arn: &str,
    enabled: &Resolved,
    key: &Resolved,
    path: &[&str],
) -> Option<Encryption> {
    if let Some(why) = enabled.undetermined() {
        let why = why.clone();
        context.undetermined_in("dynamodb", region, "DescribeTable", table_arn, &why);
        return None;
    }
    match enabled.as_bool() {
        Some(true) => {}
        Some(false) | None if enabled.is_null() || enabled.as_bool() == Some(false) => {
            return Some(Encryption {
                sse_type: SseType::AwsOwned,
                status: None,
                kms_key_arn: None,
                inaccessible_since: None,
            });
        }
        _ => {
            let why = context.unexpected(path, "true or false");
            context.undetermined_in("dynamodb", region, "DescribeTable", table_arn, &why);
            return None;
        }
    }
    // Only an enabled KMS encryption uses the key.
    if let Some(why) = key.undetermined() {
        let why = why.clone();
        context.undetermined_in("dynamodb", region, "DescribeTable", table_arn, &why);
        return None;
    }
    let key_arn = key_arn(context, region, key, path);
    Some(Encryption {
        sse_type: SseType::Kms,
        status: Some("ENABLED".to_string()),
        kms_key_arn: Some(key_arn),
        inaccessible_since: None,
    })
}

/// The ARN of the key `KMSMasterKeyId` names (an id, ARN, alias or alias
/// ARN; none: the AWS managed key), making sure the region's keys have a
/// record of it or an error says why not.
fn key_arn(context: &mut Context<'_, '_>, region: &str, key: &Resolved, path: &[&str]) -> String {
    let partition = context.builder.partition().to_string();
    let account = context.builder.account().to_string();
    let given = key.as_string().unwrap_or_default();
    let alias = if given.is_empty() {
        Some(AWS_MANAGED_ALIAS.to_string())
    } else if given.starts_with("alias/") {
        Some(given.clone())
    } else {
        given
            .split_once(":alias/")
            .map(|(_, a)| format!("alias/{a}"))
    };
    if let Some(alias) = alias {
        if alias.starts_with("alias/aws/") {
            return context.builder.aws_managed_key(region, &alias);
        }
        // An alias of the template: the key it targets.
        if let Some(target) = alias_target(context, &alias) {
            return key_arn(context, region, &target, path);
        }
        let arn = format!("arn:{partition}:kms:{region}:{account}:{alias}");
        key_elsewhere(context, region, &arn, &given, path);
        return arn;
    }
    let arn = if given.starts_with("arn:") {
        given.clone()
    } else {
        format!("arn:{partition}:kms:{region}:{account}:key/{given}")
    };
    key_elsewhere(context, region, &arn, &given, path);
    arn
}

/// A key the region's records lack: declared in the template (added by
/// [`super::kms`]) or created elsewhere (not determinable).
fn key_elsewhere(
    context: &mut Context<'_, '_>,
    region: &str,
    arn: &str,
    given: &str,
    path: &[&str],
) {
    let declared = context
        .builder
        .inventory
        .regions
        .values()
        .any(|r| r.kms_keys.contains_key(arn));
    if declared {
        if !context.builder.region(region).kms_keys.contains_key(arn) {
            let copy = context
                .builder
                .inventory
                .regions
                .values()
                .find_map(|r| r.kms_keys.get(arn).cloned());
            if let Some(copy) = copy {
                context
                    .builder
                    .region(region)
                    .kms_keys
                    .insert(arn.to_string(), copy);
            }
        }
        return;
    }
    let mut key_path = path.to_vec();
    key_path.push("KMSMasterKeyId");
    let line = context.line_of(&key_path);
    let why = Undetermined {
        expression: given.to_string(),
        reason: "the key is not declared in this template, so its type, state and rotation are known only in the account".to_string(),
        line,
    };
    for operation in ["DescribeKey", "ListAliases", "GetKeyRotationStatus"] {
        context.undetermined_in("kms", region, operation, arn, &why);
    }
    // Findings about the key point at the property that names it.
    let planned = PlannedResource {
        planned_id: arn.to_string(),
        file: context.file.to_string(),
        line,
        resource_type: "AWS::KMS::Key (declared elsewhere)".to_string(),
        name_determinable: true,
        property_lines: BTreeMap::new(),
        assumed: context.assumed_now(),
    };
    context.builder.planned(arn, planned);
}

/// The `TargetKeyId` of the template's `AWS::KMS::Alias` named `alias`.
fn alias_target(context: &Context<'_, '_>, alias: &str) -> Option<Resolved> {
    for (_, resource) in context.resolver.resources.entries() {
        if resource.get("Type").and_then(|t| t.as_str()) != Some("AWS::KMS::Alias") {
            continue;
        }
        let properties = resource.get("Properties")?;
        let name = properties
            .get("AliasName")
            .and_then(|n| context.resolver.resolve(n).ok())?;
        if name.as_string().as_deref() == Some(alias) {
            return properties
                .get("TargetKeyId")
                .and_then(|t| context.resolver.resolve(t).ok());
        }
    }
    None
}

/// A replica's key ARN as the other replicas list it.
pub fn replica_key(
    context: &Context<'_, '_>,
    region: &str,
    key: &Resolved,
    kms: bool,
) -> Option<String> {
    let partition = context.builder.partition();
    let account = context.builder.account();
    match key.as_string() {
        Some(k) if k.starts_with("arn:") => Some(k),
        Some(k) if k.starts_with("alias/") => {
            Some(format!("arn:{partition}:kms:{region}:{account}:{k}"))
        }
        Some(k) => Some(format!("arn:{partition}:kms:{region}:{account}:key/{k}")),
        None if kms && key.is_null() => Some(format!(
            "arn:{partition}:kms:{region}:{account}:{AWS_MANAGED_ALIAS}"
        )),
        None => None,
    }
}
