//! Unit tests of the Terraform adapter, on small plans built here (the
//! reference-architecture plan is `tests/iac_terraform.rs`'s): the
//! helpers that build them, and the plan-wide cases; tables and keys are
//! in [`tables`], the other services in [`services`].

mod services;
mod tables;

use serde_json::{Value, json};

use super::{account_hint, adapt, check_format};
use crate::iac::estate::{AccountSource, EstateBuilder};
use crate::iac::input::IacOptions;
use crate::iac::node::Node;
use crate::iac::yaml;
use crate::inventory::{ErrorKind, Inventory, SseType, TrailField, VpcEndpointField};

pub const ACCOUNT: &str = "111122223333";
pub const FILE: &str = "plan.json";

/// One resource of a test plan.
pub struct Res {
    pub address: String,
    pub values: Value,
    pub unknown: Value,
    pub expressions: Value,
    pub provider: &'static str,
    pub actions: &'static [&'static str],
}

/// A resource created in the default provider's region.
pub fn res(address: &str, values: Value, unknown: Value, expressions: Value) -> Res {
    Res {
        address: address.to_string(),
        values,
        unknown,
        expressions,
        provider: "aws",
        actions: &["create"],
    }
}

/// The expression of a reference, as the configuration lists it (the
/// attribute, then the resource).
pub fn reference(to: &str) -> Value {
    let base = to.rsplit_once('.').map_or(to, |(base, _)| base);
    json!({"references": [to, base]})
}

/// The expression of a literal.
pub fn constant(value: Value) -> Value {
    json!({"constant_value": value})
}

/// The parts of an address: module path, type, name.
pub fn parts(address: &str) -> (String, String, String) {
    let (module, rest) = match address.rfind(".aws_") {
        Some(i) if address.starts_with("module.") => (address[..i].to_string(), &address[i + 1..]),
        _ => (String::new(), address),
    };
    let mut split = rest.splitn(2, '.');
    let resource_type = split.next().unwrap().to_string();
    let name = split.next().unwrap().split('[').next().unwrap().to_string();
    (module, resource_type, name)
}

/// A plan of `resources` (root module, or one child module) with the
/// providers `aws` (us-east-1) and `aws.eu` (eu-west-1).
pub fn plan_with(resources: &[Res], extra_config: Value) -> Value {
    let mut root = Vec::new();
    let mut children: serde_json::Map<String, Value> = serde_json::Map::new();
    let mut changes = Vec::new();
    let mut config = Vec::new();
    for res in resources {
        let (module, resource_type, name) = parts(&res.address);
        let planned = json!({
            "address": res.address, "mode": "managed", "type": resource_type, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
            "values": res.values, "sensitive_values": {},
        });
        if module.is_empty() {
            root.push(planned);
        } else {
            children
                .entry(module.clone())
                .or_insert_with(|| json!({"address": module, "resources": []}))["resources"]
                .as_array_mut()
                .unwrap()
                .push(planned);
        }
        changes.push(json!({
            "address": res.address, "mode": "managed", "type": resource_type, "name": name,
            "change": {"actions": res.actions, "before": null, "after": res.values, "after_unknown": res.unknown},
        }));
        if module.is_empty() {
            config.push(json!({
                "address": format!("{resource_type}.{name}"), "mode": "managed", "type": resource_type,
                "name": name, "provider_config_key": res.provider, "expressions": res.expressions,
            }));
        }
    }
    let mut root_module = json!({"resources": config});
    if let Value::Object(extra) = extra_config {
        for (k, v) in extra {
            root_module[k] = v;
        }
    }
    json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": {"home": {"value": "ap-southeast-2"}},
        "planned_values": {"root_module": {"resources": root, "child_modules": children.into_values().collect::<Vec<_>>()}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                        "expressions": {"region": constant(json!("us-east-1"))}},
                "aws.eu": {"name": "aws", "alias": "eu", "expressions": {"region": constant(json!("eu-west-1"))}},
                "aws.home": {"name": "aws", "alias": "home", "expressions": {"region": {"references": ["var.home"]}}},
            },
            "root_module": root_module,
        },
    })
}

/// The plan's tree, as `dynaudit iac` reads it.
pub fn root_of(plan: &Value) -> Node {
    yaml::parse(&serde_json::to_string_pretty(plan).unwrap()).unwrap()
}

/// The line of a resource's `address` in the plan's text.
pub fn address_line(plan: &Value, address: &str) -> u32 {
    let text = serde_json::to_string_pretty(plan).unwrap();
    let needle = format!("\"address\": \"{address}\"");
    let index = text
        .lines()
        .position(|l| l.trim_start().starts_with(&needle))
        .unwrap();
    u32::try_from(index + 1).unwrap()
}

/// The planned inventory of `plan`.
pub fn read(plan: &Value) -> Inventory {
    read_with(plan, &IacOptions::default())
}

/// The planned inventory of `plan` read with `options`.
pub fn read_with(plan: &Value, options: &IacOptions) -> Inventory {
    let root = root_of(plan);
    let mut builder = EstateBuilder::new(
        "terraform",
        "plan",
        ACCOUNT,
        AccountSource::Flag,
        "aws",
        &[],
    );
    builder.source_word = "plan";
    adapt(FILE, &root, options, &mut builder).unwrap();
    builder.finish()
}

/// A table's ARN in the test account.
pub fn table_arn(region: &str, name: &str) -> String {
    format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}")
}

/// The message of the `not_determinable` error of `operation` on
/// `resource` (a failure when there is none).
pub fn error<'a>(inventory: &'a Inventory, operation: &str, resource: &str) -> &'a str {
    inventory
        .errors
        .iter()
        .find(|e| e.operation == operation && e.resource.as_deref() == Some(resource))
        .map(|e| {
            assert_eq!(e.kind, ErrorKind::NotDeterminable);
            e.message.as_str()
        })
        .unwrap_or_else(|| {
            panic!(
                "no {operation} error on {resource}: {:#?}",
                inventory.errors
            )
        })
}

/// `aws_dynamodb_table.t`, named `t`, with `values` and `expressions`
/// added to its defaults.
pub fn table(values: Value, unknown: Value, expressions: Value) -> Res {
    let mut v = json!({"name": "t", "billing_mode": "PAY_PER_REQUEST", "hash_key": "pk", "tags": {}, "tags_all": {}});
    for (k, x) in values.as_object().unwrap() {
        v[k] = x.clone();
    }
    let mut e = json!({"name": constant(json!("t"))});
    for (k, x) in expressions.as_object().unwrap() {
        e[k] = x.clone();
    }
    res("aws_dynamodb_table.t", v, unknown, e)
}

/// A customer managed key with rotation on, in `provider`'s region.
pub fn key(address: &str, provider: &'static str) -> Res {
    Res {
        provider,
        ..res(
            address,
            json!({"enable_key_rotation": true, "is_enabled": true}),
            json!({"arn": true, "key_id": true, "id": true, "multi_region": true}),
            json!({"enable_key_rotation": constant(json!(true))}),
        )
    }
}

#[test]
fn format_version_1_x_is_read_and_others_are_refused_at_their_line() {
    for version in ["1.0", "1.1", "1.2"] {
        let mut plan = plan_with(&[], json!(null));
        plan["format_version"] = json!(version);
        check_format(FILE, &root_of(&plan)).unwrap();
    }
    for (version, shown) in [
        (json!("2.0"), "\"2.0\""),
        (json!(1.2), "1.2"),
        (json!("1"), "\"1\""),
        (json!("1.x"), "\"1.x\""),
    ] {
        let mut plan = plan_with(&[], json!(null));
        plan["format_version"] = version;
        let error = check_format(FILE, &root_of(&plan)).unwrap_err();
        assert_eq!(error.line, 2, "{error}");
        assert!(
            error.message.contains(&format!(
                "unsupported plan format_version {shown}: dynaudit reads 1.x"
            )),
            "{error}"
        );
    }
    let mut plan = plan_with(&[], json!(null));
    plan.as_object_mut().unwrap().remove("planned_values");
    let error = check_format(FILE, &root_of(&plan)).unwrap_err();
    assert!(
        error.message.contains("no planned_values.root_module"),
        "{error}"
    );
    let mut plan = plan_with(&[], json!(null));
    plan["planned_values"] = json!({"outputs": {}});
    let error = check_format(FILE, &root_of(&plan)).unwrap_err();
    assert!(error.line > 1, "the line of planned_values: {error}");
}

#[test]
fn the_account_is_the_one_allowed_account_of_the_aws_providers() {
    let with = |ids: Vec<Value>| {
        let mut plan = plan_with(&[], json!(null));
        for (i, id) in ids.into_iter().enumerate() {
            let key = ["aws", "aws.eu"][i];
            plan["configuration"]["provider_config"][key]["expressions"]["allowed_account_ids"] =
                constant(id);
        }
        account_hint(&root_of(&plan))
    };
    assert_eq!(with(vec![json!([ACCOUNT])]).as_deref(), Some(ACCOUNT));
    assert_eq!(
        with(vec![json!([ACCOUNT]), json!([ACCOUNT])]).as_deref(),
        Some(ACCOUNT)
    );
    assert_eq!(with(vec![json!([ACCOUNT]), json!(["444455556666"])]), None);
    assert_eq!(with(vec![json!([ACCOUNT, "444455556666"])]), None);
    assert_eq!(with(vec![json!(["not-an-id"])]), None);
    assert_eq!(with(vec![]), None);
}

#[test]
fn a_resource_is_in_its_provider_region() {
    let named = |address: &str, name: &str, provider: &'static str, values: Value| Res {
        provider,
        ..res(
            address,
            values,
            json!({}),
            json!({"name": constant(json!(name))}),
        )
    };
    let plan = plan_with(
        &[
            named("aws_dynamodb_table.a", "a", "aws", json!({"name": "a"})),
            named("aws_dynamodb_table.b", "b", "aws.eu", json!({"name": "b"})),
            named(
                "aws_dynamodb_table.c",
                "c",
                "aws.home",
                json!({"name": "c"}),
            ),
            named(
                "aws_dynamodb_table.d",
                "d",
                "aws",
                json!({"name": "d", "region": "sa-east-1"}),
            ),
            named(
                "aws_dynamodb_table.e",
                "e",
                "aws.missing",
                json!({"name": "e"}),
            ),
        ],
        json!(null),
    );
    let inventory = read(&plan);
    let has = |region: &str, name: &str| {
        inventory.regions[region]
            .tables
            .as_ref()
            .unwrap()
            .contains_key(&table_arn(region, name))
    };
    assert!(has("us-east-1", "a"));
    assert!(has("eu-west-1", "b"));
    assert!(has("ap-southeast-2", "c"), "a root variable's value");
    assert!(
        has("sa-east-1", "d"),
        "the resource's own region (provider 6)"
    );
    assert!(
        has("us-east-1", "e"),
        "an unknown provider key falls back to its name"
    );
    let mut plan = plan_with(
        &[named(
            "aws_dynamodb_table.a",
            "a",
            "aws",
            json!({"name": "a"}),
        )],
        json!(null),
    );
    plan["configuration"]["provider_config"]["aws"]["expressions"] = json!({});
    let options = IacOptions {
        regions: vec!["eu-central-1".to_string()],
        ..IacOptions::default()
    };
    let inventory = read_with(&plan, &options);
    assert!(
        inventory.regions["eu-central-1"]
            .tables
            .as_ref()
            .unwrap()
            .contains_key(&table_arn("eu-central-1", "a"))
    );
    let inventory = read(&plan);
    assert!(
        inventory.regions.contains_key("us-east-1"),
        "the default region"
    );
}

#[test]
fn a_resource_being_deleted_is_not_planned() {
    let mut gone = table(json!({}), json!({}), json!({}));
    gone.actions = &["delete"];
    let inventory = read(&plan_with(&[gone], json!(null)));
    assert!(
        inventory
            .regions
            .values()
            .all(|r| r.tables.as_ref().unwrap().is_empty())
    );
}
