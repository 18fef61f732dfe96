//! The accounts of a run: `--organization`, `--ou`, `--accounts`,
//! `--exclude-accounts` and `--shard` applied to what the organization
//! lists.
//!
//! - `--organization`: every account of the organization; those that are
//!   not ACTIVE are *skipped* (listed, not scanned, not a gap).
//! - `--ou`: the accounts under these roots or OUs, at any depth.
//! - `--accounts`: alone, exactly these ids (no Organizations call); with
//!   `--organization` or `--ou`, a filter of that selection in which an id
//!   that is not an ACTIVE member (unknown, outside the OUs, suspended,
//!   closed) is a *failed* account with its cause: it was asked for by name.
//! - `--exclude-accounts` removes ids from all of the above.
//! - `--shard K/N` keeps the accounts of shard K (see [`shard`](super::shard)).

use std::collections::BTreeSet;

use crate::organization::listing::{ListedAccount, OrganizationListing};
use crate::organization::shard::Shard;

/// The selection given on the command line, validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountSelection {
    /// `--organization`.
    pub organization: bool,
    /// `--ou` ids (roots `r-...` or OUs `ou-...`).
    pub ous: Vec<String>,
    /// `--accounts`.
    pub accounts: Vec<String>,
    /// `--exclude-accounts`.
    pub exclude: Vec<String>,
    /// `--shard`.
    pub shard: Option<Shard>,
}

/// What becomes of a selected account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Scanned.
    Scan,
    /// Listed but not scanned (not ACTIVE, met through the organization).
    Skipped(String),
    /// Asked for by name and cannot be scanned: an incomplete scope.
    NotAMember(String),
}

/// One account of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedAccount {
    /// 12-digit id.
    pub account_id: String,
    /// What the organization lists for it, when it was listed.
    pub listed: Option<ListedAccount>,
    /// Scan, skip or fail.
    pub disposition: Disposition,
}

impl SelectedAccount {
    /// The account's name, if listed.
    pub fn name(&self) -> Option<&str> {
        self.listed.as_ref().map(|a| a.name.as_str())
    }
}

/// Whether `value` is a 12-digit account id.
pub fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `value` is a root (`r-` and 4 to 32 lower-case letters or
/// digits) or OU id (`ou-`, 4 to 32, `-`, 8 to 32).
pub fn is_unit_id(value: &str) -> bool {
    let part = |s: &str, min: usize| {
        (min..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    };
    if let Some(rest) = value.strip_prefix("r-") {
        return part(rest, 4);
    }
    if let Some(rest) = value.strip_prefix("ou-") {
        return rest
            .split_once('-')
            .is_some_and(|(root, ou)| part(root, 4) && part(ou, 8));
    }
    false
}

/// Parses a comma-separated list of account ids (`--accounts`,
/// `--exclude-accounts`), without duplicates, in the order given.
pub fn parse_account_list(option: &str, value: &str) -> Result<Vec<String>, String> {
    parse_list(option, value, is_account_id, "a 12-digit AWS account id")
}

/// Parses a comma-separated list of root or OU ids (`--ou`).
pub fn parse_unit_list(option: &str, value: &str) -> Result<Vec<String>, String> {
    parse_list(
        option,
        value,
        is_unit_id,
        "an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)",
    )
}

fn parse_list(
    option: &str,
    value: &str,
    valid: fn(&str) -> bool,
    what: &str,
) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for (i, item) in value.split(',').enumerate() {
        let item = item.trim();
        if item.is_empty() {
            return Err(format!(
                "{option}: item {} is empty; give a comma-separated list",
                i + 1
            ));
        }
        if !valid(item) {
            return Err(format!(
                "{option}: {:?} is not {what}",
                crate::text_file::printable(item)
            ));
        }
        if !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    Ok(out)
}

impl AccountSelection {
    /// Whether any account selector was given: the run covers a set of
    /// accounts and writes a directory of inventories.
    pub fn is_multi_account(&self) -> bool {
        self.organization || !self.ous.is_empty() || !self.accounts.is_empty()
    }

    /// Whether the run must list the organization.
    pub fn needs_organization(&self) -> bool {
        self.organization || !self.ous.is_empty()
    }

    /// The accounts of the run, sorted by id. `listing` is `None` exactly
    /// when [`needs_organization`](Self::needs_organization) is false.
    /// Fails when an `--ou` id is not in the organization (a mistyped OU
    /// must not give an empty, clean run).
    pub fn resolve(
        &self,
        listing: Option<&OrganizationListing>,
    ) -> Result<Vec<SelectedAccount>, String> {
        let excluded: BTreeSet<&str> = self.exclude.iter().map(String::as_str).collect();
        let mut out: Vec<SelectedAccount> = Vec::new();
        match listing {
            None => {
                for id in &self.accounts {
                    out.push(SelectedAccount {
                        account_id: id.clone(),
                        listed: None,
                        disposition: Disposition::Scan,
                    });
                }
            }
            Some(listing) => {
                for ou in &self.ous {
                    if !listing.has_unit(ou) {
                        return Err(format!(
                            "--ou {ou}: no account of organization {} is under it (check the id with `aws organizations list-organizational-units-for-parent`)",
                            listing.organization_id
                        ));
                    }
                }
                let in_scope = |a: &ListedAccount| {
                    self.organization || self.ous.iter().any(|ou| a.is_under(ou))
                };
                if self.accounts.is_empty() {
                    for a in listing.accounts.iter().filter(|a| in_scope(a)) {
                        let disposition = if a.is_active() {
                            Disposition::Scan
                        } else {
                            Disposition::Skipped(format!("the account is {}", a.status))
                        };
                        out.push(SelectedAccount {
                            account_id: a.id.clone(),
                            listed: Some(a.clone()),
                            disposition,
                        });
                    }
                } else {
                    for id in &self.accounts {
                        let listed = listing.account(id);
                        let disposition = match listed {
                            None => Disposition::NotAMember(format!(
                                "account {id} is not a member of organization {}",
                                listing.organization_id
                            )),
                            Some(a) if !in_scope(a) => Disposition::NotAMember(format!(
                                "account {id} is not under {} (it is under {})",
                                self.ous.join(", "),
                                a.ou_path_text()
                            )),
                            Some(a) if !a.is_active() => Disposition::NotAMember(format!(
                                "account {id} is {} in organization {}",
                                a.status, listing.organization_id
                            )),
                            Some(_) => Disposition::Scan,
                        };
                        out.push(SelectedAccount {
                            account_id: id.clone(),
                            listed: listed.cloned(),
                            disposition,
                        });
                    }
                }
            }
        }
        out.retain(|a| !excluded.contains(a.account_id.as_str()));
        if let Some(shard) = self.shard {
            out.retain(|a| shard.contains(&a.account_id));
        }
        out.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::OrganizationalUnit;

    fn unit(id: &str, name: &str) -> OrganizationalUnit {
        OrganizationalUnit {
            id: id.into(),
            name: name.into(),
        }
    }

    fn listing() -> OrganizationListing {
        let root = unit("r-abcd", "Root");
        let work = unit("ou-abcd-11111111", "Workloads");
        let prod = unit("ou-abcd-22222222", "Prod");
        let sandbox = unit("ou-abcd-33333333", "Sandbox");
        let account = |id: &str, status: &str, path: Vec<OrganizationalUnit>| ListedAccount {
            id: id.into(),
            name: format!("n{id}"),
            status: status.into(),
            ou_path: path,
        };
        OrganizationListing {
            organization_id: "o-abcdefghij".into(),
            management_account_id: "111111111111".into(),
            accounts: vec![
                account("111111111111", "ACTIVE", vec![root.clone()]),
                account("222222222222", "ACTIVE", vec![root.clone(), work.clone()]),
                account(
                    "333333333333",
                    "ACTIVE",
                    vec![root.clone(), work.clone(), prod.clone()],
                ),
                account(
                    "444444444444",
                    "SUSPENDED",
                    vec![root.clone(), work.clone(), prod],
                ),
                account("555555555555", "ACTIVE", vec![root, sandbox]),
            ],
        }
    }

    fn ids(accounts: &[SelectedAccount], d: fn(&Disposition) -> bool) -> Vec<&str> {
        accounts
            .iter()
            .filter(|a| d(&a.disposition))
            .map(|a| a.account_id.as_str())
            .collect()
    }

    #[test]
    fn organization_skips_suspended_accounts() {
        let selection = AccountSelection {
            organization: true,
            ..Default::default()
        };
        let out = selection.resolve(Some(&listing())).unwrap();
        assert_eq!(
            ids(&out, |d| *d == Disposition::Scan),
            [
                "111111111111",
                "222222222222",
                "333333333333",
                "555555555555"
            ]
        );
        assert_eq!(
            ids(&out, |d| matches!(d, Disposition::Skipped(_))),
            ["444444444444"]
        );
    }

    #[test]
    fn ou_is_recursive_and_a_wrong_ou_is_an_error() {
        let selection = AccountSelection {
            ous: vec!["ou-abcd-11111111".into()],
            exclude: vec!["222222222222".into()],
            ..Default::default()
        };
        let out = selection.resolve(Some(&listing())).unwrap();
        assert_eq!(ids(&out, |d| *d == Disposition::Scan), ["333333333333"]);
        let wrong = AccountSelection {
            ous: vec!["ou-abcd-99999999".into()],
            ..Default::default()
        };
        assert!(wrong.resolve(Some(&listing())).is_err());
    }

    #[test]
    fn named_accounts_that_cannot_be_scanned_fail() {
        let selection = AccountSelection {
            organization: true,
            accounts: vec![
                "222222222222".into(),
                "444444444444".into(),
                "999999999999".into(),
            ],
            ..Default::default()
        };
        let out = selection.resolve(Some(&listing())).unwrap();
        assert_eq!(ids(&out, |d| *d == Disposition::Scan), ["222222222222"]);
        assert_eq!(
            ids(&out, |d| matches!(d, Disposition::NotAMember(_))),
            ["444444444444", "999999999999"]
        );
        // Alone, --accounts needs no listing.
        let alone = AccountSelection {
            accounts: vec!["999999999999".into()],
            ..Default::default()
        };
        assert_eq!(
            ids(&alone.resolve(None).unwrap(), |d| *d == Disposition::Scan),
            ["999999999999"]
        );
    }

    #[test]
    fn shards_partition_the_selection() {
        let mut all = Vec::new();
        for k in 1..=3 {
            let selection = AccountSelection {
                organization: true,
                shard: Some(Shard { index: k, count: 3 }),
                ..Default::default()
            };
            all.extend(
                selection
                    .resolve(Some(&listing()))
                    .unwrap()
                    .into_iter()
                    .map(|a| a.account_id),
            );
        }
        all.sort();
        assert_eq!(all.len(), 5);
        all.dedup();
        assert_eq!(all.len(), 5);
    }

    #[test]
    fn ids_are_validated() {
        assert!(is_unit_id("r-abcd"));
        assert!(is_unit_id("ou-abcd-12345678"));
        assert!(!is_unit_id("ou-abcd"));
        assert!(!is_unit_id("OU-ABCD-12345678"));
        assert!(
            parse_account_list("--accounts", "111111111111, 222222222222,111111111111")
                .unwrap()
                .len()
                == 2
        );
        assert!(parse_account_list("--accounts", "11111111111").is_err());
        assert!(parse_account_list("--accounts", "111111111111,,").is_err());
        assert!(parse_account_list("--accounts", "111111111111;rm -rf").is_err());
    }
}
