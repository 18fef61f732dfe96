//! IAM: users, groups, roles and managed policies of the account, from
//! `GetAccountAuthorizationDetails` (paginated, once per account).
//!
//! IAM is global: the call is signed for the partition's IAM region
//! (`us-east-1` for `aws`) and failures are recorded with region `global`.
//! An incomplete picture of who may do what would let an access rule pass
//! wrongly, so if any page fails, or an inline policy document cannot be
//! read, the whole [`Iam`] is `None`.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_iam::Client;
use aws_sdk_iam::config::Region;
use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
use aws_sdk_iam::types::{AttachedPolicy, ManagedPolicyDetail, PolicyDetail, Tag};

use crate::collect::calls::{record_malformed, record_pagination_loop};
use crate::collect::context::RegionContext;
use crate::collect::util::{next_token, parse_policy_document};
use crate::inventory::{Iam, InlinePolicy, ManagedPolicy, Principal};

const SERVICE: &str = "iam";
/// The region IAM errors are recorded under.
pub const REGION: &str = "global";
const OPERATION: &str = "GetAccountAuthorizationDetails";
/// Largest page the API allows (the default is 100).
const MAX_ITEMS: i32 = 1000;

/// The region IAM calls are signed for in `partition`; `fallback` (the
/// context's region) for a partition this build does not know.
pub fn signing_region(partition: &str, fallback: &str) -> String {
    match partition {
        "aws" => "us-east-1",
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        _ => fallback,
    }
    .to_string()
}

/// Collects the account's IAM authorization details. Call once per account,
/// with the context of any scanned region (its region only supplies the
/// credentials and settings; the partition picks the IAM region).
pub async fn collect(ctx: &RegionContext) -> Option<Iam> {
    let region = Region::new(signing_region(&ctx.partition, &ctx.region));
    let client = crate::sdk_client!(aws_sdk_iam, ctx, |b| b.region(region));
    collect_with(&client, ctx).await
}

/// [`collect`] with a given client.
pub async fn collect_with(client: &Client, ctx: &RegionContext) -> Option<Iam> {
    let mut pages = Vec::new();
    let mut marker: Option<String> = None;
    let mut seen = BTreeSet::new();
    loop {
        ctx.limits.acquire(SERVICE, OPERATION, REGION).await;
        let page = match client
            .get_account_authorization_details()
            .max_items(MAX_ITEMS)
            .set_marker(marker.clone())
            .send()
            .await
        {
            Ok(page) => page,
            Err(err) => {
                ctx.errors.record(SERVICE, REGION, OPERATION, None, &err);
                return None;
            }
        };
        let truncated = page.is_truncated;
        let next = page.marker.clone();
        pages.push(page);
        if !truncated {
            break;
        }
        match next_token(&mut seen, next) {
            Ok(Some(next)) => marker = Some(next),
            Ok(None) | Err(()) => {
                record_pagination_loop(&ctx.errors, SERVICE, REGION, OPERATION);
                return None;
            }
        }
    }
    match build(pages, ctx) {
        Ok(iam) => Some(iam),
        Err(bad) => {
            record_malformed(
                &ctx.errors,
                SERVICE,
                REGION,
                OPERATION,
                bad.resource.as_deref(),
                bad.message,
            );
            None
        }
    }
}

/// Why an answer could not be used.
struct Malformed {
    resource: Option<String>,
    message: String,
}

impl Malformed {
    fn new(resource: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            resource: resource.map(str::to_string),
            message: message.into(),
        }
    }
}

fn build(
    pages: Vec<GetAccountAuthorizationDetailsOutput>,
    ctx: &RegionContext,
) -> Result<Iam, Malformed> {
    let mut iam = Iam::default();
    let mut policy_details = Vec::new();
    for page in pages {
        for user in page.user_detail_list.unwrap_or_default() {
            let (arn, name) = identity(user.arn, user.user_name, "user")?;
            let principal = Principal {
                inline_policies: inline_policies(user.user_policy_list, &arn)?,
                attached_policy_arns: attached(user.attached_managed_policies, &arn)?,
                group_names: sorted(user.group_list.unwrap_or_default()),
                tags: tags(user.tags),
                arn: arn.clone(),
                name,
            };
            iam.users.insert(arn, principal);
        }
        for group in page.group_detail_list.unwrap_or_default() {
            let (arn, name) = identity(group.arn, group.group_name, "group")?;
            let principal = Principal {
                inline_policies: inline_policies(group.group_policy_list, &arn)?,
                attached_policy_arns: attached(group.attached_managed_policies, &arn)?,
                group_names: Vec::new(),
                tags: BTreeMap::new(),
                arn: arn.clone(),
                name,
            };
            iam.groups.insert(arn, principal);
        }
        for role in page.role_detail_list.unwrap_or_default() {
            let (arn, name) = identity(role.arn, role.role_name, "role")?;
            let principal = Principal {
                inline_policies: inline_policies(role.role_policy_list, &arn)?,
                attached_policy_arns: attached(role.attached_managed_policies, &arn)?,
                group_names: Vec::new(),
                tags: tags(role.tags),
                arn: arn.clone(),
                name,
            };
            iam.roles.insert(arn, principal);
        }
        policy_details.extend(page.policies.unwrap_or_default());
    }

    let attached_anywhere: BTreeSet<String> = iam
        .users
        .values()
        .chain(iam.groups.values())
        .chain(iam.roles.values())
        .flat_map(|principal| principal.attached_policy_arns.iter().cloned())
        .collect();

    for detail in policy_details {
        let Some(arn) = detail.arn.clone() else {
            return Err(Malformed::new(None, "managed policy without an ARN"));
        };
        // AWS managed policies that nothing attaches grant nothing; the API
        // (and emulators) may list hundreds of them.
        if is_aws_managed(&arn) && !attached_anywhere.contains(&arn) {
            continue;
        }
        let policy = managed_policy(detail, &arn, ctx);
        iam.policies.insert(arn, policy);
    }

    // A policy attached to a principal but absent from the answer: its
    // document is unknown, and says so.
    for arn in attached_anywhere {
        if iam.policies.contains_key(&arn) {
            continue;
        }
        record_malformed(
            &ctx.errors,
            SERVICE,
            REGION,
            OPERATION,
            Some(&arn),
            "attached managed policy missing from the authorization details",
        );
        iam.policies.insert(
            arn.clone(),
            ManagedPolicy {
                name: name_from_arn(&arn),
                arn,
                attachment_count: None,
                document: None,
            },
        );
    }
    Ok(iam)
}

fn identity(
    arn: Option<String>,
    name: Option<String>,
    kind: &str,
) -> Result<(String, String), Malformed> {
    match (arn, name) {
        (Some(arn), Some(name)) => Ok((arn, name)),
        (arn, _) => Err(Malformed::new(
            arn.as_deref(),
            format!("{kind} without an ARN or a name"),
        )),
    }
}

fn inline_policies(
    list: Option<Vec<PolicyDetail>>,
    owner: &str,
) -> Result<Vec<InlinePolicy>, Malformed> {
    let mut policies = Vec::new();
    for detail in list.unwrap_or_default() {
        let Some(name) = detail.policy_name else {
            return Err(Malformed::new(Some(owner), "inline policy without a name"));
        };
        let Some(raw) = detail.policy_document else {
            return Err(Malformed::new(
                Some(owner),
                format!("inline policy {name} without a document"),
            ));
        };
        let document = parse_policy_document(&raw)
            .map_err(|err| Malformed::new(Some(owner), format!("inline policy {name}: {err}")))?;
        policies.push(InlinePolicy { name, document });
    }
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(policies)
}

fn attached(list: Option<Vec<AttachedPolicy>>, owner: &str) -> Result<Vec<String>, Malformed> {
    let mut arns = Vec::new();
    for policy in list.unwrap_or_default() {
        match policy.policy_arn {
            Some(arn) => arns.push(arn),
            None => {
                return Err(Malformed::new(
                    Some(owner),
                    "attached managed policy without an ARN",
                ));
            }
        }
    }
    Ok(sorted(arns))
}

fn managed_policy(detail: ManagedPolicyDetail, arn: &str, ctx: &RegionContext) -> ManagedPolicy {
    let versions = detail.policy_version_list.unwrap_or_default();
    // Prefer the version the policy names as default; fall back to the flag.
    let default = match &detail.default_version_id {
        Some(id) => versions
            .iter()
            .find(|version| version.version_id.as_deref() == Some(id.as_str())),
        None => None,
    }
    .or_else(|| versions.iter().find(|version| version.is_default_version));
    let document = match default.and_then(|version| version.document.as_deref()) {
        Some(raw) => match parse_policy_document(raw) {
            Ok(document) => Some(document),
            Err(err) => {
                record_malformed(&ctx.errors, SERVICE, REGION, OPERATION, Some(arn), err);
                None
            }
        },
        None => {
            record_malformed(
                &ctx.errors,
                SERVICE,
                REGION,
                OPERATION,
                Some(arn),
                "managed policy without a default version document",
            );
            None
        }
    };
    ManagedPolicy {
        arn: arn.to_string(),
        // Emulators omit the name; the ARN always ends with it.
        name: detail.policy_name.unwrap_or_else(|| name_from_arn(arn)),
        attachment_count: detail.attachment_count.map(i64::from),
        document,
    }
}

/// `arn:aws:iam::aws:policy/service-role/Name` -> `Name` (policy names
/// cannot contain `/`).
fn name_from_arn(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

/// AWS managed policies live in the pseudo-account `aws`.
fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

fn tags(list: Option<Vec<Tag>>) -> BTreeMap<String, String> {
    list.unwrap_or_default()
        .into_iter()
        .map(|tag| (tag.key, tag.value))
        .collect()
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list.dedup();
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::testing::{
        assert_html_500_error, assert_no_errors, context, html_500, only_error, query_error,
        test_client,
    };
    use crate::inventory::ErrorKind;
    use aws_sdk_iam::types::{GroupDetail, PolicyVersion, RoleDetail, UserDetail};
    use aws_smithy_mocks::{RuleMode, mock};

    const ACCOUNT: &str = "123456789012";
    const ADMIN_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#;
    const READ_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/orders","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:userid}"]}}}]}"#;

    fn url_encode(raw: &str) -> String {
        percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC).to_string()
    }

    fn user(name: &str, docs: &[(&str, &str)], attached: &[&str], groups: &[&str]) -> UserDetail {
        UserDetail::builder()
            .user_name(name)
            .arn(format!("arn:aws:iam::{ACCOUNT}:user/{name}"))
            .set_user_policy_list(Some(
                docs.iter()
                    .map(|(n, d)| {
                        PolicyDetail::builder()
                            .policy_name(*n)
                            .policy_document(*d)
                            .build()
                    })
                    .collect(),
            ))
            .set_attached_managed_policies(Some(
                attached
                    .iter()
                    .map(|arn| {
                        AttachedPolicy::builder()
                            .policy_arn(*arn)
                            .policy_name(name_from_arn(arn))
                            .build()
                    })
                    .collect(),
            ))
            .set_group_list(Some(groups.iter().map(|g| g.to_string()).collect()))
            .tags(
                Tag::builder()
                    .key("team")
                    .value("payments")
                    .build()
                    .unwrap(),
            )
            .build()
    }

    /// A managed policy as moto returns it: no name, no id.
    fn moto_policy(arn: &str, doc: &str) -> ManagedPolicyDetail {
        ManagedPolicyDetail::builder()
            .arn(arn)
            .default_version_id("v2")
            .attachment_count(1)
            .policy_version_list(
                PolicyVersion::builder()
                    .version_id("v1")
                    .is_default_version(false)
                    .document(READ_DOC)
                    .build(),
            )
            .policy_version_list(
                PolicyVersion::builder()
                    .version_id("v2")
                    .is_default_version(true)
                    .document(doc)
                    .build(),
            )
            .build()
    }

    fn page(
        users: Vec<UserDetail>,
        truncated: bool,
        marker: Option<&str>,
    ) -> GetAccountAuthorizationDetailsOutput {
        GetAccountAuthorizationDetailsOutput::builder()
            .set_user_detail_list(Some(users))
            .is_truncated(truncated)
            .set_marker(marker.map(str::to_string))
            .build()
    }

    #[tokio::test]
    async fn maps_principals_and_policies() {
        let custom = format!("arn:aws:iam::{ACCOUNT}:policy/app/DynamoAdmin");
        let aws_attached = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess";
        let aws_unattached = "arn:aws:iam::aws:policy/AdministratorAccess";
        let output = GetAccountAuthorizationDetailsOutput::builder()
            .user_detail_list(user(
                "alice",
                &[("inline-admin", ADMIN_DOC)],
                &[&custom],
                &["devs", "admins"],
            ))
            .group_detail_list(
                GroupDetail::builder()
                    .group_name("devs")
                    .arn(format!("arn:aws:iam::{ACCOUNT}:group/devs"))
                    .attached_managed_policies(
                        AttachedPolicy::builder().policy_arn(aws_attached).build(),
                    )
                    .build(),
            )
            .role_detail_list(
                RoleDetail::builder()
                    .role_name("app")
                    .arn(format!("arn:aws:iam::{ACCOUNT}:role/app"))
                    .role_policy_list(
                        PolicyDetail::builder()
                            .policy_name("rls")
                            .policy_document(READ_DOC)
                            .build(),
                    )
                    .tags(
                        Tag::builder()
                            .key("Environment")
                            .value("prod")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .policies(moto_policy(&custom, ADMIN_DOC))
            .policies(moto_policy(aws_attached, READ_DOC))
            .policies(moto_policy(aws_unattached, ADMIN_DOC))
            .is_truncated(false)
            .build();
        let rule =
            mock!(Client::get_account_authorization_details).then_output(move || output.clone());
        let client = test_client!(aws_sdk_iam, RuleMode::Sequential, [&rule]);
        let ctx = context("eu-west-1");

        let iam = collect_with(&client, &ctx).await.expect("collected");
        assert_no_errors(&ctx);

        let alice = &iam.users[&format!("arn:aws:iam::{ACCOUNT}:user/alice")];
        assert_eq!(alice.name, "alice");
        assert_eq!(alice.group_names, vec!["admins", "devs"]);
        assert_eq!(alice.attached_policy_arns, vec![custom.clone()]);
        assert_eq!(alice.inline_policies[0].name, "inline-admin");
        assert_eq!(
            alice.inline_policies[0].document["Statement"][0]["Action"],
            "dynamodb:*"
        );
        assert_eq!(alice.tags["team"], "payments");

        let devs = &iam.groups[&format!("arn:aws:iam::{ACCOUNT}:group/devs")];
        assert_eq!(devs.attached_policy_arns, vec![aws_attached.to_string()]);

        let role = &iam.roles[&format!("arn:aws:iam::{ACCOUNT}:role/app")];
        assert_eq!(role.tags["Environment"], "prod");
        assert_eq!(
            role.inline_policies[0].document["Statement"][0]["Condition"]["ForAllValues:StringEquals"]
                ["dynamodb:LeadingKeys"][0],
            "${aws:userid}"
        );

        // Names derived from the ARN (moto omits them), default version picked.
        let admin = &iam.policies[&custom];
        assert_eq!(admin.name, "DynamoAdmin");
        assert_eq!(admin.attachment_count, Some(1));
        assert_eq!(
            admin.document.as_ref().unwrap()["Statement"][0]["Action"],
            "dynamodb:*"
        );
        assert_eq!(
            iam.policies[aws_attached].name,
            "AmazonDynamoDBReadOnlyAccess"
        );
        // An AWS managed policy nothing attaches is left out.
        assert!(!iam.policies.contains_key(aws_unattached));
        assert_eq!(iam.policies.len(), 2);
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn accepts_url_encoded_documents() {
        let custom = format!("arn:aws:iam::{ACCOUNT}:policy/DynamoAdmin");
        let mut policy = moto_policy(&custom, &url_encode(ADMIN_DOC));
        policy.policy_name = Some("DynamoAdmin".to_string());
        let output = GetAccountAuthorizationDetailsOutput::builder()
            .user_detail_list(user(
                "bob",
                &[("enc", &url_encode(READ_DOC))],
                &[&custom],
                &[],
            ))
            .policies(policy)
            .is_truncated(false)
            .build();
        let rule =
            mock!(Client::get_account_authorization_details).then_output(move || output.clone());
        let client = test_client!(aws_sdk_iam, RuleMode::Sequential, [&rule]);
        let ctx = context("us-east-1");

        let iam = collect_with(&client, &ctx).await.expect("collected");
        assert_no_errors(&ctx);
        let bob = &iam.users[&format!("arn:aws:iam::{ACCOUNT}:user/bob")];
        assert_eq!(
            bob.inline_policies[0].document,
            serde_json::from_str::<serde_json::Value>(READ_DOC).unwrap()
        );
        assert_eq!(
            iam.policies[&custom].document.as_ref().unwrap(),
            &serde_json::from_str::<serde_json::Value>(ADMIN_DOC).unwrap()
        );
    }

    #[tokio::test]
    async fn follows_markers_across_pages() {
        let first = mock!(Client::get_account_authorization_details)
            .match_requests(|req| req.marker().is_none() && req.max_items() == Some(MAX_ITEMS))
            .then_output(|| page(vec![user("u1", &[], &[], &[])], true, Some("m1")));
        let second = mock!(Client::get_account_authorization_details)
            .match_requests(|req| req.marker() == Some("m1"))
            .then_output(|| page(vec![user("u2", &[], &[], &[])], true, Some("m2")));
        let third = mock!(Client::get_account_authorization_details)
            .match_requests(|req| req.marker() == Some("m2"))
            .then_output(|| page(vec![user("u3", &[], &[], &[])], false, None));
        let client = test_client!(aws_sdk_iam, RuleMode::MatchAny, [&first, &second, &third]);
        let ctx = context("us-east-1");

        let iam = collect_with(&client, &ctx).await.expect("collected");
        assert_no_errors(&ctx);
        let names: Vec<_> = iam.users.values().map(|u| u.name.as_str()).collect();
        assert_eq!(names, vec!["u1", "u2", "u3"]);
        assert_eq!(
            (first.num_calls(), second.num_calls(), third.num_calls()),
            (1, 1, 1)
        );
    }

    #[tokio::test]
    async fn a_failed_later_page_loses_everything() {
        let first = mock!(Client::get_account_authorization_details)
            .match_requests(|req| req.marker().is_none())
            .then_output(|| page(vec![user("u1", &[], &[], &[])], true, Some("m1")));
        let second = mock!(Client::get_account_authorization_details)
            .match_requests(|req| req.marker() == Some("m1"))
            .then_http_response(|| query_error(403, "AccessDenied", "not authorized"));
        let client = test_client!(aws_sdk_iam, RuleMode::MatchAny, [&first, &second]);
        let ctx = context("us-east-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        assert_eq!(only_error(&ctx).kind, ErrorKind::AccessDenied);
    }

    #[tokio::test]
    async fn a_repeated_marker_is_an_error_not_a_loop() {
        let rule = mock!(Client::get_account_authorization_details)
            .then_output(|| page(vec![user("u1", &[], &[], &[])], true, Some("same")));
        let client = test_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule]);
        let ctx = context("us-east-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        assert_eq!(only_error(&ctx).code, "MalformedResponse");
        assert_eq!(rule.num_calls(), 2);
    }

    #[tokio::test]
    async fn access_denied() {
        let rule = mock!(Client::get_account_authorization_details).then_http_response(|| {
            query_error(
                403,
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/audit is not authorized to perform: iam:GetAccountAuthorizationDetails",
            )
        });
        let client = test_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(error.service, "iam");
        assert_eq!(error.region, "global");
        assert_eq!(error.operation, "GetAccountAuthorizationDetails");
        assert_eq!(error.code, "AccessDenied");
        assert!(error.message.contains("not authorized"));
        assert_eq!(rule.num_calls(), 1, "access denied is not retried");
    }

    #[tokio::test]
    async fn throttling_that_outlasts_retries() {
        let rule = mock!(Client::get_account_authorization_details)
            .then_http_response(|| query_error(400, "Throttling", "Rate exceeded"));
        let client = test_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule]);
        let ctx = context("us-east-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::Throttled);
        assert_eq!(error.code, "Throttling");
        assert_eq!(rule.num_calls(), 3, "every attempt was made");
    }

    #[tokio::test]
    async fn html_error_page() {
        let rule = mock!(Client::get_account_authorization_details).then_http_response(html_500);
        let client = test_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule]);
        let ctx = context("us-east-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        assert_html_500_error(&only_error(&ctx));
    }

    #[tokio::test]
    async fn an_unreadable_inline_document_loses_everything() {
        let output = page(
            vec![user("eve", &[("bad", "%7Bnot json")], &[], &[])],
            false,
            None,
        );
        let rule =
            mock!(Client::get_account_authorization_details).then_output(move || output.clone());
        let client = test_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule]);
        let ctx = context("us-east-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        let error = only_error(&ctx);
        assert_eq!(error.code, "MalformedResponse");
        assert_eq!(
            error.resource.as_deref(),
            Some("arn:aws:iam::123456789012:user/eve")
        );
    }

    #[tokio::test]
    async fn an_attached_policy_missing_from_the_answer_is_unknown() {
        let missing = "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess";
        let output = page(vec![user("carol", &[], &[missing], &[])], false, None);
        let rule =
            mock!(Client::get_account_authorization_details).then_output(move || output.clone());
        let client = test_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule]);
        let ctx = context("us-east-1");

        let iam = collect_with(&client, &ctx).await.expect("collected");
        let policy = &iam.policies[missing];
        assert_eq!(policy.name, "AmazonDynamoDBFullAccess");
        assert_eq!(policy.document, None);
        assert_eq!(only_error(&ctx).resource.as_deref(), Some(missing));
    }

    #[tokio::test]
    async fn empty_account() {
        let rule = mock!(Client::get_account_authorization_details).then_output(|| {
            GetAccountAuthorizationDetailsOutput::builder()
                .is_truncated(false)
                .build()
        });
        let client = test_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule]);
        let ctx = context("us-east-1");

        assert_eq!(collect_with(&client, &ctx).await, Some(Iam::default()));
        assert_no_errors(&ctx);
    }

    #[test]
    fn signing_regions() {
        assert_eq!(signing_region("aws", "eu-west-1"), "us-east-1");
        assert_eq!(signing_region("aws-cn", "cn-northwest-1"), "cn-north-1");
        assert_eq!(
            signing_region("aws-us-gov", "us-gov-east-1"),
            "us-gov-west-1"
        );
        assert_eq!(
            signing_region("aws-eusc", "eusc-de-east-1"),
            "eusc-de-east-1"
        );
    }

    #[test]
    fn names_and_owners_from_arns() {
        assert_eq!(
            name_from_arn(
                "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
            ),
            "AWSBackupServiceRolePolicyForBackup"
        );
        assert!(is_aws_managed("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        assert!(!is_aws_managed(
            "arn:aws:iam::123456789012:policy/ReadOnlyAccess"
        ));
    }
}
