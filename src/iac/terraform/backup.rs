//! AWS Backup: `aws_backup_vault` (locked by an
//! `aws_backup_vault_lock_configuration`), `aws_backup_plan` and the
//! `aws_backup_selection` resources that choose what each plan protects, as
//! `ListBackupVaults`, `GetBackupPlan` and `ListBackupSelections` would
//! show them once applied. A plan's id is a stand-in
//! (`planned-<address>`); a selection that names tables by reference
//! (`resources = [aws_dynamodb_table.orders.arn]`) selects their ARNs.

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::node::Node;
use crate::iac::resolved::Undetermined;
use crate::iac::terraform::plan::Instance;
use crate::iac::terraform::{Adapter, physical};
use crate::inventory::{BackupPlan, BackupRule, BackupSelection, BackupTagCondition, BackupVault};

const VAULT_REFERENCES: [(&str, &str); 2] =
    [("aws_backup_vault", "name"), ("aws_backup_vault", "id")];
const PLAN_REFERENCES: [(&str, &str); 1] = [("aws_backup_plan", "id")];
const RESOURCE_REFERENCES: [(&str, &str); 1] = [("aws_dynamodb_table", "arn")];

/// The tag key of a condition without its `aws:ResourceTag/` prefix.
const TAG_PREFIX: &str = "aws:ResourceTag/";

/// Reads the plan's vaults, plans and selections.
pub fn read(adapter: &mut Adapter<'_, '_>) -> Result<(), IacError> {
    let plan = adapter.plan;
    for vault in plan.of_type("aws_backup_vault") {
        let Ok(Some(name)) = vault.string(&["name"]) else {
            continue;
        };
        let arn = physical::value(plan, vault, "arn").unwrap_or_default();
        let record = BackupVault {
            name: name.clone(),
            arn: arn.clone(),
            locked: false,
            min_retention_days: None,
            max_retention_days: None,
            lock_date: None,
        };
        if let Some(Some(vaults)) = adapter.builder.region(&vault.region).backup_vaults.as_mut() {
            vaults.insert(name, record);
        }
        adapter.planned(&arn, vault, true, &[]);
    }
    for lock in plan.of_type("aws_backup_vault_lock_configuration") {
        let name = lock.linked(
            plan,
            &["backup_vault_name"],
            Some(&["backup_vault_name"]),
            &VAULT_REFERENCES,
        );
        let Ok(Some(name)) = name else { continue };
        let min = lock.integer(&["min_retention_days"]).ok().flatten();
        let max = lock.integer(&["max_retention_days"]).ok().flatten();
        if let Some(Some(vaults)) = adapter.builder.region(&lock.region).backup_vaults.as_mut()
            && let Some(vault) = vaults.get_mut(&name)
        {
            vault.locked = true;
            vault.min_retention_days = min;
            vault.max_retention_days = max;
        }
    }
    // Selections by the ARN of their plan; `None` when one of them is not
    // determinable.
    let mut selections: BTreeMap<String, Result<Vec<BackupSelection>, Undetermined>> =
        BTreeMap::new();
    let mut unplaced: BTreeMap<String, Undetermined> = BTreeMap::new();
    for selection in plan.of_type("aws_backup_selection") {
        let plan_id = selection.linked(plan, &["plan_id"], Some(&["plan_id"]), &PLAN_REFERENCES);
        let Ok(Some(plan_id)) = plan_id else {
            let why = plan_id
                .err()
                .unwrap_or_else(|| selection.after_apply(&["plan_id"]));
            unplaced.entry(selection.region.clone()).or_insert(why);
            continue;
        };
        let plan_arn = plan
            .of_type("aws_backup_plan")
            .find(|p| physical::value(plan, p, "id").as_deref() == Some(plan_id.as_str()))
            .map(|p| physical::backup_plan_arn(plan, p))
            .unwrap_or_else(|| {
                format!(
                    "arn:{}:backup:{}:{}:backup-plan:{plan_id}",
                    plan.partition, selection.region, plan.account
                )
            });
        let entry = selections.entry(plan_arn).or_insert_with(|| Ok(Vec::new()));
        match (read_selection(adapter, selection), entry.as_mut()) {
            (Ok(record), Ok(list)) => list.push(record),
            (Err(why), Ok(_)) => *entry = Err(why),
            (_, Err(_)) => {}
        }
    }
    for backup_plan in plan.of_type("aws_backup_plan") {
        read_plan(adapter, backup_plan, &mut selections, &unplaced);
    }
    Ok(())
}

/// One backup plan with its rules and selections.
fn read_plan(
    adapter: &mut Adapter<'_, '_>,
    backup_plan: &Instance<'_>,
    selections: &mut BTreeMap<String, Result<Vec<BackupSelection>, Undetermined>>,
    unplaced: &BTreeMap<String, Undetermined>,
) {
    let plan = adapter.plan;
    let region = backup_plan.region.clone();
    let arn = physical::backup_plan_arn(plan, backup_plan);
    let id = physical::value(plan, backup_plan, "id")
        .unwrap_or_else(|| physical::planned_id(backup_plan));
    let name = backup_plan
        .string(&["name"])
        .ok()
        .flatten()
        .unwrap_or_else(|| physical::planned_id(backup_plan));
    let rules = match backup_plan.blocks(&["rule"]) {
        Ok(blocks) => Some(
            (0..blocks.len())
                .map(|index| read_rule(adapter, backup_plan, &blocks[index], index, &arn))
                .collect(),
        ),
        Err(why) => {
            adapter.undetermined("backup", &region, "GetBackupPlan", Some(&arn), &why);
            None
        }
    };
    let selections = match (unplaced.get(&region).cloned(), selections.remove(&arn)) {
        (Some(why), _) | (None, Some(Err(why))) => {
            adapter.undetermined("backup", &region, "ListBackupSelections", Some(&arn), &why);
            None
        }
        (None, Some(Ok(list))) => Some(list),
        (None, None) => Some(Vec::new()),
    };
    let record = BackupPlan {
        arn: arn.clone(),
        id,
        name,
        rules,
        selections,
    };
    if let Some(plans) = adapter.builder.region(&region).backup_plans.as_mut() {
        plans.insert(arn.clone(), record);
    }
    adapter.planned(
        &arn,
        backup_plan,
        backup_plan.slot(&["arn"]).is_known(),
        &[],
    );
}

/// A rule of a backup plan (its blocks form a set: their values are read
/// as planned, and one known only after apply is not determinable).
fn read_rule(
    adapter: &mut Adapter<'_, '_>,
    backup_plan: &Instance<'_>,
    block: &Node,
    index: usize,
    arn: &str,
) -> BackupRule {
    let plan = adapter.plan;
    let i = index.to_string();
    let target = ["rule", i.as_str(), "target_vault_name"];
    let target_vault = match backup_plan.slot(&target) {
        crate::iac::terraform::plan::Slot::Known(node) => node.as_str().map(str::to_string),
        _ => {
            // A set's blocks may be ordered differently in the
            // configuration: follow the reference only when there is one
            // rule.
            let config = (backup_plan.blocks(&["rule"]).map_or(0, <[Node]>::len) == 1)
                .then_some(&target[..]);
            match backup_plan.linked(plan, &target, config, &VAULT_REFERENCES) {
                Ok(vault) => vault,
                Err(why) => {
                    adapter.undetermined(
                        "backup",
                        &backup_plan.region,
                        "GetBackupPlan",
                        Some(arn),
                        &why,
                    );
                    None
                }
            }
        }
    };
    let lifecycle = block.get("lifecycle").and_then(|l| l.items().first());
    BackupRule {
        name: block
            .get("rule_name")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string(),
        schedule: block
            .get("schedule")
            .and_then(Node::as_str)
            .map(str::to_string),
        target_vault,
        delete_after_days: lifecycle.and_then(|l| l.get("delete_after")).and_then(|d| {
            match &d.value {
                crate::iac::node::NodeValue::Number(n) => n.parse().ok(),
                _ => None,
            }
        }),
    }
}

/// One selection; not determinable when what it selects is not.
fn read_selection(
    adapter: &Adapter<'_, '_>,
    selection: &Instance<'_>,
) -> Result<BackupSelection, Undetermined> {
    let plan = adapter.plan;
    let id =
        physical::value(plan, selection, "id").unwrap_or_else(|| physical::planned_id(selection));
    let name = selection.string(&["name"])?.unwrap_or_default();
    let resources = selection.linked_strings(plan, &["resources"], &RESOURCE_REFERENCES)?;
    let not_resources = selection.linked_strings(plan, &["not_resources"], &RESOURCE_REFERENCES)?;
    if selection.has_unknown(&["selection_tag"]) {
        return Err(selection.after_apply(&["selection_tag"]));
    }
    if selection.has_unknown(&["condition"]) {
        return Err(selection.after_apply(&["condition"]));
    }
    let tag = |node: &Node, condition_type: &str| -> Option<BackupTagCondition> {
        let key = node.get("key").and_then(Node::as_str)?;
        Some(BackupTagCondition {
            condition_type: condition_type.to_string(),
            key: key.strip_prefix(TAG_PREFIX).unwrap_or(key).to_string(),
            value: node
                .get("value")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string(),
        })
    };
    let list_of_tags = selection
        .blocks(&["selection_tag"])?
        .iter()
        .filter_map(|t| {
            tag(
                t,
                &t.get("type")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_ascii_uppercase(),
            )
        })
        .collect();
    let mut conditions = Vec::new();
    for condition in selection.blocks(&["condition"])? {
        for (block, condition_type) in [
            ("string_equals", "STRINGEQUALS"),
            ("string_not_equals", "STRINGNOTEQUALS"),
            ("string_like", "STRINGLIKE"),
            ("string_not_like", "STRINGNOTLIKE"),
        ] {
            let items = condition.get(block).map_or(&[][..], Node::items);
            conditions.extend(items.iter().filter_map(|c| tag(c, condition_type)));
        }
    }
    Ok(BackupSelection {
        id,
        name,
        resources,
        not_resources,
        list_of_tags,
        conditions,
    })
}
