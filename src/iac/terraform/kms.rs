//! `aws_kms_key` (with the `aws_kms_alias` resources that name it): a
//! customer managed key record in the key's region, under its planned ARN
//! (`key/planned-<address>` unless the plan knows it), and the key a
//! table or replica names: the AWS managed key, a key of the plan, or a key
//! declared elsewhere, whose type, state and rotation are not determinable.

use crate::iac::IacError;
use crate::iac::estate::aws_managed_key_record;
use crate::iac::resolved::Undetermined;
use crate::iac::terraform::plan::Instance;
use crate::iac::terraform::{Adapter, physical};
use crate::inventory::KmsKey;

/// The alias of the AWS managed key of DynamoDB.
pub const AWS_MANAGED_ALIAS: &str = "alias/aws/dynamodb";

/// What a key may be referenced by.
pub const KEY_REFERENCES: [(&str, &str); 3] = [
    ("aws_kms_key", "arn"),
    ("aws_kms_key", "key_id"),
    ("aws_kms_key", "id"),
];

/// Reads the plan's keys.
pub fn read(adapter: &mut Adapter<'_, '_>) -> Result<(), IacError> {
    let plan = adapter.plan;
    for key in plan.of_type("aws_kms_key") {
        let arn = physical::key_arn(plan, key);
        let region = key.region.clone();
        let key_state = match key.boolean(&["is_enabled"]) {
            Ok(enabled) => Some(
                if enabled.unwrap_or(true) {
                    "Enabled"
                } else {
                    "Disabled"
                }
                .to_string(),
            ),
            Err(why) => {
                adapter.undetermined("kms", &region, "DescribeKey", Some(&arn), &why);
                None
            }
        };
        let rotation_enabled = match key.boolean(&["enable_key_rotation"]) {
            Ok(rotation) => Some(rotation.unwrap_or(false)),
            Err(why) => {
                adapter.undetermined("kms", &region, "GetKeyRotationStatus", Some(&arn), &why);
                None
            }
        };
        let multi_region = key
            .boolean(&["multi_region"])
            .ok()
            .map(|m| m.unwrap_or(false));
        let aliases = aliases_of(adapter, key, &arn);
        adapter.builder.region(&region).kms_keys.insert(
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
        let lines = [
            (
                "rotation_enabled",
                key.property_line(&["enable_key_rotation"], Some(&["enable_key_rotation"])),
            ),
            (
                "key_state",
                key.property_line(&["is_enabled"], Some(&["is_enabled"])),
            ),
        ];
        adapter.planned(&arn, key, key.slot(&["arn"]).is_known(), &lines);
    }
    Ok(())
}

/// The names of the plan's aliases whose target is `key`.
fn aliases_of(adapter: &Adapter<'_, '_>, key: &Instance<'_>, arn: &str) -> Vec<String> {
    let plan = adapter.plan;
    let key_id = physical::value(plan, key, "key_id").unwrap_or_default();
    let mut aliases: Vec<String> = plan
        .of_type("aws_kms_alias")
        .filter_map(|alias| {
            let name = alias.string(&["name"]).ok().flatten()?;
            let target = alias
                .linked(
                    plan,
                    &["target_key_id"],
                    Some(&["target_key_id"]),
                    &KEY_REFERENCES,
                )
                .ok()
                .flatten()?;
            (target == arn || target == key_id || target.ends_with(&format!(":key/{key_id}")))
                .then_some(name)
        })
        .collect();
    aliases.sort();
    aliases.dedup();
    aliases
}

/// The ARN of the key a table or replica in `region` names (`None`: the AWS
/// managed key), making sure the region's keys have a record of it or an
/// error says why not. `source` and `path` say where it is named.
pub fn table_key(
    adapter: &mut Adapter<'_, '_>,
    region: &str,
    given: Option<&str>,
    source: &Instance<'_>,
    path: &[&str],
) -> String {
    let plan = adapter.plan;
    let (partition, account) = (plan.partition.clone(), plan.account.clone());
    let given = given.unwrap_or(AWS_MANAGED_ALIAS);
    let alias = if given.starts_with("alias/") {
        Some(given.to_string())
    } else {
        given
            .split_once(":alias/")
            .map(|(_, a)| format!("alias/{a}"))
    };
    let Some(alias) = alias else {
        let arn = if given.starts_with("arn:") {
            given.to_string()
        } else {
            format!("arn:{partition}:kms:{region}:{account}:key/{given}")
        };
        declared_or_elsewhere(adapter, region, &arn, given, source, path);
        return arn;
    };
    let arn = if given.starts_with("arn:") {
        given.to_string()
    } else {
        format!("arn:{partition}:kms:{region}:{account}:{alias}")
    };
    if alias.starts_with("alias/aws/") {
        adapter
            .builder
            .region(region)
            .kms_keys
            .insert(arn.clone(), aws_managed_key_record(&arn, &alias));
        return arn;
    }
    // An alias of the plan: the key it targets.
    let target = plan
        .of_type("aws_kms_alias")
        .filter(|a| a.string(&["name"]).ok().flatten().as_deref() == Some(alias.as_str()))
        .find_map(|a| {
            let target = a
                .linked(
                    plan,
                    &["target_key_id"],
                    Some(&["target_key_id"]),
                    &KEY_REFERENCES,
                )
                .ok()
                .flatten()?;
            plan.of_type("aws_kms_key").find_map(|key| {
                let key_arn = physical::key_arn(plan, key);
                let key_id = physical::value(plan, key, "key_id").unwrap_or_default();
                (target == key_arn || target == key_id).then_some(key_arn)
            })
        });
    match target {
        Some(key_arn) => {
            declared_or_elsewhere(adapter, region, &key_arn, given, source, path);
            key_arn
        }
        None => {
            declared_or_elsewhere(adapter, region, &arn, given, source, path);
            arn
        }
    }
}

/// A key the table's region lacks: declared in the plan (its record is
/// copied there) or created elsewhere (not determinable).
fn declared_or_elsewhere(
    adapter: &mut Adapter<'_, '_>,
    region: &str,
    arn: &str,
    given: &str,
    source: &Instance<'_>,
    path: &[&str],
) {
    let declared = adapter
        .builder
        .inventory
        .regions
        .values()
        .find_map(|r| r.kms_keys.get(arn).cloned());
    if let Some(record) = declared {
        adapter
            .builder
            .region(region)
            .kms_keys
            .entry(arn.to_string())
            .or_insert(record);
        return;
    }
    let why = Undetermined {
        expression: format!("{} = {}", source.expression(path), crate::strict_json::quoted(given)),
        reason: "the key is not declared in this plan, so its type, state and rotation are known only in the account".to_string(),
        line: source.line,
    };
    for operation in ["DescribeKey", "ListAliases", "GetKeyRotationStatus"] {
        adapter.undetermined("kms", region, operation, Some(arn), &why);
    }
}
