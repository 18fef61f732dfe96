# METADATA
# title: VPC has no DynamoDB VPC endpoint
# description: |-
#   Checks that each VPC in a scanned region (all VPCs, or only the ids in
#   the `vpc_ids` parameter; default VPCs are skipped when
#   `skip_default_vpcs` is true) has a gateway or interface VPC endpoint for
#   DynamoDB in that region: service `com.amazonaws.<region>.dynamodb` (or
#   its partition and FIPS variants, `cn.com.amazonaws.<region>.dynamodb`,
#   `...dynamodb-fips`) in a state other than `deleting`, `deleted`,
#   `failed`, `rejected` or `expired`. Without one, DynamoDB traffic from the
#   VPC leaves through a NAT or internet gateway to the public regional
#   endpoint, so table access cannot be pinned to the network with
#   `aws:SourceVpce` / `aws:SourceVpc` conditions and the path crosses an
#   untrusted network boundary. The outcome is unknown for the region when
#   its VPCs could not be described, per VPC when its endpoints could not
#   be, and for a VPC with no endpoint known to be active when the state of
#   one of its DynamoDB endpoints was not collected. Whether route tables
#   actually use a gateway endpoint is DYN403; its policy is DYN402.
#   PCI DSS v4.0 1.3.1 requires traffic to the cardholder data environment
#   to be restricted to what is necessary: with an endpoint, traffic between
#   the CDE's VPC and DynamoDB stays on the AWS network and table and key
#   policies can admit only that path. 1.4.4 requires system components that
#   store cardholder data not to be directly accessible from untrusted
#   networks; the endpoint is what lets a table policy refuse every request
#   that does not arrive through the VPC. SOC 2 CC6.6 requires logical
#   access security measures against threats from sources outside the
#   system boundaries, which network-path restriction is.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-ddb.html
#     description: Gateway endpoints for Amazon DynamoDB
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/privatelink-interface-endpoints.html
#     description: AWS PrivateLink for DynamoDB (interface endpoints)
# custom:
#   id: DYN401
#   name: vpc-without-dynamodb-endpoint
#   severity: medium
#   frameworks:
#     pci-dss-4.0: ["1.3.1", "1.4.4"]
#     soc2: [CC6.6]
#   remediation:
#     summary: >-
#       Create a DynamoDB gateway endpoint in the VPC (free of charge) and
#       associate it with every route table of subnets that reach DynamoDB,
#       or an interface endpoint for on-premises and cross-region access.
#     aws_cli: |-
#       aws ec2 create-vpc-endpoint --region REGION --vpc-id VPC_ID \
#         --vpc-endpoint-type Gateway \
#         --service-name com.amazonaws.REGION.dynamodb \
#         --route-table-ids RTB_ID_1 RTB_ID_2
#     terraform: |-
#       resource "aws_vpc_endpoint" "dynamodb" {
#         vpc_id            = aws_vpc.this.id
#         service_name      = "com.amazonaws.${var.region}.dynamodb"
#         vpc_endpoint_type = "Gateway"
#         route_table_ids   = aws_route_table.private[*].id
#       }
package dynaudit.rules.dyn401

import data.dynaudit.lib.common
import data.dynaudit.lib.endpoints.active
import data.dynaudit.lib.endpoints.inactive

# DynamoDB endpoint service names for `region`, in every partition.
service_names(region) := {n |
	some prefix in {"com.amazonaws.", "cn.com.amazonaws."}
	some suffix in {".dynamodb", ".dynamodb-fips"}
	n := concat("", [prefix, region, suffix])
}

# The VPC falls under the rule given the parameters.
selected(vpc) if {
	ids := object.get(common.params, "vpc_ids", [])
	count(ids) > 0
	vpc.vpc_id in ids
	not skipped(vpc)
}

selected(vpc) if {
	count(object.get(common.params, "vpc_ids", [])) == 0
	not skipped(vpc)
}

skipped(vpc) if {
	object.get(common.params, "skip_default_vpcs", false) == true
	vpc.is_default == true
}

# Active DynamoDB endpoints per region and VPC, computed once per region.
endpoints_by_vpc[region] := {vpc_id: ids |
	some vpc_id in {ep.vpc_id |
		some ep in r.vpc_endpoints
		ep.service_name in names
		active(ep)
	}
	ids := sort([id |
		some id, ep in r.vpc_endpoints
		ep.vpc_id == vpc_id
		ep.service_name in names
		active(ep)
	])
} if {
	some region, r in input.regions
	r.vpc_endpoints != null
	names := service_names(region)
}

# DynamoDB endpoints of the VPC that exist but are not usable, with state.
# DynamoDB endpoints whose state was not collected, by region and VPC.
unknown_state_by_vpc[region] := {vpc_id: ids |
	some vpc_id in {ep.vpc_id |
		some ep in r.vpc_endpoints
		ep.service_name in names
		ep.state == null
	}
	ids := sort([id |
		some id, ep in r.vpc_endpoints
		ep.vpc_id == vpc_id
		ep.service_name in names
		ep.state == null
	])
} if {
	some region, r in input.regions
	r.vpc_endpoints != null
	names := service_names(region)
}

inactive_endpoints(r, region, vpc_id) := [{"endpoint_id": id, "state": ep.state} |
	names := service_names(region)
	some id, ep in r.vpc_endpoints
	ep.vpc_id == vpc_id
	ep.service_name in names
	inactive(ep)
]

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Cannot check DynamoDB VPC endpoints in %s: the region's VPCs could not be described", [region]),
	"evidence": {"vpcs": null, "vpc_endpoints_collected": r.vpc_endpoints != null},
	"needs": needs,
} if {
	some region, r in input.regions
	r.vpcs == null
	needs := array.concat(["DescribeVpcs"], [op | op := "DescribeVpcEndpoints"; r.vpc_endpoints == null])
}

outcomes contains {
	"status": "unknown",
	"resource": vpc_id,
	"region": region,
	"message": sprintf("Cannot tell whether VPC %s in %s has a DynamoDB endpoint: the region's VPC endpoints could not be described", [vpc_id, region]),
	"evidence": {"vpc_id": vpc_id, "is_default": vpc.is_default, "vpc_endpoints": null},
	"needs": ["DescribeVpcEndpoints"],
} if {
	some region, r in input.regions
	r.vpcs != null
	r.vpc_endpoints == null
	some vpc_id, vpc in r.vpcs
	selected(vpc)
}

outcomes contains {
	"status": "pass",
	"resource": vpc_id,
	"region": region,
	"message": sprintf("VPC %s in %s has DynamoDB VPC endpoint(s) %s", [vpc_id, region, concat(", ", ids)]),
	"evidence": {"vpc_id": vpc_id, "is_default": vpc.is_default, "dynamodb_endpoints": ids},
} if {
	some region, r in input.regions
	r.vpcs != null
	r.vpc_endpoints != null
	some vpc_id, vpc in r.vpcs
	selected(vpc)
	ids := endpoints_by_vpc[region][vpc_id]
}

outcomes contains {
	"status": "fail",
	"resource": vpc_id,
	"region": region,
	"message": sprintf(
		"VPC %s in %s has no active VPC endpoint for com.amazonaws.%s.dynamodb: its DynamoDB traffic goes to the public regional endpoint",
		[vpc_id, region, region],
	),
	"evidence": {
		"vpc_id": vpc_id,
		"is_default": vpc.is_default,
		"dynamodb_endpoints": [],
		"inactive_dynamodb_endpoints": inactive_endpoints(r, region, vpc_id),
	},
} if {
	some region, r in input.regions
	r.vpcs != null
	r.vpc_endpoints != null
	some vpc_id, vpc in r.vpcs
	selected(vpc)
	not endpoints_by_vpc[region][vpc_id]
	not unknown_state_by_vpc[region][vpc_id]
}

# No endpoint known to be active, but one whose state was not collected:
# it may be the active endpoint the VPC needs.
outcomes contains {
	"status": "unknown",
	"resource": vpc_id,
	"region": region,
	"message": sprintf(
		"Cannot tell whether VPC %s in %s has an active DynamoDB endpoint: none is known to be active, and the state of DynamoDB endpoint(s) %s was not collected",
		[vpc_id, region, concat(", ", ids)],
	),
	"evidence": {
		"vpc_id": vpc_id,
		"is_default": vpc.is_default,
		"dynamodb_endpoints": [],
		"endpoints_of_unknown_state": ids,
		"inactive_dynamodb_endpoints": inactive_endpoints(r, region, vpc_id),
	},
	"needs": ["DescribeVpcEndpoints"],
} if {
	some region, r in input.regions
	r.vpcs != null
	r.vpc_endpoints != null
	some vpc_id, vpc in r.vpcs
	selected(vpc)
	not endpoints_by_vpc[region][vpc_id]
	ids := unknown_state_by_vpc[region][vpc_id]
}
