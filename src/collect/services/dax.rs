//! DAX: the region's clusters (`DescribeClusters`, paginated).
//!
//! DAX is not offered in every region. There, `dax.<region>.amazonaws.com`
//! does not resolve: the call is recorded with kind `unsupported` (not
//! `region_unavailable`, since the region itself works) and `dax_clusters`
//! stays `null`.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error as StdError;

use aws_sdk_dax::Client;
use aws_sdk_dax::operation::describe_clusters::DescribeClustersError;
use aws_sdk_dax::types::Cluster;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use crate::collect::calls::{record_malformed, record_pagination_loop};
use crate::collect::context::RegionContext;
use crate::collect::errors::describe;
use crate::collect::util::next_token;
use crate::inventory::{CollectionError, DaxCluster, DaxNode, ErrorKind};

const SERVICE: &str = "dax";
const OPERATION: &str = "DescribeClusters";
/// Largest page the API allows.
const PAGE: i32 = 100;

/// Collects the region's DAX clusters keyed by cluster ARN.
pub async fn collect(ctx: &RegionContext) -> Option<BTreeMap<String, DaxCluster>> {
    collect_with(&crate::sdk_client!(aws_sdk_dax, ctx), ctx).await
}

/// [`collect`] with a given client.
pub async fn collect_with(
    client: &Client,
    ctx: &RegionContext,
) -> Option<BTreeMap<String, DaxCluster>> {
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    let mut seen = BTreeSet::new();
    loop {
        ctx.limits.acquire(SERVICE, OPERATION, &ctx.region).await;
        let page = match client
            .describe_clusters()
            .max_results(PAGE)
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(page) => page,
            Err(err) => {
                record_failure(ctx, &err);
                return None;
            }
        };
        listed.extend(page.clusters.unwrap_or_default());
        match next_token(&mut seen, page.next_token) {
            Ok(Some(next)) => token = Some(next),
            Ok(None) => break,
            Err(()) => {
                record_pagination_loop(&ctx.errors, SERVICE, &ctx.region, OPERATION);
                return None;
            }
        }
    }

    let mut clusters = BTreeMap::new();
    for cluster in listed {
        match map_cluster(cluster) {
            Ok(cluster) => {
                clusters.insert(cluster.arn.clone(), cluster);
            }
            Err(message) => {
                record_malformed(&ctx.errors, SERVICE, &ctx.region, OPERATION, None, message);
                return None;
            }
        }
    }
    Some(clusters)
}

fn map_cluster(cluster: Cluster) -> Result<DaxCluster, String> {
    let arn = cluster.cluster_arn.ok_or("DAX cluster without an ARN")?;
    let name = match cluster.cluster_name {
        Some(name) => name,
        None => arn
            .rsplit_once(":cache/")
            .map(|(_, name)| name.to_string())
            .ok_or("DAX cluster without a name")?,
    };
    Ok(DaxCluster {
        arn,
        name,
        status: cluster.status,
        sse_status: cluster
            .sse_description
            .and_then(|sse| sse.status)
            .map(|status| status.as_str().to_string()),
        endpoint_encryption: cluster
            .cluster_endpoint_encryption_type
            .map(|kind| kind.as_str().to_string()),
        total_nodes: Some(cluster.total_nodes.map(i64::from)),
        nodes: Some(Some(
            cluster
                .nodes
                .unwrap_or_default()
                .into_iter()
                .map(|node| DaxNode {
                    id: node.node_id.unwrap_or_default(),
                    availability_zone: node.availability_zone,
                    status: node.node_status,
                })
                .collect(),
        )),
    })
}

/// Records a failed `DescribeClusters`, as `unsupported` when the DAX
/// endpoint of the region does not exist.
fn record_failure(ctx: &RegionContext, err: &SdkError<DescribeClustersError, HttpResponse>) {
    let mut failure = describe(err);
    if matches!(err, SdkError::DispatchFailure(_)) && is_name_resolution_failure(err) {
        failure.kind = ErrorKind::Unsupported;
        failure.message = format!(
            "DAX is not offered in {} (its endpoint does not resolve): {}",
            ctx.region, failure.message
        );
    }
    ctx.errors.push(CollectionError {
        service: SERVICE.to_string(),
        region: ctx.region.clone(),
        operation: OPERATION.to_string(),
        resource: None,
        kind: failure.kind,
        code: failure.code,
        message: failure.message,
    });
}

/// Whether any error in the chain says the host name does not resolve.
fn is_name_resolution_failure(err: &(dyn StdError + 'static)) -> bool {
    const SIGNS: &[&str] = &[
        "dns error",
        "failed to lookup address",
        "name or service not known",
        "no such host",
        "nodename nor servname",
        "name does not resolve",
    ];
    let mut current = Some(err);
    while let Some(error) = current {
        let text = error.to_string().to_ascii_lowercase();
        if SIGNS.iter().any(|sign| text.contains(sign)) {
            return true;
        }
        current = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::testing::{
        assert_html_500_error, assert_no_errors, context, fast_retries, html_500, json_error,
        only_error, test_client, unique_partition,
    };
    use aws_sdk_dax::operation::describe_clusters::DescribeClustersOutput;
    use aws_sdk_dax::types::{ClusterEndpointEncryptionType, SseDescription, SseStatus};
    use aws_smithy_mocks::{RuleMode, mock};
    use aws_smithy_runtime_api::client::http::{
        HttpConnector, HttpConnectorFuture, SharedHttpConnector, http_client_fn,
    };
    use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
    use aws_smithy_runtime_api::client::result::ConnectorError;

    fn cluster(
        name: &str,
        sse: Option<SseStatus>,
        tls: Option<ClusterEndpointEncryptionType>,
    ) -> Cluster {
        Cluster::builder()
            .cluster_name(name)
            .cluster_arn(format!("arn:aws:dax:eu-west-1:123456789012:cache/{name}"))
            .status("available")
            .set_sse_description(sse.map(|status| SseDescription::builder().status(status).build()))
            .set_cluster_endpoint_encryption_type(tls)
            .build()
    }

    fn page(clusters: Vec<Cluster>, next: Option<&str>) -> DescribeClustersOutput {
        DescribeClustersOutput::builder()
            .set_clusters(Some(clusters))
            .set_next_token(next.map(str::to_string))
            .build()
    }

    #[tokio::test]
    async fn maps_clusters() {
        let rule = mock!(Client::describe_clusters)
            .match_requests(|req| req.max_results() == Some(PAGE))
            .then_output(|| {
                page(
                    vec![
                        cluster(
                            "secure",
                            Some(SseStatus::Enabled),
                            Some(ClusterEndpointEncryptionType::Tls),
                        ),
                        cluster(
                            "legacy",
                            Some(SseStatus::Disabled),
                            Some(ClusterEndpointEncryptionType::None),
                        ),
                        cluster("bare", None, None),
                    ],
                    None,
                )
            });
        let client = test_client!(aws_sdk_dax, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        let clusters = collect_with(&client, &ctx).await.expect("collected");
        assert_no_errors(&ctx);
        let secure = &clusters["arn:aws:dax:eu-west-1:123456789012:cache/secure"];
        assert_eq!(secure.name, "secure");
        assert_eq!(secure.status.as_deref(), Some("available"));
        assert_eq!(secure.sse_status.as_deref(), Some("ENABLED"));
        assert_eq!(secure.endpoint_encryption.as_deref(), Some("TLS"));
        let legacy = &clusters["arn:aws:dax:eu-west-1:123456789012:cache/legacy"];
        assert_eq!(legacy.sse_status.as_deref(), Some("DISABLED"));
        assert_eq!(legacy.endpoint_encryption.as_deref(), Some("NONE"));
        let bare = &clusters["arn:aws:dax:eu-west-1:123456789012:cache/bare"];
        assert_eq!(
            (
                bare.sse_status.as_deref(),
                bare.endpoint_encryption.as_deref()
            ),
            (None, None)
        );
    }

    /// Schema 1.3: nodes and their zones (moto puts every node in the
    /// region's first zone; AWS spreads them).
    #[tokio::test]
    async fn maps_nodes_and_their_zones() {
        use aws_sdk_dax::types::Node;
        let rule = mock!(Client::describe_clusters).then_output(|| {
            let mut c = cluster("spread", Some(SseStatus::Enabled), None);
            c.total_nodes = Some(3);
            c.nodes = Some(
                ["a", "b", "c"]
                    .iter()
                    .map(|zone| {
                        Node::builder()
                            .node_id(format!("spread-{zone}"))
                            .availability_zone(format!("eu-west-1{zone}"))
                            .node_status("available")
                            .build()
                    })
                    .collect(),
            );
            page(vec![c, cluster("creating", None, None)], None)
        });
        let client = test_client!(aws_sdk_dax, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        let clusters = collect_with(&client, &ctx).await.expect("collected");
        let spread = &clusters["arn:aws:dax:eu-west-1:123456789012:cache/spread"];
        assert_eq!(spread.total_nodes, Some(Some(3)));
        let nodes = crate::inventory::since::value(&spread.nodes).unwrap();
        let zones: Vec<_> = nodes
            .iter()
            .map(|n| n.availability_zone.as_deref().unwrap())
            .collect();
        assert_eq!(zones, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
        assert_eq!(nodes[0].status.as_deref(), Some("available"));
        let creating = &clusters["arn:aws:dax:eu-west-1:123456789012:cache/creating"];
        assert_eq!(creating.total_nodes, Some(None));
        assert_eq!(creating.nodes, Some(Some(Vec::new())));
    }

    #[tokio::test]
    async fn follows_next_tokens() {
        let p1 = mock!(Client::describe_clusters)
            .match_requests(|req| req.next_token().is_none())
            .then_output(|| page(vec![cluster("a", None, None)], Some("t1")));
        let p2 = mock!(Client::describe_clusters)
            .match_requests(|req| req.next_token() == Some("t1"))
            .then_output(|| page(vec![cluster("b", None, None)], Some("t2")));
        let p3 = mock!(Client::describe_clusters)
            .match_requests(|req| req.next_token() == Some("t2"))
            .then_output(|| page(vec![cluster("c", None, None)], None));
        let client = test_client!(aws_sdk_dax, RuleMode::MatchAny, [&p1, &p2, &p3]);
        let ctx = context("eu-west-1");

        let clusters = collect_with(&client, &ctx).await.expect("collected");
        assert_no_errors(&ctx);
        let names: Vec<_> = clusters.values().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["a", "b", "c"]);
    }

    #[tokio::test]
    async fn access_denied() {
        let rule = mock!(Client::describe_clusters).then_http_response(|| {
            json_error(
                400,
                "AccessDeniedException",
                "User is not authorized to perform: dax:DescribeClusters",
            )
        });
        let client = test_client!(aws_sdk_dax, RuleMode::MatchAny, [&rule]);
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
            ("dax", "eu-west-1", "DescribeClusters")
        );
    }

    #[tokio::test]
    async fn throttling_that_outlasts_retries() {
        let rule = mock!(Client::describe_clusters)
            .then_http_response(|| json_error(400, "ThrottlingException", "Rate exceeded"));
        let client = test_client!(aws_sdk_dax, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        assert_eq!(only_error(&ctx).kind, ErrorKind::Throttled);
        assert_eq!(rule.num_calls(), 3);
    }

    #[tokio::test]
    async fn html_error_page() {
        let rule = mock!(Client::describe_clusters).then_http_response(html_500);
        let client = test_client!(aws_sdk_dax, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        assert_html_500_error(&only_error(&ctx));
    }

    #[tokio::test]
    async fn no_clusters() {
        let rule = mock!(Client::describe_clusters)
            .then_output(|| DescribeClustersOutput::builder().build());
        let client = test_client!(aws_sdk_dax, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        assert_eq!(collect_with(&client, &ctx).await, Some(BTreeMap::new()));
        assert_no_errors(&ctx);
    }

    /// A connector that fails like a lookup of a host name that does not
    /// exist (hyper's wording).
    #[derive(Debug)]
    struct NoSuchHost;

    impl HttpConnector for NoSuchHost {
        fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
            let lookup = std::io::Error::other(
                "failed to lookup address information: Name or service not known",
            );
            HttpConnectorFuture::ready(Err(ConnectorError::io(
                format!("dns error: {lookup}").into(),
            )))
        }
    }

    #[tokio::test]
    async fn a_region_without_dax_is_unsupported() {
        let config = aws_sdk_dax::Config::builder()
            .behavior_version(aws_sdk_dax::config::BehaviorVersion::latest())
            .region(aws_sdk_dax::config::Region::new("ap-southeast-5"))
            .credentials_provider(aws_sdk_dax::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            ))
            .http_client(http_client_fn(|_, _| SharedHttpConnector::new(NoSuchHost)))
            .retry_config(fast_retries())
            .retry_partition(aws_sdk_dax::config::retry::RetryPartition::new(
                unique_partition(),
            ))
            .build();
        let client = Client::from_conf(config);
        let ctx = context("ap-southeast-5");

        assert_eq!(collect_with(&client, &ctx).await, None);
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::Unsupported);
        assert_eq!(error.region, "ap-southeast-5");
        assert!(
            error
                .message
                .starts_with("DAX is not offered in ap-southeast-5"),
            "{}",
            error.message
        );
    }

    #[test]
    fn refused_connections_are_not_name_failures() {
        let refused = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        );
        assert!(!is_name_resolution_failure(&refused));
        let dns = std::io::Error::other("dns error: failed to lookup address information");
        assert!(is_name_resolution_failure(&dns));
    }
}
