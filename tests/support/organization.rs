//! An AWS Organization in the emulator, for the organization-wide audit
//! (`tests/organization_emulator.rs`).
//!
//! A fresh [`TestAccount`] becomes the management account (CreateOrganization,
//! FeatureSet ALL), creates the OUs `Workloads` (with `Prod` nested in it)
//! and `Sandbox` under the root, creates member accounts with CreateAccount
//! and moves them so that every OU and the root hold accounts. In every
//! account, the management one included, it plants DynamoDB tables in
//! [`REGION`]: an `orders` table in each, with a posture (PITR, deletion
//! protection) that differs between accounts, so that a finding filed under
//! the wrong account is caught, and a few tables only some accounts have.
//! One more member is closed (CloseAccount): moto reports it `SUSPENDED`.
//!
//! What moto 5.2.5 does (read in `moto/organizations/models.py`, tried here):
//! - the Organizations state is keyed by the CALLER's account: only the
//!   management account sees the accounts and OUs (a member's ListAccounts
//!   answers an empty list, not AccessDenied; DescribeOrganization and
//!   ListRoots are forwarded to the management account for a member; an
//!   account outside any organization gets AWSOrganizationsNotInUseException
//!   from DescribeOrganization but an empty list from ListAccounts);
//! - the management account is in ListAccounts, named `master`
//!   (`master@example.com`), parented at the root;
//! - CreateAccount completes at once (`SUCCEEDED`), draws a random 12-digit
//!   id, and creates the role `RoleName` (default
//!   `OrganizationAccountAccessRole`) trusting the management account;
//! - account `Status`/`State` are `ACTIVE`, or `SUSPENDED` after
//!   CloseAccount (no `PENDING_CLOSURE`, no `CLOSED`); a closed account stays
//!   in ListAccounts and ListAccountsForParent; `Paths` is never returned;
//! - STS AssumeRole succeeds for any role ARN, existing or not, and the
//!   credentials it returns act in the role's account.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use aws_sdk_organizations::types::{AccountState, AccountStatus, OrganizationFeatureSet};
use aws_sdk_sts::config::Credentials;

use crate::support::moto::TestAccount;
use crate::support::seed::{TableSpec, create_table};

/// The one region the organization's tables are in.
pub const REGION: &str = "us-east-1";

/// The role dynaudit is told to assume in each member (`--role-name`).
pub const ROLE_NAME: &str = "DynauditAudit";

/// A table planted in an account, with the posture the rules judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantedTable {
    pub name: &'static str,
    pub arn: String,
    /// DYN201 passes iff true.
    pub pitr: bool,
    /// DYN204 passes iff true.
    pub deletion_protection: bool,
}

/// An account of the organization.
#[derive(Debug, Clone)]
pub struct OrgAccount {
    pub account_id: String,
    /// The account's name in Organizations (`master` for the management
    /// account, as moto names it).
    pub name: String,
    /// `Root`, `Root/Workloads`, `Root/Workloads/Prod`, `Root/Sandbox`.
    pub ou_path: String,
    /// The id of its parent (the root or an OU).
    pub parent_id: String,
    /// `ACTIVE` or `SUSPENDED`.
    pub status: String,
    pub tables: Vec<PlantedTable>,
}

impl OrgAccount {
    pub fn is_active(&self) -> bool {
        self.status == "ACTIVE"
    }

    pub fn table(&self, name: &str) -> &PlantedTable {
        self.tables
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no table {name} in {}", self.account_id))
    }
}

/// The seeded organization.
pub struct Organization {
    /// The management account, whose credentials run dynaudit.
    pub management: TestAccount,
    pub org_id: String,
    pub root_id: String,
    pub workloads_ou: String,
    pub prod_ou: String,
    pub sandbox_ou: String,
    /// Every account, the management account first, then the members in
    /// the order of [`MEMBERS`] (the closed one last).
    pub accounts: Vec<OrgAccount>,
}

impl Organization {
    pub fn account(&self, id: &str) -> &OrgAccount {
        self.accounts
            .iter()
            .find(|a| a.account_id == id)
            .unwrap_or_else(|| panic!("{id} is not an account of the organization"))
    }

    pub fn by_name(&self, name: &str) -> &OrgAccount {
        self.accounts
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no account named {name}"))
    }

    /// The ACTIVE accounts (the management account included).
    pub fn active(&self) -> impl Iterator<Item = &OrgAccount> {
        self.accounts.iter().filter(|a| a.is_active())
    }

    /// The ACTIVE accounts whose OU path starts with `prefix`.
    pub fn active_under(&self, prefix: &str) -> Vec<&OrgAccount> {
        self.active()
            .filter(|a| a.ou_path == prefix || a.ou_path.starts_with(&format!("{prefix}/")))
            .collect()
    }

    /// Credentials in `account_id` (the role [`ROLE_NAME`] assumed from the
    /// management account), as dynaudit's `--role-name` would get them.
    pub async fn member(&self, account_id: &str) -> TestAccount {
        if account_id == self.management.account_id {
            return TestAccount {
                account_id: account_id.to_string(),
                credentials: self.management.credentials.clone(),
                endpoint: self.management.endpoint.clone(),
            };
        }
        assume(&self.management, account_id, ROLE_NAME).await
    }
}

/// Where a member goes and what it holds.
struct MemberSpec {
    name: &'static str,
    /// `""` (the root), `Workloads`, `Workloads/Prod` or `Sandbox`.
    ou: &'static str,
    /// Closed after its tables are planted.
    closed: bool,
    /// (name, pitr, deletion protection).
    tables: &'static [(&'static str, bool, bool)],
}

/// The management account's tables (it stays at the root).
const MANAGEMENT_TABLES: &[(&str, bool, bool)] = &[("orders", true, true)];

/// The members: `orders` everywhere with the four postures spread over the
/// OUs, `ledger` in two, `scratch` in one.
const MEMBERS: &[MemberSpec] = &[
    MemberSpec {
        name: "workloads-a",
        ou: "Workloads",
        closed: false,
        tables: &[("orders", true, false), ("ledger", true, true)],
    },
    MemberSpec {
        name: "workloads-b",
        ou: "Workloads",
        closed: false,
        tables: &[("orders", false, true)],
    },
    MemberSpec {
        name: "prod-a",
        ou: "Workloads/Prod",
        closed: false,
        tables: &[("orders", true, true), ("ledger", false, true)],
    },
    MemberSpec {
        name: "prod-b",
        ou: "Workloads/Prod",
        closed: false,
        tables: &[("orders", false, false)],
    },
    MemberSpec {
        name: "sandbox-a",
        ou: "Sandbox",
        closed: false,
        tables: &[("orders", false, false), ("scratch", false, false)],
    },
    MemberSpec {
        name: "sandbox-b",
        ou: "Sandbox",
        closed: false,
        tables: &[("orders", true, false)],
    },
    MemberSpec {
        name: "shared-services",
        ou: "",
        closed: false,
        tables: &[("orders", false, true)],
    },
    MemberSpec {
        name: "sandbox-closed",
        ou: "Sandbox",
        closed: true,
        tables: &[("orders", false, false)],
    },
];

/// Credentials of `role` in `account_id`, assumed with `from`'s.
pub async fn assume(from: &TestAccount, account_id: &str, role: &str) -> TestAccount {
    let sts = aws_sdk_sts::Client::new(&from.config(REGION));
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account_id}:role/{role}"))
        .role_session_name("dynaudit-seed")
        .send()
        .await
        .unwrap_or_else(|e| panic!("AssumeRole into {account_id}: {e:?}"));
    let c = out.credentials().expect("AssumeRole credentials");
    TestAccount {
        account_id: account_id.to_string(),
        credentials: Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "moto-assumed-role",
        ),
        endpoint: from.endpoint.clone(),
    }
}

async fn plant(account: &TestAccount, specs: &[(&'static str, bool, bool)]) -> Vec<PlantedTable> {
    let ddb = aws_sdk_dynamodb::Client::new(&account.config(REGION));
    let mut tables = Vec::new();
    for &(name, pitr, deletion_protection) in specs {
        let arn = create_table(
            &ddb,
            &TableSpec {
                name,
                pitr,
                deletion_protection,
                tags: &[("Environment", "test"), ("Application", "org")],
                ..TableSpec::default()
            },
        )
        .await;
        assert!(
            arn.contains(&format!(":{}:", account.account_id)),
            "table {name} made in the wrong account: {arn}"
        );
        tables.push(PlantedTable {
            name,
            arn,
            pitr,
            deletion_protection,
        });
    }
    tables
}

async fn create_ou(org: &aws_sdk_organizations::Client, parent: &str, name: &str) -> String {
    org.create_organizational_unit()
        .parent_id(parent)
        .name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateOrganizationalUnit {name}: {e:?}"))
        .organizational_unit()
        .and_then(|ou| ou.id())
        .expect("OU id")
        .to_string()
}

/// Seeds a new organization (see the module documentation).
pub async fn seed_organization() -> Organization {
    let management = TestAccount::new().await;
    let org = aws_sdk_organizations::Client::new(&management.config(REGION));
    let created = org
        .create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .expect("CreateOrganization");
    let o = created.organization().expect("Organization");
    let org_id = o.id().expect("organization id").to_string();
    assert_eq!(o.master_account_id(), Some(management.account_id.as_str()));
    let roots = org.list_roots().send().await.expect("ListRoots");
    let root_id = roots.roots()[0].id().expect("root id").to_string();

    let workloads_ou = create_ou(&org, &root_id, "Workloads").await;
    let prod_ou = create_ou(&org, &workloads_ou, "Prod").await;
    let sandbox_ou = create_ou(&org, &root_id, "Sandbox").await;
    let parent_of = |ou: &str| -> String {
        match ou {
            "" => root_id.clone(),
            "Workloads" => workloads_ou.clone(),
            "Workloads/Prod" => prod_ou.clone(),
            "Sandbox" => sandbox_ou.clone(),
            other => panic!("no OU {other}"),
        }
    };

    let mut accounts = vec![OrgAccount {
        account_id: management.account_id.clone(),
        name: "master".to_string(),
        ou_path: "Root".to_string(),
        parent_id: root_id.clone(),
        status: "ACTIVE".to_string(),
        tables: plant(&management, MANAGEMENT_TABLES).await,
    }];
    for spec in MEMBERS {
        let status = org
            .create_account()
            .account_name(spec.name)
            .email(format!("{}@example.com", spec.name))
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateAccount {}: {e:?}", spec.name));
        let request = status
            .create_account_status()
            .and_then(|s| s.id())
            .expect("CreateAccountStatus id");
        let done = org
            .describe_create_account_status()
            .create_account_request_id(request)
            .send()
            .await
            .expect("DescribeCreateAccountStatus");
        let done = done.create_account_status().expect("CreateAccountStatus");
        assert_eq!(done.state().map(|s| s.as_str()), Some("SUCCEEDED"));
        let account_id = done.account_id().expect("AccountId").to_string();
        assert!(
            accounts.iter().all(|a| a.account_id != account_id),
            "moto drew the account id {account_id} twice"
        );
        let parent_id = parent_of(spec.ou);
        if parent_id != root_id {
            org.move_account()
                .account_id(&account_id)
                .source_parent_id(&root_id)
                .destination_parent_id(&parent_id)
                .send()
                .await
                .unwrap_or_else(|e| panic!("MoveAccount {}: {e:?}", spec.name));
        }
        let member = assume(&management, &account_id, "OrganizationAccountAccessRole").await;
        let tables = plant(&member, spec.tables).await;
        if spec.closed {
            org.close_account()
                .account_id(&account_id)
                .send()
                .await
                .unwrap_or_else(|e| panic!("CloseAccount {}: {e:?}", spec.name));
        }
        accounts.push(OrgAccount {
            account_id,
            name: spec.name.to_string(),
            ou_path: if spec.ou.is_empty() {
                "Root".to_string()
            } else {
                format!("Root/{}", spec.ou)
            },
            parent_id,
            status: if spec.closed { "SUSPENDED" } else { "ACTIVE" }.to_string(),
            tables,
        });
    }
    Organization {
        management,
        org_id,
        root_id,
        workloads_ou,
        prod_ou,
        sandbox_ou,
        accounts,
    }
}

/// The organization of this test binary, seeded on first use (on a thread
/// of its own with its own runtime, so any test, async or not, may ask).
/// Tests only read it.
pub fn shared_organization() -> &'static Organization {
    static ORG: OnceLock<Organization> = OnceLock::new();
    ORG.get_or_init(|| {
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime")
                .block_on(seed_organization())
        })
        .join()
        .expect("seeding the organization")
    })
}

/// What Organizations says, through the management account: parent id ->
/// (account id, status) of the accounts directly under it.
pub async fn accounts_by_parent(
    management: &TestAccount,
    parents: &[&str],
) -> BTreeMap<String, Vec<(String, String)>> {
    let org = aws_sdk_organizations::Client::new(&management.config(REGION));
    let mut out = BTreeMap::new();
    for parent in parents {
        let pages: Vec<_> = org
            .list_accounts_for_parent()
            .parent_id(*parent)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("ListAccountsForParent {parent}: {e:?}"));
        let accounts: Vec<_> = pages.iter().flat_map(|p| p.accounts()).collect();
        let mut listed: Vec<(String, String)> = accounts
            .iter()
            .map(|a| {
                let state = a.state().map(AccountState::as_str);
                let status = a.status().map(AccountStatus::as_str);
                assert_eq!(state, status, "State and Status agree in moto");
                (
                    a.id().expect("account id").to_string(),
                    status.expect("Status").to_string(),
                )
            })
            .collect();
        listed.sort();
        out.insert(parent.to_string(), listed);
    }
    out
}

/// ListAccounts as `caller` sees it: account id -> (name, status).
pub async fn list_accounts(caller: &TestAccount) -> BTreeMap<String, (String, String)> {
    let org = aws_sdk_organizations::Client::new(&caller.config(REGION));
    let pages: Vec<_> = org
        .list_accounts()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .expect("ListAccounts");
    pages
        .iter()
        .flat_map(|p| p.accounts())
        .map(|a| {
            let status = a.status().map(AccountStatus::as_str).unwrap_or_default();
            (
                a.id().expect("account id").to_string(),
                (a.name().unwrap_or_default().to_string(), status.to_string()),
            )
        })
        .collect()
}
