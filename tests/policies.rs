//! The rule pack's own contract: every `_test.rego` passes under regorus,
//! the metadata of the 27 catalogue rules is complete and correct, and
//! every AWS operation a rule says it needs is one the scan may call.

use std::collections::{BTreeMap, BTreeSet};

use dynaudit::collect::permissions::{ALLOWED_OPERATIONS, COLLECTOR_ONLY_OPERATIONS};
use dynaudit::policy::{FileKind, PolicySet, builtin_files, run_rego_tests};

/// The catalogue (`docs/rules/README.md`, the generated rule index): ids and
/// names are a public contract. It lists 35 rules (5 + 8 + 6 + 4 + 7 + 5).
const CATALOGUE: &[(&str, &str)] = &[
    ("DYN101", "table-not-encrypted-with-cmk"),
    ("DYN102", "table-kms-key-unusable"),
    ("DYN103", "cmk-rotation-disabled"),
    ("DYN104", "dax-not-encrypted-at-rest"),
    ("DYN105", "dax-endpoint-not-tls"),
    ("DYN201", "pitr-disabled"),
    ("DYN202", "no-recent-backup"),
    ("DYN203", "table-not-in-backup-plan"),
    ("DYN204", "deletion-protection-disabled"),
    ("DYN205", "global-table-replica-gap"),
    ("DYN206", "table-capacity-not-managed"),
    ("DYN207", "backup-retention-too-short"),
    ("DYN208", "dax-not-multi-az"),
    ("DYN301", "iam-dynamodb-admin-wildcard"),
    ("DYN302", "leading-keys-condition-weak"),
    ("DYN303", "leading-keys-bypass"),
    ("DYN304", "row-level-security-missing"),
    ("DYN305", "table-policy-public-or-cross-account"),
    ("DYN306", "stream-policy-public-or-cross-account"),
    ("DYN401", "vpc-without-dynamodb-endpoint"),
    ("DYN402", "dynamodb-endpoint-policy-unrestricted"),
    ("DYN403", "gateway-endpoint-not-routed"),
    ("DYN404", "dynamodb-endpoint-policy-untrusted-principal"),
    ("DYN501", "no-multi-region-trail"),
    ("DYN502", "trail-log-validation-disabled"),
    ("DYN503", "dynamodb-data-events-not-logged"),
    ("DYN504", "trail-not-kms-encrypted"),
    ("DYN505", "contributor-insights-disabled"),
    ("DYN506", "table-alarms-missing"),
    ("DYN507", "export-destination-unprotected"),
    ("DYN601", "config-recorder-not-recording"),
    ("DYN602", "config-dynamodb-rules-missing"),
    ("DYN603", "config-rule-noncompliant"),
    ("DYN604", "required-tags-missing"),
    ("DYN605", "replica-outside-allowed-regions"),
];

#[test]
fn every_rego_test_passes() {
    let files = builtin_files();
    let results = run_rego_tests(&files).unwrap_or_else(|err| panic!("{err}"));
    let failed: Vec<_> = results.iter().filter(|r| r.failure.is_some()).collect();
    for r in &results {
        match &r.failure {
            None => println!("ok   {}", r.name),
            Some(why) => println!("FAIL {} ({}): {why}", r.name, r.file),
        }
    }
    println!("{} rego tests, {} failed", results.len(), failed.len());
    assert!(!results.is_empty(), "no Rego tests found");
    assert!(
        failed.is_empty(),
        "{} Rego test(s) failed: see above",
        failed.len()
    );
}

#[test]
fn every_rule_loads_with_valid_metadata() {
    let set = PolicySet::load(&[]).unwrap_or_else(|err| panic!("{err}"));
    assert!(!set.rules().is_empty());
}

#[test]
fn rule_ids_and_names_equal_the_catalogue() {
    let set = PolicySet::load(&[]).unwrap_or_else(|err| panic!("{err}"));
    let loaded: Vec<(String, String)> = set
        .rules()
        .iter()
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect();
    let expected: Vec<(String, String)> = CATALOGUE
        .iter()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect();
    assert_eq!(loaded, expected);
}

#[test]
fn every_rule_file_has_a_test_file_with_tests() {
    let files = builtin_files();
    let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for rule in files.iter().filter(|f| f.kind == FileKind::Rule) {
        let test_path = rule.path.replace(".rego", "_test.rego");
        assert!(
            paths.contains(test_path.as_str()),
            "{} has no {test_path}",
            rule.path
        );
        let test = files
            .iter()
            .find(|f| f.path == test_path)
            .map(|f| f.text.as_str())
            .unwrap_or("");
        for status in ["pass", "fail", "unknown"] {
            assert!(
                test.contains(status),
                "{test_path} never mentions `{status}`: each rule needs pass, fail and unknown tests"
            );
        }
    }
}

#[test]
fn every_rule_maps_to_a_framework_and_file_names_match_ids() {
    let set = PolicySet::load(&[]).unwrap_or_else(|err| panic!("{err}"));
    for rule in set.rules() {
        assert!(
            !rule.frameworks.is_empty(),
            "{} maps to no framework",
            rule.id
        );
        let expected_prefix = format!(
            "policies/{}_{}",
            rule.id.to_lowercase(),
            rule.name.replace('-', "_")
        );
        assert_eq!(
            rule.source,
            format!("{expected_prefix}.rego"),
            "file name of {}",
            rule.id
        );
        assert_eq!(
            rule.package,
            format!("dynaudit.rules.{}", rule.id.to_lowercase())
        );
    }
}

#[test]
fn the_test_inventory_library_is_test_support_only() {
    // Compiled for `run_rego_tests` only, never into the evaluation engine.
    let files = builtin_files();
    let library = files
        .iter()
        .find(|f| f.path == "policies/lib/inventory_test.rego")
        .expect("policies/lib/inventory_test.rego is embedded");
    assert_eq!(library.kind, FileKind::Test);
    assert!(
        !library.text.lines().any(|line| line.starts_with("test_")),
        "the builder library defines no tests of its own"
    );
}

/// A token of Rego source, as far as [`needed_operations`] cares.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Word(String),
    Open,
    Close,
    Colon,
    Compare,
    Comma,
    Newline,
    Other,
}

/// Rego source as tokens, comments left out.
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                while chars.peek().is_some_and(|&n| n != '\n') {
                    chars.next();
                }
            }
            '"' => {
                let mut s = String::new();
                while let Some(n) = chars.next() {
                    match n {
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                s.push(escaped);
                            }
                        }
                        '"' => break,
                        _ => s.push(n),
                    }
                }
                out.push(Token::Str(s));
            }
            '`' => {
                let s: String = chars.by_ref().take_while(|&n| n != '`').collect();
                out.push(Token::Str(s));
            }
            '(' | '[' | '{' => out.push(Token::Open),
            ')' | ']' | '}' => out.push(Token::Close),
            ':' if chars.peek() == Some(&'=') => {
                chars.next();
                out.push(Token::Other);
            }
            ':' => out.push(Token::Colon),
            '=' | '!' if chars.peek() == Some(&'=') => {
                chars.next();
                out.push(Token::Compare);
            }
            ',' => out.push(Token::Comma),
            '\n' => out.push(Token::Newline),
            c if c.is_ascii_alphanumeric() || c == '_' || c == '.' => {
                let mut word = c.to_string();
                while let Some(&n) = chars.peek() {
                    if !(n.is_ascii_alphanumeric() || n == '_' || n == '.') {
                        break;
                    }
                    word.push(n);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
            c if c.is_whitespace() => {}
            _ => out.push(Token::Other),
        }
    }
    out
}

/// The AWS operations a policy file names as needed: the string literals in
/// the value of every `"needs":` key, and in every rule, function or local
/// variable whose name contains `needs` (`trail_needs(t) := [...]`,
/// `needs := array.concat(["DescribeVpcs"], ...)`), because rules also
/// build `needs` from helpers. Object keys, literals compared with `==` or
/// `!=` (conditions in a helper's body) and comments are left out.
fn needed_operations(text: &str) -> BTreeSet<String> {
    let tokens = tokens(text);
    let mut found = BTreeSet::new();
    // Collects the literals from `start` to the end of the expression: a
    // comma or newline outside brackets, or the bracket that encloses it.
    let mut collect = |start: usize, stop_at_comma: bool| {
        let mut depth = 0usize;
        for (i, token) in tokens.iter().enumerate().skip(start) {
            match token {
                Token::Open => depth += 1,
                Token::Close if depth == 0 => break,
                Token::Close => depth -= 1,
                Token::Comma if depth == 0 && stop_at_comma => break,
                Token::Newline if depth == 0 && i > start => break,
                Token::Str(s) => {
                    let next = tokens.get(i + 1);
                    let key = next == Some(&Token::Colon);
                    let compared =
                        next == Some(&Token::Compare) || (i > 0 && tokens[i - 1] == Token::Compare);
                    if !key && !compared {
                        found.insert(s.clone());
                    }
                }
                _ => {}
            }
        }
    };
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Str(key) if key == "needs" && tokens.get(i + 1) == Some(&Token::Colon) => {
                collect(i + 2, true);
            }
            Token::Word(name)
                if name.contains("needs") && (i == 0 || tokens[i - 1] == Token::Newline) =>
            {
                collect(i, false);
            }
            _ => {}
        }
    }
    found
}

/// Every operation the rules and libraries need, with the files needing it.
fn operations_needed_by_rules() -> BTreeMap<String, Vec<String>> {
    let mut needed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in builtin_files().iter().filter(|f| f.kind != FileKind::Test) {
        for operation in needed_operations(&file.text) {
            needed.entry(operation).or_default().push(file.path.clone());
        }
    }
    needed
}

#[test]
fn needed_operations_reads_needs_values_and_needs_helpers() {
    let text = r#"
# "needs": ["InAComment"]
outcomes contains {"status": "unknown", "needs": ["DescribeTable", "ListTagsOfResource"], "region": "us-east-1"} if {
	x := 1
}

other := {"needs": sort({n | some n in array.concat(["A"], ["B" | true])}), "message": "not this"}

trail_needs(t) := array.concat(
	[op | op := "GetTrailStatus"; t.is_logging == null],
	[op | op := "GetEventSelectors"; t.selectors == null],
)

needs_for := {"pitr_status": ["DescribeContinuousBackups"]}

needs_of(v) := {"needs": v.needs} if {
	v.status == "unknown"
	"fail" != v.status
}

f(x) := y if {
	needs := array.concat(["DescribeVpcs"], [op | op := "DescribeVpcEndpoints"])
	y := {"needs": needs, "status": "unknown"}
}
"#;
    let expected: BTreeSet<String> = [
        "A",
        "B",
        "DescribeContinuousBackups",
        "DescribeTable",
        "DescribeVpcEndpoints",
        "DescribeVpcs",
        "GetEventSelectors",
        "GetTrailStatus",
        "ListTagsOfResource",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(needed_operations(text), expected);
}

#[test]
fn every_operation_a_rule_needs_is_in_the_read_only_allow_list() {
    let needed = operations_needed_by_rules();
    // Guards the scan itself: these are named directly in `needs` and
    // through helpers (lib/cloudtrail.rego, a local `needs :=`).
    for operation in [
        "DescribeContinuousBackups",
        "GetAccountAuthorizationDetails",
        "GetTrailStatus",
        "ListBackupSelections",
        "DescribeVpcs",
    ] {
        assert!(
            needed.contains_key(operation),
            "no rule was found needing {operation}: {needed:?}"
        );
    }
    let allowed: BTreeSet<&str> = ALLOWED_OPERATIONS.iter().map(|(_, op, _)| *op).collect();
    let outside: Vec<String> = needed
        .iter()
        .filter(|(operation, _)| !allowed.contains(operation.as_str()))
        .map(|(operation, files)| format!("{operation} (needed in {})", files.join(", ")))
        .collect();
    assert!(
        outside.is_empty(),
        "operations rules need that ALLOWED_OPERATIONS (src/collect/permissions.rs) does not grant: {outside:?}"
    );
}

#[test]
fn every_allowed_operation_is_needed_by_a_rule_or_listed_as_collector_only() {
    let needed = operations_needed_by_rules();
    for (service, operation, _) in ALLOWED_OPERATIONS {
        let by_rule = needed.contains_key(*operation);
        let collector_only = COLLECTOR_ONLY_OPERATIONS.contains(&(*service, *operation));
        assert!(
            by_rule || collector_only,
            "{service}:{operation} is granted but no rule needs it: list it in COLLECTOR_ONLY_OPERATIONS with the reason, or drop it"
        );
        assert!(
            !(by_rule && collector_only),
            "{service}:{operation} is in COLLECTOR_ONLY_OPERATIONS but {} need it",
            needed[*operation].join(", ")
        );
    }
    for (service, operation) in COLLECTOR_ONLY_OPERATIONS {
        assert!(
            ALLOWED_OPERATIONS
                .iter()
                .any(|(s, o, _)| s == service && o == operation),
            "{service}:{operation} is in COLLECTOR_ONLY_OPERATIONS but not in ALLOWED_OPERATIONS"
        );
    }
    let unique: BTreeSet<_> = COLLECTOR_ONLY_OPERATIONS.iter().collect();
    assert_eq!(unique.len(), COLLECTOR_ONLY_OPERATIONS.len(), "duplicates");
}
