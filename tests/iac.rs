//! `dynaudit iac` on the hand-written fixtures of `fixtures/iac/` (their
//! README lists what each models and the expected verdicts): the outcome of
//! every rule per resource of the CloudFormation reference architecture and
//! of the CDK cloud assembly, the messages of values the template does not
//! determine and of assumed parameter defaults, the SARIF locations (the
//! line of the resource's logical id, or of the property that decides the
//! finding) and fingerprints (stable across unrelated edits), and the
//! errors of malformed inputs (exit 2 with `FILE:LINE:`, nothing on
//! stdout). Runs the built binary from the repository root with relative
//! paths, as a pull-request workflow would.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const TEMPLATE: &str = "fixtures/iac/cloudformation/reference.yaml";
const PARAMETERS: &str = "fixtures/iac/cloudformation/parameters.json";
const MALFORMED: &str = "fixtures/iac/cloudformation/malformed";
const CDK: &str = "fixtures/iac/cdk/cdk.out";
const CDK_TEMPLATE: &str = "fixtures/iac/cdk/cdk.out/OrdersStack.template.json";

// Resources of the CloudFormation fixture (account 123456789012, us-east-1).
const ORDERS_US: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/shop-orders-prod";
const ORDERS_EU: &str = "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-orders-prod";
const INVOICES: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/invoices-prod";
const LEGACY: &str = "fixtures/iac/cloudformation/reference.yaml#LegacySessionsTable";
const ORDERS_KEY: &str = "fixtures/iac/cloudformation/reference.yaml#OrdersKey";
const EU_KEY: &str = "arn:aws:kms:eu-west-1:123456789012:key/6f1c2d3e-4a5b-4c6d-8e7f-901234567890";
const TENANT_ROLE: &str = "arn:aws:iam::123456789012:role/shop-tenant-reader";
const ANALYTICS_ROLE: &str = "arn:aws:iam::123456789012:role/shop-analytics";
const ADMIN_POLICY: &str = "arn:aws:iam::123456789012:policy/shop-dynamodb-admin";
const APP_VPC: &str = "fixtures/iac/cloudformation/reference.yaml#AppVpc";
const SANDBOX_VPC: &str = "fixtures/iac/cloudformation/reference.yaml#SandboxVpc";
const ENDPOINT: &str = "fixtures/iac/cloudformation/reference.yaml#DynamoDbGatewayEndpoint";
const CACHE: &str = "arn:aws:dax:us-east-1:123456789012:cache/shop-orders";
const AUDIT_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/shop-audit";
const LEGACY_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/legacy-audit";

/// Expected outcomes: (rule, resource, status).
type Expected = &'static [(&'static str, &'static str, &'static str)];

/// Tables and keys (`resources/dynamodb.rs`, `resources/kms.rs`).
const TABLES_AND_KEYS: Expected = &[
    ("DYN101", ORDERS_US, "pass"),
    ("DYN101", ORDERS_EU, "unknown"),
    ("DYN101", INVOICES, "unknown"),
    ("DYN101", LEGACY, "fail"),
    ("DYN102", ORDERS_US, "pass"),
    ("DYN102", ORDERS_EU, "unknown"),
    ("DYN102", INVOICES, "unknown"),
    ("DYN102", LEGACY, "pass"),
    ("DYN103", ORDERS_KEY, "pass"),
    ("DYN103", EU_KEY, "unknown"),
    ("DYN103", INVOICES, "unknown"),
    ("DYN201", ORDERS_US, "pass"),
    ("DYN201", ORDERS_EU, "pass"),
    ("DYN201", INVOICES, "unknown"),
    ("DYN201", LEGACY, "fail"),
    ("DYN204", ORDERS_US, "pass"),
    ("DYN204", ORDERS_EU, "pass"),
    ("DYN204", INVOICES, "pass"),
    ("DYN204", LEGACY, "fail"),
    ("DYN205", ORDERS_US, "unknown"),
    ("DYN205", ORDERS_EU, "unknown"),
    ("DYN305", ORDERS_US, "pass"),
    ("DYN305", ORDERS_EU, "pass"),
    ("DYN305", INVOICES, "pass"),
    ("DYN305", LEGACY, "fail"),
    ("DYN306", ORDERS_US, "pass"),
    ("DYN306", ORDERS_EU, "pass"),
    ("DYN505", ORDERS_US, "pass"),
    ("DYN505", ORDERS_EU, "pass"),
    ("DYN505", INVOICES, "pass"),
    ("DYN505", LEGACY, "fail"),
    ("DYN604", ORDERS_US, "pass"),
    ("DYN604", ORDERS_EU, "pass"),
    ("DYN604", INVOICES, "pass"),
    ("DYN604", LEGACY, "fail"),
];

/// Capacity (DYN206 is judged on what the code declares; the scaling
/// adapter is `resources/scaling.rs`, and no table here has scaling).
const CAPACITY: Expected = &[
    ("DYN206", ORDERS_US, "pass"),
    ("DYN206", ORDERS_EU, "pass"),
    ("DYN206", INVOICES, "pass"),
    ("DYN206", LEGACY, "fail"),
];

/// IAM (`resources/iam.rs`); DYN304 is about the tables that require
/// row-level security.
const IAM: Expected = &[
    ("DYN301", TENANT_ROLE, "pass"),
    ("DYN301", ANALYTICS_ROLE, "pass"),
    ("DYN301", ADMIN_POLICY, "fail"),
    ("DYN302", TENANT_ROLE, "pass"),
    ("DYN302", ANALYTICS_ROLE, "pass"),
    ("DYN303", TENANT_ROLE, "pass"),
    ("DYN303", ANALYTICS_ROLE, "fail"),
    ("DYN304", ORDERS_US, "pass"),
    ("DYN304", ORDERS_EU, "pass"),
];

/// VPCs and endpoints (`resources/ec2.rs`).
const NETWORK: Expected = &[
    ("DYN401", APP_VPC, "pass"),
    ("DYN401", SANDBOX_VPC, "fail"),
    ("DYN402", ENDPOINT, "pass"),
    ("DYN403", ENDPOINT, "pass"),
    ("DYN404", ENDPOINT, "pass"),
];

/// DAX (`resources/dax.rs`).
const DAX: Expected = &[
    ("DYN104", CACHE, "pass"),
    ("DYN105", CACHE, "pass"),
    ("DYN208", CACHE, "pass"),
];

/// CloudTrail (`resources/cloudtrail.rs`).
const TRAILS: Expected = &[
    ("DYN502", AUDIT_TRAIL, "pass"),
    ("DYN502", LEGACY_TRAIL, "fail"),
    ("DYN504", AUDIT_TRAIL, "pass"),
    ("DYN504", LEGACY_TRAIL, "fail"),
];

/// Alarms (`resources/cloudwatch.rs`). The eu-west-1 replica fails: the
/// stack is deployed in us-east-1 only, so its alarms are there.
const ALARMS: Expected = &[
    ("DYN506", ORDERS_US, "pass"),
    ("DYN506", ORDERS_EU, "fail"),
    ("DYN506", INVOICES, "fail"),
    ("DYN506", LEGACY, "fail"),
];

/// AWS Backup (`resources/backup.rs`): the plan keeps 35 days.
const BACKUP: Expected = &[("DYN207", ORDERS_US, "pass"), ("DYN207", INVOICES, "pass")];

/// Every group of the CloudFormation fixture.
const GROUPS: [Expected; 8] = [
    TABLES_AND_KEYS,
    CAPACITY,
    IAM,
    NETWORK,
    DAX,
    TRAILS,
    ALARMS,
    BACKUP,
];

/// The outcomes of these rules must be exactly the expected ones.
const ASSERTED_RULES: [&str; 28] = [
    "DYN101", "DYN102", "DYN103", "DYN104", "DYN105", "DYN201", "DYN204", "DYN205", "DYN206",
    "DYN207", "DYN208", "DYN301", "DYN302", "DYN303", "DYN304", "DYN305", "DYN306", "DYN401",
    "DYN402", "DYN403", "DYN404", "DYN502", "DYN504", "DYN505", "DYN506", "DYN604", "DYN202",
    "DYN203",
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

fn reference_args(format: &str) -> Vec<&str> {
    vec![
        "iac",
        TEMPLATE,
        "--parameters",
        PARAMETERS,
        "--account",
        "123456789012",
        "--regions",
        "us-east-1",
        "--format",
        format,
        "--fail-on",
        "none",
    ]
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

/// The JSON report of the CloudFormation fixture (run once).
fn report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| parse_stdout(&run(&reference_args("json")), "iac --format json"))
}

/// The SARIF report of the CloudFormation fixture (run once).
fn sarif() -> &'static Value {
    static SARIF: OnceLock<Value> = OnceLock::new();
    SARIF.get_or_init(|| parse_stdout(&run(&reference_args("sarif")), "iac --format sarif"))
}

fn findings(report: &Value) -> &[Value] {
    report["findings"].as_array().expect("findings")
}

/// (rule, resource) -> status; a pair reported twice is a failure.
fn outcomes(report: &Value) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for f in findings(report) {
        let key = (
            f["rule_id"].as_str().unwrap().to_string(),
            f["resource"].as_str().unwrap().to_string(),
        );
        let status = f["status"].as_str().unwrap().to_string();
        assert!(
            out.insert(key.clone(), status).is_none(),
            "{key:?} reported twice"
        );
    }
    out
}

/// Compares the outcomes of the rules of `expected` with it: every
/// expected outcome with its status, and no other outcome of those rules.
fn check(expected: Expected, actual: &BTreeMap<(String, String), String>) -> Vec<String> {
    let rules: BTreeSet<&str> = expected.iter().map(|(rule, _, _)| *rule).collect();
    let mut problems = Vec::new();
    for (rule, resource, status) in expected {
        match actual.get(&(rule.to_string(), resource.to_string())) {
            Some(got) if got == status => {}
            Some(got) => problems.push(format!("{rule} {resource}: {got}, expected {status}")),
            None => problems.push(format!("{rule} {resource}: no outcome, expected {status}")),
        }
    }
    for ((rule, resource), status) in actual {
        let known = expected
            .iter()
            .any(|(r, res, _)| r == rule && res == resource);
        if rules.contains(rule.as_str()) && !known {
            problems.push(format!("{rule} {resource}: unexpected outcome {status}"));
        }
    }
    problems
}

fn assert_group(expected: Expected) {
    let problems = check(expected, &outcomes(report()));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The message of the outcome of `rule` about `resource`.
fn message<'a>(report: &'a Value, rule: &str, resource: &str) -> &'a str {
    findings(report)
        .iter()
        .find(|f| f["rule_id"] == rule && f["resource"] == resource)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no outcome of {rule} about {resource}"))
}

/// 1-based numbers of the lines of `text` containing `needle`.
fn lines_with(text: &str, needle: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.contains(needle))
        .map(|(i, _)| i + 1)
        .collect()
}

/// The one line of `text` containing `needle`.
fn line_with(text: &str, needle: &str) -> usize {
    match lines_with(text, needle).as_slice() {
        [line] => *line,
        other => panic!("{needle:?} is on lines {other:?}, expected exactly one"),
    }
}

/// The line of a resource's logical id: `  Id:` in YAML, `  "Id": {` in
/// the JSON CDK writes.
fn logical_id_line(text: &str, logical: &str) -> usize {
    let yaml = format!("  {logical}:");
    let json = format!("  \"{logical}\": {{");
    let found: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| *line == yaml || *line == json)
        .map(|(i, _)| i + 1)
        .collect();
    match found.as_slice() {
        [line] => *line,
        other => panic!("logical id {logical} on lines {other:?}"),
    }
}

/// The lines (first, last) of a resource's block in a YAML template: from
/// its logical id to the line before the next resource (or the next
/// top-level section).
fn yaml_block(text: &str, logical: &str) -> (usize, usize) {
    let start = logical_id_line(text, logical);
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate().skip(start) {
        let next_resource =
            line.starts_with("  ") && !line.starts_with("   ") && !line.trim().starts_with('#');
        let next_section = !line.is_empty() && !line.starts_with(' ') && !line.starts_with('#');
        if next_resource || next_section {
            end = i;
            break;
        }
    }
    (start, end)
}

/// The first line in `first..=last` whose text, without its indentation,
/// starts with `Property:`.
fn property_line(text: &str, (first, last): (usize, usize), property: &str) -> Option<usize> {
    let wanted = format!("{property}:");
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(n, _)| *n >= first && *n <= last)
        .find(|(_, line)| line.trim_start().starts_with(&wanted))
        .map(|(n, _)| n)
}

/// The lines of one replica of the global table: from its `- Region:` item
/// to the line before the next item or the end of the resource.
fn replica_block(text: &str, region_item: &str) -> (usize, usize) {
    let (_, table_end) = yaml_block(text, "OrdersGlobalTable");
    let start = line_with(text, region_item);
    let indent = text.lines().nth(start - 1).unwrap().find('-').unwrap();
    let end = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(n, _)| *n > start && *n <= table_end)
        .find(|(_, line)| line.find('-') == Some(indent) && line.trim_start().starts_with("- "))
        .map_or(table_end, |(n, _)| n - 1);
    (start, end)
}

/// The property whose line a SARIF result of `rule` points at, when the
/// resource sets it (`docs/iac.md`, "Reports and code scanning").
/// The properties that decide a rule's finding, in order of preference
/// (`docs/iac.md`, "Reports and code scanning").
fn deciding_properties(rule: &str) -> &'static [&'static str] {
    match rule {
        "DYN101" | "DYN102" => &["SSESpecification", "Enabled"],
        "DYN103" => &["EnableKeyRotation"],
        "DYN104" => &["SSESpecification"],
        "DYN105" => &["ClusterEndpointEncryptionType"],
        "DYN201" => &["PointInTimeRecoverySpecification"],
        "DYN204" => &["DeletionProtectionEnabled"],
        "DYN208" => &["AvailabilityZones", "ReplicationFactor"],
        "DYN301" | "DYN302" | "DYN303" => &["Policies", "PolicyDocument"],
        "DYN305" => &["ResourcePolicy"],
        "DYN402" | "DYN404" => &["PolicyDocument"],
        "DYN403" => &["RouteTableIds"],
        "DYN502" => &["EnableLogFileValidation"],
        "DYN504" => &["KMSKeyId"],
        "DYN505" => &["ContributorInsightsSpecification"],
        "DYN604" => &["Tags"],
        _ => &[],
    }
}

const US_REPLICA: &str = "- Region: !Ref AWS::Region";
const EU_REPLICA: &str = "- Region: eu-west-1";

/// The lines a SARIF result about `resource` of the reference template may
/// point at (one, except for a key the template does not declare).
fn expected_reference_lines(text: &str, rule: &str, resource: &str) -> Result<Vec<usize>, String> {
    let (logical, replica) = match resource {
        ORDERS_US => ("OrdersGlobalTable", Some(US_REPLICA)),
        ORDERS_EU => ("OrdersGlobalTable", Some(EU_REPLICA)),
        INVOICES => ("InvoicesTable", None),
        LEGACY => ("LegacySessionsTable", None),
        ORDERS_KEY => ("OrdersKey", None),
        TENANT_ROLE => ("TenantReaderRole", None),
        ANALYTICS_ROLE => ("AnalyticsRole", None),
        ADMIN_POLICY => ("OpsAdminPolicy", None),
        APP_VPC => ("AppVpc", None),
        SANDBOX_VPC => ("SandboxVpc", None),
        ENDPOINT => ("DynamoDbGatewayEndpoint", None),
        CACHE => ("OrdersCache", None),
        AUDIT_TRAIL => ("AuditTrail", None),
        LEGACY_TRAIL => ("LegacyTrail", None),
        EU_KEY => {
            // Declared nowhere in the template: the table that names it.
            let replica = replica_block(text, EU_REPLICA);
            return Ok(vec![
                property_line(text, replica, "SSESpecification").unwrap(),
                property_line(text, replica, "KMSMasterKeyId").unwrap(),
                logical_id_line(text, "OrdersGlobalTable"),
            ]);
        }
        other => {
            return Err(format!(
                "{rule}: a result about {other}, which the fixture does not plan"
            ));
        }
    };
    let block = match replica {
        Some(item) => replica_block(text, item),
        None => yaml_block(text, logical),
    };
    let property = deciding_properties(rule)
        .iter()
        .find_map(|p| property_line(text, block, p));
    Ok(vec![
        property.unwrap_or_else(|| logical_id_line(text, logical)),
    ])
}

#[test]
fn tables_and_keys_have_their_expected_outcomes() {
    assert_group(TABLES_AND_KEYS);
}

#[test]
fn capacity_outcomes() {
    assert_group(CAPACITY);
}

#[test]
fn iam_outcomes() {
    assert_group(IAM);
}

#[test]
fn network_outcomes() {
    assert_group(NETWORK);
}

#[test]
fn dax_outcomes() {
    assert_group(DAX);
}

#[test]
fn trail_outcomes() {
    assert_group(TRAILS);
}

#[test]
fn alarm_outcomes() {
    assert_group(ALARMS);
}

#[test]
fn backup_outcomes() {
    assert_group(BACKUP);
}

#[test]
fn asserted_rules_have_no_unexpected_outcomes() {
    let actual = outcomes(report());
    let expected: BTreeSet<(&str, &str)> = GROUPS
        .iter()
        .flat_map(|g| g.iter().map(|(rule, resource, _)| (*rule, *resource)))
        .collect();
    let unexpected: Vec<String> = actual
        .iter()
        .filter(|((rule, _), _)| ASSERTED_RULES.contains(&rule.as_str()))
        .filter(|((rule, resource), _)| !expected.contains(&(rule.as_str(), resource.as_str())))
        .map(|((rule, resource), status)| format!("{rule} {resource}: {status}"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected outcomes:\n{}",
        unexpected.join("\n")
    );
}

#[test]
fn the_weak_table_has_exactly_its_expected_outcomes() {
    let actual: BTreeMap<&str, &str> = findings(report())
        .iter()
        .filter(|f| f["resource"] == LEGACY)
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap(),
                f["status"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: BTreeMap<&str, &str> = GROUPS
        .iter()
        .flat_map(|g| g.iter())
        .filter(|(_, resource, _)| *resource == LEGACY)
        .map(|(rule, _, status)| (*rule, *status))
        .collect();
    assert_eq!(actual, expected);
    // Never under a made-up ARN: the name is CloudFormation's to choose.
    let leaked: Vec<&str> = findings(report())
        .iter()
        .filter_map(|f| f["resource"].as_str())
        .filter(|r| r.starts_with("arn:") && r.contains("LegacySessionsTable"))
        .collect();
    assert!(leaked.is_empty(), "stand-in ARNs reported: {leaked:?}");
}

#[test]
fn skipped_rules_and_conditional_resources_give_no_outcome() {
    for f in findings(report()) {
        let rule = f["rule_id"].as_str().unwrap();
        assert!(
            ![
                "DYN202", "DYN203", "DYN501", "DYN503", "DYN507", "DYN601", "DYN602", "DYN603"
            ]
            .contains(&rule),
            "{rule} is not evaluated on code: {f}"
        );
        let resource = f["resource"].as_str().unwrap();
        assert!(
            !resource.contains("scratch") && !resource.contains("ScratchTable"),
            "ScratchTable's condition is false with Environment=prod: {f}"
        );
    }
    assert_eq!(report()["scope"]["planned"], "cloudformation");
    assert_eq!(report()["scope"]["account_id"], "123456789012");
}

#[test]
fn values_the_template_does_not_determine_are_unknown_with_expression_and_line() {
    let text = text_of(TEMPLATE);
    let import = line_with(
        &text,
        "KMSMasterKeyId: !ImportValue shared-kms-InvoicesKeyArn",
    );
    for rule in ["DYN101", "DYN102", "DYN103"] {
        let msg = message(report(), rule, INVOICES);
        assert!(
            msg.contains(
                "not determinable from the template (`!ImportValue shared-kms-InvoicesKeyArn`"
            ) && msg.contains(&format!("{TEMPLATE}:{import})")),
            "{rule}: {msg}"
        );
    }
    let pitr = line_with(
        &text,
        "PointInTimeRecoveryEnabled: !Ref InvoicesPitrEnabled",
    );
    let msg = message(report(), "DYN201", INVOICES);
    assert!(
        msg.contains("not determinable from the template (`!Ref InvoicesPitrEnabled`)")
            && msg.contains("no default and no value in --parameters")
            && msg.contains(&format!("{TEMPLATE}:{pitr})")),
        "{msg}"
    );
}

#[test]
fn a_key_created_elsewhere_is_unknown_at_the_line_that_names_it() {
    let text = text_of(TEMPLATE);
    let key_line = line_with(&text, &format!("KMSMasterKeyId: {EU_KEY}"));
    for (rule, resource) in [
        ("DYN101", ORDERS_EU),
        ("DYN102", ORDERS_EU),
        ("DYN103", EU_KEY),
    ] {
        let msg = message(report(), rule, resource);
        assert!(
            msg.contains("not declared in this template")
                && msg.contains(&format!("{TEMPLATE}:{key_line})")),
            "{rule} {resource}: expected the reason and {TEMPLATE}:{key_line}: {msg}"
        );
    }
}

#[test]
fn assumed_parameter_defaults_are_named_where_they_were_used() {
    const NOTE: &str = "assumed from the parameter default";
    for f in findings(report()) {
        let resource = f["resource"].as_str().unwrap();
        let msg = f["message"].as_str().unwrap();
        if resource == ORDERS_US || resource == ORDERS_EU {
            assert!(
                msg.contains(&format!("({NOTE}: ApplicationName=shop)")),
                "{}: {msg}",
                f["rule_id"]
            );
        }
        // Environment is given in parameters.json; LegacySessionsTable
        // uses no parameter.
        if resource == INVOICES || resource == LEGACY {
            assert!(!msg.contains(NOTE), "{}: {msg}", f["rule_id"]);
        }
        assert!(!msg.contains("Environment=staging"), "{msg}");
    }
}

#[test]
fn rules_judged_on_declared_resources_say_so() {
    for (rule, resource) in [("DYN206", LEGACY), ("DYN506", LEGACY)] {
        let msg = message(report(), rule, resource);
        assert!(
            msg.contains("judged on what the infrastructure code declares"),
            "{rule}: {msg}"
        );
    }
}

fn sarif_results(sarif: &Value) -> &[Value] {
    sarif["runs"][0]["results"].as_array().expect("results")
}

/// (uri, startLine) of a SARIF result.
fn location(result: &Value) -> (&str, usize) {
    let physical = &result["locations"][0]["physicalLocation"];
    (
        physical["artifactLocation"]["uri"].as_str().unwrap(),
        usize::try_from(physical["region"]["startLine"].as_u64().unwrap()).unwrap(),
    )
}

#[test]
fn sarif_results_point_at_the_resource_or_the_deciding_property() {
    let text = text_of(TEMPLATE);
    let results = sarif_results(sarif());
    assert!(!results.is_empty());
    let mut problems = Vec::new();
    for r in results {
        let rule = r["ruleId"].as_str().unwrap();
        let resource = r["properties"]["resource"].as_str().unwrap();
        let (uri, line) = location(r);
        if uri != TEMPLATE {
            problems.push(format!("{rule} {resource}: uri {uri}"));
        }
        match expected_reference_lines(&text, rule, resource) {
            Ok(lines) if lines.contains(&line) => {}
            Ok(lines) => problems.push(format!(
                "{rule} {resource}: line {line}, expected {}",
                lines
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
            Err(problem) => problems.push(problem),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn sarif_locations_of_the_decisive_properties() {
    // Spelled out for the properties the issue names: a table's own
    // PointInTimeRecoverySpecification and SSESpecification, a replica's
    // SSESpecification, and the resource line when the property is unset.
    let text = text_of(TEMPLATE);
    let at = |rule: &str, resource: &str| {
        sarif_results(sarif())
            .iter()
            .find(|r| r["ruleId"] == rule && r["properties"]["resource"] == resource)
            .map(location)
            .unwrap_or_else(|| panic!("no SARIF result of {rule} about {resource}"))
    };
    let invoices = yaml_block(&text, "InvoicesTable");
    assert_eq!(
        at("DYN201", INVOICES),
        (
            TEMPLATE,
            property_line(&text, invoices, "PointInTimeRecoverySpecification").unwrap()
        )
    );
    assert_eq!(
        at("DYN101", INVOICES),
        (
            TEMPLATE,
            property_line(&text, invoices, "SSESpecification").unwrap()
        )
    );
    let legacy = logical_id_line(&text, "LegacySessionsTable");
    assert_eq!(at("DYN201", LEGACY), (TEMPLATE, legacy));
    assert_eq!(at("DYN101", LEGACY), (TEMPLATE, legacy));
    let eu = replica_block(&text, EU_REPLICA);
    assert_eq!(
        at("DYN101", ORDERS_EU),
        (
            TEMPLATE,
            property_line(&text, eu, "SSESpecification").unwrap()
        ),
        "the eu-west-1 replica's SSESpecification decides DYN101"
    );
}

/// (rule, resource) -> (fingerprint, line) of a SARIF report.
fn fingerprints(sarif: &Value) -> BTreeMap<(String, String), (String, usize)> {
    sarif_results(sarif)
        .iter()
        .map(|r| {
            (
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["properties"]["resource"].as_str().unwrap().to_string(),
                ),
                (
                    r["partialFingerprints"]["primaryLocationLineHash"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    location(r).1,
                ),
            )
        })
        .collect()
}

#[test]
fn sarif_fingerprints_survive_an_unrelated_edit() {
    // The same relative paths from another root, so the planned ids
    // (`path#LogicalId`) are the same.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("fixtures/iac/cloudformation");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(
        Path::new(ROOT).join(PARAMETERS),
        dir.path().join(PARAMETERS),
    )
    .unwrap();
    let original = text_of(TEMPLATE);
    let top = "# An unrelated edit: three lines of comments\n# at the top of the file\n#\n";
    let unrelated = "  # and an unrelated resource first\n  UnrelatedTopic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: unrelated\n\n";
    assert!(original.contains("\nResources:\n"));
    let edited = format!(
        "{top}{}",
        original.replacen("\nResources:\n", &format!("\nResources:\n{unrelated}"), 1)
    );
    std::fs::write(dir.path().join(TEMPLATE), edited).unwrap();
    let shift = top.lines().count() + unrelated.lines().count();

    let before = fingerprints(sarif());
    let after_report = parse_stdout(
        &run_in(dir.path(), &reference_args("sarif")),
        "edited template",
    );
    let after = fingerprints(&after_report);
    assert!(!before.is_empty());
    let keys = |m: &BTreeMap<(String, String), (String, usize)>| -> Vec<(String, String, String)> {
        m.iter()
            .map(|((rule, resource), (fp, _))| (rule.clone(), resource.clone(), fp.clone()))
            .collect()
    };
    assert_eq!(keys(&before), keys(&after), "fingerprints changed");
    for (key, (_, line)) in &before {
        let moved = after[key].1;
        // A result at line 1 points at no declaration (see the location
        // test); the others moved with their resource.
        if *line > 1 {
            assert_eq!(
                moved,
                line + shift,
                "{key:?} did not move with its resource"
            );
        }
    }
}

// --- CDK ------------------------------------------------------------------

const CDK_ORDERS: &str = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders";
const CDK_SESSIONS: &str =
    "fixtures/iac/cdk/cdk.out/OrdersStack.template.json#SessionsTableA0E6F2B4";
const CDK_KEY: &str = "fixtures/iac/cdk/cdk.out/OrdersStack.template.json#OrdersKey3C7E4D5A";
const CDK_ROLE: &str = "arn:aws:iam::111122223333:role/orders-reader";
/// Attached to the role by ARN; its document is not in the template.
const CDK_AWS_MANAGED: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

const CDK_EXPECTED: Expected = &[
    ("DYN101", CDK_ORDERS, "pass"),
    ("DYN101", CDK_SESSIONS, "fail"),
    ("DYN102", CDK_ORDERS, "pass"),
    ("DYN102", CDK_SESSIONS, "pass"),
    ("DYN103", CDK_KEY, "pass"),
    ("DYN201", CDK_ORDERS, "pass"),
    ("DYN201", CDK_SESSIONS, "fail"),
    ("DYN204", CDK_ORDERS, "pass"),
    ("DYN204", CDK_SESSIONS, "fail"),
    ("DYN206", CDK_ORDERS, "pass"),
    ("DYN206", CDK_SESSIONS, "fail"),
    ("DYN301", CDK_ROLE, "pass"),
    // An AWS managed policy: a live scan reads its document, the template
    // does not have it, so whether it grants DynamoDB is unknown.
    ("DYN301", CDK_AWS_MANAGED, "unknown"),
    ("DYN302", CDK_AWS_MANAGED, "unknown"),
    ("DYN303", CDK_AWS_MANAGED, "unknown"),
    ("DYN305", CDK_ORDERS, "pass"),
    ("DYN305", CDK_SESSIONS, "pass"),
    ("DYN505", CDK_ORDERS, "pass"),
    ("DYN505", CDK_SESSIONS, "fail"),
    ("DYN506", CDK_ORDERS, "fail"),
    ("DYN506", CDK_SESSIONS, "fail"),
    ("DYN604", CDK_ORDERS, "pass"),
    ("DYN604", CDK_SESSIONS, "fail"),
];

fn cdk_args(format: &str) -> Vec<&str> {
    vec!["iac", CDK, "--format", format, "--fail-on", "none"]
}

#[test]
fn cdk_assembly_uses_the_manifest_environment_and_stack_name() {
    let dir = tempfile::tempdir().unwrap();
    let inventory_path = dir.path().join("planned.json");
    let mut args = cdk_args("json");
    let inventory_arg = inventory_path.to_str().unwrap();
    args.extend(["--inventory-out", inventory_arg]);
    let report = parse_stdout(&run(&args), "iac cdk.out");
    assert_eq!(report["scope"]["account_id"], "111122223333");
    assert_eq!(report["scope"]["regions"], serde_json::json!(["eu-west-1"]));
    assert_eq!(report["scope"]["planned"], "cdk");
    for f in findings(&report) {
        assert_eq!(f["account"], "111122223333", "{f}");
        // IAM is global, as in a live inventory.
        let iam = f["resource"].as_str().unwrap().starts_with("arn:aws:iam:");
        assert_eq!(f["region"], if iam { "global" } else { "eu-west-1" }, "{f}");
    }
    let problems = check(CDK_EXPECTED, &outcomes(&report));
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&inventory_path).unwrap()).unwrap();
    assert_eq!(
        inventory["planned"]["account_source"],
        "infrastructure code"
    );
    assert_eq!(
        inventory["planned"]["files"],
        serde_json::json!([CDK_TEMPLATE])
    );
    // `{"Ref": "AWS::StackName"}` is the manifest's stackName.
    assert_eq!(
        inventory["regions"]["eu-west-1"]["tables"][CDK_ORDERS]["tags"]["Stack"],
        "orders-prod"
    );
}

#[test]
fn cdk_sarif_results_point_at_the_stack_template() {
    let text = text_of(CDK_TEMPLATE);
    let sarif = parse_stdout(&run(&cdk_args("sarif")), "iac cdk.out --format sarif");
    let results = sarif_results(&sarif);
    assert!(!results.is_empty());
    let mut problems = Vec::new();
    for r in results {
        let rule = r["ruleId"].as_str().unwrap();
        let resource = r["properties"]["resource"].as_str().unwrap();
        let (uri, line) = location(r);
        // The weak table sets none of the deciding properties; the orders
        // table fails only DYN506, which has none. The AWS managed policy
        // is declared nowhere: its results belong where the role attaches
        // it (the role, or its ManagedPolicyArns).
        let expected = match resource {
            CDK_ORDERS => vec![logical_id_line(&text, "OrdersTable315BB997")],
            CDK_SESSIONS => vec![logical_id_line(&text, "SessionsTableA0E6F2B4")],
            CDK_KEY => vec![logical_id_line(&text, "OrdersKey3C7E4D5A")],
            CDK_ROLE => vec![logical_id_line(&text, "OrdersReader7C0D2E4F")],
            CDK_AWS_MANAGED => vec![
                logical_id_line(&text, "OrdersReader7C0D2E4F"),
                line_with(&text, "\"ManagedPolicyArns\": ["),
            ],
            other => {
                problems.push(format!("{rule}: a result about {other}"));
                continue;
            }
        };
        if uri != CDK_TEMPLATE || !expected.contains(&line) {
            problems.push(format!(
                "{rule} {resource}: {uri}:{line}, expected {CDK_TEMPLATE}:{expected:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// --- Malformed input ------------------------------------------------------

/// Runs `iac` on `path` (from `dir`) and checks the refusal: exit 2,
/// nothing on stdout, `error: FILE:LINE:` on stderr with one of `lines`,
/// and `fragment` in the message. Returns stderr, or the problem.
fn refused(
    dir: &Path,
    path: &str,
    file_shown: &str,
    lines: &[usize],
    fragment: &str,
) -> Result<String, String> {
    let out = run_in(dir, &["iac", path, "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.code() != Some(2) {
        return Err(format!(
            "{path}: exit {:?}, expected 2; stderr: {stderr}",
            out.status.code()
        ));
    }
    if !out.stdout.is_empty() {
        return Err(format!(
            "{path}: a report on stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    if !lines
        .iter()
        .any(|l| stderr.contains(&format!("{file_shown}:{l}: ")))
    {
        return Err(format!(
            "{path}: expected {file_shown}:{lines:?}: in stderr: {stderr}"
        ));
    }
    if !stderr.contains(fragment) {
        return Err(format!("{path}: expected {fragment:?} in stderr: {stderr}"));
    }
    Ok(stderr)
}

#[test]
fn malformed_templates_exit_2_with_file_and_line() {
    let case = |name: &str| -> (String, String) {
        let path = format!("{MALFORMED}/{name}");
        let text = text_of(&path);
        (path, text)
    };
    type LinesOf = fn(&str) -> Vec<usize>;
    let cases: [(&str, LinesOf, &str); 9] = [
        // The parser notices the unclosed `[` on the line after it.
        (
            "yaml-syntax.yaml",
            |t| vec![line_with(t, "KeySchema: ["), line_with(t, "BillingMode:")],
            "not valid YAML",
        ),
        (
            "unknown-tag.yaml",
            |t| vec![line_with(t, "TableName: !Foo")],
            "\"!Foo\"",
        ),
        (
            "unknown-function.yaml",
            |t| vec![line_with(t, "Fn::Bogus:")],
            "\"Fn::Bogus\"",
        ),
        (
            "cyclic-ref.yaml",
            |t| {
                vec![
                    line_with(t, "TableName: !Ref InvoicesTable"),
                    line_with(t, "TableName: !Ref OrdersTable"),
                ]
            },
            "cyclic reference",
        ),
        (
            "missing-ref.yaml",
            |t| vec![line_with(t, "!Ref OrdersKeyThatIsNotDeclared")],
            "OrdersKeyThatIsNotDeclared",
        ),
        (
            "yaml-alias.yaml",
            |t| vec![line_with(t, "Properties: *table")],
            "alias",
        ),
        (
            "duplicate-key.yaml",
            |t| vec![line_with(t, "DeletionProtectionEnabled: false")],
            "DeletionProtectionEnabled",
        ),
        (
            "no-type.yaml",
            |t| vec![logical_id_line(t, "InvoicesTable")],
            "no Type",
        ),
        (
            "list.yaml",
            |t| vec![line_with(t, "- Resources:")],
            "a template is a mapping",
        ),
    ];
    let mut problems = Vec::new();
    for (name, lines_of, fragment) in cases {
        let (path, text) = case(name);
        if let Err(problem) = refused(Path::new(ROOT), &path, &path, &lines_of(&text), fragment) {
            problems.push(problem);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_hostile_logical_id_comes_out_escaped() {
    let path = format!("{MALFORMED}/hostile-logical-id.yaml");
    let text = text_of(&path);
    assert!(
        !text.contains('\u{1b}'),
        "the fixture writes the escape as a YAML escape"
    );
    let line = line_with(&text, "\"Orders\\e[31mTable\":");
    let stderr = refused(Path::new(ROOT), &path, &path, &[line], "no Type").unwrap();
    assert!(
        !stderr.contains('\u{1b}'),
        "a raw escape reached stderr: {stderr:?}"
    );
    assert!(
        stderr.contains("Orders\\u{1b}[31mTable") || stderr.contains("Orders\\x1b[31mTable"),
        "the logical id is not shown escaped: {stderr}"
    );
}

#[test]
fn a_cdk_manifest_cannot_name_a_template_outside_the_assembly() {
    let dir = tempfile::tempdir().unwrap();
    let assembly = dir.path().join("cdk.out");
    std::fs::create_dir(&assembly).unwrap();
    // A readable template is there: only where it is makes the refusal.
    std::fs::write(dir.path().join("outside.json"), text_of(CDK_TEMPLATE)).unwrap();
    let manifest = r#"{
  "version": "36.0.0",
  "artifacts": {
    "EscapingStack": {
      "type": "aws:cloudformation:stack",
      "environment": "aws://111122223333/eu-west-1",
      "properties": {
        "templateFile": "../outside.json"
      }
    }
  }
}
"#;
    std::fs::write(assembly.join("manifest.json"), manifest).unwrap();
    let line = line_with(manifest, "\"EscapingStack\": {");
    refused(
        dir.path(),
        "cdk.out",
        "cdk.out/manifest.json",
        &[line],
        "outside",
    )
    .unwrap();
}

// --- Parameters and conditions -------------------------------------------

/// The JSON report of the CloudFormation fixture without `--parameters`:
/// `Environment` takes its default, `staging` (run once).
fn staging_report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        let mut args = reference_args("json");
        args.retain(|a| *a != "--parameters" && *a != PARAMETERS);
        parse_stdout(&run(&args), "iac without --parameters")
    })
}

const STAGING_US: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/shop-orders-staging";
const STAGING_EU: &str = "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-orders-staging";
const SCRATCH: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/scratch";

#[test]
fn without_parameters_the_defaults_decide_mappings_conditions_and_ifs() {
    let problems = check(
        &[
            // RecoveryDays 7 (FindInMap on the default) < 35.
            ("DYN201", STAGING_US, "fail"),
            ("DYN201", STAGING_EU, "fail"),
            (
                "DYN201",
                "arn:aws:dynamodb:us-east-1:123456789012:table/invoices-staging",
                "unknown",
            ),
            ("DYN201", SCRATCH, "fail"),
            ("DYN201", LEGACY, "fail"),
            // !If [IsProd, 3, 1]: one node.
            ("DYN208", CACHE, "fail"),
            // BackupRetentionDays 7 < 30.
            ("DYN207", STAGING_US, "fail"),
            (
                "DYN207",
                "arn:aws:dynamodb:us-east-1:123456789012:table/invoices-staging",
                "fail",
            ),
        ],
        &outcomes(staging_report()),
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn without_parameters_every_finding_that_depends_on_environment_names_its_default() {
    // The orders table's name and PITR period, the cluster's node count
    // (`!If [IsProd, ...]`) and the scratch table's existence (`Condition:
    // IsStaging`) all come from Environment's default.
    let mut problems = Vec::new();
    for (rule, resource) in [
        ("DYN201", STAGING_US),
        ("DYN201", STAGING_EU),
        ("DYN208", CACHE),
        ("DYN201", SCRATCH),
    ] {
        let msg = message(staging_report(), rule, resource);
        if !msg.contains("assumed from the parameter default")
            || !msg.contains("Environment=staging")
        {
            problems.push(format!(
                "{rule} {resource}: Environment=staging not named: {msg}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The JSON report of an edited copy of the fixture, under the same
/// relative path in a temporary directory.
fn edited_report(edit: impl Fn(&str) -> String) -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("fixtures/iac/cloudformation")).unwrap();
    std::fs::copy(
        Path::new(ROOT).join(PARAMETERS),
        dir.path().join(PARAMETERS),
    )
    .unwrap();
    std::fs::write(dir.path().join(TEMPLATE), edit(&text_of(TEMPLATE))).unwrap();
    parse_stdout(
        &run_in(dir.path(), &reference_args("json")),
        "edited template",
    )
}

#[test]
fn row_level_security_holds_because_of_the_admin_deny() {
    // Without the Deny of the orders table in the admin's managed policy,
    // its `dynamodb:*` reaches the table with no LeadingKeys condition: the
    // pass above is the Deny's doing, not a policy the adapter missed.
    let report = edited_report(|text| {
        let start = text.find("          - Sid: NotTheOrders").unwrap();
        let end = text.find("  # --- Alarms").unwrap();
        format!("{}\n{}", &text[..start], &text[end..])
    });
    let problems = check(
        &[("DYN304", ORDERS_US, "fail"), ("DYN304", ORDERS_EU, "fail")],
        &outcomes(&report),
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(message(&report, "DYN304", ORDERS_US).contains("shop-dynamodb-admin"));
}
