//! `AWS::Backup::BackupPlan`, `AWS::Backup::BackupSelection` and
//! `AWS::Backup::BackupVault`: the region's backup plans (keyed by the ARN
//! `!GetAtt .BackupPlanArn` gives, id `planned-<LogicalId>`) with their
//! rules and selections, and its vaults (keyed by name) with their vault
//! lock, as `GetBackupPlan`, `GetBackupSelection` and `ListBackupVaults`
//! would show them once deployed.
//!
//! - A selection joins the plan its `BackupPlanId` names when the template
//!   declares that plan (read in template order, either may come first); a
//!   selection of a plan declared elsewhere is not read (DYN203, which
//!   judges selections, is not evaluated on planned evidence).
//! - A plan's rules are `null` (with an error of `GetBackupPlan`) when a
//!   rule's retention or the rules themselves are not determinable: a
//!   `null` retention would read as "never expires". A target vault that is
//!   not determinable is `null` in its rule, with the same error.
//! - A plan's selections are `null` (with an error of
//!   `ListBackupSelections`) when a selection's resources or conditions are
//!   not determinable, as the collector does when one selection cannot be
//!   read: a partial list would make a protected table look unprotected.
//! - A vault with `LockConfiguration` is locked (a lock applies from the
//!   start, in governance mode and during a compliance lock's grace time);
//!   its `lock_date` (grace time end, counted from deployment) is `null`.
//!   A vault whose lock is not determinable is left out, with a region-wide
//!   error of `ListBackupVaults`: DYN207 (with `require_vault_lock`) then
//!   says unknown for rules writing to it. A rule's target vault that the
//!   template does not declare gets the same error about the plan.

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical::{self, planned_id};
use crate::iac::node::Node;
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::{BackupPlan, BackupRule, BackupSelection, BackupTagCondition, BackupVault};

const SERVICE: &str = "backup";
/// Prefix of tag keys in selection conditions.
const TAG_PREFIX: &str = "aws:ResourceTag/";

/// `AWS::Backup::BackupPlan`.
pub fn plan(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let region = context.region.clone();
    let (arn, id) = plan_ids(context, context.logical);
    let p = context.properties.clone();
    let plan = p.get("BackupPlan");
    let name = match plan.get("BackupPlanName") {
        Resolved::Unknown(why) => why.expression.clone(),
        other => other
            .as_string()
            .unwrap_or_else(|| context.logical.to_string()),
    };
    let rules = rules(context, &arn, plan.get("BackupPlanRule"))?;
    let record = context
        .builder
        .region(&region)
        .backup_plans
        .as_mut()
        .map(|plans| {
            plans.entry(arn.clone()).or_insert_with(|| BackupPlan {
                arn: arn.clone(),
                id: id.clone(),
                name: name.clone(),
                rules: None,
                selections: Some(Vec::new()),
            })
        });
    if let Some(record) = record {
        record.name = name;
        record.rules = rules;
    }
    context.plan(&arn, false, &[("rules", &["BackupPlan", "BackupPlanRule"])]);
    Ok(())
}

/// The ARN and id of the template's plan `logical`.
fn plan_ids(context: &Context<'_, '_>, logical: &str) -> (String, String) {
    let id = planned_id(logical);
    let arn = format!(
        "arn:{}:backup:{}:{}:backup-plan:{id}",
        context.builder.partition(),
        context.region,
        context.builder.account()
    );
    (arn, id)
}

/// The rules of a plan; `None` (with its error) when a retention, or the
/// list, is not determinable.
fn rules(
    context: &mut Context<'_, '_>,
    arn: &str,
    value: &Resolved,
) -> Result<Option<Vec<BackupRule>>, IacError> {
    if let Resolved::Unknown(why) = value {
        let why = (**why).clone();
        context.undetermined(SERVICE, "GetBackupPlan", arn, &why);
        return Ok(None);
    }
    let declared_vaults = declared_vaults(context)?;
    let mut rules = Vec::new();
    for rule in value.items() {
        // A rule `!If` leaves undetermined, or a retention that is not
        // determinable: the plan's retention is unknown.
        let days = rule.get("Lifecycle").get("DeleteAfterDays");
        if let Some(why) = days.undetermined() {
            let why = why.clone();
            context.undetermined(SERVICE, "GetBackupPlan", arn, &why);
            return Ok(None);
        }
        let target_vault = match rule.get("TargetBackupVault") {
            Resolved::Unknown(why) => {
                let why = (**why).clone();
                context.undetermined(SERVICE, "GetBackupPlan", arn, &why);
                None
            }
            other => other.as_string(),
        };
        if let Some(vault) = &target_vault
            && !declared_vaults.contains(vault)
        {
            let why = Undetermined {
                expression: vault.clone(),
                reason: "the vault is not declared in this template, so its vault lock is known only in the account".to_string(),
                line: context.line_of(&["BackupPlan", "BackupPlanRule"]),
            };
            context.undetermined(SERVICE, "ListBackupVaults", arn, &why);
        }
        rules.push(BackupRule {
            name: match rule.get("RuleName") {
                Resolved::Unknown(why) => why.expression.clone(),
                other => other.as_string().unwrap_or_default(),
            },
            schedule: rule.get("ScheduleExpression").as_string(),
            target_vault,
            delete_after_days: days.as_i64(),
        });
    }
    Ok(Some(rules))
}

/// The names of the template's vaults.
fn declared_vaults(context: &Context<'_, '_>) -> Result<Vec<String>, IacError> {
    let mut names = Vec::new();
    for (key, resource) in context.resolver.resources.entries() {
        if resource.get("Type").and_then(Node::as_str) == Some("AWS::Backup::BackupVault")
            && let (name, true) = physical::name(context.resolver, &key.name, "BackupVaultName")?
        {
            names.extend(name.as_string());
        }
    }
    Ok(names)
}

/// `AWS::Backup::BackupSelection`.
pub fn selection(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let region = context.region.clone();
    let p = context.properties.clone();
    // The plan the selection belongs to, when the template declares it.
    let plan_id = p.get("BackupPlanId").as_string().unwrap_or_default();
    let plan_logical = context
        .resolver
        .resources
        .entries()
        .iter()
        .find(|(key, resource)| {
            resource.get("Type").and_then(Node::as_str) == Some("AWS::Backup::BackupPlan")
                && planned_id(&key.name) == plan_id
        })
        .map(|(key, _)| key.name.clone());
    let Some(plan_logical) = plan_logical else {
        return Ok(());
    };
    let (arn, id) = plan_ids(context, &plan_logical);
    let read = read_selection(context, &p)?;
    let selection = match read {
        Ok(selection) => Some(selection),
        Err(why) => {
            context.undetermined(SERVICE, "ListBackupSelections", &arn, &why);
            None
        }
    };
    if let Some(plans) = context.builder.region(&region).backup_plans.as_mut() {
        let record = plans.entry(arn.clone()).or_insert_with(|| BackupPlan {
            arn: arn.clone(),
            id,
            name: plan_logical.clone(),
            rules: None,
            selections: Some(Vec::new()),
        });
        match (selection, record.selections.as_mut()) {
            (Some(selection), Some(selections)) => {
                selections.retain(|s| s.id != selection.id);
                selections.push(selection);
                selections.sort_by(|a, b| a.id.cmp(&b.id));
            }
            // Once one selection is unknown, the plan's are.
            _ => record.selections = None,
        }
    }
    context.plan(
        &format!("{arn}/selection/{}", planned_id(context.logical)),
        false,
        &[("selections", &["BackupSelection"])],
    );
    Ok(())
}

/// A selection's record, or why it is not determinable.
fn read_selection(
    context: &Context<'_, '_>,
    p: &Resolved,
) -> Result<Result<BackupSelection, Undetermined>, IacError> {
    let resource: &Node = context.resource;
    let raw = resource
        .get("Properties")
        .and_then(|p| p.get("BackupSelection"));
    let selection = p.get("BackupSelection");
    if let Resolved::Unknown(why) = selection {
        return Ok(Err((**why).clone()));
    }
    // Resources, with a table of the template whose name is not
    // determinable standing for its record.
    let mut resources = Vec::new();
    let raw_resources = raw.and_then(|s| s.get("Resources"));
    match raw_resources {
        Some(list) if list.intrinsic().is_none() => {
            for item in list.items() {
                let value = super::scaling::resolve_table_reference(context, item)?;
                match value {
                    Resolved::Null => {}
                    Resolved::Unknown(why) => return Ok(Err(*why)),
                    other => resources.extend(other.as_string()),
                }
            }
        }
        _ => match strings(selection.get("Resources")) {
            Ok(list) => resources = list,
            Err(why) => return Ok(Err(why)),
        },
    }
    let not_resources = match strings(selection.get("NotResources")) {
        Ok(list) => list,
        Err(why) => return Ok(Err(why)),
    };
    let tags = selection.get("ListOfTags");
    let conditions = selection.get("Conditions");
    if let Some(why) = tags.undetermined().or(conditions.undetermined()) {
        return Ok(Err(why.clone()));
    }
    let list_of_tags = tags
        .items()
        .iter()
        .map(|c| condition(&c.get("ConditionType").as_string().unwrap_or_default(), c))
        .collect();
    let mut all = Vec::new();
    for (condition_type, key) in [
        ("STRINGEQUALS", "StringEquals"),
        ("STRINGNOTEQUALS", "StringNotEquals"),
        ("STRINGLIKE", "StringLike"),
        ("STRINGNOTLIKE", "StringNotLike"),
    ] {
        for parameter in conditions.get(key).items() {
            all.push(condition(condition_type, parameter));
        }
    }
    Ok(Ok(BackupSelection {
        id: planned_id(context.logical),
        name: match selection.get("SelectionName") {
            Resolved::Unknown(why) => why.expression.clone(),
            other => other
                .as_string()
                .unwrap_or_else(|| context.logical.to_string()),
        },
        resources,
        not_resources,
        list_of_tags,
        conditions: all,
    }))
}

/// A tag condition (`{ConditionKey, ConditionValue}`), its key without the
/// `aws:ResourceTag/` prefix.
fn condition(condition_type: &str, parameter: &Resolved) -> BackupTagCondition {
    let key = parameter
        .get("ConditionKey")
        .as_string()
        .unwrap_or_default();
    BackupTagCondition {
        condition_type: condition_type.to_string(),
        key: key.strip_prefix(TAG_PREFIX).unwrap_or(&key).to_string(),
        value: parameter
            .get("ConditionValue")
            .as_string()
            .unwrap_or_default(),
    }
}

/// The strings of a list; why when a part is not determinable.
fn strings(value: &Resolved) -> Result<Vec<String>, Undetermined> {
    if let Some(why) = value.undetermined() {
        return Err(why.clone());
    }
    Ok(value
        .items()
        .iter()
        .filter_map(Resolved::as_string)
        .collect())
}

/// `AWS::Backup::BackupVault`.
pub fn vault(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let region = context.region.clone();
    let (name, determinable) =
        physical::name(context.resolver, context.logical, "BackupVaultName")?;
    let name = match name.as_string() {
        Some(name) if determinable => name,
        _ => context.logical.to_string(),
    };
    let arn = format!(
        "arn:{}:backup:{region}:{}:backup-vault:{name}",
        context.builder.partition(),
        context.builder.account()
    );
    context.plan(&arn, determinable, &[("locked", &["LockConfiguration"])]);
    let p = context.properties.clone();
    let lock = p.get("LockConfiguration");
    let unknown = match lock {
        Resolved::Unknown(why) => Some((**why).clone()),
        _ => lock.get("MinRetentionDays").undetermined().cloned(),
    };
    if let Some(why) = unknown {
        context.builder.undetermined(
            SERVICE,
            &region,
            "ListBackupVaults",
            None,
            &why,
            context.file,
        );
        return Ok(());
    }
    let max = lock.get("MaxRetentionDays");
    let max_retention_days = match max.undetermined() {
        Some(why) => {
            let why = why.clone();
            context.undetermined(SERVICE, "ListBackupVaults", &arn, &why);
            None
        }
        None => max.as_i64(),
    };
    if !lock.get("ChangeableForDays").is_null() {
        let why = Undetermined {
            expression: "LockConfiguration.ChangeableForDays".to_string(),
            reason: "a compliance-mode lock becomes immutable a number of days after deployment"
                .to_string(),
            line: context.line_of(&["LockConfiguration", "ChangeableForDays"]),
        };
        context.undetermined(SERVICE, "ListBackupVaults", &arn, &why);
    }
    let vault = BackupVault {
        name: name.clone(),
        arn,
        locked: !lock.is_null(),
        min_retention_days: lock.get("MinRetentionDays").as_i64(),
        max_retention_days,
        lock_date: None,
    };
    if let Some(Some(vaults)) = context.builder.region(&region).backup_vaults.as_mut() {
        vaults.insert(name, vault);
    }
    Ok(())
}
