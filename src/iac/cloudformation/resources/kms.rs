//! `AWS::KMS::Key` (and the `AWS::KMS::Alias` resources that name it): a
//! customer managed key record in the stack's region, under its planned
//! ARN (`key/planned-<LogicalId>`, what `!Ref` and `!GetAtt .Arn` give).

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical::planned_id;
use crate::iac::resolved::Resolved;
use crate::inventory::KmsKey;

/// `AWS::KMS::Key`.
pub fn key(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let region = context.region.clone();
    let arn = format!(
        "arn:{}:kms:{region}:{}:key/{}",
        context.builder.partition(),
        context.builder.account(),
        planned_id(context.logical)
    );
    let p = context.properties.clone();
    let enabled = p.get("Enabled");
    let key_state = match enabled {
        Resolved::Null => Some("Enabled".to_string()),
        other => match other.as_bool() {
            Some(true) => Some("Enabled".to_string()),
            Some(false) => Some("Disabled".to_string()),
            None => {
                let why = match other.undetermined() {
                    Some(why) => why.clone(),
                    None => context.unexpected(&["Enabled"], "true or false"),
                };
                context.undetermined("kms", "DescribeKey", &arn, &why);
                None
            }
        },
    };
    let rotation = p.get("EnableKeyRotation");
    let rotation_enabled = match rotation {
        Resolved::Null => Some(false),
        other => match other.as_bool() {
            Some(b) => Some(b),
            None => {
                let why = match other.undetermined() {
                    Some(why) => why.clone(),
                    None => context.unexpected(&["EnableKeyRotation"], "true or false"),
                };
                context.undetermined("kms", "GetKeyRotationStatus", &arn, &why);
                None
            }
        },
    };
    let multi_region = p.get("MultiRegion").as_bool().or(Some(false));
    let aliases = aliases_of(context);
    context.builder.region(&region).kms_keys.insert(
        arn.clone(),
        KmsKey {
            arn: arn.clone(),
            key_manager: Some("CUSTOMER".to_string()),
            key_state,
            rotation_enabled,
            aliases: Some(aliases),
            multi_region,
        },
    );
    context.plan(
        &arn,
        false,
        &[
            ("rotation_enabled", &["EnableKeyRotation"]),
            ("key_state", &["Enabled"]),
        ],
    );
    Ok(())
}

/// The names of the template's aliases whose `TargetKeyId` is this key.
fn aliases_of(context: &Context<'_, '_>) -> Vec<String> {
    let mut aliases = Vec::new();
    let key_id = planned_id(context.logical);
    for (_, resource) in context.resolver.resources.entries() {
        if resource.get("Type").and_then(|t| t.as_str()) != Some("AWS::KMS::Alias") {
            continue;
        }
        let Some(properties) = resource.get("Properties") else {
            continue;
        };
        let target = properties
            .get("TargetKeyId")
            .and_then(|t| context.resolver.resolve(t).ok())
            .and_then(|t| t.as_string());
        let name = properties
            .get("AliasName")
            .and_then(|n| context.resolver.resolve(n).ok())
            .and_then(|n| n.as_string());
        if let (Some(target), Some(name)) = (target, name)
            && (target == key_id || target.ends_with(&format!("key/{key_id}")))
        {
            aliases.push(name);
        }
    }
    aliases.sort();
    aliases
}
