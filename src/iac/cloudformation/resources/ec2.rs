//! `AWS::EC2::VPC` and `AWS::EC2::VPCEndpoint`: the region's VPCs and VPC
//! endpoints as `DescribeVpcs` and `DescribeVpcEndpoints` would list them
//! once deployed, under the stand-in ids `!Ref` gives
//! (`vpc-planned-<LogicalId>`, `vpce-planned-<LogicalId>`).
//!
//! - A VPC is never the region's default VPC.
//! - An endpoint is `Gateway` unless `VpcEndpointType` says otherwise, and
//!   `available` (its state once created). Without `PolicyDocument` it has
//!   no policy: `null` named in `absent`, as the collector records an
//!   endpoint whose answer has no policy (AWS applies full access, which
//!   DYN402 fails). A policy with an undetermined part is `null`, not
//!   absent, with a `not_determinable` error of `DescribeVpcEndpoints`.
//! - An endpoint whose `ServiceName` is not determinable may or may not be
//!   a DynamoDB endpoint of any VPC: the region's endpoints are then `null`
//!   (with a region-wide error), so DYN401-DYN404 say unknown there rather
//!   than fail a VPC it may serve.
//! - An endpoint whose type, or (for a gateway) route tables, are not
//!   determinable has state `null`: the rules judge neither its routes nor
//!   its policy, nor count it for its VPC.
//! - A `VpcId` that is not determinable is a VPC the template does not
//!   declare (its id would be `!Ref`): it is written as its expression.

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical::planned_id;
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::{Vpc, VpcEndpoint, VpcEndpointField};

const SERVICE: &str = "ec2";

/// `AWS::EC2::VPC`.
pub fn vpc(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let id = format!("vpc-{}", planned_id(context.logical));
    let p = context.properties.clone();
    let cidr_block = match p.get("CidrBlock") {
        Resolved::Unknown(why) => {
            let why = (**why).clone();
            context.undetermined("ec2", "DescribeVpcs", &id, &why);
            None
        }
        Resolved::Null => {
            let why = Undetermined {
                expression: "Ipv4IpamPoolId".to_string(),
                reason: "without CidrBlock, the block is allocated from an IPAM pool at deployment"
                    .to_string(),
                line: context.resource_line(),
            };
            context.undetermined("ec2", "DescribeVpcs", &id, &why);
            None
        }
        other => other.as_string(),
    };
    let (tags, unknown_tag) = crate::iac::cloudformation::resources::documents::tags(p.get("Tags"));
    if let Some(why) = unknown_tag {
        context.undetermined("ec2", "DescribeVpcs", &id, &why);
    }
    let region = context.region.clone();
    if let Some(vpcs) = context.builder.region(&region).vpcs.as_mut() {
        vpcs.insert(
            id.clone(),
            Vpc {
                vpc_id: id.clone(),
                cidr_block,
                is_default: false,
                tags,
            },
        );
    }
    context.plan(
        &id,
        false,
        &[("cidr_block", &["CidrBlock"]), ("tags", &["Tags"])],
    );
    Ok(())
}

/// `AWS::EC2::VPCEndpoint`.
pub fn vpc_endpoint(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let id = format!("vpce-{}", planned_id(context.logical));
    let region = context.region.clone();
    let p = context.properties.clone();
    let service_name = match p.get("ServiceName") {
        Resolved::Unknown(why) => {
            // Which service (and so which rules) is not known: none of the
            // region's endpoints can be judged complete.
            let why = (**why).clone();
            context.builder.undetermined(
                SERVICE,
                &region,
                "DescribeVpcEndpoints",
                None,
                &why,
                context.file,
            );
            context.builder.region(&region).vpc_endpoints = None;
            return Ok(());
        }
        other => other.as_string().unwrap_or_default(),
    };
    let vpc_id = match p.get("VpcId") {
        Resolved::Unknown(why) => {
            let why = (**why).clone();
            context.undetermined(SERVICE, "DescribeVpcEndpoints", &id, &why);
            why.expression
        }
        other => other.as_string().unwrap_or_default(),
    };
    let mut state = Some("available".to_string());
    let endpoint_type = match p.get("VpcEndpointType") {
        Resolved::Null => "Gateway".to_string(),
        Resolved::Unknown(why) => {
            let why = (**why).clone();
            context.undetermined(SERVICE, "DescribeVpcEndpoints", &id, &why);
            state = None;
            why.expression
        }
        other => other.as_string().unwrap_or_default(),
    };
    let mut route_table_ids = Vec::new();
    match p.get("RouteTableIds") {
        Resolved::Unknown(why) => {
            let why = (**why).clone();
            context.undetermined(SERVICE, "DescribeVpcEndpoints", &id, &why);
            if endpoint_type.eq_ignore_ascii_case("gateway") {
                state = None;
            }
        }
        Resolved::Null | Resolved::List(_) => {
            let list = p.get("RouteTableIds");
            for item in list.items() {
                match item {
                    // The item is a route table whose id is not known here
                    // (`!If` may also leave it out: the routes are then
                    // unknown).
                    Resolved::Unknown(why) if why.expression.starts_with("!If") => {
                        let why = (**why).clone();
                        context.undetermined(SERVICE, "DescribeVpcEndpoints", &id, &why);
                        if endpoint_type.eq_ignore_ascii_case("gateway") {
                            state = None;
                        }
                    }
                    Resolved::Unknown(why) => route_table_ids.push(why.expression.clone()),
                    other => route_table_ids.extend(other.as_string()),
                }
            }
        }
        // A scalar where a list belongs: not read as "no route table".
        _ => {
            let why = context.unexpected(&["RouteTableIds"], "a list of route table ids");
            context.undetermined(SERVICE, "DescribeVpcEndpoints", &id, &why);
            if endpoint_type.eq_ignore_ascii_case("gateway") {
                state = None;
            }
        }
    }
    route_table_ids.sort();
    route_table_ids.dedup();
    let (policy_document, absent) =
        match crate::iac::cloudformation::resources::documents::document(p.get("PolicyDocument")) {
            Ok(serde_json::Value::Null) => (None, vec![VpcEndpointField::PolicyDocument]),
            Ok(document) => (Some(document), Vec::new()),
            Err(why) => {
                context.undetermined(SERVICE, "DescribeVpcEndpoints", &id, &why);
                (None, Vec::new())
            }
        };
    if let Some(endpoints) = context.builder.region(&region).vpc_endpoints.as_mut() {
        endpoints.insert(
            id.clone(),
            VpcEndpoint {
                endpoint_id: id.clone(),
                vpc_id,
                service_name,
                endpoint_type,
                state,
                policy_document,
                route_table_ids,
                absent,
            },
        );
    }
    context.plan(
        &id,
        false,
        &[
            ("service_name", &["ServiceName"]),
            ("vpc_id", &["VpcId"]),
            ("endpoint_type", &["VpcEndpointType"]),
            ("policy_document", &["PolicyDocument"]),
            ("route_table_ids", &["RouteTableIds"]),
        ],
    );
    Ok(())
}
