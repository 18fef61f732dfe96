//! SARIF 2.1.0 for GitHub code scanning.
//!
//! GitHub rejects a whole upload if a single result lacks a physical
//! location with a relative URI and a region, so every result points at the
//! evidence (inventory) file, at the line where the resource's record
//! starts; the resource id goes in `logicalLocations`, `properties` and the
//! message. Passes are not results. At most [`MAX_RESULTS`] results are
//! written, failures first by severity, then unknowns; a tool execution
//! notification says how many were left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, Notification,
    PhysicalLocation, PropertyBag, Region, Result as SarifResult, ResultKind, ResultLevel, Run,
    RunAutomationDetails, Sarif, Suppression, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};

use super::{
    Format, INFORMATION_URI, ReportError, ReportInput, Scope, StatusCounts, TOOL_NAME,
    TOOL_VERSION, attention_order, sorted_regions,
};
use crate::finding::{BaselineState, Finding, Status};
use crate::finding::{WaiverMark, WaiverState};
use crate::metadata::RuleMeta;
use crate::waivers::WaiverEntryState;

mod rules;
#[cfg(test)]
use rules::{MAX_DESCRIPTION_CHARS, MAX_TAGS};
use rules::{descriptor, level};

/// GitHub code scanning accepts at most this many results per run.
pub const MAX_RESULTS: usize = 25_000;
/// Largest evidence (compact JSON bytes) copied into a result's properties.
const MAX_EVIDENCE_BYTES: usize = 8_192;
/// The SARIF 2.1.0 JSON schema.
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub(crate) fn render(input: &ReportInput<'_>) -> Result<String, ReportError> {
    render_limited(input, MAX_RESULTS)
}

/// [`render`] with a result cap, so tests can exercise the cap cheaply.
pub(crate) fn render_limited(
    input: &ReportInput<'_>,
    max_results: usize,
) -> Result<String, ReportError> {
    let sarif = build(input, max_results)?;
    let mut out =
        serde_json::to_string_pretty(&sarif).map_err(|source| ReportError::Serialize {
            format: Format::Sarif,
            source,
        })?;
    out.push('\n');
    Ok(out)
}

fn build(input: &ReportInput<'_>, max_results: usize) -> Result<Sarif, ReportError> {
    let uri = artifact_uri(input.evidence.uri)?;
    let rule_index: BTreeMap<&str, usize> = input
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();

    let candidates = attention_order(input.findings);
    let kept = candidates.len().min(max_results);
    let results: Vec<SarifResult> = candidates[..kept]
        .iter()
        .map(|f| result(f, rule_index.get(f.rule_id.as_str()).copied(), &uri, input))
        .collect();

    let mut notifications = Vec::new();
    if kept < candidates.len() {
        let dropped = &candidates[kept..];
        let fails = dropped.iter().filter(|f| f.status == Status::Fail).count();
        let unknowns = dropped.len() - fails;
        notifications.push(
            Notification::builder()
                .level(json!("warning"))
                .message(Message::from(
                    format!(
                        "GitHub code scanning accepts at most {max_results} results per run: {} of {} results were left out ({fails} failures, {unknowns} unknowns; the least severe go first). The JSON report lists every finding.",
                        dropped.len(),
                        candidates.len()
                    )
                    .as_str(),
                ))
                .properties(bag(BTreeMap::from([
                    ("results_omitted".to_owned(), json!(dropped.len())),
                    ("failures_omitted".to_owned(), json!(fails)),
                    ("unknowns_omitted".to_owned(), json!(unknowns)),
                ])))
                .build(),
        );
    }
    for gap in &input.scope.incomplete {
        notifications.push(
            Notification::builder()
                .level(json!("error"))
                .message(Message::from(
                    format!(
                        "Incomplete scope: {} was asked for and could not be collected ({}); its outcomes are unknown and the run fails its gate unless --allow-incomplete-scope.",
                        gap.scope, gap.cause
                    )
                    .as_str(),
                ))
                .build(),
        );
    }
    let warning = input
        .scope
        .planned_errors_warning(input.evidence.uri)
        .or_else(|| {
            (input.scope.collection_errors > 0).then(|| format!(
                "{} API calls failed during collection; outcomes that depended on them are reported as unknown (see `errors` in {}).",
                input.scope.collection_errors, input.evidence.uri
            ))
        });
    if let Some(warning) = warning {
        notifications.push(
            Notification::builder()
                .level(json!("warning"))
                .message(Message::from(warning.as_str()))
                .build(),
        );
    }
    if let Some(waivers) = input.waivers {
        for entry in waivers.entries.iter() {
            let text = match entry.state {
                WaiverEntryState::Applied => continue,
                WaiverEntryState::Expired => format!(
                    "Waiver at {} ({} on {}, owner {}) expired on {}: it no longer applies, and the {} finding(s) it matched count again.",
                    entry.source,
                    entry.rule,
                    entry.resource,
                    entry.owner,
                    entry.expires,
                    entry.findings
                ),
                WaiverEntryState::Stale => format!(
                    "Waiver at {} ({} on {}, owner {}) matches no failing or unknown finding: it is stale, remove it.",
                    entry.source, entry.rule, entry.resource, entry.owner
                ),
            };
            notifications.push(
                Notification::builder()
                    .level(json!("warning"))
                    .message(Message::from(text.as_str()))
                    .properties(bag(BTreeMap::from([("waiver".to_owned(), json!(entry))])))
                    .build(),
            );
        }
    }
    let invocation = if notifications.is_empty() {
        Invocation::builder().execution_successful(true).build()
    } else {
        Invocation::builder()
            .execution_successful(true)
            .tool_execution_notifications(notifications)
            .build()
    };

    let driver = ToolComponent::builder()
        .name(TOOL_NAME)
        .version(TOOL_VERSION)
        .semantic_version(TOOL_VERSION)
        .information_uri(INFORMATION_URI)
        .rules(input.rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();

    let counts = StatusCounts::of(input.findings);
    let run_properties = BTreeMap::from([
        ("parameters".to_owned(), input.parameters.clone()),
        (
            "scope".to_owned(),
            serde_json::to_value(input.scope).map_err(|source| ReportError::Serialize {
                format: Format::Sarif,
                source,
            })?,
        ),
        (
            "summary".to_owned(),
            json!({
                "fail": counts.fail,
                "unknown": counts.unknown,
                "pass": counts.pass,
                "results": kept,
                "results_omitted": candidates.len() - kept,
            }),
        ),
    ]);

    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(
            RunAutomationDetails::builder()
                .id(category(input.sarif_category, input.scope))
                .build(),
        )
        .invocations(vec![invocation])
        .results(results)
        .properties(bag(run_properties))
        .build();

    Ok(Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build())
}

/// The code scanning category of a SARIF report, its
/// `automationDetails.id`: the given category, or
/// `dynaudit/<account>/<regions, sorted, comma-separated>/` so that uploads
/// from different scopes do not close each other's alerts. GitHub takes
/// everything up to the last `/` as the category, so a given category gets
/// a trailing `/` when it lacks one.
pub fn category(given: Option<&str>, scope: &Scope) -> String {
    match given {
        Some(category) if category.ends_with('/') => category.to_owned(),
        Some(category) => format!("{category}/"),
        None => format!(
            "{TOOL_NAME}/{}/{}/",
            scope.account_id,
            sorted_regions(scope).join(",")
        ),
    }
}

fn bag(properties: BTreeMap<String, Value>) -> PropertyBag {
    PropertyBag::builder()
        .additional_properties(properties)
        .build()
}

/// The evidence of a result, or a stand-in when it is too large: GitHub
/// takes at most 10 MB of gzipped SARIF, and 25,000 results with large
/// policy documents could pass that. The JSON report always has it whole.
fn sarif_evidence(evidence: &Value) -> Value {
    let size = serde_json::to_string(evidence).map_or(usize::MAX, |s| s.len());
    if size <= MAX_EVIDENCE_BYTES {
        evidence.clone()
    } else {
        json!({
            "omitted": format!(
                "{size} bytes of evidence, more than the {MAX_EVIDENCE_BYTES} kept in SARIF: see the JSON report"
            )
        })
    }
}

/// `hex(sha256(rule_id "\n" resource))[..32] ":1"`: stable across changes
/// of the evidence file's layout.
pub(crate) fn fingerprint(rule_id: &str, resource: &str) -> String {
    let digest = Sha256::new()
        .chain_update(rule_id)
        .chain_update("\n")
        .chain_update(resource)
        .finalize();
    let mut out = String::with_capacity(34);
    for byte in digest.iter().take(16) {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
    }
    out.push_str(":1");
    out
}

/// Where a result points in the evidence file: the resource's record, or
/// when it has none (a replica in an unscanned region, a key that could
/// not be described) its region's record, or else line 1.
fn evidence_line(f: &Finding, input: &ReportInput<'_>) -> i64 {
    let lines = input.evidence.lines;
    let line = lines
        .get(&f.resource)
        .or_else(|| lines.get(&format!("{}/{}", f.account, f.region)))
        .copied()
        .unwrap_or(1)
        .max(1);
    i64::from(line)
}

/// The message of a result: names the resource, and starts with
/// `Unknown:` for an unknown outcome.
fn result_message(f: &Finding, rule: Option<&RuleMeta>) -> String {
    let text = f.message.trim();
    let text = if text.is_empty() {
        rule.map_or(f.rule_id.as_str(), |r| r.title.as_str())
    } else {
        text
    };
    let mut out = String::new();
    if f.status == Status::Unknown {
        out.push_str("Unknown: ");
    }
    out.push_str(text);
    if !text.contains(f.resource.as_str()) {
        out.push_str(" (");
        out.push_str(&f.resource);
        out.push(')');
    }
    out
}

fn result(
    f: &Finding,
    rule_index: Option<usize>,
    uri: &str,
    input: &ReportInput<'_>,
) -> SarifResult {
    let rule = rule_index.and_then(|i| input.rules.get(i));
    let declared = input
        .evidence
        .sources
        .and_then(|s| s.get(&super::SourceLine::key(&f.rule_id, &f.resource)));
    let (uri, line) = match declared {
        Some(source) => (source.uri.as_str(), i64::from(source.line.max(1))),
        None => (uri, evidence_line(f, input)),
    };
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(ArtifactLocation::builder().uri(uri).build())
                .region(Region::builder().start_line(line).build())
                .build(),
        )
        .logical_locations(vec![
            LogicalLocation::builder()
                .fully_qualified_name(f.resource.as_str())
                .kind("resource")
                .build(),
        ])
        .build();
    let (kind, level) = match f.status {
        // SARIF 2.1.0 §3.27.10: a result whose kind is not `fail` must have
        // level `none`.
        Status::Unknown => (ResultKind::Review, ResultLevel::None),
        Status::Fail | Status::Pass => (ResultKind::Fail, level(f.severity)),
    };
    let properties = BTreeMap::from([
        ("status".to_owned(), json!(f.status.as_str())),
        ("severity".to_owned(), json!(f.severity.as_str())),
        ("resource".to_owned(), json!(f.resource)),
        ("account".to_owned(), json!(f.account)),
        ("region".to_owned(), json!(f.region)),
        ("evidence".to_owned(), sarif_evidence(&f.evidence)),
        ("frameworks".to_owned(), json!(f.frameworks)),
    ]);
    let mut message = result_message(f, rule);
    if let Some(waiver) = f
        .waiver
        .as_ref()
        .filter(|w| w.state == WaiverState::Expired)
    {
        message.push_str(&format!(
            " [waiver expired {} ({}, {}): it no longer applies]",
            waiver.expires, waiver.owner, waiver.source
        ));
    }
    let builder = SarifResult::builder()
        .rule_id(f.rule_id.as_str())
        .level(level)
        .kind(kind)
        .message(Message::from(message.as_str()))
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(
            "primaryLocationLineHash".to_owned(),
            fingerprint(&f.rule_id, &f.resource),
        )]))
        .properties(bag(properties));
    let mut result = match rule_index {
        Some(i) => builder.rule_index(i as i64).build(),
        None => builder.build(),
    };
    if let Some(waiver) = f.waiver.as_ref().filter(|w| w.state == WaiverState::Active) {
        result.suppressions = Some(vec![suppression(waiver)]);
    }
    result.baseline_state = f.baseline.map(|state| match state {
        BaselineState::New => json!("new"),
        BaselineState::Unchanged => json!("unchanged"),
    });
    result
}

/// A waiver in force as a SARIF suppression (§3.35): external, accepted,
/// with the waiver's reason as justification.
fn suppression(waiver: &WaiverMark) -> Suppression {
    Suppression::builder()
        .kind(json!("external"))
        .status(json!("accepted"))
        .justification(waiver.reason.as_str())
        .properties(bag(BTreeMap::from([
            ("owner".to_owned(), json!(waiver.owner)),
            ("expires".to_owned(), json!(waiver.expires)),
            ("source".to_owned(), json!(waiver.source)),
        ])))
        .build()
}

/// Checks that `uri` is a relative path (GitHub rejects absolute URIs whose
/// scheme is not `file`, so never `arn:`) and percent-encodes what a URI
/// reference cannot hold.
pub(crate) fn artifact_uri(uri: &str) -> Result<String, ReportError> {
    let trimmed = uri.strip_prefix("./").unwrap_or(uri);
    let first_segment = trimmed.split('/').next().unwrap_or("");
    if trimmed.is_empty()
        || trimmed.starts_with('/')
        || trimmed.contains('\\')
        || first_segment.contains(':')
    {
        return Err(ReportError::EvidenceUri {
            uri: uri.to_owned(),
        });
    }
    let mut out = String::with_capacity(trimmed.len());
    for byte in trimmed.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata::TestData;

    fn sarif_value(data: &TestData, max: usize) -> Value {
        let text = data.with_input(|input| render_limited(input, max)).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn snapshot() {
        let data = TestData::new();
        let text = data.with_input(render).unwrap();
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    #[test]
    fn every_result_has_a_relative_physical_location_and_region() {
        let data = TestData::new();
        let v = sarif_value(&data, MAX_RESULTS);
        let results = v["runs"][0]["results"].as_array().unwrap();
        let expected = data
            .findings
            .iter()
            .filter(|f| f.status != Status::Pass)
            .count();
        assert_eq!(results.len(), expected);
        for r in results {
            let locations = r["locations"].as_array().unwrap();
            assert_eq!(locations.len(), 1);
            let phys = &locations[0]["physicalLocation"];
            let uri = phys["artifactLocation"]["uri"].as_str().unwrap();
            assert_eq!(uri, "evidence/inventory%20one.json");
            assert!(!uri.contains(':'));
            assert!(phys["region"]["startLine"].as_i64().unwrap() >= 1);
            let fqn = locations[0]["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .unwrap();
            assert_eq!(r["properties"]["resource"], fqn);
            assert!(r["message"]["text"].as_str().unwrap().contains(fqn));
            let fp = r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap();
            assert_eq!(fp.len(), 34);
            assert!(fp.ends_with(":1"));
            let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
            assert_eq!(
                v["runs"][0]["tool"]["driver"]["rules"][index]["id"],
                r["ruleId"]
            );
        }
    }

    #[test]
    fn unknowns_are_reviews_without_level() {
        let data = TestData::new();
        let v = sarif_value(&data, MAX_RESULTS);
        let results = v["runs"][0]["results"].as_array().unwrap();
        let unknown: Vec<&Value> = results
            .iter()
            .filter(|r| r["properties"]["status"] == "unknown")
            .collect();
        assert!(!unknown.is_empty());
        for r in unknown {
            assert_eq!(r["kind"], "review");
            assert_eq!(r["level"], "none");
            assert!(
                r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with("Unknown:")
            );
        }
        for r in results
            .iter()
            .filter(|r| r["properties"]["status"] == "fail")
        {
            assert_eq!(r["kind"], "fail");
        }
    }

    #[test]
    fn cap_keeps_most_severe_failures_and_says_so() {
        let data = TestData::new();
        let v = sarif_value(&data, 2);
        let run = &v["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["properties"]["severity"], "critical");
        assert_eq!(results[1]["properties"]["severity"], "high");
        let note = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert!(
            note["message"]["text"]
                .as_str()
                .unwrap()
                .contains("were left out"),
            "{note}"
        );
        assert!(
            run["properties"]["summary"]["results_omitted"]
                .as_u64()
                .unwrap()
                > 0
        );
    }

    #[test]
    fn rule_descriptors_respect_github_limits() {
        let data = TestData::new();
        let v = sarif_value(&data, MAX_RESULTS);
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), data.rules.len());
        for r in rules {
            assert!(
                r["fullDescription"]["text"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .count()
                    <= MAX_DESCRIPTION_CHARS
            );
            assert!(
                r["shortDescription"]["text"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .count()
                    <= MAX_DESCRIPTION_CHARS
            );
            let tags = r["properties"]["tags"].as_array().unwrap();
            assert!(tags.len() <= MAX_TAGS);
            assert_eq!(tags[0], "security");
            let score: f64 = r["properties"]["security-severity"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((0.0..=10.0).contains(&score));
        }
    }

    #[test]
    fn cap_on_a_larger_estate_keeps_failures_by_severity_then_unknowns() {
        let mut data = TestData::new();
        let template = data.findings.clone();
        data.findings = (0..3_000)
            .map(|i| {
                let mut f = template[i % template.len()].clone();
                f.resource = format!("{}-{i:05}", f.resource);
                f
            })
            .collect();
        data.findings
            .sort_by(|a, b| (&a.rule_id, &a.resource).cmp(&(&b.rule_id, &b.resource)));
        let fails = data
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .count();
        let cap = fails + 100;
        let v = sarif_value(&data, cap);
        let run = &v["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), cap);
        let candidates = data
            .findings
            .iter()
            .filter(|f| f.status != Status::Pass)
            .count();
        assert_eq!(
            run["properties"]["summary"]["results_omitted"],
            candidates - cap
        );
        let rank = |r: &Value| {
            let status = if r["kind"] == "fail" { 0 } else { 1 };
            let severity = match r["properties"]["severity"].as_str().unwrap() {
                "critical" => 0,
                "high" => 1,
                "medium" => 2,
                _ => 3,
            };
            (status, severity)
        };
        assert!(results.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])));
        assert_eq!(
            results.iter().filter(|r| r["kind"] == "review").count(),
            100
        );
        let note = &run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"];
        assert!(
            note.as_str()
                .unwrap()
                .contains(&format!("{} of {candidates}", candidates - cap)),
            "{note}"
        );
    }

    #[test]
    fn no_findings_still_has_a_results_array() {
        let mut data = TestData::new();
        data.findings.retain(|f| f.status == Status::Pass);
        let v = sarif_value(&data, MAX_RESULTS);
        assert_eq!(v["runs"][0]["results"], json!([]));
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .len(),
            data.rules.len()
        );
    }

    #[test]
    fn automation_id_carries_scope() {
        let data = TestData::new();
        let v = sarif_value(&data, MAX_RESULTS);
        assert_eq!(
            v["runs"][0]["automationDetails"]["id"],
            "dynaudit/123456789012/eu-west-1,us-east-1/"
        );
    }

    #[test]
    fn a_given_category_replaces_the_scope() {
        let data = TestData::new();
        for (given, id) in [("prod-nightly", "prod-nightly/"), ("a/b/", "a/b/")] {
            let text = data
                .with_input(|input| {
                    let input = ReportInput {
                        sarif_category: Some(given),
                        ..*input
                    };
                    render(&input)
                })
                .unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["runs"][0]["automationDetails"]["id"], id);
        }
    }

    #[test]
    fn large_evidence_is_left_to_the_json_report() {
        let small = json!({"a": 1});
        assert_eq!(sarif_evidence(&small), small);
        let large = json!({"doc": "x".repeat(MAX_EVIDENCE_BYTES)});
        let kept = sarif_evidence(&large);
        assert!(
            kept["omitted"]
                .as_str()
                .unwrap()
                .contains("see the JSON report")
        );
    }

    #[test]
    fn evidence_line_falls_back_to_region_then_line_one() {
        let data = TestData::new();
        let mut f = data.findings[0].clone();
        data.with_input(|input| {
            assert_eq!(evidence_line(&f, input), 60);
            f.resource = "arn:aws:kms:eu-west-1:123456789012:key/missing".to_owned();
            assert_eq!(evidence_line(&f, input), 40);
            f.region = "ap-south-1".to_owned();
            assert_eq!(evidence_line(&f, input), 1);
        });
    }

    #[test]
    fn fingerprint_is_stable() {
        assert_eq!(
            fingerprint("DYN101", "arn:x"),
            fingerprint("DYN101", "arn:x")
        );
        assert_ne!(
            fingerprint("DYN101", "arn:x"),
            fingerprint("DYN102", "arn:x")
        );
        let expected = {
            let d = Sha256::digest(b"DYN101\narn:x");
            let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
            format!("{}:1", &hex[..32])
        };
        assert_eq!(fingerprint("DYN101", "arn:x"), expected);
    }

    #[test]
    fn artifact_uris_must_be_relative() {
        assert_eq!(
            artifact_uri("out/inventory.json").unwrap(),
            "out/inventory.json"
        );
        assert_eq!(artifact_uri("./a b/c#1.json").unwrap(), "a%20b/c%231.json");
        assert_eq!(artifact_uri("dir/x:y.json").unwrap(), "dir/x:y.json");
        for bad in [
            "",
            "/abs/inventory.json",
            "arn:aws:dynamodb:x",
            "C:\\inv.json",
            "file:///x",
            "a\\b",
        ] {
            assert!(artifact_uri(bad).is_err(), "{bad}");
        }
    }
}
