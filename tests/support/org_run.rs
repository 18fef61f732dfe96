//! Running `dynaudit` over the seeded organization and reading what a
//! multi-account run writes (`tests/organization_emulator.rs`): outcomes
//! by account, the inventory directory and its `index.json`, shards.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::support::moto::{TestAccount, fast_config};
use crate::support::organization::{
    OrgAccount, Organization, REGION, ROLE_NAME, shared_organization,
};

/// One outcome as the contract compares them: (rule_id, status, resource,
/// account, region).
pub type Outcome = (String, String, String, String, String);

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run dynaudit")
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The contract's shard of an account: the first 8 bytes of
/// sha256(account id) as a big-endian u64, modulo `n`, plus one.
pub fn shard_of(account_id: &str, n: u64) -> u64 {
    let digest = Sha256::digest(account_id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % n + 1
}

/// Every outcome of a JSON report, grouped by account; one outcome per
/// (rule, resource, account).
pub fn outcomes_by_account(report: &serde_json::Value) -> BTreeMap<String, BTreeSet<Outcome>> {
    let findings = report["findings"].as_array().expect("findings array");
    let mut by_account: BTreeMap<String, BTreeSet<Outcome>> = BTreeMap::new();
    let mut keys = BTreeSet::new();
    for f in findings {
        let s = |k: &str| {
            f[k].as_str()
                .unwrap_or_else(|| panic!("finding without {k}: {f}"))
                .to_string()
        };
        let outcome = (
            s("rule_id"),
            s("status"),
            s("resource"),
            s("account"),
            s("region"),
        );
        assert!(
            keys.insert((outcome.0.clone(), outcome.2.clone(), outcome.3.clone())),
            "two outcomes of {} on {} in {}",
            outcome.0,
            outcome.2,
            outcome.3
        );
        by_account
            .entry(outcome.3.clone())
            .or_default()
            .insert(outcome);
    }
    by_account
}

/// The files of a directory, by name.
pub fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().to_string_lossy().to_string(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

/// An inventory directory as the contract describes it, checked: its
/// `index.json` (version 1.0, the caller, one entry per account) lists
/// every other file with the sha256 of its bytes, and nothing else is in
/// it. Returns the index and the inventories by account id.
pub fn read_inventory_dir(
    dir: &Path,
    caller: &str,
) -> (serde_json::Value, BTreeMap<String, serde_json::Value>) {
    let files = files_of(dir);
    let index_bytes = files
        .get("index.json")
        .unwrap_or_else(|| panic!("no index.json in {}: {:?}", dir.display(), files.keys()));
    let index: serde_json::Value = serde_json::from_slice(index_bytes).expect("index.json is JSON");
    assert_eq!(index["index_version"], "1.0", "{index}");
    assert_eq!(index["partition"], "aws", "{index}");
    assert_eq!(index["caller_account_id"], caller, "{index}");
    let mut listed = BTreeSet::from(["index.json".to_string()]);
    let mut inventories = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for entry in index["accounts"].as_array().expect("index accounts") {
        let id = entry["account_id"]
            .as_str()
            .expect("account_id")
            .to_string();
        assert!(ids.insert(id.clone()), "{id} twice in the index");
        let status = entry["status"].as_str().expect("status");
        assert!(
            ["collected", "failed", "skipped"].contains(&status),
            "{id}: {entry}"
        );
        if status == "skipped" {
            assert!(entry["inventory"].is_null(), "a skipped account: {entry}");
            continue;
        }
        let name = format!("{id}.json");
        assert_eq!(entry["inventory"], name.as_str(), "{entry}");
        let bytes = files
            .get(&name)
            .unwrap_or_else(|| panic!("{name} is in the index but not in {}", dir.display()));
        assert_eq!(
            entry["sha256"],
            sha256_hex(bytes).as_str(),
            "the index's digest of {name}"
        );
        let inventory: serde_json::Value = serde_json::from_slice(bytes).expect("inventory JSON");
        assert_eq!(inventory["account_id"], id.as_str(), "{name}");
        listed.insert(name);
        inventories.insert(id, inventory);
    }
    let present: BTreeSet<String> = files.keys().cloned().collect();
    assert_eq!(present, listed, "the files of {}", dir.display());
    (index, inventories)
}

/// The index entries by account id.
pub fn index_entries(index: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    index["accounts"]
        .as_array()
        .expect("index accounts")
        .iter()
        .map(|e| (e["account_id"].as_str().unwrap().to_string(), e.clone()))
        .collect()
}

/// The accounts of an index with this status.
pub fn with_status(index: &serde_json::Value, status: &str) -> BTreeSet<String> {
    index_entries(index)
        .into_iter()
        .filter(|(_, e)| e["status"] == status)
        .map(|(id, _)| id)
        .collect()
}

/// `dynaudit <args>` with the management account's credentials, the fast
/// config written into `dir` (for scan and collect).
pub fn in_management(org: &Organization, dir: &Path, args: &[&str]) -> Output {
    as_caller(&org.management, dir, args)
}

/// `dynaudit <args>` with `caller`'s credentials and the fast config.
pub fn as_caller(caller: &TestAccount, dir: &Path, args: &[&str]) -> Output {
    std::fs::create_dir_all(dir).unwrap();
    let mut cmd = caller.dynaudit();
    cmd.current_dir(dir).args(args);
    if matches!(args.first(), Some(&"scan") | Some(&"collect")) {
        cmd.arg("--config").arg(fast_config(dir));
    }
    run(&mut cmd)
}

/// `scan` of one account alone into `dir`: the management account with its
/// own credentials, a member through `--role-arn` (the reference an
/// organization-wide run must agree with). Returns its outcomes.
pub fn scan_alone(org: &Organization, account_id: &str, dir: &Path) -> BTreeSet<Outcome> {
    let report = dir.join(format!("alone-{account_id}.json"));
    let role_arn = format!("arn:aws:iam::{account_id}:role/{ROLE_NAME}");
    let mut args = vec!["scan", "--regions", REGION, "--format", "json", "--quiet"];
    if account_id != org.management.account_id {
        args.extend(["--role-arn", role_arn.as_str()]);
    }
    let report_arg = report.to_str().unwrap();
    let inventory = dir.join(format!("alone-{account_id}.inventory.json"));
    let inventory_arg = inventory.to_str().unwrap();
    args.extend(["--output", report_arg, "--inventory-out", inventory_arg]);
    let out = in_management(org, dir, &args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "scan of {account_id} alone: {}",
        stderr(&out)
    );
    let report = read_json(&report);
    assert_eq!(report["scope"]["account_id"], account_id);
    let mut by_account = outcomes_by_account(&report);
    assert_eq!(
        by_account.keys().collect::<Vec<_>>(),
        vec![account_id],
        "a single-account scan reports only its account"
    );
    by_account.remove(account_id).unwrap()
}

/// [`scan_alone`] of every ACTIVE account of the organization, in parallel.
pub fn scan_each_alone(org: &Organization) -> BTreeMap<String, BTreeSet<Outcome>> {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = org
            .active()
            .map(|a| {
                let dir = dir.path().join(&a.account_id);
                let id = a.account_id.clone();
                s.spawn(move || (id.clone(), scan_alone(org, &id, &dir)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// `scan --organization` of the whole organization, kept for the tests
/// that read it: its exit code, stderr, report, index and inventories.
pub struct OrgScan {
    pub output: Output,
    pub report: Option<serde_json::Value>,
    pub index: Option<serde_json::Value>,
    pub inventories: BTreeMap<String, serde_json::Value>,
}

pub fn org_scan() -> &'static OrgScan {
    static SCAN: OnceLock<OrgScan> = OnceLock::new();
    SCAN.get_or_init(|| {
        let org = shared_organization();
        let dir = tempfile::tempdir().unwrap();
        let rest = ["--format", "json", "--output", "report.json"];
        let rest = [&rest[..], &["--inventory-out", "inventory"]].concat();
        let output = multi(org, dir.path(), "scan", &["--organization"], &rest);
        let report_path = dir.path().join("report.json");
        let report = report_path.exists().then(|| read_json(&report_path));
        let inventory = dir.path().join("inventory");
        let (index, inventories) = if inventory.is_dir() {
            let (index, inventories) = read_inventory_dir(&inventory, &org.management.account_id);
            (Some(index), inventories)
        } else {
            (None, BTreeMap::new())
        };
        OrgScan {
            output,
            report,
            index,
            inventories,
        }
    })
}

impl OrgScan {
    pub fn report(&self) -> &serde_json::Value {
        self.report.as_ref().unwrap_or_else(|| {
            panic!(
                "scan --organization wrote no report (exit {:?}): {}",
                self.output.status.code(),
                stderr(&self.output)
            )
        })
    }

    pub fn index(&self) -> &serde_json::Value {
        self.index.as_ref().unwrap_or_else(|| {
            panic!(
                "scan --organization wrote no inventory directory (exit {:?}): {}",
                self.output.status.code(),
                stderr(&self.output)
            )
        })
    }
}

/// The outcomes of every ACTIVE account scanned alone.
pub fn alone() -> &'static BTreeMap<String, BTreeSet<Outcome>> {
    static ALONE: OnceLock<BTreeMap<String, BTreeSet<Outcome>>> = OnceLock::new();
    ALONE.get_or_init(|| scan_each_alone(shared_organization()))
}

pub fn ids<'a>(accounts: impl IntoIterator<Item = &'a OrgAccount>) -> BTreeSet<String> {
    accounts.into_iter().map(|a| a.account_id.clone()).collect()
}

pub fn active_ids(org: &Organization) -> BTreeSet<String> {
    ids(org.active())
}

pub fn suspended(org: &Organization) -> &OrgAccount {
    org.accounts
        .iter()
        .find(|a| !a.is_active())
        .expect("a suspended account")
}

/// The status of an account in its organization in an entry of
/// `dynaudit accounts --format json`: the contract's `status` (`ACTIVE`,
/// ...), which the binary calls `organization_status`.
pub fn organization_status(entry: &serde_json::Value) -> &serde_json::Value {
    entry.get("organization_status").unwrap_or(&entry["status"])
}

/// Whether an entry of `dynaudit accounts --format json` is to be scanned:
/// the contract's `"selected": true` of an ACTIVE account; the binary lists
/// only the selection, each with `"status": "scan"`, `"skipped"` or
/// `"failed"`.
pub fn is_scanned(entry: &serde_json::Value) -> bool {
    match entry.get("selected") {
        Some(selected) => *selected == true && entry["status"] == "ACTIVE",
        None => entry["status"] == "scan",
    }
}

/// The accounts `dynaudit accounts --format json` would scan.
pub fn selected(out: &Output) -> BTreeSet<String> {
    assert_eq!(out.status.code(), Some(0), "accounts: {}", stderr(out));
    let listed: serde_json::Value =
        serde_json::from_str(&stdout(out)).expect("accounts --format json is JSON");
    listed["accounts"]
        .as_array()
        .expect("accounts array")
        .iter()
        .filter(|e| is_scanned(e))
        .map(|e| e["account_id"].as_str().unwrap().to_string())
        .collect()
}

/// Each ACTIVE account's DYN201 (PITR) and DYN204 (deletion protection)
/// outcomes on its planted tables follow that account's posture, in
/// [`REGION`], and every ARN a finding names is in the finding's account.
pub fn assert_planted_posture(
    org: &Organization,
    by_account: &BTreeMap<String, BTreeSet<Outcome>>,
) {
    for account in org.active() {
        let outcomes = by_account
            .get(&account.account_id)
            .unwrap_or_else(|| panic!("no outcome in {} ({})", account.account_id, account.name));
        for (_, _, resource, owner, _) in outcomes {
            if let Some(arn_account) = resource
                .strip_prefix("arn:")
                .and_then(|r| r.split(':').nth(3))
            {
                assert!(
                    arn_account.is_empty() || arn_account == owner,
                    "{resource} filed under {owner}"
                );
            }
        }
        for table in &account.tables {
            let status = |rule: &str| {
                let (_, status, _, _, region) = outcomes
                    .iter()
                    .find(|(r, _, res, _, _)| r == rule && *res == table.arn)
                    .unwrap_or_else(|| {
                        panic!(
                            "no {rule} outcome on {} in {}",
                            table.arn, account.account_id
                        )
                    });
                assert_eq!(region, REGION, "{rule} on {}", table.arn);
                status.clone()
            };
            let expect = |ok: bool| if ok { "pass" } else { "fail" };
            let who = format!(
                "{} in {} ({})",
                table.name, account.account_id, account.name
            );
            assert_eq!(status("DYN201"), expect(table.pitr), "PITR of {who}");
            assert_eq!(
                status("DYN204"),
                expect(table.deletion_protection),
                "deletion protection of {who}"
            );
        }
    }
}

/// `dynaudit <command> <selection> --role-name ROLE_NAME --regions REGION
/// <rest>` in the management account (see [`in_management`]).
pub fn multi(
    org: &Organization,
    dir: &Path,
    command: &str,
    selection: &[&str],
    rest: &[&str],
) -> Output {
    let mut args = vec![command];
    args.extend(selection);
    args.extend(["--role-name", ROLE_NAME, "--regions", REGION]);
    args.extend(rest);
    in_management(org, dir, &args)
}

/// The inventory directory of `scan --organization`: one inventory per
/// ACTIVE account, each with its `organization` block; `index.json` naming
/// the organization and the selection, and listing every account with its
/// name, OU path and status (the suspended one `skipped`).
pub fn assert_organization_directory(org: &Organization, scan: &OrgScan) {
    let index = scan.index();
    assert_eq!(
        scan.inventories.keys().cloned().collect::<BTreeSet<_>>(),
        active_ids(org)
    );
    assert_eq!(index["organization"]["id"], org.org_id.as_str());
    assert_eq!(
        index["organization"]["management_account_id"],
        org.management.account_id.as_str()
    );
    assert_eq!(index["selection"]["organization"], true);
    assert_eq!(index["selection"]["role_name"], ROLE_NAME);
    assert_eq!(index["selection"]["regions"], serde_json::json!([REGION]));
    let entries = index_entries(index);
    assert_eq!(
        entries.keys().cloned().collect::<BTreeSet<_>>(),
        ids(&org.accounts),
        "every account of the organization is listed"
    );
    for account in &org.accounts {
        let e = &entries[&account.account_id];
        assert_eq!(e["name"], account.name.as_str(), "{e}");
        assert_eq!(e["ou_path"], account.ou_path.as_str(), "{e}");
        let status = if account.is_active() {
            "collected"
        } else {
            "skipped"
        };
        assert_eq!(e["status"], status, "{e}");
        assert!(e["failure"].is_null(), "{e}");
    }
    let active: Vec<String> = active_ids(org).into_iter().collect();
    for (id, inventory) in &scan.inventories {
        let account = org.account(id);
        assert!(inventory["not_collected"].is_null(), "{id}");
        let block = &inventory["organization"];
        assert_eq!(block["id"], org.org_id.as_str(), "{id}");
        assert_eq!(block["account_name"], account.name.as_str(), "{id}");
        assert_eq!(block["account_status"], "ACTIVE", "{id}");
        assert_eq!(block["account_ids"], serde_json::json!(active), "{id}");
        let path: Vec<&str> = block["ou_path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ou| ou["name"].as_str().unwrap())
            .collect();
        assert_eq!(path.join("/"), account.ou_path, "{id}");
    }
}

/// The counts of the multi-account summary line on stderr, `dynaudit: N
/// account(s): C collected, F failed (...), S skipped; ...` (the singular,
/// the plural and `account(s)` are all read): (N, C, F, S).
pub fn account_counts(stderr: &str) -> Option<(usize, usize, usize, usize)> {
    let number_before = |text: &str, word: &str| -> Option<usize> {
        let at = text.find(word)?;
        text[..at]
            .trim_end()
            .rsplit([' ', ',', ':'])
            .next()?
            .parse()
            .ok()
    };
    stderr.lines().find_map(|line| {
        let line = line.strip_prefix("dynaudit: ")?;
        let (head, rest) = line.split_once(": ")?;
        let total = head
            .strip_suffix(" account(s)")
            .or_else(|| head.strip_suffix(" accounts"))
            .or_else(|| head.strip_suffix(" account"))?
            .parse()
            .ok()?;
        let rest = rest.split(';').next()?;
        Some((
            total,
            number_before(rest, " collected")?,
            number_before(rest, " failed")?,
            number_before(rest, " skipped")?,
        ))
    })
}
