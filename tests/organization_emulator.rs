//! The organization-wide audit end to end against the AWS API emulator.

mod support;

use support::moto::TestAccount;
use support::organization::{REGION, accounts_by_parent, shared_organization};

#[tokio::test(flavor = "multi_thread")]
async fn the_seeded_organization_is_what_organizations_lists() {
    let org = shared_organization();
    let parents = [
        org.root_id.as_str(),
        org.workloads_ou.as_str(),
        org.prod_ou.as_str(),
        org.sandbox_ou.as_str(),
    ];
    let listed = accounts_by_parent(&org.management, &parents).await;
    for parent in parents {
        let mut expected: Vec<(String, String)> = org
            .accounts
            .iter()
            .filter(|a| a.parent_id == parent)
            .map(|a| (a.account_id.clone(), a.status.clone()))
            .collect();
        expected.sort();
        assert_eq!(listed[parent], expected, "accounts under {parent}");
    }
}

/// What the tests rely on in moto's Organizations (see
/// `support/organization.rs`): the management account is listed (named
/// `master`), the closed account is SUSPENDED, only the management account
/// sees the accounts, and an account outside any organization is told so by
/// DescribeOrganization but gets an empty ListAccounts.
#[tokio::test(flavor = "multi_thread")]
async fn the_emulator_answers_organizations_as_the_tests_expect() {
    let org = shared_organization();
    let management = aws_sdk_organizations::Client::new(&org.management.config(REGION));
    let listed: Vec<(String, String, String)> = management
        .list_accounts()
        .send()
        .await
        .expect("ListAccounts")
        .accounts()
        .iter()
        .map(|a| {
            (
                a.id().unwrap().to_string(),
                a.name().unwrap().to_string(),
                a.status().unwrap().as_str().to_string(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String, String)> = org
        .accounts
        .iter()
        .map(|a| (a.account_id.clone(), a.name.clone(), a.status.clone()))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected);
    assert!(
        listed
            .iter()
            .any(|(id, name, _)| id == &org.management.account_id && name == "master")
    );

    let member = org.member(&org.by_name("prod-a").account_id).await;
    let member = aws_sdk_organizations::Client::new(&member.config(REGION));
    let seen = member
        .list_accounts()
        .send()
        .await
        .expect("a member's ListAccounts");
    assert!(
        seen.accounts().is_empty(),
        "moto keys Organizations by the caller"
    );
    let described = member
        .describe_organization()
        .send()
        .await
        .expect("a member's DescribeOrganization");
    assert_eq!(
        described.organization().and_then(|o| o.id()),
        Some(org.org_id.as_str())
    );

    let outsider = TestAccount::new().await;
    let outsider = aws_sdk_organizations::Client::new(&outsider.config(REGION));
    let err = outsider
        .describe_organization()
        .send()
        .await
        .expect_err("not in an organization");
    assert!(
        format!("{err:?}").contains("AWSOrganizationsNotInUseException"),
        "{err:?}"
    );
    let seen = outsider
        .list_accounts()
        .send()
        .await
        .expect("an outsider's ListAccounts");
    assert!(seen.accounts().is_empty());
}
