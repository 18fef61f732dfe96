# METADATA
# title: An IAM policy grants every DynamoDB action on every table with no condition
# description: |-
#   Checks every IAM policy attached to a user, group or role (customer and
#   AWS managed policies by their default version, and inline policies) for
#   an Allow statement that grants all DynamoDB actions (`dynamodb:*`, `*`,
#   or a `NotAction` that excludes no DynamoDB action) on `Resource: "*"` or
#   on every table of the account (`arn:aws:dynamodb:*:*:table/*`,
#   `arn:aws:dynamodb:*:ACCOUNT:*`, or every table of one region),
#   without any `Condition`. Such a grant includes DeleteTable,
#   PutResourcePolicy, ExportTableToPointInTime, Scan and every item write on
#   every table, present and future. A statement is not counted when an
#   unconditional Deny of all DynamoDB actions on the same resources is in
#   the policy set of every principal the policy applies to. One outcome per
#   managed policy (resource: the policy ARN) and per principal with inline
#   policies (resource: the principal ARN); policies that grant no DynamoDB
#   action get no outcome. A policy whose document was not collected, or
#   breaks the IAM policy grammar (a statement whose Effect, Action or
#   Resource is null or of the wrong type, a Principal in an identity-based
#   policy, ...), is unknown, and the finding quotes the first problem. A
#   grant that would fail is unknown, not fail, when every principal it
#   applies to that has no such Deny has such an unreadable policy in its
#   policy set: the Deny may be there. Permission boundaries and SCPs are
#   not collected, so a grant they cut back is still reported.
#
#   PCI DSS v4.0 7.2.1 (an access control model grants access according to
#   need) and 7.2.2 (access is assigned based on job classification and
#   least privilege): an unconditioned wildcard on every table is the
#   opposite of least privilege, and gives whoever holds the policy access
#   to any cardholder data stored in DynamoDB. SOC 2 CC6.3 (access is
#   authorised and modified according to roles, least privilege and
#   segregation of duties): administrative rights over all tables in one
#   grant defeat role-based separation.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
#     description: IAM best practices - apply least-privilege permissions
#   - ref: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
#     description: Actions, resources, and condition keys for Amazon DynamoDB
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/using-identity-based-policies.html
#     description: Using identity-based policies with Amazon DynamoDB
# custom:
#   id: DYN301
#   name: iam-dynamodb-admin-wildcard
#   severity: high
#   frameworks:
#     pci-dss-4.0: ["7.2.1", "7.2.2"]
#     soc2: [CC6.3]
#   remediation:
#     summary: >-
#       Replace the wildcard with the DynamoDB actions the principal needs, on
#       the ARNs of the tables (and indexes) it needs, or add conditions that
#       restrict it; keep full DynamoDB administration for a break-glass role.
#       For an AWS managed policy such as AmazonDynamoDBFullAccess, detach it
#       and attach a customer managed policy scoped to the tables.
#     aws_cli: |-
#       # Publish a scoped default version of a customer managed policy:
#       aws iam create-policy-version --policy-arn POLICY_ARN --set-as-default \
#         --policy-document file://scoped-dynamodb-policy.json
#       # Or detach an AWS managed full-access policy from a role:
#       aws iam detach-role-policy --role-name ROLE \
#         --policy-arn arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess
#     terraform: |-
#       data "aws_iam_policy_document" "orders_rw" {
#         statement {
#           actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"]
#           resources = [aws_dynamodb_table.orders.arn, "${aws_dynamodb_table.orders.arn}/index/*"]
#         }
#       }
package dynaudit.rules.dyn301

import data.dynaudit.lib.iam

outcomes contains iam.not_collected_outcome("IAM policies for DynamoDB admin wildcards") if not iam.collected

# "Every table of the account" in `region`, as a literal pattern.
every_table(region) := sprintf("arn:%s:dynamodb:%s:%s:table/*", [input.partition, region, input.account_id])

# The statement's resources include every table, of every region or of the
# region the pattern names (`arn:aws:dynamodb:us-east-1:ACCOUNT:table/*`).
broad(s) if {
	s.resources != null
	some p in s.resources
	broad_pattern(p)
}

broad_pattern(p) if iam.subsumes(p, every_table("*"))

broad_pattern(p) if {
	parts := split(p, ":")
	count(parts) > 5
	iam.subsumes(p, every_table(parts[3]))
}

broad(s) if {
	s.resources == null
	s.not_resources != null
	not excludes_dynamodb(s.not_resources)
}

excludes_dynamodb(ps) if {
	some p in ps
	iam.resource_touches_service(p, "dynamodb")
}

admin(s) if {
	iam.is_allow(s)
	iam.unconditional(s)
	iam.covers_dynamodb(s)
	broad(s)
}

# Every principal the policy applies to has an unconditional Deny of all
# DynamoDB actions on the statement's resources (`maybe_neutralised`: or
# an unreadable policy, which may hold one).
neutralised(pol, s) if {
	count(pol.principals) > 0
	every arn in pol.principals {
		void_for(arn, s)
	}
}

maybe_neutralised(pol, s) if {
	count(pol.principals) > 0
	every arn in pol.principals {
		maybe_void_for(arn, s)
	}
}

void_for(arn, s) if {
	some d in iam.denies_of(arn)
	iam.covers_dynamodb(d)
	iam.deny_covers_resources(d, s)
}

maybe_void_for(arn, s) if void_for(arn, s)

maybe_void_for(arn, _) if iam.unsure[arn]

findings[key] := fs if {
	some key, pol in iam.policies
	pol.statements != null
	fs := [iam.statement_evidence(pol, s) | some s in pol.statements; admin(s); not maybe_neutralised(pol, s)]
	count(fs) > 0
}

# Grants that would fail but may be void by a Deny in an unreadable policy.
unsure_findings[key] := fs if {
	some key, pol in iam.policies
	pol.statements != null
	fs := [iam.statement_evidence(pol, s) | some s in pol.statements; admin(s); maybe_neutralised(pol, s); not neutralised(pol, s)]
	count(fs) > 0
}

neutralised_findings[key] := fs if {
	some key, pol in iam.policies
	pol.statements != null
	fs := [iam.statement_evidence(pol, s) | some s in pol.statements; admin(s); neutralised(pol, s)]
	count(fs) > 0
}

# The policy grants at least one DynamoDB action.
relevant[key] if {
	some key, pol in iam.policies
	pol.statements != null
	some s in pol.statements
	iam.is_allow(s)
	iam.grants_dynamodb(s)
}

status(res) := "fail" if {
	some key in iam.resource_keys[res]
	findings[key]
} else := "unknown" if {
	count(iam.unreadable(res)) > 0
} else := "unsure" if {
	some key in iam.resource_keys[res]
	unsure_findings[key]
} else := "pass" if {
	some key in iam.resource_keys[res]
	relevant[key]
}

outcomes contains o if {
	some res, _ in iam.resource_keys
	st := status(res)
	o := outcome(res, st)
}

all_findings(res) := [f | some key in iam.resource_keys[res]; some f in findings[key]]

all_neutralised(res) := [f | some key in iam.resource_keys[res]; some f in neutralised_findings[key]]

outcome(res, "fail") := {
	"status": "fail",
	"resource": res,
	"region": "global",
	"message": sprintf(
		"%s allows every DynamoDB action (dynamodb:* or *) on every table with no condition (%s); it applies to %d principal(s)",
		[iam.resource_title(res), iam.locations(fs), ev.principal_count],
	),
	"evidence": object.union(ev, {
		"statements": iam.bounded(fs),
		"statement_count": count(fs),
	}),
} if {
	fs := all_findings(res)
	ev := iam.resource_evidence(res)
}

outcome(res, "unknown") := iam.unreadable_outcome(res, "its DynamoDB grants")

outcome(res, "unsure") := iam.unsure_outcome(
	res,
	[f | some key in iam.resource_keys[res]; some f in unsure_findings[key]],
	"would allow every DynamoDB action (dynamodb:* or *) on every table with no condition",
)

outcome(res, "pass") := {
	"status": "pass",
	"resource": res,
	"region": "global",
	"message": sprintf("%s grants DynamoDB actions, but not every DynamoDB action on every table without a condition%s", [iam.resource_title(res), neutralised_note(res)]),
	"evidence": object.union(iam.resource_evidence(res), {"neutralised_by_deny": iam.bounded(all_neutralised(res))}),
}

neutralised_note(res) := sprintf(
	" that takes effect: %s would grant it, but an unconditional Deny of all DynamoDB actions applies to every principal the policy is attached to",
	[iam.locations(ns)],
) if {
	ns := all_neutralised(res)
	count(ns) > 0
} else := ""
