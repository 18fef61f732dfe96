//! `dynaudit iac` on the Terraform plan of `fixtures/iac/terraform/`
//! (written by hand to the documented `terraform show -json` format; its
//! README lists what it models and the expected verdicts): the fixture's
//! shape, the outcome of every rule per resource, the message of the value
//! known only after apply, the planned inventory (account, regions, keys
//! linked by reference), the SARIF locations (the line of the resource's
//! `address` in `planned_values`, or of the attribute that decides the
//! finding) and the refusal of malformed plans (exit 2 with `FILE:LINE:`).
//! Runs the built binary from the repository root with relative paths.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PLAN: &str = "fixtures/iac/terraform/plan.json";
const ACCOUNT: &str = "123456789012";

const ORDERS_US: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";
const ORDERS_EU: &str = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders";
const SESSIONS: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/sessions";
const KEY_US: &str = "arn:aws:kms:us-east-1:123456789012:key/planned-aws_kms_key.orders";
const KEY_EU: &str = "arn:aws:kms:eu-west-1:123456789012:key/planned-aws_kms_key.orders_eu";
const APP_ROLE: &str = "arn:aws:iam::123456789012:role/orders-app";
// Findings name a resource whose id AWS assigns by its planned id.
const KEY_US_PLANNED: &str = "fixtures/iac/terraform/plan.json#aws_kms_key.orders";
const KEY_EU_PLANNED: &str = "fixtures/iac/terraform/plan.json#aws_kms_key.orders_eu";
const VPC: &str = "fixtures/iac/terraform/plan.json#aws_vpc.main";
const ENDPOINT: &str = "fixtures/iac/terraform/plan.json#aws_vpc_endpoint.dynamodb";

/// Every outcome of the plan: (rule, resource, status).
const EXPECTED: &[(&str, &str, &str)] = &[
    ("DYN101", ORDERS_US, "pass"),
    ("DYN101", ORDERS_EU, "pass"),
    ("DYN101", SESSIONS, "fail"),
    ("DYN102", ORDERS_US, "pass"),
    ("DYN102", ORDERS_EU, "pass"),
    ("DYN102", SESSIONS, "pass"),
    ("DYN103", KEY_US_PLANNED, "pass"),
    ("DYN103", KEY_EU_PLANNED, "pass"),
    ("DYN201", ORDERS_US, "pass"),
    ("DYN201", ORDERS_EU, "pass"),
    ("DYN201", SESSIONS, "fail"),
    ("DYN204", ORDERS_US, "pass"),
    ("DYN204", ORDERS_EU, "pass"),
    ("DYN204", SESSIONS, "fail"),
    ("DYN206", ORDERS_US, "pass"),
    ("DYN206", ORDERS_EU, "pass"),
    ("DYN206", SESSIONS, "pass"),
    ("DYN207", ORDERS_US, "pass"),
    ("DYN301", APP_ROLE, "pass"),
    ("DYN302", APP_ROLE, "pass"),
    ("DYN303", APP_ROLE, "pass"),
    ("DYN304", ORDERS_US, "pass"),
    ("DYN304", ORDERS_EU, "pass"),
    ("DYN305", ORDERS_US, "pass"),
    ("DYN305", ORDERS_EU, "pass"),
    ("DYN305", SESSIONS, "unknown"),
    ("DYN306", ORDERS_US, "pass"),
    ("DYN306", ORDERS_EU, "pass"),
    ("DYN401", VPC, "pass"),
    ("DYN402", ENDPOINT, "pass"),
    ("DYN403", ENDPOINT, "pass"),
    ("DYN404", ENDPOINT, "pass"),
    ("DYN505", ORDERS_US, "pass"),
    ("DYN505", ORDERS_EU, "pass"),
    ("DYN505", SESSIONS, "fail"),
    ("DYN506", ORDERS_US, "pass"),
    ("DYN506", ORDERS_EU, "fail"),
    ("DYN506", SESSIONS, "fail"),
    ("DYN604", ORDERS_US, "pass"),
    ("DYN604", ORDERS_EU, "pass"),
    ("DYN604", SESSIONS, "fail"),
];

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run dynaudit")
}

fn run(args: &[&str]) -> Output {
    run_in(Path::new(ROOT), args)
}

fn text_of(relative: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(relative)).unwrap()
}

fn plan_json() -> Value {
    serde_json::from_str(&text_of(PLAN)).unwrap()
}

fn parse_stdout(out: &Output, what: &str) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: exit code; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"))
}

/// The JSON report of the plan (run once).
fn report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        parse_stdout(
            &run(&["iac", PLAN, "--format", "json", "--fail-on", "none"]),
            "iac --format json",
        )
    })
}

/// The SARIF report of the plan (run once).
fn sarif() -> &'static Value {
    static SARIF: OnceLock<Value> = OnceLock::new();
    SARIF.get_or_init(|| {
        parse_stdout(
            &run(&["iac", PLAN, "--format", "sarif", "--fail-on", "none"]),
            "iac --format sarif",
        )
    })
}

fn findings(report: &Value) -> &[Value] {
    report["findings"].as_array().expect("findings")
}

/// The message of the outcome of `rule` about `resource`.
fn message<'a>(rule: &str, resource: &str) -> &'a str {
    findings(report())
        .iter()
        .find(|f| f["rule_id"] == rule && f["resource"] == resource)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no outcome of {rule} about {resource}"))
}

/// The 1-based line of the `address` of `address` in `planned_values`
/// (the fixture writes `planned_values` first, so its line is the first).
fn address_line(text: &str, address: &str) -> usize {
    let needle = format!("\"address\": \"{address}\",");
    text.lines()
        .position(|line| line.trim_start() == needle)
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no address {address}"))
}

/// The line of `"key":` in the values of `address` in `planned_values`.
fn value_line(text: &str, address: &str, key: &str) -> usize {
    let start = address_line(text, address);
    let needle = format!("\"{key}\":");
    text.lines()
        .enumerate()
        .skip(start)
        .take_while(|(_, line)| !line.trim_start().starts_with("\"address\":"))
        .find(|(_, line)| line.trim_start().starts_with(&needle))
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("no {key} in the values of {address}"))
}

// --- The fixture's shape ---------------------------------------------------

/// The JSON pointers of the values `unknown` (an `after_unknown` value)
/// marks as known only after apply.
fn paths_marked(unknown: &Value, path: &str, out: &mut Vec<String>) {
    match unknown {
        Value::Bool(true) => out.push(path.to_string()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                paths_marked(item, &format!("{path}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                paths_marked(v, &format!("{path}/{k}"), out);
            }
        }
        _ => {}
    }
}

/// The references of every expression under `node` of the configuration.
fn references(node: &Value, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Array(refs)) = map.get("references") {
                out.extend(refs.iter().filter_map(|r| r.as_str().map(str::to_string)));
            }
            for v in map.values() {
                references(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| references(i, out)),
        _ => {}
    }
}

#[test]
fn the_fixture_has_the_documented_shape() {
    let plan = plan_json();
    for key in [
        "format_version",
        "terraform_version",
        "planned_values",
        "resource_changes",
        "configuration",
    ] {
        assert!(plan.get(key).is_some(), "the plan has no {key}");
    }
    assert_eq!(plan["format_version"], "1.2");
    let planned = plan["planned_values"]["root_module"]["resources"]
        .as_array()
        .expect("planned_values.root_module.resources");
    let mut planned_addresses = BTreeSet::new();
    let mut problems = Vec::new();
    for resource in planned {
        let address = resource["address"].as_str().expect("an address");
        for key in ["mode", "type", "name"] {
            if !resource[key].is_string() {
                problems.push(format!("{address}: no {key}"));
            }
        }
        if !resource["values"].is_object() {
            problems.push(format!("{address}: no values"));
        }
        let expected = format!(
            "{}.{}",
            resource["type"].as_str().unwrap_or(""),
            resource["name"].as_str().unwrap_or("")
        );
        if address != expected {
            problems.push(format!("{address}: type and name say {expected}"));
        }
        assert!(
            planned_addresses.insert(address.to_string()),
            "{address} twice"
        );
    }
    let mut change_addresses = BTreeSet::new();
    for entry in plan["resource_changes"]
        .as_array()
        .expect("resource_changes")
    {
        let address = entry["address"].as_str().expect("an address");
        change_addresses.insert(address.to_string());
        let change = &entry["change"];
        if !change["actions"].is_array() {
            problems.push(format!("{address}: no change.actions"));
        }
        if !change["after"].is_object() || !change["after_unknown"].is_object() {
            problems.push(format!(
                "{address}: no change.after or change.after_unknown"
            ));
        }
        // The values planned are the values after the change, and a value
        // known only after apply is left out of both.
        let values = planned
            .iter()
            .find(|r| r["address"] == address)
            .map(|r| &r["values"]);
        if values != Some(&change["after"]) {
            problems.push(format!(
                "{address}: planned values differ from change.after"
            ));
        }
        let mut marked = Vec::new();
        paths_marked(&change["after_unknown"], "", &mut marked);
        for path in marked {
            if let Some(v) = change["after"].pointer(&path).filter(|v| !v.is_null()) {
                problems.push(format!(
                    "{address}{path}: unknown after apply, yet planned as {v}"
                ));
            }
        }
    }
    let configuration = &plan["configuration"];
    let providers = configuration["provider_config"]
        .as_object()
        .expect("provider_config");
    let mut config_addresses = BTreeSet::new();
    let mut referenced = BTreeSet::new();
    for resource in configuration["root_module"]["resources"]
        .as_array()
        .expect("configuration resources")
    {
        let address = resource["address"].as_str().expect("an address");
        config_addresses.insert(address.to_string());
        let key = resource["provider_config_key"].as_str().unwrap_or("");
        if !providers.contains_key(key) {
            problems.push(format!(
                "{address}: provider_config_key {key:?} is not a provider_config"
            ));
        }
        if !resource["expressions"].is_object() {
            problems.push(format!("{address}: no expressions"));
        }
        references(&resource["expressions"], &mut referenced);
    }
    assert_eq!(
        planned_addresses, change_addresses,
        "planned_values and resource_changes"
    );
    assert_eq!(
        planned_addresses, config_addresses,
        "planned_values and configuration"
    );
    for reference in referenced {
        let mut parts = reference.split('.');
        let target = format!(
            "{}.{}",
            parts.next().unwrap_or(""),
            parts.next().unwrap_or("")
        );
        if !planned_addresses.contains(&target) {
            problems.push(format!(
                "a reference to {reference}, which the plan does not declare"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// --- Outcomes --------------------------------------------------------------

#[test]
fn every_rule_has_its_expected_outcome_per_resource() {
    let mut actual: BTreeMap<(String, String), String> = BTreeMap::new();
    for f in findings(report()) {
        let key = (
            f["rule_id"].as_str().unwrap().to_string(),
            f["resource"].as_str().unwrap().to_string(),
        );
        let status = f["status"].as_str().unwrap().to_string();
        assert!(
            actual.insert(key.clone(), status).is_none(),
            "{key:?} reported twice"
        );
    }
    let expected: BTreeMap<(String, String), String> = EXPECTED
        .iter()
        .map(|(rule, resource, status)| {
            ((rule.to_string(), resource.to_string()), status.to_string())
        })
        .collect();
    let mut problems = Vec::new();
    for (key, status) in &expected {
        match actual.get(key) {
            Some(got) if got == status => {}
            Some(got) => problems.push(format!("{key:?}: {got}, expected {status}")),
            None => problems.push(format!("{key:?}: no outcome, expected {status}")),
        }
    }
    for (key, status) in &actual {
        if !expected.contains_key(key) {
            problems.push(format!("{key:?}: unexpected outcome {status}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_value_known_only_after_apply_is_unknown_with_its_attribute_and_line() {
    let text = text_of(PLAN);
    let msg = message("DYN305", SESSIONS);
    let line = address_line(&text, "aws_dynamodb_resource_policy.sessions");
    for part in [
        "`aws_dynamodb_resource_policy.sessions.policy`".to_string(),
        "known only after apply".to_string(),
        format!("{PLAN}:{line}"),
        "not determinable from the plan".to_string(),
    ] {
        assert!(msg.contains(&part), "{part:?} not in {msg}");
    }
}

#[test]
fn the_weak_table_fails_on_aws_defaults() {
    assert!(message("DYN101", SESSIONS).contains("AWS owned key"));
    assert!(message("DYN201", SESSIONS).contains("disabled"));
    assert!(message("DYN604", SESSIONS).contains("missing Environment"));
    // Alarms are per region: the replica has none in eu-west-1.
    assert!(
        message("DYN506", ORDERS_EU).contains("judged on what the infrastructure code declares")
    );
}

#[test]
fn the_planned_inventory_links_keys_and_names_the_account_and_regions() {
    let dir = tempfile::tempdir().unwrap();
    let inventory_path = dir.path().join("inventory.json");
    let out = run(&[
        "iac",
        PLAN,
        "--format",
        "json",
        "--fail-on",
        "none",
        "--inventory-out",
        inventory_path.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&inventory_path).unwrap()).unwrap();
    assert_eq!(
        inventory["account_id"], ACCOUNT,
        "allowed_account_ids of the provider"
    );
    assert_eq!(inventory["planned"]["source"], "terraform");
    assert_eq!(
        inventory["planned"]["account_source"],
        "infrastructure code"
    );
    let regions: Vec<&String> = inventory["regions"].as_object().unwrap().keys().collect();
    assert_eq!(regions, ["eu-west-1", "us-east-1"]);
    for (region, table, key) in [
        ("us-east-1", ORDERS_US, KEY_US),
        ("eu-west-1", ORDERS_EU, KEY_EU),
    ] {
        let r = &inventory["regions"][region];
        assert_eq!(
            r["tables"][table]["encryption"]["kms_key_arn"], key,
            "{region}"
        );
        assert_eq!(r["kms_keys"][key]["rotation_enabled"], true, "{region}");
        assert_eq!(r["kms_keys"][key]["key_manager"], "CUSTOMER", "{region}");
    }
    assert_eq!(
        inventory["regions"]["us-east-1"]["kms_keys"][KEY_US]["aliases"][0],
        "alias/orders"
    );
    let planned = &inventory["planned"]["resources"][ORDERS_US];
    assert_eq!(
        planned["planned_id"],
        format!("{PLAN}#aws_dynamodb_table.orders")
    );
    assert_eq!(planned["resource_type"], "aws_dynamodb_table");
    let text = text_of(PLAN);
    assert_eq!(
        planned["line"],
        address_line(&text, "aws_dynamodb_table.orders")
    );
    let errors = inventory["errors"].as_array().unwrap();
    assert_eq!(
        errors.len(),
        1,
        "one value is not determinable: {errors:#?}"
    );
    assert_eq!(errors[0]["operation"], "GetResourcePolicy");
    assert_eq!(errors[0]["kind"], "not_determinable");
}

// --- SARIF -----------------------------------------------------------------

#[test]
fn sarif_results_point_at_the_resource_address_or_the_deciding_attribute() {
    let text = text_of(PLAN);
    let sessions = address_line(&text, "aws_dynamodb_table.sessions");
    let orders = address_line(&text, "aws_dynamodb_table.orders");
    let expected: BTreeMap<(&str, &str), usize> = [
        (("DYN101", SESSIONS), sessions),
        (("DYN201", SESSIONS), sessions),
        (("DYN204", SESSIONS), sessions),
        (("DYN505", SESSIONS), sessions),
        (("DYN506", SESSIONS), sessions),
        (("DYN506", ORDERS_EU), orders),
        // The code sets the tags: their line decides DYN604.
        (
            ("DYN604", SESSIONS),
            value_line(&text, "aws_dynamodb_table.sessions", "tags"),
        ),
        // The policy is declared by its own resource.
        (
            ("DYN305", SESSIONS),
            address_line(&text, "aws_dynamodb_resource_policy.sessions"),
        ),
    ]
    .into_iter()
    .collect();
    let results = sarif()["runs"][0]["results"].as_array().expect("results");
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for r in results {
        let rule = r["ruleId"].as_str().unwrap();
        let resource = r["properties"]["resource"].as_str().unwrap();
        let physical = &r["locations"][0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        let line = usize::try_from(physical["region"]["startLine"].as_u64().unwrap()).unwrap();
        if uri != PLAN {
            problems.push(format!("{rule} {resource}: uri {uri}"));
        }
        match expected.get(&(rule, resource)) {
            Some(want) if *want == line => {}
            Some(want) => problems.push(format!("{rule} {resource}: line {line}, expected {want}")),
            None => problems.push(format!(
                "{rule} {resource}: unexpected result at line {line}"
            )),
        }
        seen.insert((rule.to_string(), resource.to_string()));
    }
    for (rule, resource) in expected.keys() {
        if !seen.contains(&(rule.to_string(), resource.to_string())) {
            problems.push(format!("{rule} {resource}: no SARIF result"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// --- Malformed plans -------------------------------------------------------

/// Runs `iac` on `file` in `dir`: exit 2, nothing on stdout, `FILE:LINE:`
/// and `fragment` on stderr.
fn assert_refused(dir: &Path, file: &str, line: usize, fragment: &str) {
    let out = run_in(dir, &["iac", file, "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{file}: stderr {stderr}");
    assert!(out.stdout.is_empty(), "{file}: a report on stdout");
    assert!(
        stderr.contains(&format!("{file}:{line}: ")),
        "{file}: expected {file}:{line}: in {stderr}"
    );
    assert!(
        stderr.contains(fragment),
        "{file}: expected {fragment:?} in {stderr}"
    );
}

#[test]
fn malformed_plans_exit_2_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = text_of(PLAN);
    let format_line = text
        .lines()
        .position(|l| l.trim_start().starts_with("\"format_version\""))
        .unwrap()
        + 1;
    std::fs::write(
        dir.path().join("v2.json"),
        text.replacen(
            "\"format_version\": \"1.2\"",
            "\"format_version\": \"2.0\"",
            1,
        ),
    )
    .unwrap();
    assert_refused(
        dir.path(),
        "v2.json",
        format_line,
        "unsupported plan format_version \"2.0\": dynaudit reads 1.x",
    );
    std::fs::write(
        dir.path().join("number.json"),
        text.replacen("\"format_version\": \"1.2\"", "\"format_version\": 1.2", 1),
    )
    .unwrap();
    assert_refused(
        dir.path(),
        "number.json",
        format_line,
        "unsupported plan format_version 1.2",
    );
    // A plan without planned_values (its resource_changes still say it is
    // one): refused at line 1, where the plan begins.
    let mut plan = plan_json();
    plan.as_object_mut().unwrap().remove("planned_values");
    std::fs::write(
        dir.path().join("no-planned.json"),
        serde_json::to_string_pretty(&plan).unwrap(),
    )
    .unwrap();
    assert_refused(
        dir.path(),
        "no-planned.json",
        1,
        "no planned_values.root_module",
    );
    // planned_values without a root_module: refused at planned_values.
    let mut plan = plan_json();
    plan["planned_values"] = serde_json::json!({"outputs": {}});
    let written = serde_json::to_string_pretty(&plan).unwrap();
    let planned_line = written
        .lines()
        .position(|l| l.trim_start().starts_with("\"planned_values\""))
        .unwrap()
        + 1;
    std::fs::write(dir.path().join("no-root.json"), written).unwrap();
    assert_refused(
        dir.path(),
        "no-root.json",
        planned_line,
        "no planned_values.root_module",
    );
}
