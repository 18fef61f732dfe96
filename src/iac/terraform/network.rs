//! `aws_vpc`, `aws_default_vpc` and `aws_vpc_endpoint` (with
//! `aws_vpc_endpoint_policy` and `aws_vpc_endpoint_route_table_association`),
//! as `DescribeVpcs` and `DescribeVpcEndpoints` would list them once
//! applied. Ids AWS assigns are stand-ins (`vpc-planned-<address>`,
//! `rtb-planned-<address>`, `vpce-planned-<address>`), the same wherever
//! the plan refers to them. An endpoint without a `policy` has none (AWS
//! applies its full-access default); one whose VPC, service or association
//! the plan cannot tell makes the region's endpoints not determinable.

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::resolved::Undetermined;
use crate::iac::terraform::plan::Instance;
use crate::iac::terraform::values::document;
use crate::iac::terraform::{Adapter, physical};
use crate::inventory::{Vpc, VpcEndpoint, VpcEndpointField};

const VPC_REFERENCES: [(&str, &str); 2] = [("aws_vpc", "id"), ("aws_default_vpc", "id")];
const ROUTE_TABLE_REFERENCES: [(&str, &str); 6] = [
    ("aws_route_table", "id"),
    ("aws_default_route_table", "id"),
    ("aws_vpc", "main_route_table_id"),
    ("aws_vpc", "default_route_table_id"),
    ("aws_default_vpc", "main_route_table_id"),
    ("aws_default_vpc", "default_route_table_id"),
];
const ENDPOINT_REFERENCES: [(&str, &str); 1] = [("aws_vpc_endpoint", "id")];

/// Reads the plan's VPCs and VPC endpoints.
pub fn read(adapter: &mut Adapter<'_, '_>) -> Result<(), IacError> {
    let plan = adapter.plan;
    for (resource_type, is_default) in [("aws_vpc", false), ("aws_default_vpc", true)] {
        for vpc in plan.of_type(resource_type) {
            let id = physical::value(plan, vpc, "id")
                .unwrap_or_else(|| format!("vpc-{}", physical::planned_id(vpc)));
            let record = Vpc {
                vpc_id: id.clone(),
                cidr_block: vpc.string(&["cidr_block"]).ok().flatten(),
                is_default,
                tags: vpc.tags().unwrap_or_default(),
            };
            if let Some(vpcs) = adapter.builder.region(&vpc.region).vpcs.as_mut() {
                vpcs.insert(id.clone(), record);
            }
            adapter.planned(&id, vpc, vpc.slot(&["id"]).is_known(), &[]);
        }
    }
    let mut endpoints: BTreeMap<String, BTreeMap<String, VpcEndpoint>> = BTreeMap::new();
    let mut blind: BTreeMap<String, Undetermined> = BTreeMap::new();
    for endpoint in plan.of_type("aws_vpc_endpoint") {
        match read_endpoint(adapter, endpoint) {
            Ok(record) => {
                adapter.planned(
                    &record.endpoint_id,
                    endpoint,
                    endpoint.slot(&["id"]).is_known(),
                    &[],
                );
                endpoints
                    .entry(endpoint.region.clone())
                    .or_default()
                    .insert(record.endpoint_id.clone(), record);
            }
            Err(why) => {
                blind.entry(endpoint.region.clone()).or_insert(why);
            }
        }
    }
    for policy in plan.of_type("aws_vpc_endpoint_policy") {
        let target = policy.linked(
            plan,
            &["vpc_endpoint_id"],
            Some(&["vpc_endpoint_id"]),
            &ENDPOINT_REFERENCES,
        );
        let record = match target {
            Ok(Some(id)) => endpoints
                .get_mut(&policy.region)
                .and_then(|e| e.get_mut(&id)),
            Ok(None) => None,
            Err(why) => {
                blind.entry(policy.region.clone()).or_insert(why);
                continue;
            }
        };
        let Some(record) = record else { continue };
        match policy.read(&["policy"]) {
            Ok(Some(node)) => {
                record.policy_document = node.as_str().map(document);
                record.absent.clear();
            }
            Ok(None) => {}
            Err(why) => {
                record.policy_document = None;
                record.absent.clear();
                adapter.undetermined(
                    "ec2",
                    &policy.region,
                    "DescribeVpcEndpoints",
                    Some(&record.endpoint_id),
                    &why,
                );
            }
        }
    }
    for association in plan.of_type("aws_vpc_endpoint_route_table_association") {
        let region = association.region.clone();
        let endpoint = association.linked(
            plan,
            &["vpc_endpoint_id"],
            Some(&["vpc_endpoint_id"]),
            &ENDPOINT_REFERENCES,
        );
        let Ok(Some(endpoint)) = endpoint else {
            let why = endpoint
                .err()
                .unwrap_or_else(|| association.after_apply(&["vpc_endpoint_id"]));
            blind.entry(region).or_insert(why);
            continue;
        };
        // An association routes the endpoint to one route table, whether
        // or not the plan can name it.
        let route_table = association
            .linked(
                plan,
                &["route_table_id"],
                Some(&["route_table_id"]),
                &ROUTE_TABLE_REFERENCES,
            )
            .ok()
            .flatten()
            .unwrap_or_else(|| format!("rtb-{}", physical::planned_id(association)));
        if let Some(record) = endpoints
            .get_mut(&region)
            .and_then(|e| e.get_mut(&endpoint))
        {
            record.route_table_ids.push(route_table);
            record.route_table_ids.sort();
            record.route_table_ids.dedup();
        }
    }
    for (region, records) in endpoints {
        if let Some(existing) = adapter.builder.region(&region).vpc_endpoints.as_mut() {
            existing.extend(records);
        }
    }
    for (region, why) in blind {
        adapter.builder.region(&region).vpc_endpoints = None;
        adapter.undetermined("ec2", &region, "DescribeVpcEndpoints", None, &why);
    }
    Ok(())
}

/// One endpoint; an error when its VPC or service is not determinable.
fn read_endpoint(
    adapter: &mut Adapter<'_, '_>,
    endpoint: &Instance<'_>,
) -> Result<VpcEndpoint, Undetermined> {
    let plan = adapter.plan;
    let id = physical::value(plan, endpoint, "id")
        .unwrap_or_else(|| format!("vpce-{}", physical::planned_id(endpoint)));
    let vpc_id = endpoint
        .linked(plan, &["vpc_id"], Some(&["vpc_id"]), &VPC_REFERENCES)?
        .ok_or_else(|| endpoint.after_apply(&["vpc_id"]))?;
    let service_name = endpoint
        .string(&["service_name"])?
        .ok_or_else(|| endpoint.after_apply(&["service_name"]))?;
    let endpoint_type = endpoint
        .string(&["vpc_endpoint_type"])?
        .unwrap_or_else(|| "Gateway".to_string());
    let (policy_document, absent) = match endpoint.read(&["policy"]) {
        Ok(Some(node)) => match node.as_str() {
            Some(text) if !text.trim().is_empty() => (Some(document(text)), Vec::new()),
            _ => (None, vec![VpcEndpointField::PolicyDocument]),
        },
        Ok(None) => (None, vec![VpcEndpointField::PolicyDocument]),
        Err(why) => {
            adapter.undetermined(
                "ec2",
                &endpoint.region,
                "DescribeVpcEndpoints",
                Some(&id),
                &why,
            );
            (None, Vec::new())
        }
    };
    let route_table_ids =
        match endpoint.linked_strings(plan, &["route_table_ids"], &ROUTE_TABLE_REFERENCES) {
            Ok(ids) => ids,
            Err(why) => {
                // Routed to route tables the plan cannot name.
                adapter.undetermined(
                    "ec2",
                    &endpoint.region,
                    "DescribeVpcEndpoints",
                    Some(&id),
                    &why,
                );
                vec![format!(
                    "rtb-{}.route_table_ids",
                    physical::planned_id(endpoint)
                )]
            }
        };
    Ok(VpcEndpoint {
        endpoint_id: id,
        vpc_id,
        service_name,
        endpoint_type,
        state: Some("available".to_string()),
        policy_document,
        route_table_ids,
        absent,
    })
}
