//! Application Auto Scaling: the region's scalable targets and scaling
//! policies of the `dynamodb` namespace (`DescribeScalableTargets`,
//! `DescribeScalingPolicies`, each paginated, once per region), which
//! DYN206 matches to PROVISIONED tables and their indexes.
//!
//! The two listings fail independently: each is `null` with its error, so
//! a table is unknown only when the listing it needs is missing.

use aws_sdk_applicationautoscaling::Client;
use aws_sdk_applicationautoscaling::types::ServiceNamespace;

use crate::collect::calls::{Call, paginate};
use crate::collect::context::RegionContext;
use crate::inventory::{ScalableTarget, ScalingPolicy};

const SERVICE: &str = "application-autoscaling";
/// Largest page both operations allow.
const PAGE: i32 = 50;

/// What one region's Application Auto Scaling collection produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapacityRegion {
    /// Scalable targets; `None` if `DescribeScalableTargets` failed.
    pub scalable_targets: Option<Vec<ScalableTarget>>,
    /// Scaling policies; `None` if `DescribeScalingPolicies` failed.
    pub scaling_policies: Option<Vec<ScalingPolicy>>,
}

/// Collects the region's DynamoDB scalable targets and scaling policies.
pub async fn collect(ctx: &RegionContext) -> CapacityRegion {
    collect_with(
        &crate::sdk_client!(aws_sdk_applicationautoscaling, ctx),
        ctx,
    )
    .await
}

/// [`collect`] with a given client.
pub async fn collect_with(client: &Client, ctx: &RegionContext) -> CapacityRegion {
    let (scalable_targets, scaling_policies) =
        tokio::join!(targets(client, ctx), policies(client, ctx));
    CapacityRegion {
        scalable_targets,
        scaling_policies,
    }
}

async fn targets(client: &Client, ctx: &RegionContext) -> Option<Vec<ScalableTarget>> {
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: "DescribeScalableTargets",
        resource: None,
    };
    let mut targets = paginate(ctx, call, |token| {
        let request = client
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::Dynamodb)
            .max_results(PAGE)
            .set_next_token(token);
        async move {
            let page = request.send().await?;
            let targets: Vec<ScalableTarget> = page
                .scalable_targets
                .unwrap_or_default()
                .into_iter()
                .map(|target| {
                    let suspended = target.suspended_state.as_ref().is_some_and(|state| {
                        state.dynamic_scaling_in_suspended == Some(true)
                            || state.dynamic_scaling_out_suspended == Some(true)
                    });
                    ScalableTarget {
                        resource_id: target.resource_id,
                        scalable_dimension: target.scalable_dimension.as_str().to_string(),
                        min_capacity: i64::from(target.min_capacity),
                        max_capacity: i64::from(target.max_capacity),
                        dynamic_scaling_suspended: suspended,
                    }
                })
                .collect();
            Ok((targets, page.next_token))
        }
    })
    .await?;
    targets.sort_by(|a, b| {
        (&a.resource_id, &a.scalable_dimension).cmp(&(&b.resource_id, &b.scalable_dimension))
    });
    Some(targets)
}

async fn policies(client: &Client, ctx: &RegionContext) -> Option<Vec<ScalingPolicy>> {
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: "DescribeScalingPolicies",
        resource: None,
    };
    let mut policies = paginate(ctx, call, |token| {
        let request = client
            .describe_scaling_policies()
            .service_namespace(ServiceNamespace::Dynamodb)
            .max_results(PAGE)
            .set_next_token(token);
        async move {
            let page = request.send().await?;
            let policies: Vec<ScalingPolicy> = page
                .scaling_policies
                .unwrap_or_default()
                .into_iter()
                .map(|policy| ScalingPolicy {
                    name: policy.policy_name,
                    resource_id: policy.resource_id,
                    scalable_dimension: policy.scalable_dimension.as_str().to_string(),
                    policy_type: policy.policy_type.as_str().to_string(),
                })
                .collect();
            Ok((policies, page.next_token))
        }
    })
    .await?;
    policies.sort_by(|a, b| {
        (&a.resource_id, &a.scalable_dimension, &a.name).cmp(&(
            &b.resource_id,
            &b.scalable_dimension,
            &b.name,
        ))
    });
    Some(policies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::testing::{
        assert_no_errors, context, html_500, json_error, only_error, test_client,
    };
    use crate::inventory::ErrorKind;
    use aws_sdk_applicationautoscaling::operation::describe_scalable_targets::DescribeScalableTargetsOutput;
    use aws_sdk_applicationautoscaling::operation::describe_scaling_policies::DescribeScalingPoliciesOutput;
    use aws_sdk_applicationautoscaling::types::{
        PolicyType, ScalableDimension, ScalableTarget as SdkTarget, ScalingPolicy as SdkPolicy,
        SuspendedState,
    };
    use aws_smithy_mocks::{RuleMode, mock};
    use aws_smithy_types::DateTime;

    fn target(resource: &str, dimension: ScalableDimension, suspended: bool) -> SdkTarget {
        SdkTarget::builder()
            .service_namespace(ServiceNamespace::Dynamodb)
            .resource_id(resource)
            .scalable_dimension(dimension)
            .min_capacity(5)
            .max_capacity(100)
            .role_arn("arn:aws:iam::123456789012:role/scaling")
            .creation_time(DateTime::from_secs(0))
            .set_suspended_state(suspended.then(|| {
                SuspendedState::builder()
                    .dynamic_scaling_in_suspended(true)
                    .build()
            }))
            .build()
            .unwrap()
    }

    fn policy(name: &str, resource: &str, dimension: ScalableDimension) -> SdkPolicy {
        SdkPolicy::builder()
            .policy_arn(format!(
                "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x:{name}"
            ))
            .policy_name(name)
            .service_namespace(ServiceNamespace::Dynamodb)
            .resource_id(resource)
            .scalable_dimension(dimension)
            .policy_type(PolicyType::TargetTrackingScaling)
            .creation_time(DateTime::from_secs(0))
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn maps_targets_and_policies_across_pages() {
        let t1 = mock!(Client::describe_scalable_targets)
            .match_requests(|req| {
                req.service_namespace() == Some(&ServiceNamespace::Dynamodb)
                    && req.max_results() == Some(PAGE)
                    && req.next_token().is_none()
            })
            .then_output(|| {
                DescribeScalableTargetsOutput::builder()
                    .scalable_targets(target(
                        "table/orders",
                        ScalableDimension::DynamoDbTableWriteCapacityUnits,
                        true,
                    ))
                    .next_token("t1")
                    .build()
            });
        let t2 = mock!(Client::describe_scalable_targets)
            .match_requests(|req| req.next_token() == Some("t1"))
            .then_output(|| {
                DescribeScalableTargetsOutput::builder()
                    .scalable_targets(target(
                        "table/orders",
                        ScalableDimension::DynamoDbTableReadCapacityUnits,
                        false,
                    ))
                    .build()
            });
        let p = mock!(Client::describe_scaling_policies)
            .match_requests(|req| req.service_namespace() == Some(&ServiceNamespace::Dynamodb))
            .then_output(|| {
                DescribeScalingPoliciesOutput::builder()
                    .scaling_policies(policy(
                        "read",
                        "table/orders",
                        ScalableDimension::DynamoDbTableReadCapacityUnits,
                    ))
                    .build()
            });
        let client = test_client!(
            aws_sdk_applicationautoscaling,
            RuleMode::MatchAny,
            [&t1, &t2, &p]
        );
        let ctx = context("us-east-1");

        let region = collect_with(&client, &ctx).await;
        assert_no_errors(&ctx);
        let targets = region.scalable_targets.expect("targets");
        assert_eq!(targets.len(), 2);
        assert_eq!(
            targets[0].scalable_dimension,
            "dynamodb:table:ReadCapacityUnits"
        );
        assert!(!targets[0].dynamic_scaling_suspended);
        assert!(targets[1].dynamic_scaling_suspended);
        assert_eq!((targets[0].min_capacity, targets[0].max_capacity), (5, 100));
        let policies = region.scaling_policies.expect("policies");
        assert_eq!(policies.len(), 1);
        assert_eq!(policies[0].policy_type, "TargetTrackingScaling");
        assert_eq!(policies[0].resource_id, "table/orders");
    }

    #[tokio::test]
    async fn a_failed_listing_is_null_with_its_error_and_the_other_stays() {
        let t = mock!(Client::describe_scalable_targets).then_http_response(|| {
            json_error(
                400,
                "AccessDeniedException",
                "User is not authorized to perform: application-autoscaling:DescribeScalableTargets",
            )
        });
        let p = mock!(Client::describe_scaling_policies)
            .then_output(|| DescribeScalingPoliciesOutput::builder().build());
        let client = test_client!(aws_sdk_applicationautoscaling, RuleMode::MatchAny, [&t, &p]);
        let ctx = context("us-east-1");

        let region = collect_with(&client, &ctx).await;
        assert_eq!(region.scalable_targets, None);
        assert_eq!(region.scaling_policies, Some(Vec::new()));
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(
            (error.service.as_str(), error.operation.as_str()),
            ("application-autoscaling", "DescribeScalableTargets")
        );
    }

    #[tokio::test]
    async fn a_server_error_page_is_recorded() {
        let t = mock!(Client::describe_scalable_targets)
            .then_output(|| DescribeScalableTargetsOutput::builder().build());
        let p = mock!(Client::describe_scaling_policies).then_http_response(html_500);
        let client = test_client!(aws_sdk_applicationautoscaling, RuleMode::MatchAny, [&t, &p]);
        let ctx = context("us-east-1");

        let region = collect_with(&client, &ctx).await;
        assert_eq!(region.scalable_targets, Some(Vec::new()));
        assert_eq!(region.scaling_policies, None);
        assert_eq!(only_error(&ctx).operation, "DescribeScalingPolicies");
    }
}
