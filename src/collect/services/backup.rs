//! AWS Backup: the region's backup plans with their rules and resource
//! selections (`ListBackupPlans` -> `GetBackupPlan`, and
//! `ListBackupSelections` -> `GetBackupSelection`).
//!
//! A plan whose selections cannot all be read gets `selections: null`, not
//! a shorter list: a missing selection would make a protected table look
//! unprotected (and a missing condition would make the opposite mistake).
//! Some endpoints (moto) answer 500 to the selection calls; that is
//! recorded per plan and DYN203 comes out unknown there.
//!
//! The region's vaults (`ListBackupVaults`), with their vault lock, are a
//! listing of their own ([`collect_vaults`]).

use std::collections::BTreeMap;

use aws_sdk_backup::Client;
use aws_sdk_backup::types::{
    BackupPlansListMember, BackupSelection as SdkSelection, ConditionParameter,
};

use crate::collect::calls::{Call, paginate, record_malformed, single};
use crate::collect::context::RegionContext;
use crate::collect::util::join_ordered;
use crate::inventory::{BackupPlan, BackupRule, BackupSelection, BackupTagCondition, BackupVault};

const SERVICE: &str = "backup";
/// Prefix of tag keys in selection conditions.
const TAG_PREFIX: &str = "aws:ResourceTag/";

/// Collects the region's backup plans keyed by plan ARN.
pub async fn collect(ctx: &RegionContext) -> Option<BTreeMap<String, BackupPlan>> {
    collect_with(&crate::sdk_client!(aws_sdk_backup, ctx), ctx).await
}

/// [`collect`] with a given client.
pub async fn collect_with(
    client: &Client,
    ctx: &RegionContext,
) -> Option<BTreeMap<String, BackupPlan>> {
    const OPERATION: &str = "ListBackupPlans";
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: OPERATION,
        resource: None,
    };
    let listed: Vec<BackupPlansListMember> = paginate(ctx, call, |token| {
        let request = client.list_backup_plans().set_next_token(token);
        async move {
            request
                .send()
                .await
                .map(|page| (page.backup_plans_list.unwrap_or_default(), page.next_token))
        }
    })
    .await?;

    let mut pending = Vec::new();
    for member in listed {
        let (Some(arn), Some(id)) = (member.backup_plan_arn, member.backup_plan_id) else {
            record_malformed(
                &ctx.errors,
                SERVICE,
                &ctx.region,
                OPERATION,
                None,
                "backup plan without an ARN or an id",
            );
            return None;
        };
        let name = member.backup_plan_name.unwrap_or_default();
        let client = client.clone();
        let ctx = ctx.clone();
        pending.push(async move {
            let (rules, selections) = tokio::join!(
                plan_rules(&client, &ctx, &arn, &id),
                selections(&client, &ctx, &arn, &id),
            );
            BackupPlan {
                arn,
                id,
                name,
                rules,
                selections,
            }
        });
    }
    Some(
        join_ordered(pending)
            .await
            .into_iter()
            .map(|plan| (plan.arn.clone(), plan))
            .collect(),
    )
}

async fn plan_rules(
    client: &Client,
    ctx: &RegionContext,
    arn: &str,
    id: &str,
) -> Option<Vec<BackupRule>> {
    const OPERATION: &str = "GetBackupPlan";
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: OPERATION,
        resource: Some(arn),
    };
    let output = single(
        ctx,
        call,
        client.get_backup_plan().backup_plan_id(id).send(),
    )
    .await?;
    let Some(plan) = output.backup_plan else {
        record_malformed(
            &ctx.errors,
            SERVICE,
            &ctx.region,
            OPERATION,
            Some(arn),
            "answer without a backup plan",
        );
        return None;
    };
    Some(
        plan.rules
            .into_iter()
            .map(|rule| BackupRule {
                name: rule.rule_name,
                schedule: rule.schedule_expression,
                target_vault: Some(rule.target_backup_vault_name),
                delete_after_days: rule
                    .lifecycle
                    .and_then(|lifecycle| lifecycle.delete_after_days),
            })
            .collect(),
    )
}

async fn selections(
    client: &Client,
    ctx: &RegionContext,
    arn: &str,
    id: &str,
) -> Option<Vec<BackupSelection>> {
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: "ListBackupSelections",
        resource: Some(arn),
    };
    let listed = paginate(ctx, call, |token| {
        let request = client
            .list_backup_selections()
            .backup_plan_id(id)
            .set_next_token(token);
        async move {
            request.send().await.map(|page| {
                (
                    page.backup_selections_list.unwrap_or_default(),
                    page.next_token,
                )
            })
        }
    })
    .await?;

    let mut pending = Vec::new();
    for member in listed {
        let Some(selection_id) = member.selection_id else {
            record_malformed(
                &ctx.errors,
                SERVICE,
                &ctx.region,
                "ListBackupSelections",
                Some(arn),
                "backup selection without an id",
            );
            return None;
        };
        let client = client.clone();
        let ctx = ctx.clone();
        let (arn, id) = (arn.to_string(), id.to_string());
        pending.push(async move { selection(&client, &ctx, &arn, &id, selection_id).await });
    }
    let mut selections = Vec::new();
    for selection in join_ordered(pending).await {
        // One unreadable selection makes the plan's coverage unknown.
        selections.push(selection?);
    }
    selections.sort_by(|a, b| a.id.cmp(&b.id));
    Some(selections)
}

async fn selection(
    client: &Client,
    ctx: &RegionContext,
    arn: &str,
    plan_id: &str,
    selection_id: String,
) -> Option<BackupSelection> {
    const OPERATION: &str = "GetBackupSelection";
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: OPERATION,
        resource: Some(arn),
    };
    let output = single(
        ctx,
        call,
        client
            .get_backup_selection()
            .backup_plan_id(plan_id)
            .selection_id(&selection_id)
            .send(),
    )
    .await?;
    let mapped = output
        .backup_selection
        .ok_or_else(|| "answer without a backup selection".to_string())
        .and_then(|selection| map_selection(selection_id, selection));
    match mapped {
        Ok(selection) => Some(selection),
        Err(message) => {
            record_malformed(
                &ctx.errors,
                SERVICE,
                &ctx.region,
                OPERATION,
                Some(arn),
                message,
            );
            None
        }
    }
}

fn map_selection(id: String, selection: SdkSelection) -> Result<BackupSelection, String> {
    let list_of_tags = selection
        .list_of_tags
        .unwrap_or_default()
        .into_iter()
        .map(|condition| BackupTagCondition {
            condition_type: condition.condition_type.as_str().to_string(),
            key: tag_key(condition.condition_key),
            value: condition.condition_value,
        })
        .collect();
    let mut conditions = Vec::new();
    if let Some(all) = selection.conditions {
        for (condition_type, parameters) in [
            ("STRINGEQUALS", all.string_equals),
            ("STRINGNOTEQUALS", all.string_not_equals),
            ("STRINGLIKE", all.string_like),
            ("STRINGNOTLIKE", all.string_not_like),
        ] {
            for parameter in parameters.unwrap_or_default() {
                conditions.push(condition(condition_type, parameter)?);
            }
        }
    }
    Ok(BackupSelection {
        id,
        name: selection.selection_name,
        resources: selection.resources.unwrap_or_default(),
        not_resources: selection.not_resources.unwrap_or_default(),
        list_of_tags,
        conditions,
    })
}

fn condition(
    condition_type: &str,
    parameter: ConditionParameter,
) -> Result<BackupTagCondition, String> {
    // Conditions narrow a selection: dropping one would widen it.
    match (parameter.condition_key, parameter.condition_value) {
        (Some(key), Some(value)) => Ok(BackupTagCondition {
            condition_type: condition_type.to_string(),
            key: tag_key(key),
            value,
        }),
        _ => Err(format!(
            "{condition_type} condition without a key or a value"
        )),
    }
}

/// `aws:ResourceTag/Environment` -> `Environment`.
fn tag_key(key: String) -> String {
    match key.strip_prefix(TAG_PREFIX) {
        Some(stripped) => stripped.to_string(),
        None => key,
    }
}

/// Collects the region's backup vaults keyed by vault name
/// (`ListBackupVaults`, paginated), with their vault lock (DYN207).
pub async fn collect_vaults(ctx: &RegionContext) -> Option<BTreeMap<String, BackupVault>> {
    collect_vaults_with(&crate::sdk_client!(aws_sdk_backup, ctx), ctx).await
}

/// [`collect_vaults`] with a given client.
pub async fn collect_vaults_with(
    client: &Client,
    ctx: &RegionContext,
) -> Option<BTreeMap<String, BackupVault>> {
    const OPERATION: &str = "ListBackupVaults";
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: OPERATION,
        resource: None,
    };
    let listed = paginate(ctx, call, |token| {
        let request = client.list_backup_vaults().set_next_token(token);
        async move {
            request
                .send()
                .await
                .map(|page| (page.backup_vault_list.unwrap_or_default(), page.next_token))
        }
    })
    .await?;
    let mut vaults = BTreeMap::new();
    for member in listed {
        let (Some(name), Some(arn)) = (member.backup_vault_name, member.backup_vault_arn) else {
            record_malformed(
                &ctx.errors,
                SERVICE,
                &ctx.region,
                OPERATION,
                None,
                "backup vault without a name or an ARN",
            );
            return None;
        };
        let vault = BackupVault {
            name: name.clone(),
            arn,
            locked: member.locked.unwrap_or(false),
            min_retention_days: member.min_retention_days,
            max_retention_days: member.max_retention_days,
            lock_date: member
                .lock_date
                .and_then(|date| crate::collect::services::dynamodb::rfc3339(&date)),
        };
        vaults.insert(name, vault);
    }
    Some(vaults)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::testing::{
        assert_html_500_error, assert_no_errors, context, html_500, json_error, only_error,
        test_client,
    };
    use crate::inventory::ErrorKind;
    use aws_sdk_backup::operation::get_backup_plan::GetBackupPlanOutput;
    use aws_sdk_backup::operation::get_backup_selection::GetBackupSelectionOutput;
    use aws_sdk_backup::operation::list_backup_plans::ListBackupPlansOutput;
    use aws_sdk_backup::operation::list_backup_selections::ListBackupSelectionsOutput;
    use aws_sdk_backup::types::{
        BackupPlan as SdkPlan, BackupRule as SdkRule, BackupSelectionsListMember, Condition,
        ConditionType, Conditions, Lifecycle,
    };
    use aws_smithy_mocks::{Rule, RuleMode, mock};

    fn plan_arn(id: &str) -> String {
        format!("arn:aws:backup:eu-west-1:123456789012:backup-plan:{id}")
    }

    fn member(id: &str) -> BackupPlansListMember {
        BackupPlansListMember::builder()
            .backup_plan_arn(plan_arn(id))
            .backup_plan_id(id)
            .backup_plan_name(format!("plan-{id}"))
            .build()
    }

    fn list_plans(ids: &'static [&'static str]) -> Rule {
        mock!(Client::list_backup_plans).then_output(move || {
            ListBackupPlansOutput::builder()
                .set_backup_plans_list(Some(ids.iter().map(|id| member(id)).collect()))
                .build()
        })
    }

    fn get_plan() -> Rule {
        mock!(Client::get_backup_plan).then_compute_output(|req| {
            let id = req.backup_plan_id().unwrap_or_default().to_string();
            GetBackupPlanOutput::builder()
                .backup_plan_id(&id)
                .backup_plan(
                    SdkPlan::builder()
                        .backup_plan_name(format!("plan-{id}"))
                        .rules(
                            SdkRule::builder()
                                .rule_name("daily")
                                .target_backup_vault_name("Default")
                                .schedule_expression("cron(0 5 ? * * *)")
                                .lifecycle(Lifecycle::builder().delete_after_days(35).build())
                                .build()
                                .unwrap(),
                        )
                        .rules(
                            SdkRule::builder()
                                .rule_name("monthly")
                                .target_backup_vault_name("Archive")
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
        })
    }

    fn list_selections(ids: &'static [&'static str]) -> Rule {
        mock!(Client::list_backup_selections).then_output(move || {
            ListBackupSelectionsOutput::builder()
                .set_backup_selections_list(Some(
                    ids.iter()
                        .map(|id| {
                            BackupSelectionsListMember::builder()
                                .selection_id(*id)
                                .selection_name(format!("sel-{id}"))
                                .build()
                        })
                        .collect(),
                ))
                .build()
        })
    }

    fn get_selection() -> Rule {
        mock!(Client::get_backup_selection).then_compute_output(|req| {
            let id = req.selection_id().unwrap_or_default();
            let selection = if id == "by-arn" {
                SdkSelection::builder()
                    .selection_name("tables")
                    .iam_role_arn("arn:aws:iam::123456789012:role/backup")
                    .resources("arn:aws:dynamodb:*:*:table/*")
                    .not_resources("arn:aws:dynamodb:eu-west-1:123456789012:table/scratch")
            } else {
                SdkSelection::builder()
                    .selection_name("tagged")
                    .iam_role_arn("arn:aws:iam::123456789012:role/backup")
                    .resources("*")
                    .list_of_tags(
                        Condition::builder()
                            .condition_type(ConditionType::Stringequals)
                            .condition_key("backup")
                            .condition_value("daily")
                            .build()
                            .unwrap(),
                    )
                    .conditions(
                        Conditions::builder()
                            .string_equals(
                                ConditionParameter::builder()
                                    .condition_key("aws:ResourceTag/Environment")
                                    .condition_value("prod")
                                    .build(),
                            )
                            .string_not_like(
                                ConditionParameter::builder()
                                    .condition_key("aws:ResourceTag/Name")
                                    .condition_value("tmp-*")
                                    .build(),
                            )
                            .build(),
                    )
            };
            GetBackupSelectionOutput::builder()
                .selection_id(id)
                .backup_selection(selection.build().unwrap())
                .build()
        })
    }

    #[tokio::test]
    async fn maps_plans_rules_and_selections() {
        let rules = [
            list_plans(&["p1"]),
            get_plan(),
            list_selections(&["by-tag", "by-arn"]),
            get_selection(),
        ];
        let client = test_client!(
            aws_sdk_backup,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &rules[3]]
        );
        let ctx = context("eu-west-1");

        let plans = collect_with(&client, &ctx).await.expect("collected");
        assert_no_errors(&ctx);
        let plan = &plans[&plan_arn("p1")];
        assert_eq!((plan.id.as_str(), plan.name.as_str()), ("p1", "plan-p1"));

        let plan_rules = plan.rules.as_ref().unwrap();
        assert_eq!(plan_rules.len(), 2);
        assert_eq!(plan_rules[0].name, "daily");
        assert_eq!(plan_rules[0].schedule.as_deref(), Some("cron(0 5 ? * * *)"));
        assert_eq!(plan_rules[0].target_vault.as_deref(), Some("Default"));
        assert_eq!(plan_rules[0].delete_after_days, Some(35));
        assert_eq!(plan_rules[1].delete_after_days, None);

        let selections = plan.selections.as_ref().unwrap();
        assert_eq!(
            selections.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            vec!["by-arn", "by-tag"]
        );
        let by_arn = &selections[0];
        assert_eq!(by_arn.name, "tables");
        assert_eq!(by_arn.resources, vec!["arn:aws:dynamodb:*:*:table/*"]);
        assert_eq!(
            by_arn.not_resources,
            vec!["arn:aws:dynamodb:eu-west-1:123456789012:table/scratch"]
        );
        let by_tag = &selections[1];
        assert_eq!(
            by_tag.list_of_tags,
            vec![BackupTagCondition {
                condition_type: "STRINGEQUALS".into(),
                key: "backup".into(),
                value: "daily".into()
            }]
        );
        assert_eq!(
            by_tag.conditions,
            vec![
                BackupTagCondition {
                    condition_type: "STRINGEQUALS".into(),
                    key: "Environment".into(),
                    value: "prod".into()
                },
                BackupTagCondition {
                    condition_type: "STRINGNOTLIKE".into(),
                    key: "Name".into(),
                    value: "tmp-*".into()
                },
            ]
        );
    }

    #[tokio::test]
    async fn selections_answering_500_leave_selections_unknown() {
        // What moto does: plans and rules are served, selections are a 500.
        let rules = [
            list_plans(&["p1", "p2"]),
            get_plan(),
            mock!(Client::list_backup_selections)
                .then_http_response(|| json_error(500, "InternalFailure", "internal error")),
        ];
        let client = test_client!(
            aws_sdk_backup,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2]]
        );
        let ctx = context("eu-west-1");

        let plans = collect_with(&client, &ctx).await.expect("collected");
        for plan in plans.values() {
            assert!(plan.rules.is_some());
            assert_eq!(plan.selections, None);
        }
        let errors = ctx.errors.snapshot();
        assert_eq!(errors.len(), 2, "one per plan: {errors:#?}");
        assert!(
            errors
                .iter()
                .all(|e| e.operation == "ListBackupSelections" && e.kind == ErrorKind::Other)
        );
        assert_eq!(errors[0].resource.as_deref(), Some(plan_arn("p1").as_str()));
    }

    #[tokio::test]
    async fn one_unreadable_selection_makes_the_plan_unknown() {
        let rules = [
            list_plans(&["p1"]),
            get_plan(),
            list_selections(&["by-tag", "by-arn"]),
            mock!(Client::get_backup_selection)
                .match_requests(|req| req.selection_id() == Some("by-tag"))
                .then_http_response(|| json_error(500, "ServiceUnavailableException", "try later")),
            get_selection(),
        ];
        let client = test_client!(
            aws_sdk_backup,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &rules[3], &rules[4]]
        );
        let ctx = context("eu-west-1");

        let plans = collect_with(&client, &ctx).await.expect("collected");
        assert_eq!(plans[&plan_arn("p1")].selections, None);
        assert_eq!(only_error(&ctx).operation, "GetBackupSelection");
    }

    #[tokio::test]
    async fn follows_next_tokens_of_plans() {
        let page = |ids: &[&str], next: Option<&str>| {
            ListBackupPlansOutput::builder()
                .set_backup_plans_list(Some(ids.iter().map(|id| member(id)).collect()))
                .set_next_token(next.map(str::to_string))
                .build()
        };
        let p1 = mock!(Client::list_backup_plans)
            .match_requests(|req| req.next_token().is_none())
            .then_output(move || page(&["a"], Some("t1")));
        let p2 = mock!(Client::list_backup_plans)
            .match_requests(|req| req.next_token() == Some("t1"))
            .then_output(move || page(&["b", "c"], Some("t2")));
        let p3 = mock!(Client::list_backup_plans)
            .match_requests(|req| req.next_token() == Some("t2"))
            .then_output(move || page(&["d"], None));
        let rules = [get_plan(), list_selections(&[])];
        let client = test_client!(
            aws_sdk_backup,
            RuleMode::MatchAny,
            [&p1, &p2, &p3, &rules[0], &rules[1]]
        );
        let ctx = context("eu-west-1");

        let plans = collect_with(&client, &ctx).await.expect("collected");
        assert_no_errors(&ctx);
        let ids: Vec<_> = plans.values().map(|plan| plan.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "b", "c", "d"]);
        assert!(plans.values().all(|plan| plan.selections == Some(vec![])));
    }

    #[tokio::test]
    async fn access_denied() {
        let rule = mock!(Client::list_backup_plans).then_http_response(|| {
            json_error(
                403,
                "AccessDeniedException",
                "User is not authorized to perform: backup:ListBackupPlans",
            )
        });
        let client = test_client!(aws_sdk_backup, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(
            (
                error.service.as_str(),
                error.region.as_str(),
                error.operation.as_str()
            ),
            ("backup", "eu-west-1", "ListBackupPlans")
        );
    }

    #[tokio::test]
    async fn throttling_that_outlasts_retries() {
        let rule = mock!(Client::list_backup_plans)
            .then_http_response(|| json_error(400, "ThrottlingException", "Rate exceeded"));
        let client = test_client!(aws_sdk_backup, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        assert_eq!(only_error(&ctx).kind, ErrorKind::Throttled);
        assert_eq!(rule.num_calls(), 3);
    }

    #[tokio::test]
    async fn html_error_page_on_a_plan() {
        let rules = [
            list_plans(&["p1"]),
            mock!(Client::get_backup_plan).then_http_response(html_500),
            list_selections(&[]),
        ];
        let client = test_client!(
            aws_sdk_backup,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2]]
        );
        let ctx = context("eu-west-1");

        let plans = collect_with(&client, &ctx).await.expect("collected");
        let plan = &plans[&plan_arn("p1")];
        assert_eq!(plan.rules, None);
        assert_eq!(plan.selections, Some(vec![]));
        let error = only_error(&ctx);
        assert_html_500_error(&error);
        assert_eq!(error.operation, "GetBackupPlan");
    }

    #[tokio::test]
    async fn no_plans() {
        let rule = mock!(Client::list_backup_plans)
            .then_output(|| ListBackupPlansOutput::builder().build());
        let client = test_client!(aws_sdk_backup, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        assert_eq!(collect_with(&client, &ctx).await, Some(BTreeMap::new()));
        assert_no_errors(&ctx);
    }

    #[tokio::test]
    async fn lists_vaults_with_their_lock_across_pages() {
        use aws_sdk_backup::operation::list_backup_vaults::ListBackupVaultsOutput;
        use aws_sdk_backup::types::BackupVaultListMember;
        let vault = |name: &str, locked: bool| {
            BackupVaultListMember::builder()
                .backup_vault_name(name)
                .backup_vault_arn(format!(
                    "arn:aws:backup:us-east-1:123456789012:backup-vault:{name}"
                ))
                .set_locked(Some(locked))
                .set_min_retention_days(locked.then_some(30))
                .set_lock_date(locked.then(|| aws_smithy_types::DateTime::from_secs(1_800_000_000)))
                .build()
        };
        let p1 = mock!(Client::list_backup_vaults)
            .match_requests(|req| req.next_token().is_none())
            .then_output(move || {
                ListBackupVaultsOutput::builder()
                    .backup_vault_list(vault("locked", true))
                    .next_token("t1")
                    .build()
            });
        let p2 = mock!(Client::list_backup_vaults)
            .match_requests(|req| req.next_token() == Some("t1"))
            .then_output(move || {
                ListBackupVaultsOutput::builder()
                    .backup_vault_list(vault("Default", false))
                    .build()
            });
        let client = test_client!(aws_sdk_backup, RuleMode::MatchAny, [&p1, &p2]);
        let ctx = context("us-east-1");

        let vaults = collect_vaults_with(&client, &ctx).await.expect("listed");
        assert_no_errors(&ctx);
        assert!(vaults["locked"].locked);
        assert_eq!(vaults["locked"].min_retention_days, Some(30));
        assert_eq!(
            vaults["locked"].lock_date.as_deref(),
            Some("2027-01-15T08:00:00Z")
        );
        assert!(!vaults["Default"].locked);
        assert_eq!(vaults["Default"].lock_date, None);
    }

    #[tokio::test]
    async fn a_failed_vault_listing_is_null() {
        let denied = mock!(Client::list_backup_vaults).then_http_response(|| {
            json_error(
                403,
                "AccessDeniedException",
                "User is not authorized to perform: backup:ListBackupVaults",
            )
        });
        let client = test_client!(aws_sdk_backup, RuleMode::MatchAny, [&denied]);
        let ctx = context("us-east-1");

        assert_eq!(collect_vaults_with(&client, &ctx).await, None);
        let error = only_error(&ctx);
        assert_eq!(
            (error.operation.as_str(), error.kind),
            ("ListBackupVaults", ErrorKind::AccessDenied)
        );
    }
}
