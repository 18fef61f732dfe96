# METADATA
# title: DynamoDB VPC endpoint policy lets principals of untrusted accounts through
# description: |-
#   Checks who the policy of each DynamoDB VPC endpoint lets through, beyond
#   DYN402's full-access default. The endpoints are DYN402's (gateway or
#   interface, service `com.amazonaws.<region>.dynamodb` or a
#   partition/FIPS variant, not deleted or failed). An endpoint without a
#   policy, or whose policy is exactly AWS's full-access default (one Allow
#   statement with `"Principal": "*"`, `"Action": "*"`, `"Resource": "*"`
#   and no Condition), is DYN402's finding and has no outcome here.
#
#   Fails when an Allow statement grants principals outside the trusted
#   accounts: an AWS principal (account id, account root, IAM or STS ARN)
#   of an account that is neither the scanned account nor in
#   `trusted_account_ids` (where the word `organization` stands for every
#   ACTIVE account of the AWS Organization the inventory lists,
#   `organization.account_ids`, collected with `--organization` or
#   `--ou`), or every principal (`"*"`, `{"AWS": "*"}`, or `NotPrincipal`)
#   without a condition that confines callers. A confining condition uses a
#   positive operator (`StringEquals`, `StringLike`, `ArnEquals`,
#   `ArnLike`, not `...IfExists`, negated or `ForAllValues` forms) on
#   `aws:PrincipalAccount` with trusted account ids, on `aws:PrincipalArn`
#   with ARNs of trusted accounts, or on `aws:PrincipalOrgID` or
#   `aws:PrincipalOrgPaths` with values that are not wildcards; one whose
#   values name an untrusted account confines nothing. `aws:SourceVpce` and
#   `aws:SourceVpc` do not confine callers (every request through the
#   endpoint has them), nor does `aws:ResourceAccount`, which limits the
#   tables reached, not who reaches them. An Allow void under an
#   unconditional Deny for every principal in the same policy is not
#   counted. Nor is an Allow that a Deny for every principal
#   confines to trusted callers: one negated condition (`StringNotEquals`,
#   `StringNotEqualsIfExists`, `ArnNotLike`, ...) on one of the keys above
#   whose values are all trusted, the data-perimeter pattern.
#   Service and federated principals are not judged. Passes when
#   every Allow is confined to trusted accounts. The trust analysis is
#   DYN305's, with these condition keys.
#
#   Unknown when the endpoint's policy was not collected (in an inventory of
#   schema 1.1 or later, a null policy not marked absent), when it is not a
#   valid IAM policy (the finding quotes the first problem), when the
#   endpoint's state was not collected (it may be deleted), when
#   `trusted_account_ids` names `organization` and the inventory does not
#   list the organization's accounts while the policy grants an account
#   that only the organization could trust, and for the region when its VPC
#   endpoints could not be described.
#
#   Medium: the endpoint policy is the one control on the network path from
#   the VPC to DynamoDB that can refuse credentials from outside the
#   organisation, so that a workload or an intruder in a private subnet
#   cannot use another account's keys to copy data into tables that account
#   owns; identity policies and table policies of this account cannot stop
#   that, since the foreign principal and its tables are not governed by
#   them. It takes a foothold in the VPC and foreign credentials to abuse,
#   hence not high. PCI DSS v4.0 1.3.2 (outbound traffic from the
#   cardholder data environment is restricted to only that which is
#   necessary): an endpoint that lets any account's principals through
#   leaves the outbound path to DynamoDB open to destinations outside the
#   organisation. SOC 2 CC6.6 (logical access security measures protect
#   against threats from sources outside the system boundaries): confining
#   the endpoint to the organisation's principals keeps the boundary at the
#   network edge.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
#     description: Control access to VPC endpoints using endpoint policies
#   - ref: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-ddb.html#vpc-endpoints-policies-ddb
#     description: Endpoint policies for DynamoDB
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
#     description: AWS global condition context keys
#   - ref: https://hub.prowler.com/check/vpc_endpoint_connections_trust_boundaries
#     description: Prowler check vpc_endpoint_connections_trust_boundaries
# custom:
#   id: DYN404
#   name: dynamodb-endpoint-policy-untrusted-principal
#   severity: medium
#   frameworks:
#     pci-dss-4.0: ["1.3.2"]
#     soc2: [CC6.6]
#   remediation:
#     summary: >-
#       Confine the endpoint's Allow statements to the organisation's
#       principals: name roles of this account or of trusted accounts, or
#       keep `"Principal": "*"` with a condition on `aws:PrincipalAccount`,
#       `aws:PrincipalOrgID` or `aws:PrincipalArn`; remove grants to
#       accounts that are not trusted, or add them to `trusted_account_ids`
#       if they are.
#     aws_cli: |-
#       aws ec2 modify-vpc-endpoint --region REGION --vpc-endpoint-id VPCE_ID \
#         --policy-document '{"Version": "2012-10-17", "Statement": [{
#           "Effect": "Allow", "Principal": "*", "Action": "dynamodb:*",
#           "Resource": "*",
#           "Condition": {"StringEquals": {"aws:PrincipalOrgID": "ORG_ID",
#                                          "aws:ResourceAccount": "ACCOUNT_ID"}}}]}'
#     terraform: |-
#       resource "aws_vpc_endpoint_policy" "dynamodb" {
#         vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
#         policy = jsonencode({
#           Version = "2012-10-17"
#           Statement = [{
#             Effect    = "Allow"
#             Principal = "*"
#             Action    = "dynamodb:*"
#             Resource  = "*"
#             Condition = {
#               StringEquals = {
#                 "aws:PrincipalOrgID"  = data.aws_organizations_organization.this.id
#                 "aws:ResourceAccount" = data.aws_caller_identity.current.account_id
#               }
#             }
#           }]
#         })
#       }
package dynaudit.rules.dyn404

# Individual imports keep regorus from evaluating whole library packages
# (see policies/lib/kms.rego on performance). The trust analysis is DYN305's
# (policies/lib/resource_policy.rego), with the keys that confine callers.
import data.dynaudit.lib.common.absent
import data.dynaudit.lib.common.region_resource
import data.dynaudit.lib.common.uncollected
import data.dynaudit.lib.endpoints.active
import data.dynaudit.lib.endpoints.dynamodb_service
import data.dynaudit.lib.iam.parse
import data.dynaudit.lib.iam.read_document
import data.dynaudit.lib.resource_policy.caller_keys
import data.dynaudit.lib.resource_policy.outcome

# ---------------------------------------------------------------------------
# The endpoints: DYN402's selection (policies/lib/endpoints.rego)

# DynamoDB endpoints with a policy DYN402 does not already report: neither
# absent (AWS then applies the full-access default) nor exactly that default.
endpoints contains [region, id, ep] if {
	some region, r in input.regions
	r.vpc_endpoints != null
	some id, ep in r.vpc_endpoints
	dynamodb_service(ep.service_name)
	not absent(ep, "policy_document")
	not full_access_default(ep.policy_document)
}

# ---------------------------------------------------------------------------
# AWS's full-access default, written out (DYN402's finding)

full_access_default(d) if {
	doc := parse(d)
	is_object(doc)
	object.keys(doc) - {"Version", "Id"} == {"Statement"}
	sts := statement_list(doc.Statement)
	count(sts) == 1
	st := sts[0]
	is_object(st)
	object.keys(st) - {"Sid"} == {"Effect", "Principal", "Action", "Resource"}
	st.Effect == "Allow"
	st.Principal == "*"
	everything(st.Action)
	everything(st.Resource)
}

statement_list(st) := [st] if is_object(st)

statement_list(st) := st if is_array(st)

everything(x) if x == "*"

everything(x) if x == ["*"]

# ---------------------------------------------------------------------------
# Outcomes

outcomes contains {
	"status": "unknown",
	"resource": region_resource(region),
	"region": region,
	"message": sprintf("Cannot check who DynamoDB VPC endpoint policies let through in %s: the region's VPC endpoints could not be described", [region]),
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
		"Cannot tell whether DynamoDB VPC endpoint %s (VPC %s, %s) is in use: its state was not collected, so its policy is not judged",
		[id, ep.vpc_id, region],
	),
	"evidence": {"vpc_id": ep.vpc_id, "endpoint_type": ep.endpoint_type, "state": null},
	"needs": ["DescribeVpcEndpoints"],
} if {
	some [region, id, ep] in endpoints
	ep.state == null
}

outcomes contains {
	"status": "unknown",
	"resource": id,
	"region": region,
	"message": sprintf("The policy of DynamoDB VPC endpoint %s (VPC %s, %s) was not collected", [id, ep.vpc_id, region]),
	"evidence": {"vpc_id": ep.vpc_id, "endpoint_type": ep.endpoint_type, "policy_document": null},
	"needs": ["DescribeVpcEndpoints"],
} if {
	some [region, id, ep] in endpoints
	active(ep)
	uncollected(ep, "policy_document")
}

outcomes contains o if {
	some [region, id, ep] in endpoints
	active(ep)
	ep.policy_document != null
	o := outcome(read_document(ep.policy_document, "resource"), caller_keys, {
		"resource": id,
		"region": region,
		"subject": sprintf("policy of DynamoDB VPC endpoint %s (VPC %s, %s)", [id, ep.vpc_id, region]),
		"evidence": {"vpc_id": ep.vpc_id, "endpoint_type": ep.endpoint_type},
		"document_evidence": {"policy_document": ep.policy_document},
	})
}
