//! EC2: the region's VPCs and VPC endpoints (`DescribeVpcs`,
//! `DescribeVpcEndpoints`, both paginated, both once per region).
//!
//! The route tables a gateway endpoint is associated with come with the
//! endpoint (`RouteTableIds`), so no `DescribeRouteTables` is needed.

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Tag, Vpc as SdkVpc, VpcEndpoint as SdkVpcEndpoint};

use crate::collect::calls::{Call, paginate, record_malformed};
use crate::collect::context::RegionContext;
use crate::collect::util::parse_policy_document;
use crate::inventory::{Vpc, VpcEndpoint, VpcEndpointField};

const SERVICE: &str = "ec2";

/// What EC2 contributes to a region's inventory; each part `None` if it
/// could not be collected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ec2Evidence {
    /// VPCs keyed by VPC id.
    pub vpcs: Option<BTreeMap<String, Vpc>>,
    /// VPC endpoints keyed by endpoint id.
    pub vpc_endpoints: Option<BTreeMap<String, VpcEndpoint>>,
}

/// Collects the region's VPCs and VPC endpoints.
pub async fn collect(ctx: &RegionContext) -> Ec2Evidence {
    collect_with(&crate::sdk_client!(aws_sdk_ec2, ctx), ctx).await
}

/// [`collect`] with a given client.
pub async fn collect_with(client: &Client, ctx: &RegionContext) -> Ec2Evidence {
    let (vpcs, vpc_endpoints) = tokio::join!(vpcs(client, ctx), vpc_endpoints(client, ctx));
    Ec2Evidence {
        vpcs,
        vpc_endpoints,
    }
}

async fn vpcs(client: &Client, ctx: &RegionContext) -> Option<BTreeMap<String, Vpc>> {
    const OPERATION: &str = "DescribeVpcs";
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: OPERATION,
        resource: None,
    };
    let listed = paginate(ctx, call, |token| {
        let request = client.describe_vpcs().set_next_token(token);
        async move {
            request
                .send()
                .await
                .map(|page| (page.vpcs.unwrap_or_default(), page.next_token))
        }
    })
    .await?;
    let mut vpcs = BTreeMap::new();
    for vpc in listed {
        match map_vpc(vpc) {
            Ok(vpc) => {
                vpcs.insert(vpc.vpc_id.clone(), vpc);
            }
            Err(message) => {
                record_malformed(&ctx.errors, SERVICE, &ctx.region, OPERATION, None, message);
                return None;
            }
        }
    }
    Some(vpcs)
}

fn map_vpc(vpc: SdkVpc) -> Result<Vpc, String> {
    let vpc_id = vpc.vpc_id.ok_or("VPC without an id")?;
    Ok(Vpc {
        vpc_id,
        cidr_block: vpc.cidr_block,
        is_default: vpc.is_default.unwrap_or(false),
        tags: tags(vpc.tags),
    })
}

async fn vpc_endpoints(
    client: &Client,
    ctx: &RegionContext,
) -> Option<BTreeMap<String, VpcEndpoint>> {
    const OPERATION: &str = "DescribeVpcEndpoints";
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: OPERATION,
        resource: None,
    };
    let listed = paginate(ctx, call, |token| {
        let request = client.describe_vpc_endpoints().set_next_token(token);
        async move {
            request
                .send()
                .await
                .map(|page| (page.vpc_endpoints.unwrap_or_default(), page.next_token))
        }
    })
    .await?;
    let mut endpoints = BTreeMap::new();
    for endpoint in listed {
        match map_endpoint(endpoint) {
            Ok(endpoint) => {
                endpoints.insert(endpoint.endpoint_id.clone(), endpoint);
            }
            Err((resource, message)) => {
                // An endpoint whose policy cannot be read must not look like
                // an endpoint without a policy (that reads as full access,
                // or as no endpoint at all if it were dropped).
                record_malformed(
                    &ctx.errors,
                    SERVICE,
                    &ctx.region,
                    OPERATION,
                    resource.as_deref(),
                    message,
                );
                return None;
            }
        }
    }
    Some(endpoints)
}

fn map_endpoint(endpoint: SdkVpcEndpoint) -> Result<VpcEndpoint, (Option<String>, String)> {
    let Some(endpoint_id) = endpoint.vpc_endpoint_id else {
        return Err((None, "VPC endpoint without an id".to_string()));
    };
    let missing = |what: &str| {
        (
            Some(endpoint_id.clone()),
            format!("VPC endpoint without {what}"),
        )
    };
    let vpc_id = endpoint.vpc_id.clone().ok_or_else(|| missing("a VPC id"))?;
    let service_name = endpoint
        .service_name
        .clone()
        .ok_or_else(|| missing("a service name"))?;
    let endpoint_type = endpoint
        .vpc_endpoint_type
        .as_ref()
        .map(|kind| kind.as_str().to_string())
        .ok_or_else(|| missing("a type"))?;
    let policy_document = match endpoint.policy_document.as_deref() {
        None => None,
        Some(raw) => Some(
            parse_policy_document(raw)
                .map_err(|err| (Some(endpoint_id.clone()), format!("endpoint policy: {err}")))?,
        ),
    };
    // DescribeVpcEndpoints leaves `PolicyDocument` out when the endpoint has
    // no policy.
    let absent = if policy_document.is_none() {
        vec![VpcEndpointField::PolicyDocument]
    } else {
        Vec::new()
    };
    let mut route_table_ids = endpoint.route_table_ids.unwrap_or_default();
    route_table_ids.sort();
    route_table_ids.dedup();
    Ok(VpcEndpoint {
        endpoint_id,
        vpc_id,
        service_name,
        endpoint_type,
        // The model spells states `Available`, the wire (AWS and emulators)
        // `available`; the inventory uses the wire's lower case.
        state: endpoint
            .state
            .map(|state| state.as_str().to_ascii_lowercase()),
        policy_document,
        route_table_ids,
        absent,
    })
}

fn tags(list: Option<Vec<Tag>>) -> BTreeMap<String, String> {
    list.unwrap_or_default()
        .into_iter()
        .filter_map(|tag| Some((tag.key?, tag.value.unwrap_or_default())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::testing::{
        assert_html_500_error, assert_no_errors, context, ec2_error, html_500, only_error,
        test_client,
    };
    use crate::inventory::ErrorKind;
    use aws_sdk_ec2::operation::describe_vpc_endpoints::DescribeVpcEndpointsOutput;
    use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsOutput;
    use aws_sdk_ec2::types::{State, VpcEndpointType};
    use aws_smithy_mocks::{RuleMode, mock};

    const FULL_ACCESS: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

    fn vpc(id: &str, default: bool) -> SdkVpc {
        SdkVpc::builder()
            .vpc_id(id)
            .cidr_block("10.0.0.0/16")
            .is_default(default)
            .tags(Tag::builder().key("Name").value(id).build())
            .build()
    }

    fn gateway(
        id: &str,
        vpc_id: &str,
        policy: Option<&str>,
        route_tables: &[&str],
    ) -> SdkVpcEndpoint {
        SdkVpcEndpoint::builder()
            .vpc_endpoint_id(id)
            .vpc_id(vpc_id)
            .service_name("com.amazonaws.eu-west-1.dynamodb")
            .vpc_endpoint_type(VpcEndpointType::Gateway)
            .state(State::Available)
            .set_policy_document(policy.map(str::to_string))
            .set_route_table_ids(Some(route_tables.iter().map(|r| r.to_string()).collect()))
            .build()
    }

    fn vpcs_page(vpcs: Vec<SdkVpc>, next: Option<&str>) -> DescribeVpcsOutput {
        DescribeVpcsOutput::builder()
            .set_vpcs(Some(vpcs))
            .set_next_token(next.map(str::to_string))
            .build()
    }

    fn endpoints_page(
        endpoints: Vec<SdkVpcEndpoint>,
        next: Option<&str>,
    ) -> DescribeVpcEndpointsOutput {
        DescribeVpcEndpointsOutput::builder()
            .set_vpc_endpoints(Some(endpoints))
            .set_next_token(next.map(str::to_string))
            .build()
    }

    #[tokio::test]
    async fn maps_vpcs_and_endpoints() {
        let vpcs = mock!(Client::describe_vpcs)
            .then_output(|| vpcs_page(vec![vpc("vpc-1", true), vpc("vpc-2", false)], None));
        let endpoints = mock!(Client::describe_vpc_endpoints).then_output(|| {
            let encoded = percent_encoding::utf8_percent_encode(
                FULL_ACCESS,
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string();
            endpoints_page(
                vec![
                    gateway("vpce-1", "vpc-1", Some(FULL_ACCESS), &["rtb-2", "rtb-1"]),
                    gateway("vpce-2", "vpc-2", None, &[]),
                    gateway("vpce-3", "vpc-2", Some(&encoded), &[]),
                    SdkVpcEndpoint::builder()
                        .vpc_endpoint_id("vpce-4")
                        .vpc_id("vpc-2")
                        .service_name("com.amazonaws.eu-west-1.dynamodb")
                        .vpc_endpoint_type(VpcEndpointType::Interface)
                        .state(State::Pending)
                        .build(),
                ],
                None,
            )
        });
        let client = test_client!(aws_sdk_ec2, RuleMode::MatchAny, [&vpcs, &endpoints]);
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_no_errors(&ctx);
        let vpcs = evidence.vpcs.unwrap();
        assert!(vpcs["vpc-1"].is_default);
        assert!(!vpcs["vpc-2"].is_default);
        assert_eq!(vpcs["vpc-2"].cidr_block.as_deref(), Some("10.0.0.0/16"));
        assert_eq!(vpcs["vpc-2"].tags["Name"], "vpc-2");

        let endpoints = evidence.vpc_endpoints.unwrap();
        let first = &endpoints["vpce-1"];
        assert_eq!(first.vpc_id, "vpc-1");
        assert_eq!(first.endpoint_type, "Gateway");
        assert_eq!(first.state.as_deref(), Some("available"));
        assert_eq!(first.route_table_ids, vec!["rtb-1", "rtb-2"]);
        assert_eq!(
            first.policy_document.as_ref().unwrap()["Statement"][0]["Principal"],
            "*"
        );
        assert!(first.absent.is_empty());
        assert_eq!(endpoints["vpce-2"].policy_document, None);
        assert_eq!(
            endpoints["vpce-2"].absent,
            vec![VpcEndpointField::PolicyDocument]
        );
        assert!(endpoints["vpce-2"].route_table_ids.is_empty());
        assert_eq!(endpoints["vpce-3"].policy_document, first.policy_document);
        assert_eq!(endpoints["vpce-4"].endpoint_type, "Interface");
        assert_eq!(endpoints["vpce-4"].state.as_deref(), Some("pending"));
    }

    #[tokio::test]
    async fn follows_next_tokens() {
        let v1 = mock!(Client::describe_vpcs)
            .match_requests(|req| req.next_token().is_none())
            .then_output(|| vpcs_page(vec![vpc("vpc-1", false)], Some("t1")));
        let v2 = mock!(Client::describe_vpcs)
            .match_requests(|req| req.next_token() == Some("t1"))
            .then_output(|| vpcs_page(vec![vpc("vpc-2", false)], Some("t2")));
        let v3 = mock!(Client::describe_vpcs)
            .match_requests(|req| req.next_token() == Some("t2"))
            .then_output(|| vpcs_page(vec![vpc("vpc-3", false)], None));
        let e1 = mock!(Client::describe_vpc_endpoints)
            .match_requests(|req| req.next_token().is_none())
            .then_output(|| {
                endpoints_page(
                    vec![gateway("vpce-1", "vpc-1", None, &["rtb-1"])],
                    Some("e1"),
                )
            });
        let e2 = mock!(Client::describe_vpc_endpoints)
            .match_requests(|req| req.next_token() == Some("e1"))
            .then_output(|| endpoints_page(vec![gateway("vpce-2", "vpc-2", None, &[])], None));
        let client = test_client!(aws_sdk_ec2, RuleMode::MatchAny, [&v1, &v2, &v3, &e1, &e2]);
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_no_errors(&ctx);
        assert_eq!(
            evidence.vpcs.unwrap().keys().collect::<Vec<_>>(),
            vec!["vpc-1", "vpc-2", "vpc-3"]
        );
        assert_eq!(
            evidence.vpc_endpoints.unwrap().keys().collect::<Vec<_>>(),
            vec!["vpce-1", "vpce-2"]
        );
        for rule in [&v1, &v2, &v3, &e1, &e2] {
            assert_eq!(rule.num_calls(), 1);
        }
    }

    #[tokio::test]
    async fn a_failed_second_page_is_not_a_short_listing() {
        let v1 = mock!(Client::describe_vpcs)
            .match_requests(|req| req.next_token().is_none())
            .then_output(|| vpcs_page(vec![vpc("vpc-1", false)], Some("t1")));
        let v2 = mock!(Client::describe_vpcs)
            .match_requests(|req| req.next_token() == Some("t1"))
            .then_http_response(html_500);
        let endpoints =
            mock!(Client::describe_vpc_endpoints).then_output(|| endpoints_page(vec![], None));
        let client = test_client!(aws_sdk_ec2, RuleMode::MatchAny, [&v1, &v2, &endpoints]);
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_eq!(evidence.vpcs, None);
        assert_eq!(evidence.vpc_endpoints, Some(BTreeMap::new()));
        assert_eq!(only_error(&ctx).operation, "DescribeVpcs");
    }

    #[tokio::test]
    async fn access_denied() {
        let vpcs =
            mock!(Client::describe_vpcs).then_output(|| vpcs_page(vec![vpc("vpc-1", true)], None));
        let endpoints = mock!(Client::describe_vpc_endpoints).then_http_response(|| {
            ec2_error(
                403,
                "UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            )
        });
        let client = test_client!(aws_sdk_ec2, RuleMode::MatchAny, [&vpcs, &endpoints]);
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert!(evidence.vpcs.is_some());
        assert_eq!(evidence.vpc_endpoints, None);
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(
            (
                error.service.as_str(),
                error.region.as_str(),
                error.operation.as_str()
            ),
            ("ec2", "eu-west-1", "DescribeVpcEndpoints")
        );
        assert_eq!(error.code, "UnauthorizedOperation");
    }

    #[tokio::test]
    async fn throttling_that_outlasts_retries() {
        let vpcs = mock!(Client::describe_vpcs).then_http_response(|| {
            ec2_error(503, "RequestLimitExceeded", "Request limit exceeded.")
        });
        let endpoints =
            mock!(Client::describe_vpc_endpoints).then_output(|| endpoints_page(vec![], None));
        let client = test_client!(aws_sdk_ec2, RuleMode::MatchAny, [&vpcs, &endpoints]);
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_eq!(evidence.vpcs, None);
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::Throttled);
        assert_eq!(error.operation, "DescribeVpcs");
        assert_eq!(vpcs.num_calls(), 3);
    }

    #[tokio::test]
    async fn html_error_page() {
        let vpcs = mock!(Client::describe_vpcs).then_output(|| vpcs_page(vec![], None));
        let endpoints = mock!(Client::describe_vpc_endpoints).then_http_response(html_500);
        let client = test_client!(aws_sdk_ec2, RuleMode::MatchAny, [&vpcs, &endpoints]);
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_eq!(evidence.vpc_endpoints, None);
        assert_html_500_error(&only_error(&ctx));
    }

    #[tokio::test]
    async fn empty_region() {
        let vpcs =
            mock!(Client::describe_vpcs).then_output(|| DescribeVpcsOutput::builder().build());
        let endpoints = mock!(Client::describe_vpc_endpoints)
            .then_output(|| DescribeVpcEndpointsOutput::builder().build());
        let client = test_client!(aws_sdk_ec2, RuleMode::MatchAny, [&vpcs, &endpoints]);
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_no_errors(&ctx);
        assert_eq!(evidence.vpcs, Some(BTreeMap::new()));
        assert_eq!(evidence.vpc_endpoints, Some(BTreeMap::new()));
    }

    #[tokio::test]
    async fn an_unreadable_endpoint_policy_is_not_no_policy() {
        let vpcs = mock!(Client::describe_vpcs).then_output(|| vpcs_page(vec![], None));
        let endpoints = mock!(Client::describe_vpc_endpoints).then_output(|| {
            endpoints_page(vec![gateway("vpce-1", "vpc-1", Some("{oops"), &[])], None)
        });
        let client = test_client!(aws_sdk_ec2, RuleMode::MatchAny, [&vpcs, &endpoints]);
        let ctx = context("eu-west-1");

        let evidence = collect_with(&client, &ctx).await;
        assert_eq!(evidence.vpc_endpoints, None);
        let error = only_error(&ctx);
        assert_eq!(error.code, "MalformedResponse");
        assert_eq!(error.resource.as_deref(), Some("vpce-1"));
    }
}
