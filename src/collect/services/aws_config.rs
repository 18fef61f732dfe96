//! AWS Config: configuration recorders and their status, Config rules, what
//! Config says about their compliance, and, for DynamoDB rules Config
//! reports `NON_COMPLIANT`, which resources it reports.
//!
//! Calls: `DescribeConfigurationRecorders`,
//! `DescribeConfigurationRecorderStatus`, `DescribeConfigRules` (paginated),
//! `DescribeComplianceByConfigRule` (paginated, only when there are rules)
//! and `GetComplianceDetailsByConfigRule` (paginated, per non-compliant
//! DynamoDB rule). Some endpoints (moto) answer 500 to the compliance
//! calls: that is recorded and leaves `compliance` `null`, so DYN603 is
//! unknown there while the recorder and rule checks still work.

use std::collections::BTreeMap;

use aws_sdk_config::Client;
use aws_sdk_config::types::{
    ComplianceByConfigRule, ComplianceType, ConfigRule as SdkRule, ConfigurationRecorder,
    ConfigurationRecorderStatus,
};

use crate::collect::calls::{Call, paginate, record_malformed, single};
use crate::collect::context::RegionContext;
use crate::collect::util::join_ordered;
use crate::inventory::{ConfigRecorder, ConfigRule, ConfigRuleField};

const SERVICE: &str = "config";
const NON_COMPLIANT: &str = "NON_COMPLIANT";
/// Largest page of `GetComplianceDetailsByConfigRule`.
const DETAILS_PAGE: i32 = 100;

/// What AWS Config contributes to a region's inventory; each part `None` if
/// it could not be collected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigEvidence {
    /// Configuration recorders with their status.
    pub recorders: Option<Vec<ConfigRecorder>>,
    /// Config rules keyed by rule name.
    pub rules: Option<BTreeMap<String, ConfigRule>>,
}

/// Collects the region's AWS Config evidence.
pub async fn collect(ctx: &RegionContext) -> ConfigEvidence {
    collect_with(&crate::sdk_client!(aws_sdk_config, ctx), ctx).await
}

/// [`collect`] with a given client.
pub async fn collect_with(client: &Client, ctx: &RegionContext) -> ConfigEvidence {
    let (recorders, statuses, rules) = tokio::join!(
        describe_recorders(client, ctx),
        describe_recorder_status(client, ctx),
        describe_rules(client, ctx),
    );
    let recorders = recorders.map(|recorders| merge_status(recorders, statuses.as_ref(), ctx));
    let rules = match rules {
        // No rules, no compliance to ask about (and no error to record
        // where the compliance call is not served).
        Some(rules) if rules.is_empty() => Some(BTreeMap::new()),
        Some(rules) => {
            let compliance = describe_compliance(client, ctx).await;
            Some(with_compliance(client, ctx, rules, compliance).await)
        }
        None => None,
    };
    ConfigEvidence { recorders, rules }
}

fn call<'a>(ctx: &'a RegionContext, operation: &'a str) -> Call<'a> {
    Call {
        service: SERVICE,
        region: &ctx.region,
        operation,
        resource: None,
    }
}

async fn describe_recorders(
    client: &Client,
    ctx: &RegionContext,
) -> Option<Vec<ConfigurationRecorder>> {
    let output = single(
        ctx,
        call(ctx, "DescribeConfigurationRecorders"),
        client.describe_configuration_recorders().send(),
    )
    .await?;
    Some(output.configuration_recorders.unwrap_or_default())
}

async fn describe_recorder_status(
    client: &Client,
    ctx: &RegionContext,
) -> Option<BTreeMap<String, ConfigurationRecorderStatus>> {
    let output = single(
        ctx,
        call(ctx, "DescribeConfigurationRecorderStatus"),
        client.describe_configuration_recorder_status().send(),
    )
    .await?;
    Some(
        output
            .configuration_recorders_status
            .unwrap_or_default()
            .into_iter()
            .filter_map(|status| Some((status.name.clone()?, status)))
            .collect(),
    )
}

fn merge_status(
    recorders: Vec<ConfigurationRecorder>,
    statuses: Option<&BTreeMap<String, ConfigurationRecorderStatus>>,
    ctx: &RegionContext,
) -> Vec<ConfigRecorder> {
    let mut merged = Vec::new();
    for recorder in recorders {
        let name = recorder.name.unwrap_or_default();
        // No recording group means the API default: every supported type.
        let (all_supported, resource_types, excluded_resource_types) =
            match recorder.recording_group {
                Some(group) => (
                    group.all_supported,
                    sorted(
                        group
                            .resource_types
                            .unwrap_or_default()
                            .iter()
                            .map(|kind| kind.as_str().to_string())
                            .collect(),
                    ),
                    sorted(
                        group
                            .exclusion_by_resource_types
                            .and_then(|exclusion| exclusion.resource_types)
                            .unwrap_or_default()
                            .iter()
                            .map(|kind| kind.as_str().to_string())
                            .collect(),
                    ),
                ),
                None => (true, Vec::new(), Vec::new()),
            };
        let (recording, last_status) = match statuses {
            // The status call failed and is already recorded.
            None => (None, None),
            Some(statuses) => match statuses.get(&name) {
                Some(status) => (
                    Some(status.recording),
                    status
                        .last_status
                        .as_ref()
                        .map(|status| status.as_str().to_string()),
                ),
                None => {
                    record_malformed(
                        &ctx.errors,
                        SERVICE,
                        &ctx.region,
                        "DescribeConfigurationRecorderStatus",
                        Some(&name),
                        "no status reported for this recorder",
                    );
                    (None, None)
                }
            },
        };
        merged.push(ConfigRecorder {
            name,
            all_supported,
            resource_types,
            excluded_resource_types,
            recording,
            last_status,
        });
    }
    merged.sort_by(|a, b| a.name.cmp(&b.name));
    merged
}

async fn describe_rules(client: &Client, ctx: &RegionContext) -> Option<Vec<ConfigRule>> {
    const OPERATION: &str = "DescribeConfigRules";
    let listed: Vec<SdkRule> = paginate(ctx, call(ctx, OPERATION), |token| {
        let request = client.describe_config_rules().set_next_token(token);
        async move {
            request
                .send()
                .await
                .map(|page| (page.config_rules.unwrap_or_default(), page.next_token))
        }
    })
    .await?;
    let mut rules = Vec::new();
    for rule in listed {
        let (Some(name), Some(source)) = (rule.config_rule_name, rule.source) else {
            record_malformed(
                &ctx.errors,
                SERVICE,
                &ctx.region,
                OPERATION,
                rule.config_rule_arn.as_deref(),
                "Config rule without a name or a source",
            );
            return None;
        };
        // `SourceIdentifier` is left out for a rule that has none (a custom
        // policy rule).
        let absent = if source.source_identifier.is_none() {
            vec![ConfigRuleField::SourceIdentifier]
        } else {
            Vec::new()
        };
        rules.push(ConfigRule {
            name,
            arn: rule.config_rule_arn,
            source_owner: source.owner.as_str().to_string(),
            source_identifier: source.source_identifier,
            state: rule
                .config_rule_state
                .map(|state| state.as_str().to_string()),
            scope_resource_types: sorted(
                rule.scope
                    .and_then(|scope| scope.compliance_resource_types)
                    .unwrap_or_default(),
            ),
            compliance: None,
            non_compliant_resources: None,
            absent,
        });
    }
    Some(rules)
}

/// Compliance per rule name; a rule whose entry carries no compliance type
/// maps to `None`.
async fn describe_compliance(
    client: &Client,
    ctx: &RegionContext,
) -> Option<BTreeMap<String, Option<String>>> {
    let listed: Vec<ComplianceByConfigRule> =
        paginate(ctx, call(ctx, "DescribeComplianceByConfigRule"), |token| {
            let request = client
                .describe_compliance_by_config_rule()
                .set_next_token(token);
            async move {
                request.send().await.map(|page| {
                    (
                        page.compliance_by_config_rules.unwrap_or_default(),
                        page.next_token,
                    )
                })
            }
        })
        .await?;
    Some(
        listed
            .into_iter()
            .filter_map(|entry| {
                let name = entry.config_rule_name?;
                let compliance = entry
                    .compliance
                    .and_then(|compliance| compliance.compliance_type)
                    .map(|kind| kind.as_str().to_string());
                Some((name, compliance))
            })
            .collect(),
    )
}

async fn with_compliance(
    client: &Client,
    ctx: &RegionContext,
    rules: Vec<ConfigRule>,
    compliance: Option<BTreeMap<String, Option<String>>>,
) -> BTreeMap<String, ConfigRule> {
    let mut rules: BTreeMap<String, ConfigRule> = rules
        .into_iter()
        .map(|rule| (rule.name.clone(), rule))
        .collect();
    // `None`: the compliance call failed (already recorded).
    if let Some(compliance) = compliance {
        for rule in rules.values_mut() {
            rule.compliance = compliance.get(&rule.name).cloned().flatten();
            if rule.compliance.is_none() {
                record_malformed(
                    &ctx.errors,
                    SERVICE,
                    &ctx.region,
                    "DescribeComplianceByConfigRule",
                    Some(&rule.name),
                    "no compliance reported for this rule",
                );
            }
        }
    }

    let mut pending = Vec::new();
    for rule in rules.values_mut() {
        if !is_dynamodb_rule(rule) {
            // Not collected: no rule reads the resources of other rules.
            continue;
        }
        match rule.compliance.as_deref() {
            None => {}
            Some(NON_COMPLIANT) => {
                let client = client.clone();
                let ctx = ctx.clone();
                let name = rule.name.clone();
                pending.push(async move {
                    let resources = non_compliant_resources(&client, &ctx, &name).await;
                    (name, resources)
                });
            }
            // Config reports no non-compliant resource for this rule.
            Some(_) => rule.non_compliant_resources = Some(Vec::new()),
        }
    }
    for (name, resources) in join_ordered(pending).await {
        if let Some(rule) = rules.get_mut(&name) {
            rule.non_compliant_resources = resources;
        }
    }
    rules
}

async fn non_compliant_resources(
    client: &Client,
    ctx: &RegionContext,
    rule_name: &str,
) -> Option<Vec<String>> {
    let call = Call {
        resource: Some(rule_name),
        ..call(ctx, "GetComplianceDetailsByConfigRule")
    };
    let results = paginate(ctx, call, |token| {
        let request = client
            .get_compliance_details_by_config_rule()
            .config_rule_name(rule_name)
            .compliance_types(ComplianceType::NonCompliant)
            .limit(DETAILS_PAGE)
            .set_next_token(token);
        async move {
            request
                .send()
                .await
                .map(|page| (page.evaluation_results.unwrap_or_default(), page.next_token))
        }
    })
    .await?;
    Some(sorted(
        results
            .into_iter()
            .filter_map(|result| {
                result
                    .evaluation_result_identifier?
                    .evaluation_result_qualifier?
                    .resource_id
            })
            .collect(),
    ))
}

/// A rule about DynamoDB (or DAX): by the resource types it is scoped to,
/// or by its managed rule identifier (`DYNAMODB_PITR_ENABLED`, ...).
fn is_dynamodb_rule(rule: &ConfigRule) -> bool {
    let scoped = rule
        .scope_resource_types
        .iter()
        .any(|kind| kind.starts_with("AWS::DynamoDB::") || kind.starts_with("AWS::DAX::"));
    let managed = rule
        .source_identifier
        .as_deref()
        .is_some_and(|id| id.starts_with("DYNAMODB_") || id.starts_with("DAX_"));
    scoped || managed
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
        assert_html_500_error, assert_no_errors, context, html_500, json_error, only_error,
        test_client,
    };
    use crate::inventory::ErrorKind;
    use aws_sdk_config::operation::describe_compliance_by_config_rule::DescribeComplianceByConfigRuleOutput;
    use aws_sdk_config::operation::describe_config_rules::DescribeConfigRulesOutput;
    use aws_sdk_config::operation::describe_configuration_recorder_status::DescribeConfigurationRecorderStatusOutput;
    use aws_sdk_config::operation::describe_configuration_recorders::DescribeConfigurationRecordersOutput;
    use aws_sdk_config::operation::get_compliance_details_by_config_rule::GetComplianceDetailsByConfigRuleOutput;
    use aws_sdk_config::types::{
        Compliance, ConfigRuleState, EvaluationResult, EvaluationResultIdentifier,
        EvaluationResultQualifier, ExclusionByResourceTypes, Owner, RecorderStatus, RecordingGroup,
        ResourceType, Scope, Source,
    };
    use aws_smithy_mocks::{Rule, RuleMode, mock};

    fn recorders_rule() -> Rule {
        mock!(Client::describe_configuration_recorders).then_output(|| {
            DescribeConfigurationRecordersOutput::builder()
                .configuration_recorders(
                    ConfigurationRecorder::builder()
                        .name("default")
                        .recording_group(
                            RecordingGroup::builder()
                                .all_supported(false)
                                .exclusion_by_resource_types(
                                    ExclusionByResourceTypes::builder()
                                        .resource_types(ResourceType::from("AWS::EC2::Instance"))
                                        .build(),
                                )
                                .resource_types(ResourceType::from("AWS::DynamoDB::Table"))
                                .resource_types(ResourceType::from("AWS::DAX::Cluster"))
                                .build(),
                        )
                        .build(),
                )
                .build()
        })
    }

    fn status_rule(recording: bool) -> Rule {
        mock!(Client::describe_configuration_recorder_status).then_output(move || {
            DescribeConfigurationRecorderStatusOutput::builder()
                .configuration_recorders_status(
                    ConfigurationRecorderStatus::builder()
                        .name("default")
                        .recording(recording)
                        .last_status(RecorderStatus::Success)
                        .build(),
                )
                .build()
        })
    }

    fn config_rule(name: &str, identifier: Option<&str>, scope: &[&str]) -> SdkRule {
        let owner = if identifier.is_some() {
            Owner::Aws
        } else {
            Owner::CustomLambda
        };
        SdkRule::builder()
            .config_rule_name(name)
            .config_rule_arn(format!(
                "arn:aws:config:eu-west-1:123456789012:config-rule/{name}"
            ))
            .source(
                Source::builder()
                    .owner(owner)
                    .set_source_identifier(identifier.map(str::to_string))
                    .build()
                    .unwrap(),
            )
            .scope(
                Scope::builder()
                    .set_compliance_resource_types(Some(
                        scope.iter().map(|s| s.to_string()).collect(),
                    ))
                    .build(),
            )
            .config_rule_state(ConfigRuleState::Active)
            .build()
    }

    fn rules_rule(rules: Vec<SdkRule>) -> Rule {
        mock!(Client::describe_config_rules).then_output(move || {
            DescribeConfigRulesOutput::builder()
                .set_config_rules(Some(rules.clone()))
                .build()
        })
    }

    fn compliance_rule(entries: &[(&str, ComplianceType)]) -> Rule {
        let entries: Vec<ComplianceByConfigRule> = entries
            .iter()
            .map(|(name, kind)| {
                ComplianceByConfigRule::builder()
                    .config_rule_name(*name)
                    .compliance(Compliance::builder().compliance_type(kind.clone()).build())
                    .build()
            })
            .collect();
        mock!(Client::describe_compliance_by_config_rule).then_output(move || {
            DescribeComplianceByConfigRuleOutput::builder()
                .set_compliance_by_config_rules(Some(entries.clone()))
                .build()
        })
    }

    fn evaluation(resource_id: &str) -> EvaluationResult {
        EvaluationResult::builder()
            .evaluation_result_identifier(
                EvaluationResultIdentifier::builder()
                    .evaluation_result_qualifier(
                        EvaluationResultQualifier::builder()
                            .config_rule_name("dynamodb-pitr-enabled")
                            .resource_type("AWS::DynamoDB::Table")
                            .resource_id(resource_id)
                            .build(),
                    )
                    .build(),
            )
            .compliance_type(ComplianceType::NonCompliant)
            .build()
    }

    fn standard_rules() -> Vec<SdkRule> {
        vec![
            config_rule(
                "dynamodb-pitr-enabled",
                Some("DYNAMODB_PITR_ENABLED"),
                &["AWS::DynamoDB::Table"],
            ),
            config_rule(
                "dynamodb-table-encrypted-kms",
                Some("DYNAMODB_TABLE_ENCRYPTED_KMS"),
                &[],
            ),
            config_rule(
                "s3-bucket-versioning",
                Some("S3_BUCKET_VERSIONING_ENABLED"),
                &["AWS::S3::Bucket"],
            ),
            config_rule("custom-table-tags", None, &["AWS::DynamoDB::Table"]),
        ]
    }

    #[tokio::test]
    async fn maps_recorders_rules_and_compliance() {
        let details_1 = mock!(Client::get_compliance_details_by_config_rule)
            .match_requests(|req| {
                req.config_rule_name() == Some("dynamodb-pitr-enabled")
                    && req.compliance_types() == [ComplianceType::NonCompliant]
                    && req.next_token().is_none()
            })
            .then_output(|| {
                GetComplianceDetailsByConfigRuleOutput::builder()
                    .evaluation_results(evaluation("orders"))
                    .next_token("p2")
                    .build()
            });
        let details_2 = mock!(Client::get_compliance_details_by_config_rule)
            .match_requests(|req| req.next_token() == Some("p2"))
            .then_output(|| {
                GetComplianceDetailsByConfigRuleOutput::builder()
                    .evaluation_results(evaluation("customers"))
                    .build()
            });
        let rules = [
            recorders_rule(),
            status_rule(true),
            rules_rule(standard_rules()),
            compliance_rule(&[
                ("dynamodb-pitr-enabled", ComplianceType::NonCompliant),
                ("dynamodb-table-encrypted-kms", ComplianceType::Compliant),
                ("s3-bucket-versioning", ComplianceType::NonCompliant),
                ("custom-table-tags", ComplianceType::InsufficientData),
            ]),
        ];
        let client = test_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [
                &rules[0], &rules[1], &rules[2], &rules[3], &details_1, &details_2
            ]
        );
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_no_errors(&ctx);
        let recorders = evidence.recorders.unwrap();
        assert_eq!(recorders.len(), 1);
        let recorder = &recorders[0];
        assert_eq!(recorder.name, "default");
        assert!(!recorder.all_supported);
        assert_eq!(
            recorder.resource_types,
            vec!["AWS::DAX::Cluster", "AWS::DynamoDB::Table"]
        );
        assert_eq!(recorder.excluded_resource_types, vec!["AWS::EC2::Instance"]);
        assert_eq!(recorder.recording, Some(true));
        assert_eq!(recorder.last_status.as_deref(), Some("Success"));

        let rules = evidence.rules.unwrap();
        // A rule without a source identifier says so: it is not one that
        // was not collected.
        let custom = &rules["custom-table-tags"];
        assert_eq!(custom.source_identifier, None);
        assert_eq!(custom.absent, vec![ConfigRuleField::SourceIdentifier]);
        let pitr = &rules["dynamodb-pitr-enabled"];
        assert_eq!(pitr.source_owner, "AWS");
        assert_eq!(
            pitr.source_identifier.as_deref(),
            Some("DYNAMODB_PITR_ENABLED")
        );
        assert_eq!(pitr.state.as_deref(), Some("ACTIVE"));
        assert!(pitr.absent.is_empty());
        assert_eq!(pitr.scope_resource_types, vec!["AWS::DynamoDB::Table"]);
        assert_eq!(pitr.compliance.as_deref(), Some("NON_COMPLIANT"));
        assert_eq!(
            pitr.non_compliant_resources,
            Some(vec!["customers".to_string(), "orders".to_string()])
        );
        let kms = &rules["dynamodb-table-encrypted-kms"];
        assert_eq!(kms.compliance.as_deref(), Some("COMPLIANT"));
        assert_eq!(kms.non_compliant_resources, Some(vec![]));
        // Not a DynamoDB rule: its resources are not asked for.
        let s3 = &rules["s3-bucket-versioning"];
        assert_eq!(s3.compliance.as_deref(), Some("NON_COMPLIANT"));
        assert_eq!(s3.non_compliant_resources, None);
        let custom = &rules["custom-table-tags"];
        assert_eq!(custom.source_owner, "CUSTOM_LAMBDA");
        assert_eq!(custom.compliance.as_deref(), Some("INSUFFICIENT_DATA"));
        assert_eq!(custom.non_compliant_resources, Some(vec![]));
        assert_eq!((details_1.num_calls(), details_2.num_calls()), (1, 1));
    }

    #[tokio::test]
    async fn compliance_answering_500_leaves_compliance_unknown() {
        // What moto does: rules are listed, compliance is a 500.
        let rules = [
            recorders_rule(),
            status_rule(true),
            rules_rule(standard_rules()),
            mock!(Client::describe_compliance_by_config_rule).then_http_response(|| {
                json_error(
                    500,
                    "InternalFailure",
                    "The server encountered an internal error",
                )
            }),
        ];
        let client = test_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &rules[3]]
        );
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        let rules = evidence.rules.unwrap();
        assert_eq!(rules.len(), 4);
        for rule in rules.values() {
            assert_eq!(rule.compliance, None, "{}", rule.name);
            assert_eq!(rule.non_compliant_resources, None, "{}", rule.name);
        }
        let error = only_error(&ctx);
        assert_eq!(error.operation, "DescribeComplianceByConfigRule");
        assert_eq!(error.kind, ErrorKind::Other);
        assert!(evidence.recorders.is_some());
    }

    #[tokio::test]
    async fn failed_details_leave_resources_unknown() {
        let rules = [
            recorders_rule(),
            status_rule(true),
            rules_rule(standard_rules()),
            compliance_rule(&[
                ("dynamodb-pitr-enabled", ComplianceType::NonCompliant),
                ("dynamodb-table-encrypted-kms", ComplianceType::Compliant),
                ("s3-bucket-versioning", ComplianceType::Compliant),
                ("custom-table-tags", ComplianceType::Compliant),
            ]),
            mock!(Client::get_compliance_details_by_config_rule)
                .then_http_response(|| json_error(400, "AccessDeniedException", "not authorized")),
        ];
        let client = test_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &rules[3], &rules[4]]
        );
        let ctx = context("eu-west-1");

        let rules = collect_with(&client, &ctx).await.rules.unwrap();
        // A rule without a source identifier says so: it is not one that
        // was not collected.
        let custom = &rules["custom-table-tags"];
        assert_eq!(custom.source_identifier, None);
        assert_eq!(custom.absent, vec![ConfigRuleField::SourceIdentifier]);
        let pitr = &rules["dynamodb-pitr-enabled"];
        assert_eq!(pitr.compliance.as_deref(), Some("NON_COMPLIANT"));
        assert_eq!(pitr.non_compliant_resources, None);
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(error.resource.as_deref(), Some("dynamodb-pitr-enabled"));
    }

    #[tokio::test]
    async fn follows_next_tokens_of_rules() {
        let page = |names: &[&str], next: Option<&str>| {
            DescribeConfigRulesOutput::builder()
                .set_config_rules(Some(
                    names
                        .iter()
                        .map(|n| config_rule(n, Some("DYNAMODB_PITR_ENABLED"), &[]))
                        .collect(),
                ))
                .set_next_token(next.map(str::to_string))
                .build()
        };
        let p1 = mock!(Client::describe_config_rules)
            .match_requests(|req| req.next_token().is_none())
            .then_output(move || page(&["a", "b"], Some("t1")));
        let p2 = mock!(Client::describe_config_rules)
            .match_requests(|req| req.next_token() == Some("t1"))
            .then_output(move || page(&["c"], Some("t2")));
        let p3 = mock!(Client::describe_config_rules)
            .match_requests(|req| req.next_token() == Some("t2"))
            .then_output(move || page(&["d"], None));
        let rules = [
            recorders_rule(),
            status_rule(true),
            compliance_rule(&[
                ("a", ComplianceType::Compliant),
                ("b", ComplianceType::Compliant),
                ("c", ComplianceType::NotApplicable),
                ("d", ComplianceType::Compliant),
            ]),
        ];
        let client = test_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &p1, &p2, &p3]
        );
        let ctx = context("eu-west-1");

        let rules = collect_with(&client, &ctx).await.rules.unwrap();
        assert_no_errors(&ctx);
        assert_eq!(rules.keys().collect::<Vec<_>>(), vec!["a", "b", "c", "d"]);
        assert_eq!(rules["c"].compliance.as_deref(), Some("NOT_APPLICABLE"));
    }

    #[tokio::test]
    async fn access_denied() {
        let rules = [
            mock!(Client::describe_configuration_recorders).then_http_response(|| {
                json_error(
                    400,
                    "AccessDeniedException",
                    "User is not authorized to perform: config:DescribeConfigurationRecorders",
                )
            }),
            status_rule(true),
            rules_rule(vec![]),
            compliance_rule(&[]),
        ];
        let client = test_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &rules[3]]
        );
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_eq!(evidence.recorders, None);
        assert_eq!(evidence.rules, Some(BTreeMap::new()));
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(
            (
                error.service.as_str(),
                error.region.as_str(),
                error.operation.as_str()
            ),
            ("config", "eu-west-1", "DescribeConfigurationRecorders")
        );
    }

    #[tokio::test]
    async fn status_denied_leaves_recording_unknown() {
        let rules = [
            recorders_rule(),
            mock!(Client::describe_configuration_recorder_status)
                .then_http_response(|| json_error(400, "AccessDeniedException", "not authorized")),
            rules_rule(vec![]),
            compliance_rule(&[]),
        ];
        let client = test_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &rules[3]]
        );
        let ctx = context("eu-west-1");

        let recorders = collect_with(&client, &ctx).await.recorders.unwrap();
        assert_eq!(recorders[0].recording, None);
        assert_eq!(recorders[0].last_status, None);
        assert_eq!(
            only_error(&ctx).operation,
            "DescribeConfigurationRecorderStatus"
        );
    }

    #[tokio::test]
    async fn throttling_that_outlasts_retries() {
        let throttled = mock!(Client::describe_config_rules)
            .then_http_response(|| json_error(400, "ThrottlingException", "Rate exceeded"));
        let rules = [recorders_rule(), status_rule(false), compliance_rule(&[])];
        let client = test_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &throttled]
        );
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_eq!(evidence.rules, None);
        assert_eq!(evidence.recorders.unwrap()[0].recording, Some(false));
        let error = only_error(&ctx);
        assert_eq!(
            (error.kind, error.operation.as_str()),
            (ErrorKind::Throttled, "DescribeConfigRules")
        );
        assert_eq!(throttled.num_calls(), 3);
    }

    #[tokio::test]
    async fn html_error_page() {
        let rules = [
            mock!(Client::describe_configuration_recorders).then_http_response(html_500),
            status_rule(true),
            rules_rule(vec![]),
            compliance_rule(&[]),
        ];
        let client = test_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &rules[3]]
        );
        let ctx = context("eu-west-1");

        assert_eq!(collect_with(&client, &ctx).await.recorders, None);
        assert_html_500_error(&only_error(&ctx));
    }

    #[tokio::test]
    async fn no_rules_no_compliance_call() {
        let rules = [recorders_rule(), status_rule(true), rules_rule(vec![])];
        // No DescribeComplianceByConfigRule rule: a call would fail the test.
        let client = test_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2]]
        );
        let ctx = context("eu-west-1");

        assert_eq!(
            collect_with(&client, &ctx).await.rules,
            Some(BTreeMap::new())
        );
        assert_no_errors(&ctx);
    }

    #[tokio::test]
    async fn config_not_set_up() {
        let rules = [
            mock!(Client::describe_configuration_recorders)
                .then_output(|| DescribeConfigurationRecordersOutput::builder().build()),
            mock!(Client::describe_configuration_recorder_status)
                .then_output(|| DescribeConfigurationRecorderStatusOutput::builder().build()),
            rules_rule(vec![]),
            compliance_rule(&[]),
        ];
        let client = test_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &rules[3]]
        );
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_no_errors(&ctx);
        assert_eq!(evidence.recorders, Some(vec![]));
        assert_eq!(evidence.rules, Some(BTreeMap::new()));
    }

    #[test]
    fn dynamodb_rules() {
        let rule = |identifier: Option<&str>, scope: &[&str]| ConfigRule {
            name: "r".into(),
            arn: None,
            source_owner: "AWS".into(),
            source_identifier: identifier.map(str::to_string),
            state: None,
            scope_resource_types: scope.iter().map(|s| s.to_string()).collect(),
            compliance: None,
            non_compliant_resources: None,
            absent: Vec::new(),
        };
        assert!(is_dynamodb_rule(&rule(
            Some("DYNAMODB_IN_BACKUP_PLAN"),
            &[]
        )));
        assert!(is_dynamodb_rule(&rule(Some("DAX_ENCRYPTION_ENABLED"), &[])));
        assert!(is_dynamodb_rule(&rule(None, &["AWS::DynamoDB::Table"])));
        assert!(!is_dynamodb_rule(&rule(
            Some("S3_BUCKET_VERSIONING_ENABLED"),
            &["AWS::S3::Bucket"]
        )));
    }
}
