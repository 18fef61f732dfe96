//! `AWS::IAM::Role`, `AWS::IAM::User`, `AWS::IAM::Group`,
//! `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`: the account's IAM
//! principals and managed policies as `GetAccountAuthorizationDetails`
//! would list them once the stack is deployed (`inventory.iam`).
//!
//! - A principal is keyed by the ARN `!GetAtt X.Arn` gives (its name, or
//!   its logical id when AWS generates the name), with its inline
//!   policies (`Policies`), its managed policies (`ManagedPolicyArns`), a
//!   user's groups and the tags.
//! - An `AWS::IAM::Policy` is an inline policy of every principal it names
//!   (`Roles`, `Users`, `Groups`); an `AWS::IAM::ManagedPolicy` is a record
//!   of `iam.policies` under the ARN `!Ref` gives, attached to the
//!   principals it names. Resources are read in template order, so each
//!   adds to the principal's record whichever comes first.
//! - A principal named but not declared in the template (an existing role)
//!   gets a record of what the template gives it.
//! - A policy document is read only when all of it is determinable: a
//!   document with an undetermined part is `null` (an inline policy's
//!   `document`, a managed policy's `document`) with a `not_determinable`
//!   error of `GetAccountAuthorizationDetails` in region `global` about the
//!   principal (inline) or the policy (managed), as the collector records a
//!   document it cannot read: the IAM rules (DYN301-DYN304) then say
//!   unknown for it, and for the principals whose policy set holds it.
//! - A managed policy attached but not declared in the template (an AWS
//!   managed policy, one of another stack) has a record without a document
//!   and such an error, as the collector records a policy attached but
//!   missing from the answer: its document is known only in the account.
//! - `attachment_count` is `null`: no rule reads it.

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical;
use crate::iac::cloudformation::resolve::Resolver;
use crate::iac::cloudformation::resources::documents::{document, tags};
use crate::iac::node::Node;
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::{Iam, InlinePolicy, ManagedPolicy, PolicyDocument, Principal};

/// IAM errors are recorded in this region, as the collector does.
const REGION: &str = "global";
/// The one call that reads IAM policy documents.
const OPERATION: &str = "GetAccountAuthorizationDetails";

/// The three kinds of IAM principals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Role,
    User,
    Group,
}

/// The names of a kind of principal: its resource type, the property that
/// names it (`RoleName`), the ARN's resource type (`role`), and the
/// property of `AWS::IAM::Policy` and `ManagedPolicy` that lists it
/// (`Roles`).
struct Names {
    resource_type: &'static str,
    name_property: &'static str,
    word: &'static str,
    list_property: &'static str,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Role, Kind::User, Kind::Group];

    fn of(resource_type: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.names().resource_type == resource_type)
    }

    fn names(self) -> &'static Names {
        const ROLE: Names = Names {
            resource_type: "AWS::IAM::Role",
            name_property: "RoleName",
            word: "role",
            list_property: "Roles",
        };
        const USER: Names = Names {
            resource_type: "AWS::IAM::User",
            name_property: "UserName",
            word: "user",
            list_property: "Users",
        };
        const GROUP: Names = Names {
            resource_type: "AWS::IAM::Group",
            name_property: "GroupName",
            word: "group",
            list_property: "Groups",
        };
        match self {
            Kind::Role => &ROLE,
            Kind::User => &USER,
            Kind::Group => &GROUP,
        }
    }

    fn collection(self, iam: &mut Iam) -> &mut BTreeMap<String, Principal> {
        match self {
            Kind::Role => &mut iam.roles,
            Kind::User => &mut iam.users,
            Kind::Group => &mut iam.groups,
        }
    }
}

/// A principal's ARN and name, and whether the template determines them.
#[derive(Debug, Clone)]
struct Identity {
    kind: Kind,
    arn: String,
    name: String,
    determinable: bool,
    /// Declared in the template (not only named by it).
    declared: bool,
}

/// `AWS::IAM::Role`, `AWS::IAM::User` or `AWS::IAM::Group`.
pub fn principal(context: &mut Context<'_, '_>, resource_type: &str) -> Result<(), IacError> {
    let Some(kind) = Kind::of(resource_type) else {
        return Ok(());
    };
    let identity = template_identity(context.resolver, context.logical, kind)?;
    let arn = identity.arn.clone();
    let p = context.properties.clone();
    let inline = inline_policies(context, &arn, p.get("Policies"));
    let attached = managed_arns(context, "ManagedPolicyArns", &arn)?;
    let groups = if kind == Kind::User {
        group_names(context, &arn)?
    } else {
        Vec::new()
    };
    let (tags, unknown_tag) = if kind == Kind::Group {
        (BTreeMap::new(), None)
    } else {
        tags(p.get("Tags"))
    };
    if let Some(why) = unknown_tag {
        context.undetermined_in("iam", REGION, OPERATION, &arn, &why);
    }
    if let Some(iam) = context.builder.inventory.iam.as_mut() {
        let record = record(iam, &identity);
        record.name = identity.name.clone();
        for policy in inline {
            upsert_inline(record, policy);
        }
        record.attached_policy_arns.extend(attached);
        sort_dedup(&mut record.attached_policy_arns);
        record.group_names.extend(groups);
        sort_dedup(&mut record.group_names);
        record.tags = tags;
    }
    context.plan(
        &arn,
        identity.determinable,
        &[
            ("inline_policies", &["Policies"]),
            ("attached_policy_arns", &["ManagedPolicyArns"]),
            ("group_names", &["Groups"]),
            ("tags", &["Tags"]),
        ],
    );
    Ok(())
}

/// `AWS::IAM::Policy`: an inline policy of each principal it names.
pub fn policy(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let p = context.properties.clone();
    let name = name_or_expression(p.get("PolicyName"), context.logical);
    let document = document(p.get("PolicyDocument"));
    for target in targets(context)? {
        let arn = target.arn.clone();
        let document = match &document {
            Ok(document) => document.clone(),
            Err(why) => {
                context.undetermined_in("iam", REGION, OPERATION, &arn, why);
                PolicyDocument::Null
            }
        };
        if let Some(iam) = context.builder.inventory.iam.as_mut() {
            let record = record(iam, &target);
            upsert_inline(
                record,
                InlinePolicy {
                    name: name.clone(),
                    document,
                },
            );
        }
        // Findings about inline policies are about the principal: one the
        // template does not declare is located here.
        if !target.declared {
            context.plan(&arn, true, &[("inline_policies", &["PolicyDocument"])]);
        }
    }
    Ok(())
}

/// `AWS::IAM::ManagedPolicy`: a record of `iam.policies`, attached to the
/// principals it names.
pub fn managed_policy(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let (arn, name, determinable) = managed_policy_arn(context.resolver, context.logical)?;
    let p = context.properties.clone();
    let document = match document(p.get("PolicyDocument")) {
        Ok(document) => Some(document),
        Err(why) => {
            context.undetermined_in("iam", REGION, OPERATION, &arn, &why);
            None
        }
    };
    let targets = targets(context)?;
    if let Some(iam) = context.builder.inventory.iam.as_mut() {
        iam.policies.insert(
            arn.clone(),
            ManagedPolicy {
                arn: arn.clone(),
                name,
                attachment_count: None,
                document,
            },
        );
        for target in &targets {
            let record = record(iam, target);
            record.attached_policy_arns.push(arn.clone());
            sort_dedup(&mut record.attached_policy_arns);
        }
    }
    context.plan(&arn, determinable, &[("document", &["PolicyDocument"])]);
    Ok(())
}

/// The principal `logical` of the template: its ARN as `!GetAtt .Arn`
/// gives it (the logical id stands in for a name AWS generates).
fn template_identity(
    resolver: &Resolver<'_>,
    logical: &str,
    kind: Kind,
) -> Result<Identity, IacError> {
    let names = kind.names();
    let (arn, name, determinable) = arn(resolver, logical, names.name_property, names.word)?;
    Ok(Identity {
        kind,
        arn,
        name,
        determinable,
        declared: true,
    })
}

/// A managed policy of the template: its ARN (what `!Ref` gives), name,
/// and whether the template determines the name.
fn managed_policy_arn(
    resolver: &Resolver<'_>,
    logical: &str,
) -> Result<(String, String, bool), IacError> {
    arn(resolver, logical, "ManagedPolicyName", "policy")
}

/// The ARN `arn:PARTITION:iam::ACCOUNT:WORD/PATH/NAME` of the IAM resource
/// `logical` named by `property` (the logical id standing in for a name
/// AWS generates), the name, and whether the template determines it.
fn arn(
    resolver: &Resolver<'_>,
    logical: &str,
    property: &str,
    word: &str,
) -> Result<(String, String, bool), IacError> {
    let (name, determinable) = physical::name(resolver, logical, property)?;
    let name = match name.as_string() {
        Some(name) if determinable => name,
        _ => logical.to_string(),
    };
    let path = path(resolver, logical);
    let (partition, account) = (&resolver.partition, &resolver.account);
    let arn = format!("arn:{partition}:iam::{account}:{word}{path}{name}");
    Ok((arn, name, determinable))
}

/// An IAM resource's literal `Path` (`/` otherwise), as
/// [`physical::value`] reads it.
fn path(resolver: &Resolver<'_>, logical: &str) -> String {
    resolver
        .resources
        .get(logical)
        .and_then(|r| r.get("Properties"))
        .and_then(|p| p.get("Path"))
        .and_then(Node::as_str)
        .unwrap_or("/")
        .to_string()
}

/// The principal record of `identity`, added (empty) when missing.
fn record<'i>(iam: &'i mut Iam, identity: &Identity) -> &'i mut Principal {
    identity
        .kind
        .collection(iam)
        .entry(identity.arn.clone())
        .or_insert_with(|| Principal {
            arn: identity.arn.clone(),
            name: identity.name.clone(),
            inline_policies: Vec::new(),
            attached_policy_arns: Vec::new(),
            group_names: Vec::new(),
            tags: BTreeMap::new(),
        })
}

/// Adds `policy`, replacing one of the same name; sorted by name, as the
/// collector lists them.
fn upsert_inline(record: &mut Principal, policy: InlinePolicy) {
    record.inline_policies.retain(|p| p.name != policy.name);
    record.inline_policies.push(policy);
    record.inline_policies.sort_by(|a, b| a.name.cmp(&b.name));
}

fn sort_dedup(list: &mut Vec<String>) {
    list.sort();
    list.dedup();
}

/// A name, or the expression that gives it when not determinable (or the
/// logical id when unset).
fn name_or_expression(value: &Resolved, logical: &str) -> String {
    match value {
        Resolved::Unknown(why) => why.expression.clone(),
        other => other.as_string().unwrap_or_else(|| logical.to_string()),
    }
}

/// The inline policies of `Policies` (`[{PolicyName, PolicyDocument}]`).
/// A document that is not determinable is `null` with an error about the
/// principal; a list that is not determinable is one such policy named by
/// its expression (the principal's policies are then unknown).
fn inline_policies(
    context: &mut Context<'_, '_>,
    arn: &str,
    value: &Resolved,
) -> Vec<InlinePolicy> {
    if let Resolved::Unknown(why) = value {
        let why = (**why).clone();
        context.undetermined_in("iam", REGION, OPERATION, arn, &why);
        return vec![InlinePolicy {
            name: why.expression.clone(),
            document: PolicyDocument::Null,
        }];
    }
    let mut policies = Vec::new();
    for item in value.items() {
        // An item `!If` leaves undetermined may be a policy or nothing:
        // unknown either way.
        let (name, document) = match item {
            Resolved::Unknown(why) => (why.expression.clone(), Err((**why).clone())),
            _ => (
                name_or_expression(item.get("PolicyName"), "Policy"),
                document(item.get("PolicyDocument")),
            ),
        };
        let document = document.unwrap_or_else(|why| {
            context.undetermined_in("iam", REGION, OPERATION, arn, &why);
            PolicyDocument::Null
        });
        policies.push(InlinePolicy { name, document });
    }
    policies
}

/// The managed policy ARNs of the property `property` (`ManagedPolicyArns`)
/// of the principal `owner`; each one the template does not declare gets a
/// record without a document (and its error). An ARN that is not
/// determinable is listed as its expression, so the principal's policies
/// are unknown.
fn managed_arns(
    context: &mut Context<'_, '_>,
    property: &str,
    owner: &str,
) -> Result<Vec<String>, IacError> {
    let declared = declared_managed_policies(context.resolver)?;
    let resource: &Node = context.resource;
    let mut arns = Vec::new();
    for (node, value) in listed(context, resource, property)? {
        // A managed policy of the template, even if its name is not
        // determinable.
        let template = match node.and_then(Node::intrinsic) {
            Some(("Ref", target)) => declared
                .iter()
                .find(|(logical, _)| Some(logical.as_str()) == target.as_str())
                .map(|(_, arn)| arn.clone()),
            _ => None,
        };
        let arn = match (template, &value) {
            (Some(arn), _) => arn,
            (None, Resolved::Unknown(why)) => {
                let why = (**why).clone();
                context.undetermined_in("iam", REGION, OPERATION, owner, &why);
                why.expression.clone()
            }
            (None, other) => match other.as_string() {
                Some(arn) => arn,
                None => continue,
            },
        };
        if !declared.iter().any(|(_, a)| *a == arn) {
            undeclared_policy(context, &arn, property);
        }
        arns.push(arn);
    }
    Ok(arns)
}

/// A managed policy attached here but declared elsewhere: a record
/// without a document, as the collector keeps one missing from the answer.
fn undeclared_policy(context: &mut Context<'_, '_>, arn: &str, property: &str) {
    let why = Undetermined {
        expression: arn.to_string(),
        reason: "the managed policy is not declared in this template, so its document is known only in the account".to_string(),
        line: context.line_of(&[property]),
    };
    context.undetermined_in("iam", REGION, OPERATION, arn, &why);
    // Findings about it point at the property that attaches it.
    let planned = crate::inventory::PlannedResource {
        planned_id: arn.to_string(),
        file: context.file.to_string(),
        line: why.line,
        resource_type: "AWS::IAM::ManagedPolicy (declared elsewhere)".to_string(),
        name_determinable: true,
        property_lines: Default::default(),
        assumed: Vec::new(),
    };
    context.builder.planned(arn, planned);
    if let Some(iam) = context.builder.inventory.iam.as_mut() {
        iam.policies
            .entry(arn.to_string())
            .or_insert_with(|| ManagedPolicy {
                arn: arn.to_string(),
                name: arn.rsplit('/').next().unwrap_or(arn).to_string(),
                attachment_count: None,
                document: None,
            });
    }
}

/// The logical ids and ARNs of the template's managed policies.
fn declared_managed_policies(resolver: &Resolver<'_>) -> Result<Vec<(String, String)>, IacError> {
    let mut declared = Vec::new();
    for (key, resource) in resolver.resources.entries() {
        if resource.get("Type").and_then(Node::as_str) == Some("AWS::IAM::ManagedPolicy") {
            let (arn, _, _) = managed_policy_arn(resolver, &key.name)?;
            declared.push((key.name.clone(), arn));
        }
    }
    Ok(declared)
}

/// The group names of a user's `Groups`.
fn group_names(context: &mut Context<'_, '_>, owner: &str) -> Result<Vec<String>, IacError> {
    let resource: &Node = context.resource;
    let mut names = Vec::new();
    for (node, value) in listed(context, resource, "Groups")? {
        match principal_named(context, Kind::Group, node, &value)? {
            Ok(identity) => names.push(identity.name),
            Err(why) => context.undetermined_in("iam", REGION, OPERATION, owner, &why),
        }
    }
    Ok(names)
}

/// The items of a list property with their nodes when the property is
/// written as a list (`!Ref AWS::NoValue` items left out); the resolved
/// items alone otherwise.
fn listed<'n>(
    context: &Context<'_, '_>,
    resource: &'n Node,
    property: &str,
) -> Result<Vec<(Option<&'n Node>, Resolved)>, IacError> {
    let node = resource.get("Properties").and_then(|p| p.get(property));
    match node {
        Some(list) if list.intrinsic().is_none() && !list.items().is_empty() => {
            let mut out = Vec::new();
            for item in list.items() {
                let value = context.resolver.resolve(item)?;
                if !value.is_null() {
                    out.push((Some(item), value));
                }
            }
            Ok(out)
        }
        _ => {
            let value = context.properties.get(property);
            Ok(match value {
                Resolved::Unknown(_) => vec![(None, value.clone())],
                other => other.items().iter().map(|v| (None, v.clone())).collect(),
            })
        }
    }
}

/// The principals an `AWS::IAM::Policy` or `ManagedPolicy` names. One
/// that is not determinable (`!ImportValue shared-role`) is a stand-in
/// principal named by the expression, with an error about this policy: the
/// policy is attached to some principal once deployed, so its document is
/// still judged, never dropped.
fn targets(context: &mut Context<'_, '_>) -> Result<Vec<Identity>, IacError> {
    let resource: &Node = context.resource;
    let mut identities = Vec::new();
    for kind in Kind::ALL {
        for (node, value) in listed(context, resource, kind.names().list_property)? {
            match principal_named(context, kind, node, &value)? {
                Ok(identity) => identities.push(identity),
                Err(why) => {
                    let id = context.planned_id();
                    context.undetermined_in("iam", REGION, OPERATION, &id, &why);
                    identities.push(Identity {
                        kind,
                        arn: format!(
                            "arn:{}:iam::{}:{}/{}",
                            context.resolver.partition,
                            context.resolver.account,
                            kind.names().word,
                            why.expression
                        ),
                        name: why.expression.clone(),
                        determinable: false,
                        declared: false,
                    });
                }
            }
        }
    }
    Ok(identities)
}

/// The principal of `kind` a list item names: a principal of the template
/// (by `!Ref`, or by name), else one that exists elsewhere (its ARN from
/// the name, path `/`).
fn principal_named(
    context: &Context<'_, '_>,
    kind: Kind,
    node: Option<&Node>,
    value: &Resolved,
) -> Result<Result<Identity, Undetermined>, IacError> {
    let resolver = context.resolver;
    let of_kind = |logical: &str| {
        resolver
            .resources
            .get(logical)
            .and_then(|r| r.get("Type"))
            .and_then(Node::as_str)
            == Some(kind.names().resource_type)
    };
    if let Some(("Ref", target)) = node.and_then(Node::intrinsic)
        && let Some(logical) = target.as_str().filter(|l| of_kind(l))
    {
        return Ok(Ok(template_identity(resolver, logical, kind)?));
    }
    let name = match value {
        Resolved::Unknown(why) => return Ok(Err((**why).clone())),
        other => match other.as_string() {
            Some(name) => name,
            None => {
                let names = format!("a list of {} names", kind.names().word);
                return Ok(Err(
                    context.unexpected(&[kind.names().list_property], &names)
                ));
            }
        },
    };
    for (key, _) in resolver.resources.entries() {
        if of_kind(&key.name) {
            let identity = template_identity(resolver, &key.name, kind)?;
            if identity.determinable && identity.name == name {
                return Ok(Ok(identity));
            }
        }
    }
    Ok(Ok(Identity {
        kind,
        arn: format!(
            "arn:{}:iam::{}:{}/{name}",
            resolver.partition,
            resolver.account,
            kind.names().word
        ),
        name,
        determinable: true,
        declared: false,
    }))
}
