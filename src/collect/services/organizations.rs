//! AWS Organizations: the organization, its accounts and where each sits
//! (`DescribeOrganization`, `ListAccounts`, `ListRoots`, then
//! `ListOrganizationalUnitsForParent` and `ListAccountsForParent` from
//! every root down). Called once per run, with the scanning credentials,
//! from the management account or a delegated administrator.
//!
//! Unlike the evidence collectors, a failure here is not evidence: without
//! the listing the run cannot know its scope, so it stops (exit 2) and
//! says which call failed and why.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_organizations::Client;

use crate::collect::context::RegionContext;
use crate::collect::errors::describe;
use crate::collect::util::next_token;
use crate::inventory::OrganizationalUnit;
use crate::organization::listing::{ListedAccount, OrganizationListing};

const SERVICE: &str = "organizations";

/// Why the organization could not be listed.
#[derive(Debug, thiserror::Error)]
#[error("organizations:{operation} failed ({code}): {message}")]
pub struct ListingError {
    /// The operation that failed.
    pub operation: &'static str,
    /// AWS's error code (`AccessDeniedException`,
    /// `AWSOrganizationsNotInUseException`, ...).
    pub code: String,
    /// AWS's message.
    pub message: String,
}

impl ListingError {
    fn from_sdk<E>(
        operation: &'static str,
        err: &aws_smithy_runtime_api::client::result::SdkError<
            E,
            aws_smithy_runtime_api::client::orchestrator::HttpResponse,
        >,
    ) -> Self
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    {
        let failure = describe(err);
        ListingError {
            operation,
            code: failure.code,
            message: failure.message,
        }
    }

    fn malformed(operation: &'static str, message: impl Into<String>) -> Self {
        ListingError {
            operation,
            code: "MalformedResponse".into(),
            message: message.into(),
        }
    }
}

/// Lists the organization.
pub async fn list(ctx: &RegionContext) -> Result<OrganizationListing, ListingError> {
    list_with(&crate::sdk_client!(aws_sdk_organizations, ctx), ctx).await
}

/// Loops over the pages of one listing; `fetch` returns a page and its
/// next token.
macro_rules! pages {
    ($ctx:expr, $operation:expr, |$token:ident| $fetch:expr) => {{
        let mut items = Vec::new();
        let mut next: Option<String> = None;
        let mut seen = BTreeSet::new();
        loop {
            $ctx.limits.acquire(SERVICE, $operation, &$ctx.region).await;
            let $token = next.take();
            let (page, token) = $fetch
                .await
                .map_err(|e| ListingError::from_sdk($operation, &e))?;
            items.extend(page);
            match next_token(&mut seen, token) {
                Ok(Some(token)) => next = Some(token),
                Ok(None) => break,
                Err(()) => {
                    return Err(ListingError::malformed(
                        $operation,
                        "pagination token repeated; the listing cannot be completed",
                    ));
                }
            }
        }
        items
    }};
}

/// [`list`] with a given client.
pub async fn list_with(
    client: &Client,
    ctx: &RegionContext,
) -> Result<OrganizationListing, ListingError> {
    ctx.limits
        .acquire(SERVICE, "DescribeOrganization", &ctx.region)
        .await;
    let organization = client
        .describe_organization()
        .send()
        .await
        .map_err(|e| ListingError::from_sdk("DescribeOrganization", &e))?;
    let organization = organization.organization().ok_or_else(|| {
        ListingError::malformed("DescribeOrganization", "no organization in the answer")
    })?;
    let organization_id = organization
        .id()
        .ok_or_else(|| {
            ListingError::malformed("DescribeOrganization", "the organization has no id")
        })?
        .to_string();
    let management_account_id = organization
        .master_account_id()
        .unwrap_or_default()
        .to_string();

    let accounts = pages!(ctx, "ListAccounts", |token| async {
        client
            .list_accounts()
            .set_next_token(token)
            .send()
            .await
            .map(|out| (out.accounts.unwrap_or_default(), out.next_token))
    });
    let roots = pages!(ctx, "ListRoots", |token| async {
        client
            .list_roots()
            .set_next_token(token)
            .send()
            .await
            .map(|out| (out.roots.unwrap_or_default(), out.next_token))
    });

    // Walk every root down; each account's path is the units above it.
    let mut paths: BTreeMap<String, Vec<OrganizationalUnit>> = BTreeMap::new();
    let mut queue: Vec<Vec<OrganizationalUnit>> = Vec::new();
    for root in &roots {
        let id = root
            .id()
            .ok_or_else(|| ListingError::malformed("ListRoots", "a root has no id"))?;
        queue.push(vec![OrganizationalUnit {
            id: id.to_string(),
            name: root.name().unwrap_or("Root").to_string(),
        }]);
    }
    let mut visited = BTreeSet::new();
    while let Some(path) = queue.pop() {
        let Some(parent) = path.last().map(|u| u.id.clone()) else {
            continue;
        };
        // A parent met twice would be a cycle in a malformed answer.
        if !visited.insert(parent.clone()) {
            continue;
        }
        let children = pages!(ctx, "ListAccountsForParent", |token| async {
            client
                .list_accounts_for_parent()
                .parent_id(&parent)
                .set_next_token(token)
                .send()
                .await
                .map(|out| (out.accounts.unwrap_or_default(), out.next_token))
        });
        for account in children {
            if let Some(id) = account.id() {
                paths.insert(id.to_string(), path.clone());
            }
        }
        let units = pages!(ctx, "ListOrganizationalUnitsForParent", |token| async {
            client
                .list_organizational_units_for_parent()
                .parent_id(&parent)
                .set_next_token(token)
                .send()
                .await
                .map(|out| (out.organizational_units.unwrap_or_default(), out.next_token))
        });
        for unit in units {
            let Some(id) = unit.id() else {
                return Err(ListingError::malformed(
                    "ListOrganizationalUnitsForParent",
                    "an organizational unit has no id",
                ));
            };
            let mut child = path.clone();
            child.push(OrganizationalUnit {
                id: id.to_string(),
                name: unit.name().unwrap_or(id).to_string(),
            });
            queue.push(child);
        }
    }

    let mut listed: Vec<ListedAccount> = Vec::new();
    for account in accounts {
        let Some(id) = account.id() else {
            return Err(ListingError::malformed(
                "ListAccounts",
                "an account has no id",
            ));
        };
        // `State` (2025) is finer than the deprecated `Status`.
        let status = account
            .state()
            .map(|s| s.as_str().to_string())
            .or_else(|| account.status().map(|s| s.as_str().to_string()))
            .unwrap_or_else(|| "UNKNOWN".to_string());
        listed.push(ListedAccount {
            id: id.to_string(),
            name: account.name().unwrap_or_default().to_string(),
            status,
            ou_path: paths.get(id).cloned().unwrap_or_default(),
        });
    }
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    listed.dedup_by(|a, b| a.id == b.id);
    Ok(OrganizationListing {
        organization_id,
        management_account_id,
        accounts: listed,
    })
}
