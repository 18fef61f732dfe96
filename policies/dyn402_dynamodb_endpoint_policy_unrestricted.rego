# METADATA
# title: DynamoDB VPC endpoint policy allows full access
# description: |-
#   Checks the policy of each DynamoDB VPC endpoint (gateway or interface,
#   service `com.amazonaws.<region>.dynamodb` or a partition/FIPS variant, not
#   deleted or failed). It fails when the endpoint has no policy (AWS then
#   applies the default full-access policy) or when an `Allow` statement
#   with no `Condition` grants every action (`*` or `dynamodb:*`, or a
#   `NotAction` that excludes no DynamoDB action) to every principal (`*` or
#   `{"AWS": "*"}`) on every resource (`*`, `arn:<partition>:dynamodb:*`, or
#   a `NotResource` that excludes no DynamoDB resource), and no `Deny`
#   statement that could apply to DynamoDB narrows it. Such an endpoint lets
#   anything in the VPC reach any table in any AWS account with any
#   credentials, which is the classic data-exfiltration path from a private
#   subnet (copy items into an attacker-owned table). A policy scoped to the
#   organisation's accounts or tables (`aws:ResourceAccount`,
#   `aws:PrincipalOrgID`, table ARNs) passes. Evidence names the offending
#   statement indexes. An endpoint whose policy breaks the IAM policy
#   grammar (a statement whose Effect, Principal or Action is null or of the
#   wrong type, ...) is unknown, quoting the first problem; in an inventory
#   of schema 1.1 an endpoint whose policy is null without being marked
#   absent was not collected, and is unknown too. An endpoint whose state
#   was not collected (it may be deleted) is unknown. The outcome is unknown
#   for the region when its VPC endpoints could not be described.
#   PCI DSS v4.0 1.3.1 requires traffic to and from the cardholder data
#   environment to be restricted to only that which is necessary; an
#   endpoint policy is the network-path control that limits which tables and
#   accounts traffic through the endpoint may reach. SOC 2 CC6.6 requires
#   logical access measures against threats from outside the system
#   boundaries, including data leaving to external destinations.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
#     description: Control access to VPC endpoints using endpoint policies
#   - ref: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-ddb.html#vpc-endpoints-policies-ddb
#     description: Endpoint policies for DynamoDB
# custom:
#   id: DYN402
#   name: dynamodb-endpoint-policy-unrestricted
#   severity: low
#   frameworks:
#     pci-dss-4.0: ["1.3.1"]
#     soc2: [CC6.6]
#   remediation:
#     summary: >-
#       Replace the default full-access endpoint policy with one that allows
#       only the tables (or accounts, via `aws:ResourceAccount` /
#       `aws:PrincipalOrgID` conditions) the workloads in the VPC need.
#     aws_cli: |-
#       aws ec2 modify-vpc-endpoint --region REGION --vpc-endpoint-id VPCE_ID \
#         --policy-document '{"Version": "2012-10-17", "Statement": [{
#           "Effect": "Allow", "Principal": "*", "Action": "dynamodb:*",
#           "Resource": "*",
#           "Condition": {"StringEquals": {"aws:ResourceAccount": "ACCOUNT_ID"}}}]}'
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
#             Condition = { StringEquals = { "aws:ResourceAccount" = data.aws_caller_identity.current.account_id } }
#           }]
#         })
#       }
package dynaudit.rules.dyn402

import data.dynaudit.lib.common
import data.dynaudit.lib.endpoints.active
import data.dynaudit.lib.endpoints.dynamodb_service
import data.dynaudit.lib.iam

dynamodb_endpoints contains [region, id, ep] if {
	some region, r in input.regions
	r.vpc_endpoints != null
	some id, ep in r.vpc_endpoints
	dynamodb_service(ep.service_name)
	active(ep)
}

# ---------------------------------------------------------------------------
# Policy analysis

document(p) := json.unmarshal(p) if {
	is_string(p)
	json.is_valid(p)
}

document(p) := p if is_object(p)

statements(doc) := doc.Statement if is_array(doc.Statement)

statements(doc) := [doc.Statement] if is_object(doc.Statement)

elements(x) := x if is_array(x)

elements(x) := [x] if is_string(x)

any_principal(st) if st.Principal == "*"

any_principal(st) if {
	is_object(st.Principal)
	"*" in elements(st.Principal.AWS)
}

# Action patterns granting every DynamoDB action.
full_action(a) if lower(a) in {"*", "dynamodb:*"}

# An action pattern that may match some DynamoDB action.
dynamodb_related_action(a) if startswith(lower(a), "dynamodb:")

dynamodb_related_action(a) if {
	contains(a, "*")
	prefix := lower(split(a, "*")[0])
	startswith("dynamodb:", prefix)
}

dynamodb_related_action(a) if {
	contains(a, "?")
	prefix := lower(split(a, "?")[0])
	startswith("dynamodb:", prefix)
}

all_actions(st) if {
	some a in elements(st.Action)
	full_action(a)
}

all_actions(st) if {
	not st.Action
	st.NotAction
	every a in elements(st.NotAction) {
		not dynamodb_related_action(a)
	}
}

# Resource patterns matching every table of every account.
full_resource(res) if res == "*"

full_resource(res) if regex.match(`^arn:(\*|aws[a-z-]*):(\*|dynamodb:\*(:\*(:(\*|table/\*))?)?)$`, res)

dynamodb_related_resource(res) if contains(res, "*")

dynamodb_related_resource(res) if contains(res, ":dynamodb:")

all_resources(st) if {
	some res in elements(st.Resource)
	full_resource(res)
}

all_resources(st) if {
	not st.Resource
	st.NotResource
	every res in elements(st.NotResource) {
		not dynamodb_related_resource(res)
	}
}

unconditioned(st) if not st.Condition

unconditioned(st) if count(st.Condition) == 0

full_access_statement(st) if {
	st.Effect == "Allow"
	any_principal(st)
	all_actions(st)
	all_resources(st)
	unconditioned(st)
}

# A Deny statement that may narrow DynamoDB access.
narrowing_deny(st) if {
	st.Effect == "Deny"
	some a in elements(st.Action)
	dynamodb_related_action(a)
}

narrowing_deny(st) if {
	st.Effect == "Deny"
	st.NotAction
}

full_access_indexes(doc) := [i |
	some i, st in statements(doc)
	full_access_statement(st)
]

unrestricted(doc) if {
	count(full_access_indexes(doc)) > 0
	not has_narrowing_deny(doc)
}

has_narrowing_deny(doc) if {
	some st in statements(doc)
	narrowing_deny(st)
}

# ---------------------------------------------------------------------------
# Outcomes

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Cannot check DynamoDB VPC endpoint policies in %s: the region's VPC endpoints could not be described", [region]),
	"evidence": {"vpc_endpoints": null},
	"needs": ["DescribeVpcEndpoints"],
} if {
	some region, r in input.regions
	r.vpc_endpoints == null
}

# The endpoint has no policy: AWS applies the default full-access policy.
# (`policy_document` null: in schema 1.1 only when marked absent; before
# 1.1 any null, as it always was read.)
outcomes contains {
	"status": "fail",
	"resource": id,
	"region": region,
	"message": sprintf(
		"DynamoDB VPC endpoint %s (VPC %s, %s) has no endpoint policy: AWS applies the default full-access policy (any principal, any action, any table in any account)",
		[id, ep.vpc_id, region],
	),
	"evidence": {"vpc_id": ep.vpc_id, "endpoint_type": ep.endpoint_type, "policy_document": null},
} if {
	some [region, id, ep] in dynamodb_endpoints
	common.absent(ep, "policy_document")
}

outcomes contains {
	"status": "unknown",
	"resource": id,
	"region": region,
	"message": sprintf("The policy of DynamoDB VPC endpoint %s (VPC %s, %s) was not collected", [id, ep.vpc_id, region]),
	"evidence": {"vpc_id": ep.vpc_id, "endpoint_type": ep.endpoint_type, "policy_document": null},
	"needs": ["DescribeVpcEndpoints"],
} if {
	some [region, id, ep] in dynamodb_endpoints
	common.uncollected(ep, "policy_document")
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
	some region, r in input.regions
	r.vpc_endpoints != null
	some id, ep in r.vpc_endpoints
	dynamodb_service(ep.service_name)
	ep.state == null
}

# Endpoints with a policy document, with its first problem against the IAM
# policy grammar (null when it follows it). The analysis below reads only
# documents that follow it.
policies contains [region, id, ep, problem] if {
	some [region, id, ep] in dynamodb_endpoints
	ep.policy_document != null
	problem := iam.grammar_problem(ep.policy_document, "resource")
}

outcomes contains {
	"status": "fail",
	"resource": id,
	"region": region,
	"message": sprintf(
		"DynamoDB VPC endpoint %s (VPC %s, %s) has a full-access policy: statement(s) %v allow every action to every principal on every resource with no condition",
		[id, ep.vpc_id, region, idx],
	),
	"evidence": {"vpc_id": ep.vpc_id, "endpoint_type": ep.endpoint_type, "full_access_statements": idx},
} if {
	some [region, id, ep, null] in policies
	doc := document(ep.policy_document)
	unrestricted(doc)
	idx := full_access_indexes(doc)
}

outcomes contains {
	"status": "unknown",
	"resource": id,
	"region": region,
	"message": sprintf("The policy of DynamoDB VPC endpoint %s (VPC %s, %s) is not a valid IAM policy: %s", [id, ep.vpc_id, region, problem]),
	"evidence": {"vpc_id": ep.vpc_id, "endpoint_type": ep.endpoint_type, "policy_document": ep.policy_document, "problem": problem},
	"needs": [],
} if {
	some [region, id, ep, problem] in policies
	problem != null
}

outcomes contains {
	"status": "pass",
	"resource": id,
	"region": region,
	"message": sprintf("DynamoDB VPC endpoint %s (VPC %s, %s) has a policy that restricts principals, actions, resources or conditions", [id, ep.vpc_id, region]),
	"evidence": {"vpc_id": ep.vpc_id, "endpoint_type": ep.endpoint_type, "full_access_statements": []},
} if {
	some [region, id, ep, null] in policies
	doc := document(ep.policy_document)
	not unrestricted(doc)
}
