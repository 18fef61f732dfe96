//! The organization-wide audit (issue 11) end to end against the AWS API
//! emulator, through the shipped binary: `scan`/`collect` with
//! `--organization`, `--ou`, `--accounts`, `--exclude-accounts`,
//! `--role-name` and `--shard`, the inventory directory and its
//! `index.json`, `eval` of several directories, `dynaudit accounts`, and a
//! selected id that is not a member.
//!
//! One organization is seeded per test binary (`support/organization.rs`:
//! the management account and 7 ACTIVE members under the root, `Workloads`,
//! `Workloads/Prod` and `Sandbox`, plus a SUSPENDED member), each with an
//! `orders` table of its own posture in us-east-1. Tests only read it, so
//! they run in parallel. One organization-wide scan and the scans of each
//! account alone are shared too (they are the expensive part).

mod support;

use std::collections::BTreeSet;

use support::moto::TestAccount;
use support::org_run::{
    account_counts, active_ids, alone, assert_organization_directory, assert_planted_posture, ids,
    in_management, index_entries, is_scanned, multi, org_scan, organization_status,
    outcomes_by_account, read_inventory_dir, read_json, selected, shard_of, stderr, stdout,
    suspended, with_status,
};
use support::organization::{
    REGION, ROLE_NAME, accounts_by_parent, list_accounts, shared_organization,
};

/// The seeding, and what the tests rely on in moto's Organizations (see
/// `support/organization.rs`): ListAccountsForParent of the root and of
/// each OU lists what was seeded there, the management account is listed
/// (named `master`), the closed account is SUSPENDED, only the management
/// account sees the accounts, and an account outside any organization is
/// told so by DescribeOrganization but gets an empty ListAccounts.
#[tokio::test(flavor = "multi_thread")]
async fn the_seeded_organization_is_what_organizations_lists() {
    let org = shared_organization();
    let parents = [
        &org.root_id,
        &org.workloads_ou,
        &org.prod_ou,
        &org.sandbox_ou,
    ];
    let parents: Vec<&str> = parents.iter().map(|p| p.as_str()).collect();
    let listed = accounts_by_parent(&org.management, &parents).await;
    for parent in parents {
        let mut expected: Vec<(String, String)> = (org.accounts.iter())
            .filter(|a| a.parent_id == parent)
            .map(|a| (a.account_id.clone(), a.status.clone()))
            .collect();
        expected.sort();
        assert_eq!(listed[parent], expected, "accounts under {parent}");
    }
    let names = list_accounts(&org.management).await;
    assert_eq!(names.len(), org.accounts.len());
    for a in &org.accounts {
        assert_eq!(names[&a.account_id], (a.name.clone(), a.status.clone()));
    }
    assert_eq!(names[&org.management.account_id].0, "master");

    let member = org.member(&org.by_name("prod-a").account_id).await;
    assert!(
        list_accounts(&member).await.is_empty(),
        "keyed by the caller"
    );
    let member = aws_sdk_organizations::Client::new(&member.config(REGION));
    let described = member.describe_organization().send().await.unwrap();
    let id = described.organization().and_then(|o| o.id());
    assert_eq!(id, Some(org.org_id.as_str()));

    let outsider = TestAccount::new().await;
    assert!(list_accounts(&outsider).await.is_empty());
    let outsider = aws_sdk_organizations::Client::new(&outsider.config(REGION));
    let err = outsider.describe_organization().send().await.unwrap_err();
    let err = format!("{err:?}");
    assert!(err.contains("AWSOrganizationsNotInUseException"), "{err}");
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// `scan --organization`: per account exactly the outcomes of scanning it
/// alone (the management account included, with its own credentials), one
/// inventory per ACTIVE account with its digest in `index.json`, the
/// suspended account skipped.
#[test]
fn an_organization_scan_equals_the_scans_of_each_account_alone() {
    let org = shared_organization();
    let scan = org_scan();
    let summary = stderr(&scan.output);
    assert_eq!(
        scan.output.status.code(),
        Some(1),
        "failing rules: {summary}"
    );
    assert_eq!(
        account_counts(&summary),
        Some((9, 8, 0, 1)),
        "the multi-account summary line: {summary}"
    );

    let by_account = outcomes_by_account(scan.report());
    let expected = alone();
    assert_eq!(
        by_account.keys().collect::<BTreeSet<_>>(),
        expected.keys().collect::<BTreeSet<_>>(),
        "the accounts of the report are the ACTIVE accounts"
    );
    assert!(by_account.contains_key(&org.management.account_id));
    for (account, outcomes) in expected {
        let got = &by_account[account];
        let missing: Vec<_> = outcomes.difference(got).collect();
        let extra: Vec<_> = got.difference(outcomes).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{account} ({}): scanned alone but not in the organization scan: {missing:#?}\nin the organization scan only: {extra:#?}",
            org.account(account).name
        );
    }

    let skipped = &suspended(org).account_id;
    assert!(
        scan.report().to_string().contains(skipped.as_str()),
        "the report lists the skipped account {skipped}"
    );

    // The directory: one inventory per ACTIVE account, the index (digests
    // checked by read_inventory_dir) naming the organization.
    assert_organization_directory(org, scan);
}

/// The reference: each account scanned alone (`--role-arn`, or the
/// management account's own credentials) shows its planted posture.
#[test]
fn each_account_scanned_alone_shows_its_planted_posture() {
    let org = shared_organization();
    assert_eq!(alone().len(), 8, "the ACTIVE accounts");
    assert_planted_posture(org, alone());
}

/// Findings are filed under the account whose resource they judge: the
/// `orders` table of each account has its own posture, and each account's
/// DYN201 (PITR) and DYN204 (deletion protection) outcomes on it follow
/// that account's, not another's.
#[test]
fn findings_are_filed_under_the_account_of_their_resource() {
    let org = shared_organization();
    let by_account = outcomes_by_account(org_scan().report());
    assert!(
        !by_account.contains_key(&suspended(org).account_id),
        "the suspended account is not scanned"
    );
    assert_planted_posture(org, &by_account);
}

/// `--ou <Workloads>` selects the accounts of Workloads and of Prod nested
/// in it: not Sandbox's, not the root's (the management account included).
#[test]
fn an_ou_selects_its_accounts_and_those_of_its_nested_ous() {
    let org = shared_organization();
    let dir = tempfile::tempdir().unwrap();
    let selection = ["--ou", org.workloads_ou.as_str()];
    let out = multi(
        org,
        dir.path(),
        "collect",
        &selection,
        &["--output", "inventory"],
    );
    assert_eq!(out.status.code(), Some(0), "collect --ou: {}", stderr(&out));
    let (index, inventories) =
        read_inventory_dir(&dir.path().join("inventory"), &org.management.account_id);
    let expected = ids(org.active_under("Root/Workloads"));
    assert_eq!(expected.len(), 4, "two in Workloads, two in Prod");
    assert_eq!(
        inventories.keys().cloned().collect::<BTreeSet<_>>(),
        expected
    );
    assert_eq!(with_status(&index, "collected"), expected);
    assert_eq!(
        index["selection"]["ou"],
        serde_json::json!([org.workloads_ou])
    );
    for (id, inventory) in &inventories {
        let tables: BTreeSet<String> = inventory["regions"][REGION]["tables"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let planted: BTreeSet<String> = org
            .account(id)
            .tables
            .iter()
            .map(|t| t.arn.clone())
            .collect();
        assert_eq!(tables, planted, "the tables of {id}");
    }

    // `accounts --ou` marks the same selection.
    let out = in_management(
        org,
        dir.path(),
        &["accounts", "--ou", &org.workloads_ou, "--format", "json"],
    );
    assert_eq!(selected(&out), expected);

    // Several OUs; the root selects every ACTIVE account.
    let both = format!("{},{}", org.sandbox_ou, org.prod_ou);
    let out = in_management(
        org,
        dir.path(),
        &["accounts", "--ou", &both, "--format", "json"],
    );
    let mut expected = ids(org.active_under("Root/Sandbox"));
    expected.extend(ids(org.active_under("Root/Workloads/Prod")));
    assert_eq!(selected(&out), expected);
    let out = in_management(
        org,
        dir.path(),
        &["accounts", "--ou", &org.root_id, "--format", "json"],
    );
    assert_eq!(selected(&out), active_ids(org));
}

/// `collect --shard 1/2` and `--shard 2/2` split the organization by the
/// contract's digest, disjointly and completely, and `eval` of the two
/// directories gives the findings and counts of the single run.
#[test]
fn two_shards_cover_the_organization_and_evaluate_as_one_run() {
    let org = shared_organization();
    let dir = tempfile::tempdir().unwrap();
    let mut shards = Vec::new();
    for k in 1..=2u64 {
        let shard = format!("{k}/2");
        let output = format!("d{k}");
        let selection = ["--organization", "--shard", shard.as_str()];
        let out = multi(
            org,
            dir.path(),
            "collect",
            &selection,
            &["--output", &output],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "collect --shard {shard}: {}",
            stderr(&out)
        );
        let (index, inventories) =
            read_inventory_dir(&dir.path().join(&output), &org.management.account_id);
        assert_eq!(index["selection"]["shard"], shard.as_str());
        let collected = with_status(&index, "collected");
        assert_eq!(
            inventories.keys().cloned().collect::<BTreeSet<_>>(),
            collected
        );
        for id in index_entries(&index).keys() {
            assert_eq!(shard_of(id, 2), k, "{id} listed in shard {shard}");
        }
        shards.push(collected);
    }
    assert!(shards[0].is_disjoint(&shards[1]), "{shards:?}");
    let union: BTreeSet<String> = shards[0].union(&shards[1]).cloned().collect();
    assert_eq!(
        union,
        active_ids(org),
        "the shards cover every ACTIVE account"
    );
    let expected_split: BTreeSet<String> = active_ids(org)
        .into_iter()
        .filter(|id| shard_of(id, 2) == 1)
        .collect();
    assert_eq!(shards[0], expected_split, "shard 1/2 by sha256(account id)");

    let report = dir.path().join("eval.json");
    let out = in_management(
        org,
        dir.path(),
        &[
            "eval",
            "d1",
            "d2",
            "--format",
            "json",
            "--quiet",
            "--output",
            "eval.json",
        ],
    );
    let single = org_scan().report();
    assert_eq!(
        out.status.code(),
        org_scan().output.status.code(),
        "eval of the shards gates as the single run: {}",
        stderr(&out)
    );
    let evaluated = read_json(&report);
    assert_eq!(outcomes_by_account(&evaluated), outcomes_by_account(single));
    assert_eq!(evaluated["summary"], single["summary"], "the same counts");
}

/// `--accounts A,B` needs no Organizations access: run by an account in no
/// organization, it scans exactly A and B (each as alone), with no
/// `organization` block; `--exclude-accounts` takes accounts out of a list
/// and out of the organization.
#[test]
fn explicit_accounts_need_no_organization_and_exclusions_remove_accounts() {
    let org = shared_organization();
    let outsider = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(TestAccount::new());
    let (a, b, c) = (
        org.by_name("workloads-b").account_id.clone(),
        org.by_name("sandbox-a").account_id.clone(),
        org.by_name("shared-services").account_id.clone(),
    );
    let dir = tempfile::tempdir().unwrap();
    let ops = dir.path().join("operations.txt");
    let listed = format!("{a},{b},{c}");
    let mut cmd = outsider.dynaudit();
    cmd.current_dir(dir.path())
        .env("DYNAUDIT_RECORD_OPERATIONS", &ops)
        .args(["scan", "--accounts", &listed, "--exclude-accounts", &c])
        .args([
            "--role-name",
            ROLE_NAME,
            "--regions",
            REGION,
            "--format",
            "json",
        ])
        .args([
            "--output",
            "report.json",
            "--inventory-out",
            "inventory",
            "--config",
        ])
        .arg(support::moto::fast_config(dir.path()));
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "failing rules: {}",
        stderr(&out)
    );
    let (index, inventories) =
        read_inventory_dir(&dir.path().join("inventory"), &outsider.account_id);
    let expected = BTreeSet::from([a.clone(), b.clone()]);
    assert_eq!(
        inventories.keys().cloned().collect::<BTreeSet<_>>(),
        expected
    );
    assert_eq!(
        index_entries(&index)
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>(),
        expected
    );
    assert!(index["organization"].is_null(), "{index}");
    for inventory in inventories.values() {
        assert!(inventory.get("organization").is_none_or(|o| o.is_null()));
    }
    let by_account = outcomes_by_account(&read_json(&dir.path().join("report.json")));
    assert_eq!(
        by_account.keys().cloned().collect::<BTreeSet<_>>(),
        expected
    );
    for id in [&a, &b] {
        assert_eq!(&by_account[id], &alone()[id], "{id} as when scanned alone");
    }
    let ops = std::fs::read_to_string(&ops).expect("the operation record");
    assert!(ops.lines().any(|op| op == "dynamodb:ListTables"), "{ops}");
    assert!(
        !ops.lines().any(|op| op.starts_with("organizations:")),
        "--accounts alone calls no Organizations operation: {ops}"
    );

    // The organization minus two accounts.
    let (x, y) = (
        &org.by_name("prod-a").account_id,
        &org.management.account_id,
    );
    let excluded = format!("{x},{y}");
    let out = in_management(
        org,
        dir.path(),
        &[
            "accounts",
            "--organization",
            "--exclude-accounts",
            &excluded,
            "--format",
            "json",
        ],
    );
    let mut expected = active_ids(org);
    expected.remove(x);
    expected.remove(y);
    assert_eq!(selected(&out), expected);
}

/// `accounts --format github-matrix --shards 3` is one line of compact
/// JSON whose entries are the non-empty shards, their union every ACTIVE
/// account, each equal to `--shard K/3` of `accounts --format json`.
#[test]
fn the_github_matrix_agrees_with_the_shard_selection() {
    let org = shared_organization();
    let dir = tempfile::tempdir().unwrap();
    let out = in_management(
        org,
        dir.path(),
        &[
            "accounts",
            "--organization",
            "--format",
            "github-matrix",
            "--shards",
            "3",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.trim_end().lines().count(), 1, "one line: {text:?}");
    assert!(
        !text.trim_end().contains(": ") && !text.contains("  "),
        "compact: {text}"
    );
    let matrix: serde_json::Value = serde_json::from_str(text.trim_end()).expect("matrix JSON");
    let mut union = BTreeSet::new();
    let include = matrix["include"].as_array().expect("include");
    let mut shards_seen = BTreeSet::new();
    for entry in include {
        assert_eq!(
            entry.as_object().unwrap().len(),
            2,
            "shard and accounts: {entry}"
        );
        let shard = entry["shard"].as_str().unwrap().to_string();
        let accounts: BTreeSet<String> = entry["accounts"]
            .as_str()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect();
        assert!(!accounts.is_empty() && !accounts.contains(""), "{entry}");
        assert!(union.is_disjoint(&accounts), "{entry}");
        union.extend(accounts.iter().cloned());
        shards_seen.insert(shard.clone());

        let out = in_management(
            org,
            dir.path(),
            &[
                "accounts",
                "--organization",
                "--shard",
                &shard,
                "--format",
                "json",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let listed: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
        assert_eq!(listed["organization"]["id"], org.org_id.as_str());
        let mut selected = BTreeSet::new();
        for e in listed["accounts"].as_array().unwrap() {
            let id = e["account_id"].as_str().unwrap();
            let account = org.account(id);
            assert_eq!(e["name"], account.name.as_str(), "{e}");
            assert_eq!(e["ou_path"], account.ou_path.as_str(), "{e}");
            assert_eq!(organization_status(e), account.status.as_str(), "{e}");
            // The shard column counts in the N of --shard K/N (it printed
            // 1/1, the default of --shards, before).
            assert_eq!(e["shard"], format!("{}/3", shard_of(id, 3)), "{e}");
            if is_scanned(e) {
                assert_eq!(format!("{}/3", shard_of(id, 3)), shard, "{e}");
                selected.insert(id.to_string());
            }
        }
        assert_eq!(selected, accounts, "shard {shard}");
    }
    assert_eq!(union, active_ids(org), "every ACTIVE account, once");
    let expected_shards: BTreeSet<String> = active_ids(org)
        .iter()
        .map(|id| format!("{}/3", shard_of(id, 3)))
        .collect();
    assert_eq!(
        shards_seen, expected_shards,
        "one entry per non-empty shard"
    );
}

/// An `--accounts` id that is not a member, with `--organization`: a
/// failed account with its cause and an inventory saying so, the scope
/// incomplete (exit 1 even with `--fail-on none`), counted on stderr; with
/// `--allow-incomplete-scope` the run does not fail for it.
#[test]
fn an_id_that_is_not_a_member_is_a_failed_account_and_an_incomplete_scope() {
    let org = shared_organization();
    let stranger = "999999999999";
    let member = org.by_name("prod-b").account_id.clone();
    let listed = format!("{member},{stranger}");
    let dir = tempfile::tempdir().unwrap();
    for (allow, expected_code) in [(false, 1), (true, 0)] {
        let sub = dir.path().join(if allow { "allowed" } else { "gated" });
        let mut args = vec![
            "--fail-on",
            "none",
            "--format",
            "json",
            "--output",
            "report.json",
        ];
        args.extend(["--inventory-out", "inventory"]);
        if allow {
            args.push("--allow-incomplete-scope");
        }
        let selection = ["--organization", "--accounts", listed.as_str()];
        let out = multi(org, &sub, "scan", &selection, &args);
        let summary = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(expected_code),
            "allow={allow}: {summary}"
        );
        assert_eq!(
            account_counts(&summary),
            Some((2, 1, 1, 0)),
            "the summary counts the failed account: {summary}"
        );
        let (index, inventories) =
            read_inventory_dir(&sub.join("inventory"), &org.management.account_id);
        assert_eq!(
            with_status(&index, "collected"),
            BTreeSet::from([member.clone()])
        );
        let entry = &index_entries(&index)[stranger];
        assert_eq!(entry["status"], "failed", "{entry}");
        assert_eq!(entry["failure"], "not-a-member", "{entry}");
        let cause = entry["cause"].as_str().expect("a cause");
        assert!(!cause.trim().is_empty(), "{entry}");
        let inventory = &inventories[stranger];
        assert_eq!(
            inventory["not_collected"], cause,
            "the inventory holds the cause"
        );
        assert!(inventory["iam"].is_null());
        for (region, r) in inventory["regions"].as_object().unwrap() {
            assert!(r["not_collected"].is_string(), "{region} of {stranger}");
        }
        let report = read_json(&sub.join("report.json"));
        assert!(
            report.to_string().contains(&format!("account {stranger}")),
            "the report names the gap `account {stranger}`"
        );
        let by_account = outcomes_by_account(&report);
        let known = by_account.get(stranger).into_iter().flatten();
        assert!(
            known.clone().all(|(_, status, ..)| status == "unknown"),
            "the rules of a failed account are unknown: {:?}",
            known.collect::<Vec<_>>()
        );
        let accounts: BTreeSet<&String> = by_account.keys().filter(|a| *a != stranger).collect();
        assert_eq!(accounts, BTreeSet::from([&member]));
    }

    // collect writes the directory and exits 0, warning about the failed
    // account; eval of it is gated by the gap as scan is.
    let selection = ["--organization", "--accounts", listed.as_str()];
    let rest = ["--output", "collected"];
    let out = multi(org, dir.path(), "collect", &selection, &rest);
    assert_eq!(out.status.code(), Some(0), "collect: {}", stderr(&out));
    assert!(stderr(&out).contains(stranger), "warned: {}", stderr(&out));
    for (allow, expected_code) in [(false, 1), (true, 0)] {
        let mut args = vec!["eval", "collected", "--fail-on", "none", "--format", "json"];
        if allow {
            args.push("--allow-incomplete-scope");
        }
        let out = in_management(org, dir.path(), &args);
        let code = out.status.code();
        assert_eq!(
            code,
            Some(expected_code),
            "eval, allow={allow}: {}",
            stderr(&out)
        );
    }
}
