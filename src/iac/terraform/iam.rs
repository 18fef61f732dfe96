//! IAM: `aws_iam_role` (with its `inline_policy` blocks and
//! `managed_policy_arns`), `aws_iam_user`, `aws_iam_group`, `aws_iam_policy`
//! and the resources that give principals policies (`aws_iam_*_policy`,
//! `aws_iam_*_policy_attachment`, `aws_iam_policy_attachment`) or groups
//! (`aws_iam_user_group_membership`, `aws_iam_group_membership`), as
//! `GetAccountAuthorizationDetails` would list them once applied.
//!
//! A document known only after apply (one that interpolates an ARN the
//! plan does not know, such as a table's) is `null`: the rules say unknown
//! for the principals it applies to. A policy the plan attaches but does not
//! declare (an AWS managed policy) has no document in the plan either. A
//! principal or policy the plan cannot name is kept under a planned
//! stand-in (`role/planned-<address>`), so its documents are still judged.

use std::collections::{BTreeMap, BTreeSet};

use crate::iac::IacError;
use crate::iac::resolved::Undetermined;
use crate::iac::terraform::plan::Instance;
use crate::iac::terraform::values::document;
use crate::iac::terraform::{Adapter, physical};
use crate::inventory::{Iam, InlinePolicy, ManagedPolicy, Principal};

/// The kinds of principals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Role,
    User,
    Group,
}

impl Kind {
    fn resource_type(self) -> &'static str {
        match self {
            Kind::Role => "aws_iam_role",
            Kind::User => "aws_iam_user",
            Kind::Group => "aws_iam_group",
        }
    }

    fn arn_word(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::User => "user",
            Kind::Group => "group",
        }
    }

    fn records(self, iam: &mut Iam) -> &mut BTreeMap<String, Principal> {
        match self {
            Kind::Role => &mut iam.roles,
            Kind::User => &mut iam.users,
            Kind::Group => &mut iam.groups,
        }
    }
}

/// What names a managed policy.
const POLICY_REFERENCES: [(&str, &str); 2] = [("aws_iam_policy", "arn"), ("aws_iam_policy", "id")];

/// Reads the plan's IAM resources.
pub fn read(adapter: &mut Adapter<'_, '_>) -> Result<(), IacError> {
    let plan = adapter.plan;
    let mut iam = adapter.builder.inventory.iam.take().unwrap_or_default();
    // Where each attached policy is first attached, for messages.
    let mut origins: BTreeMap<String, u32> = BTreeMap::new();
    for kind in [Kind::Role, Kind::User, Kind::Group] {
        for instance in plan.of_type(kind.resource_type()) {
            principal(adapter, &mut iam, instance, kind, &mut origins);
        }
    }
    for policy in plan.of_type("aws_iam_policy") {
        let arn = physical::policy_arn(plan, policy);
        let document = match policy.string(&["policy"]) {
            Ok(Some(text)) => Some(document(&text)),
            Ok(None) => None,
            Err(why) => {
                not_determinable(adapter, &arn, &why);
                None
            }
        };
        let name = policy
            .string(&["name"])
            .ok()
            .flatten()
            .unwrap_or_else(|| physical::planned_id(policy));
        iam.policies.insert(
            arn.clone(),
            ManagedPolicy {
                arn: arn.clone(),
                name,
                attachment_count: None,
                document,
            },
        );
        adapter.planned(&arn, policy, policy.slot(&["name"]).is_known(), &[]);
    }
    for (resource_type, kind) in [
        ("aws_iam_role_policy", Kind::Role),
        ("aws_iam_user_policy", Kind::User),
        ("aws_iam_group_policy", Kind::Group),
    ] {
        for instance in plan.of_type(resource_type) {
            let owner = owner(adapter, &mut iam, instance, kind.arn_word(), kind);
            let policy = inline(adapter, instance, &owner, &["name"], &["policy"]);
            if let Some(principal) = kind.records(&mut iam).get_mut(&owner) {
                principal.inline_policies.push(policy);
            }
        }
    }
    for (resource_type, kind) in [
        ("aws_iam_role_policy_attachment", Kind::Role),
        ("aws_iam_user_policy_attachment", Kind::User),
        ("aws_iam_group_policy_attachment", Kind::Group),
    ] {
        for instance in plan.of_type(resource_type) {
            let owner = owner(adapter, &mut iam, instance, kind.arn_word(), kind);
            let policy = policy_arn(adapter, instance);
            origins.entry(policy.clone()).or_insert(instance.line);
            if let Some(principal) = kind.records(&mut iam).get_mut(&owner) {
                principal.attached_policy_arns.push(policy);
            }
        }
    }
    for instance in plan.of_type("aws_iam_policy_attachment") {
        let policy = policy_arn(adapter, instance);
        origins.entry(policy.clone()).or_insert(instance.line);
        for (attribute, kind) in [
            ("users", Kind::User),
            ("roles", Kind::Role),
            ("groups", Kind::Group),
        ] {
            for owner in owners(adapter, &mut iam, instance, attribute, kind) {
                if let Some(principal) = kind.records(&mut iam).get_mut(&owner) {
                    principal.attached_policy_arns.push(policy.clone());
                }
            }
        }
    }
    memberships(adapter, &mut iam);
    finish(adapter, &mut iam, &origins);
    adapter.builder.inventory.iam = Some(iam);
    Ok(())
}

/// Records that the document of `resource` (a policy or a principal) is
/// not determinable.
fn not_determinable(adapter: &mut Adapter<'_, '_>, resource: &str, why: &Undetermined) {
    adapter.undetermined(
        "iam",
        "global",
        "GetAccountAuthorizationDetails",
        Some(resource),
        why,
    );
}

/// The ARN of a principal of `kind` named `name` with `path`.
fn principal_arn(adapter: &Adapter<'_, '_>, kind: Kind, path: &str, name: &str) -> String {
    format!(
        "arn:{}:iam::{}:{}{path}{name}",
        adapter.plan.partition,
        adapter.plan.account,
        kind.arn_word()
    )
}

/// An empty principal record.
fn empty(arn: &str, name: &str) -> Principal {
    Principal {
        arn: arn.to_string(),
        name: name.to_string(),
        inline_policies: Vec::new(),
        attached_policy_arns: Vec::new(),
        group_names: Vec::new(),
        tags: BTreeMap::new(),
    }
}

/// A role, user or group of the plan.
fn principal(
    adapter: &mut Adapter<'_, '_>,
    iam: &mut Iam,
    instance: &Instance<'_>,
    kind: Kind,
    origins: &mut BTreeMap<String, u32>,
) {
    let plan = adapter.plan;
    let (name, determinable) = match instance.string(&["name"]) {
        Ok(Some(name)) => (name, true),
        _ => (physical::planned_id(instance), false),
    };
    let path = instance
        .string(&["path"])
        .ok()
        .flatten()
        .unwrap_or_else(|| "/".to_string());
    let arn = match physical::value(plan, instance, "arn") {
        Some(arn) if determinable => arn,
        _ => principal_arn(adapter, kind, &path, &name),
    };
    let mut record = empty(&arn, &name);
    if kind != Kind::Group {
        record.tags = instance.tags().unwrap_or_default();
    }
    if kind == Kind::Role {
        match instance.blocks(&["inline_policy"]) {
            Ok(blocks) => {
                for index in 0..blocks.len() {
                    let i = index.to_string();
                    let name_path = ["inline_policy", i.as_str(), "name"];
                    // An `inline_policy {}` without a name removes the
                    // role's inline policies: it is none.
                    if instance
                        .string(&name_path)
                        .ok()
                        .flatten()
                        .is_none_or(|n| n.is_empty())
                    {
                        continue;
                    }
                    let policy = inline(
                        adapter,
                        instance,
                        &arn,
                        &name_path,
                        &["inline_policy", i.as_str(), "policy"],
                    );
                    record.inline_policies.push(policy);
                }
            }
            Err(why) => {
                not_determinable(adapter, &arn, &why);
                record.inline_policies.push(InlinePolicy {
                    name: "inline_policy".to_string(),
                    document: serde_json::Value::Null,
                });
            }
        }
        match instance.linked_strings(plan, &["managed_policy_arns"], &POLICY_REFERENCES) {
            Ok(arns) => {
                for arn in &arns {
                    origins.entry(arn.clone()).or_insert(instance.line);
                }
                record.attached_policy_arns.extend(arns);
            }
            Err(why) => {
                let stand_in = stand_in_policy(adapter, instance, "managed_policy_arns");
                not_determinable(adapter, &stand_in, &why);
                record.attached_policy_arns.push(stand_in);
            }
        }
    }
    kind.records(iam).insert(arn.clone(), record);
    adapter.planned(&arn, instance, determinable, &[]);
}

/// `arn:...:policy/planned-<address>.<attribute>`: a policy attached by a
/// reference the plan cannot follow.
fn stand_in_policy(adapter: &Adapter<'_, '_>, instance: &Instance<'_>, attribute: &str) -> String {
    format!(
        "arn:{}:iam::{}:policy/{}.{attribute}",
        adapter.plan.partition,
        adapter.plan.account,
        physical::planned_id(instance)
    )
}

/// An inline policy (named at `name_path`, its document at `policy_path`)
/// of the principal `owner`.
fn inline(
    adapter: &mut Adapter<'_, '_>,
    instance: &Instance<'_>,
    owner: &str,
    name_path: &[&str],
    policy_path: &[&str],
) -> InlinePolicy {
    let name = instance
        .string(name_path)
        .ok()
        .flatten()
        .unwrap_or_else(|| physical::planned_id(instance));
    // Blocks of a set may be in another order in the configuration: a
    // document known only after apply is never taken for a default.
    let document = match instance.read_at(policy_path, None) {
        Ok(Some(node)) => match node.as_str() {
            Some(text) => document(text),
            None => {
                not_determinable(
                    adapter,
                    owner,
                    &instance.unexpected(policy_path, "a JSON string"),
                );
                serde_json::Value::Null
            }
        },
        Ok(None) => {
            not_determinable(adapter, owner, &instance.after_apply(policy_path));
            serde_json::Value::Null
        }
        Err(why) => {
            not_determinable(adapter, owner, &why);
            serde_json::Value::Null
        }
    };
    InlinePolicy { name, document }
}

/// The principal of `kind` named by `attribute` of `instance`, added when
/// the plan does not declare it; one the plan cannot name is kept under
/// the stand-in `KIND/planned-<address>`.
fn owner(
    adapter: &mut Adapter<'_, '_>,
    iam: &mut Iam,
    instance: &Instance<'_>,
    attribute: &str,
    kind: Kind,
) -> String {
    let plan = adapter.plan;
    let accept = [(kind.resource_type(), "name"), (kind.resource_type(), "id")];
    match instance.linked(plan, &[attribute], Some(&[attribute]), &accept) {
        Ok(Some(name)) => named(adapter, iam, kind, &name),
        result => {
            let why = match result {
                Err(why) => why,
                _ => instance.after_apply(&[attribute]),
            };
            let name = physical::planned_id(instance);
            let arn = principal_arn(adapter, kind, "/", &name);
            not_determinable(adapter, &arn, &why);
            kind.records(iam)
                .entry(arn.clone())
                .or_insert_with(|| empty(&arn, &name));
            arn
        }
    }
}

/// The principal of `kind` named `name`: the plan's, or one it does not
/// declare (at path `/`).
fn named(adapter: &Adapter<'_, '_>, iam: &mut Iam, kind: Kind, name: &str) -> String {
    if let Some(arn) = kind
        .records(iam)
        .values()
        .find(|p| p.name == name || p.arn == name)
        .map(|p| p.arn.clone())
    {
        return arn;
    }
    let arn = if name.starts_with("arn:") {
        name.to_string()
    } else {
        principal_arn(adapter, kind, "/", name)
    };
    let short = arn.rsplit('/').next().unwrap_or(name).to_string();
    kind.records(iam)
        .entry(arn.clone())
        .or_insert_with(|| empty(&arn, &short));
    arn
}

/// The principals of `kind` a list attribute names.
fn owners(
    adapter: &mut Adapter<'_, '_>,
    iam: &mut Iam,
    instance: &Instance<'_>,
    attribute: &str,
    kind: Kind,
) -> Vec<String> {
    let plan = adapter.plan;
    let accept = [(kind.resource_type(), "name"), (kind.resource_type(), "id")];
    match instance.linked_strings(plan, &[attribute], &accept) {
        Ok(names) => names.iter().map(|n| named(adapter, iam, kind, n)).collect(),
        Err(why) => {
            let name = format!("{}.{attribute}", physical::planned_id(instance));
            let arn = principal_arn(adapter, kind, "/", &name);
            not_determinable(adapter, &arn, &why);
            kind.records(iam)
                .entry(arn.clone())
                .or_insert_with(|| empty(&arn, &name));
            vec![arn]
        }
    }
}

/// The managed policy an attachment names (`policy_arn`).
fn policy_arn(adapter: &mut Adapter<'_, '_>, instance: &Instance<'_>) -> String {
    match instance.linked(
        adapter.plan,
        &["policy_arn"],
        Some(&["policy_arn"]),
        &POLICY_REFERENCES,
    ) {
        Ok(Some(arn)) => arn,
        result => {
            let why = match result {
                Err(why) => why,
                _ => instance.after_apply(&["policy_arn"]),
            };
            let stand_in = stand_in_policy(adapter, instance, "policy_arn");
            not_determinable(adapter, &stand_in, &why);
            stand_in
        }
    }
}

/// The groups of users: `aws_iam_user_group_membership` and
/// `aws_iam_group_membership`.
fn memberships(adapter: &mut Adapter<'_, '_>, iam: &mut Iam) {
    let plan = adapter.plan;
    let group_names = [("aws_iam_group", "name"), ("aws_iam_group", "id")];
    for membership in plan.of_type("aws_iam_user_group_membership") {
        let user = owner(adapter, iam, membership, "user", Kind::User);
        match membership.linked_strings(plan, &["groups"], &group_names) {
            Ok(groups) => {
                if let Some(record) = iam.users.get_mut(&user) {
                    record.group_names.extend(groups);
                }
            }
            Err(why) => not_determinable(adapter, &user, &why),
        }
    }
    for membership in plan.of_type("aws_iam_group_membership") {
        let group = owner(adapter, iam, membership, "group", Kind::Group);
        let group_name = iam
            .groups
            .get(&group)
            .map(|g| g.name.clone())
            .unwrap_or_default();
        for user in owners(adapter, iam, membership, "users", Kind::User) {
            if let Some(record) = iam.users.get_mut(&user) {
                record.group_names.push(group_name.clone());
            }
        }
    }
}

/// Sorted lists, attachment counts, and a record without a document for
/// each policy attached but not declared.
fn finish(adapter: &mut Adapter<'_, '_>, iam: &mut Iam, origins: &BTreeMap<String, u32>) {
    let mut attached: BTreeMap<String, i64> = BTreeMap::new();
    for principal in iam
        .users
        .values_mut()
        .chain(iam.groups.values_mut())
        .chain(iam.roles.values_mut())
    {
        principal.attached_policy_arns.sort();
        principal.attached_policy_arns.dedup();
        principal.group_names.sort();
        principal.group_names.dedup();
        principal
            .inline_policies
            .sort_by(|a, b| a.name.cmp(&b.name));
        for arn in &principal.attached_policy_arns {
            *attached.entry(arn.clone()).or_default() += 1;
        }
    }
    let declared: BTreeSet<String> = iam.policies.keys().cloned().collect();
    for (arn, count) in &attached {
        if declared.contains(arn) {
            if let Some(policy) = iam.policies.get_mut(arn) {
                policy.attachment_count = Some(*count);
            }
            continue;
        }
        let aws_managed = arn.split(':').nth(4) == Some("aws");
        if !arn.contains(":policy/planned-") {
            let why = Undetermined {
                expression: arn.clone(),
                reason: if aws_managed {
                    "an AWS managed policy's document is not in the plan; it is known only in the account".to_string()
                } else {
                    "the policy is not declared in this plan, so its document is known only in the account".to_string()
                },
                line: origins.get(arn).copied().unwrap_or(1),
            };
            not_determinable(adapter, arn, &why);
        }
        iam.policies.insert(
            arn.clone(),
            ManagedPolicy {
                arn: arn.clone(),
                name: arn.rsplit('/').next().unwrap_or(arn).to_string(),
                attachment_count: Some(*count),
                document: None,
            },
        );
    }
    for (arn, policy) in iam.policies.iter_mut() {
        if policy.attachment_count.is_none() && declared.contains(arn) {
            policy.attachment_count = Some(0);
        }
    }
}
