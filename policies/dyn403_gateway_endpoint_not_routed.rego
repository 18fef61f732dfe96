# METADATA
# title: DynamoDB gateway endpoint is associated with no route table
# description: |-
#   Checks that each DynamoDB gateway VPC endpoint (service
#   `com.amazonaws.<region>.dynamodb` or a partition variant, endpoint type
#   `Gateway`, not deleted or failed) is associated with at least one route
#   table. A gateway endpoint works only through the prefix-list route it
#   adds to its route tables; with none, no subnet's traffic uses it, so
#   DynamoDB requests still leave through a NAT or internet gateway while the
#   endpoint's existence makes DYN401 pass and suggests a private path that
#   does not exist (and `aws:SourceVpce` conditions silently deny the
#   workloads instead). Interface endpoints are reached through DNS and
#   ENIs, not routes, and get no outcome. Whether every subnet that talks to
#   DynamoDB is covered needs route-table and subnet data dynaudit does not
#   collect; this rule catches the endpoint that routes nothing at all. A
#   gateway endpoint whose state was not collected (it may be deleted) is
#   unknown, and the outcome is unknown for the region when its VPC
#   endpoints could not be described.
#   PCI DSS v4.0 1.3.1 requires traffic to the cardholder data environment to
#   be restricted to what is necessary; the restriction the endpoint is meant
#   to provide applies only to traffic actually routed through it. SOC 2
#   CC6.6 requires logical access measures against threats from outside the
#   system boundaries; an unrouted endpoint leaves the public path in use.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html#gateway-endpoint-routing
#     description: Gateway endpoints, routing
#   - ref: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-ddb.html
#     description: Gateway endpoints for Amazon DynamoDB
# custom:
#   id: DYN403
#   name: gateway-endpoint-not-routed
#   severity: medium
#   frameworks:
#     pci-dss-4.0: ["1.3.1"]
#     soc2: [CC6.6]
#   remediation:
#     summary: >-
#       Associate the gateway endpoint with the route tables of every subnet
#       whose workloads call DynamoDB (or delete the unused endpoint).
#     aws_cli: |-
#       aws ec2 modify-vpc-endpoint --region REGION --vpc-endpoint-id VPCE_ID \
#         --add-route-table-ids RTB_ID_1 RTB_ID_2
#     terraform: |-
#       resource "aws_vpc_endpoint_route_table_association" "dynamodb" {
#         for_each        = toset(aws_route_table.private[*].id)
#         vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
#         route_table_id  = each.value
#       }
package dynaudit.rules.dyn403

import data.dynaudit.lib.common
import data.dynaudit.lib.endpoints.active
import data.dynaudit.lib.endpoints.dynamodb_service

gateway_endpoints contains [region, id, ep] if {
	some region, r in input.regions
	r.vpc_endpoints != null
	some id, ep in r.vpc_endpoints
	lower(ep.endpoint_type) == "gateway"
	dynamodb_service(ep.service_name)
	active(ep)
}

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Cannot check DynamoDB gateway endpoint routes in %s: the region's VPC endpoints could not be described", [region]),
	"evidence": {"vpc_endpoints": null},
	"needs": ["DescribeVpcEndpoints"],
} if {
	some region, r in input.regions
	r.vpc_endpoints == null
}

outcomes contains {
	"status": "unknown",
	"resource": id,
	"region": region,
	"message": sprintf(
		"Cannot tell whether DynamoDB gateway endpoint %s (VPC %s, %s) is in use: its state was not collected, so its routes are not judged",
		[id, ep.vpc_id, region],
	),
	"evidence": {"vpc_id": ep.vpc_id, "state": null, "route_table_ids": ep.route_table_ids},
	"needs": ["DescribeVpcEndpoints"],
} if {
	some region, r in input.regions
	r.vpc_endpoints != null
	some id, ep in r.vpc_endpoints
	lower(ep.endpoint_type) == "gateway"
	dynamodb_service(ep.service_name)
	ep.state == null
}

outcomes contains {
	"status": "fail",
	"resource": id,
	"region": region,
	"message": sprintf(
		"DynamoDB gateway endpoint %s (VPC %s, %s) is associated with no route table: no subnet's traffic uses it",
		[id, ep.vpc_id, region],
	),
	"evidence": {"vpc_id": ep.vpc_id, "route_table_ids": []},
} if {
	some [region, id, ep] in gateway_endpoints
	count(ep.route_table_ids) == 0
}

outcomes contains {
	"status": "pass",
	"resource": id,
	"region": region,
	"message": sprintf(
		"DynamoDB gateway endpoint %s (VPC %s, %s) is associated with route table(s) %s",
		[id, ep.vpc_id, region, concat(", ", ep.route_table_ids)],
	),
	"evidence": {"vpc_id": ep.vpc_id, "route_table_ids": ep.route_table_ids},
} if {
	some [region, id, ep] in gateway_endpoints
	count(ep.route_table_ids) > 0
}
