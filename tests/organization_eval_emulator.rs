//! `dynaudit eval` of the inventory directories of a multi-account run
//! (issue 11), against the AWS API emulator: the index checked, an account
//! given twice refused, one SARIF file per account. The organization is
//! seeded by `support/organization.rs` (one per test binary).

mod support;

use std::collections::BTreeSet;

use support::org_run::{files_of, in_management, multi, read_json, stderr};
use support::organization::{REGION, ROLE_NAME, shared_organization};
use support::sarif::multitool_errors;

/// `eval` of an inventory directory checks it against its index (a file
/// changed since: exit 2), refuses an account given twice (exit 2), and
/// with several accounts writes one SARIF file per account into
/// `--output DIR`, each with its own category; `--role-arn` does not go
/// with a selector.
#[test]
fn eval_checks_a_directory_and_writes_one_sarif_file_per_account() {
    let org = shared_organization();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (&org.by_name("workloads-a"), &org.by_name("sandbox-b"));
    let listed = format!("{},{}", a.account_id, b.account_id);
    let out = multi(
        org,
        dir.path(),
        "collect",
        &["--accounts", &listed],
        &["--output", "inv"],
    );
    assert_eq!(out.status.code(), Some(0), "collect: {}", stderr(&out));

    let out = in_management(org, dir.path(), &["eval", "inv", "--format", "sarif"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "SARIF of 2 accounts needs --output DIR"
    );
    let args = ["eval", "inv", "--format", "sarif", "--output", "sarif"];
    let out = in_management(org, dir.path(), &args);
    assert_eq!(out.status.code(), Some(1), "eval: {}", stderr(&out));
    let files = files_of(&dir.path().join("sarif"));
    let names: BTreeSet<String> = files.keys().cloned().collect();
    let expected: BTreeSet<String> = [a, b]
        .iter()
        .map(|x| format!("{}.sarif", x.account_id))
        .collect();
    assert_eq!(names, expected);
    for account in [a, b] {
        let sarif = read_json(
            &dir.path()
                .join(format!("sarif/{}.sarif", account.account_id)),
        );
        let category = &sarif["runs"][0]["automationDetails"]["id"];
        assert_eq!(
            category,
            format!("dynaudit/{}/{REGION}/", account.account_id).as_str()
        );
        let text = sarif.to_string();
        assert!(
            text.contains(&account.table("orders").arn),
            "{}",
            account.name
        );
        let errors = multitool_errors(&text);
        assert!(errors.is_empty(), "SARIF of {}: {errors:#?}", account.name);
        let other = if account.account_id == a.account_id {
            b
        } else {
            a
        };
        assert!(!text.contains(&other.account_id), "{} only", account.name);
    }

    let out = in_management(org, dir.path(), &["eval", "inv", "inv", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the same accounts twice: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&a.account_id) || err.contains(&b.account_id),
        "{err}"
    );

    let file = dir.path().join(format!("inv/{}.json", a.account_id));
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.push(b'\n');
    std::fs::write(&file, bytes).unwrap();
    let out = in_management(org, dir.path(), &["eval", "inv", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a changed file: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}.json", a.account_id)) && err.contains("SHA-256"),
        "{err}"
    );

    let role_arn = format!("arn:aws:iam::{}:role/{ROLE_NAME}", a.account_id);
    let args = [
        "collect",
        "--organization",
        "--role-arn",
        &role_arn,
        "--output",
        "x",
    ];
    let out = in_management(org, dir.path(), &args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--role-arn with a selector: {}",
        stderr(&out)
    );
}
