//! VPCs and their gateway endpoints in the three regions.

use super::{EAST, EU, Estate, FOREIGN_ACCOUNT, WEST, statement_policy};
use crate::support::moto::TestAccount;

fn ec2(account: &TestAccount, region: &str) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&account.config(region))
}

async fn create_vpc(ec2: &aws_sdk_ec2::Client, cidr: &str) -> String {
    let out = ec2
        .create_vpc()
        .cidr_block(cidr)
        .send()
        .await
        .expect("CreateVpc");
    out.vpc().unwrap().vpc_id().unwrap().to_string()
}

async fn default_vpc(ec2: &aws_sdk_ec2::Client) -> String {
    let out = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
    let defaults: Vec<&str> = out
        .vpcs()
        .iter()
        .filter(|v| v.is_default() == Some(true))
        .filter_map(|v| v.vpc_id())
        .collect();
    assert_eq!(defaults.len(), 1, "moto creates one default VPC per region");
    defaults[0].to_string()
}

async fn gateway_endpoint(
    ec2: &aws_sdk_ec2::Client,
    vpc: &str,
    service: &str,
    route_tables: &[&str],
    policy: Option<String>,
) -> String {
    let mut req = ec2
        .create_vpc_endpoint()
        .vpc_id(vpc)
        .service_name(service)
        .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Gateway);
    for rt in route_tables {
        req = req.route_table_ids(*rt);
    }
    if let Some(policy) = policy {
        req = req.policy_document(policy);
    }
    let out = req.send().await.expect("CreateVpcEndpoint");
    out.vpc_endpoint()
        .unwrap()
        .vpc_endpoint_id()
        .unwrap()
        .to_string()
}

const FULL_ACCESS_ENDPOINT_POLICY: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

pub(super) async fn seed_network(account: &TestAccount, e: &mut Estate) {
    let acct = account.account_id.clone();
    // us-east-1: a VPC with a routed, restricted DynamoDB gateway endpoint
    // (DYN401/402/403 pass); the default VPC has none (DYN401 fail).
    let east = ec2(account, EAST);
    e.put("vpc:default-east", default_vpc(&east).await);
    let vpc = create_vpc(&east, "10.1.0.0/16").await;
    e.put("vpc:app-east", &vpc);
    let rt = east
        .create_route_table()
        .vpc_id(&vpc)
        .send()
        .await
        .expect("CreateRouteTable");
    let rt = rt
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    let restricted = statement_policy(&format!(
        r#"{{"Effect":"Allow","Principal":"*","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:us-east-1:{acct}:table/*","Condition":{{"StringEquals":{{"aws:ResourceAccount":"{acct}","aws:PrincipalAccount":"{acct}"}}}}}}"#
    ));
    let vpce = gateway_endpoint(
        &east,
        &vpc,
        "com.amazonaws.us-east-1.dynamodb",
        &[&rt],
        Some(restricted),
    )
    .await;
    e.put("vpce:app-east", &vpce);

    // us-west-2: the gateway endpoint has the full-access policy and no
    // route table (DYN402 and DYN403 fail, DYN401 pass for its VPC).
    let west = ec2(account, WEST);
    e.put("vpc:default-west", default_vpc(&west).await);
    let vpc = create_vpc(&west, "10.2.0.0/16").await;
    e.put("vpc:app-west", &vpc);
    let vpce = gateway_endpoint(
        &west,
        &vpc,
        "com.amazonaws.us-west-2.dynamodb",
        &[],
        Some(FULL_ACCESS_ENDPOINT_POLICY.to_string()),
    )
    .await;
    e.put("vpce:app-west", &vpce);
    // A second, unrouted DynamoDB endpoint whose policy lets a partner
    // account's principals through (DYN404 fail; DYN403 fail).
    let partner = statement_policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{FOREIGN_ACCOUNT}:root"}},"Action":"dynamodb:GetItem","Resource":"arn:aws:dynamodb:us-west-2:{acct}:table/*"}}"#
    ));
    let vpce = gateway_endpoint(
        &west,
        &vpc,
        "com.amazonaws.us-west-2.dynamodb",
        &[],
        Some(partner),
    )
    .await;
    e.put("vpce:partner-west", &vpce);

    // eu-west-1: the default VPC has a routed DynamoDB endpoint with the
    // full-access policy; another VPC has only an S3 endpoint, which does
    // not count for DynamoDB (DYN401 fail).
    let eu = ec2(account, EU);
    let default_eu = default_vpc(&eu).await;
    e.put("vpc:default-eu", &default_eu);
    let rt = eu
        .create_route_table()
        .vpc_id(&default_eu)
        .send()
        .await
        .expect("CreateRouteTable");
    let rt = rt
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    let vpce = gateway_endpoint(
        &eu,
        &default_eu,
        "com.amazonaws.eu-west-1.dynamodb",
        &[&rt],
        Some(FULL_ACCESS_ENDPOINT_POLICY.to_string()),
    )
    .await;
    e.put("vpce:default-eu", &vpce);
    let vpc = create_vpc(&eu, "10.3.0.0/16").await;
    e.put("vpc:s3-only-eu", &vpc);
    let rt = eu
        .create_route_table()
        .vpc_id(&vpc)
        .send()
        .await
        .expect("CreateRouteTable");
    let rt = rt
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    let vpce = gateway_endpoint(&eu, &vpc, "com.amazonaws.eu-west-1.s3", &[&rt], None).await;
    e.put("vpce:s3-eu", &vpce);
}
