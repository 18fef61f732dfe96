# METADATA
# title: A table's resource-based policy allows everyone or an untrusted account
# description: |-
#   Checks the resource-based policy of every table (GetResourcePolicy).
#   Fails when an Allow statement names every principal (`"Principal": "*"`,
#   `{"AWS": "*"}`, or an Allow with `NotPrincipal`) without a condition
#   that restricts callers to trusted accounts or networks, or names an AWS
#   principal (account id, account root, IAM or STS ARN) of an account that
#   is neither the scanned account nor in `trusted_account_ids`, where the
#   word `organization` stands for every ACTIVE account of the AWS
#   Organization the inventory lists (`organization.account_ids`, collected
#   with `--organization` or `--ou`). A restricting condition uses a positive operator (`StringEquals`,
#   `StringLike`, `ArnEquals`, `ArnLike`, not `...IfExists`, negated or
#   `ForAllValues` forms, which are true when the key is absent) on
#   `aws:PrincipalAccount` or `aws:SourceAccount` with trusted account ids,
#   on `aws:PrincipalArn` or `aws:SourceArn` with ARNs of trusted accounts,
#   or on `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:SourceOrgID`,
#   `aws:SourceVpce` or `aws:SourceVpc` with values that are not wildcards.
#   An Allow void under an unconditional Deny for every principal in the same
#   policy is not counted. Service and federated principals are not judged
#   here. Passes when the table has no resource-based policy, or when every
#   Allow is confined to trusted accounts. Unknown when the policy was not
#   collected, or is not a valid IAM policy (not JSON, or breaking the
#   policy grammar, such as a statement whose Effect, Principal or Action
#   is null or of the wrong type): the finding quotes the first problem.
#   Unknown too when `trusted_account_ids` names `organization`, the
#   inventory does not list the organization's accounts, and the policy
#   grants an account that only the organization could trust.
#
#   PCI DSS v4.0 7.2.1 (an access control model grants access only as
#   needed): a table readable by anyone, or by an account outside the
#   organisation's control, is access granted without need. SOC 2 CC6.1
#   (logical access security restricts access to protected information
#   assets) and CC6.6 (logical access security measures protect against
#   threats from sources outside the system boundaries): a public or
#   foreign-account grant opens the table to callers outside the boundary.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html
#     description: Using resource-based policies for DynamoDB
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-bpa-rbp.html
#     description: Blocking public access with resource-based policies in DynamoDB
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
#     description: AWS global condition context keys
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html
#     description: Security Hub controls for DynamoDB
# custom:
#   id: DYN305
#   name: table-policy-public-or-cross-account
#   severity: critical
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["7.2.1"]
#     soc2: [CC6.1, CC6.6]
#   remediation:
#     summary: >-
#       Name the principals that need access (roles of this account or of
#       trusted accounts) instead of `*`, or add a condition such as
#       `aws:PrincipalAccount` / `aws:PrincipalOrgID` that confines callers;
#       remove statements for accounts that are not trusted, or add them to
#       `trusted_account_ids` if they are. Delete the policy if no
#       cross-account access is needed.
#     aws_cli: |-
#       aws dynamodb put-resource-policy --region REGION --resource-arn TABLE_ARN \
#         --policy file://table-policy.json
#       # or remove it:
#       aws dynamodb delete-resource-policy --region REGION --resource-arn TABLE_ARN
#     terraform: |-
#       resource "aws_dynamodb_resource_policy" "orders" {
#         resource_arn = aws_dynamodb_table.orders.arn
#         policy       = data.aws_iam_policy_document.orders_cross_account.json
#       }
#       data "aws_iam_policy_document" "orders_cross_account" {
#         statement {
#           principals {
#             type        = "AWS"
#             identifiers = ["arn:aws:iam::TRUSTED_ACCOUNT:role/reporting"]
#           }
#           actions   = ["dynamodb:Query"]
#           resources = [aws_dynamodb_table.orders.arn]
#         }
#       }
package dynaudit.rules.dyn305

import data.dynaudit.lib.common
import data.dynaudit.lib.iam

# Trust is judged twice when the organization is trusted but its accounts are
# not in the inventory (`common.organization_unresolved`): strictly (an
# account only the organization could trust is not trusted) and leniently
# (it is). What fails leniently fails; what fails only strictly is unknown.
# Otherwise both judgements agree.
trusted_in(acct, false) if common.trusted_account(acct)

trusted_in(acct, true) if common.possibly_trusted_account(acct)

# ---------------------------------------------------------------------------
# Restricting conditions

positive_operators := {
	"stringequals",
	"stringlike",
	"stringequalsignorecase",
	"arnequals",
	"arnlike",
	"foranyvalue:stringequals",
	"foranyvalue:stringlike",
}

account_keys := {"aws:principalaccount", "aws:sourceaccount"}

arn_keys := {"aws:principalarn", "aws:sourcearn"}

scope_keys := {"aws:principalorgid", "aws:principalorgpaths", "aws:sourceorgid", "aws:sourcevpce", "aws:sourcevpc"}

wildcard(v) if contains(v, "*")

wildcard(v) if contains(v, "?")

wildcard(v) if contains(v, "${")

trusted_value(k, v, lenient) if {
	k in account_keys
	trusted_in(v, lenient)
}

trusted_value(k, v, lenient) if {
	k in arn_keys
	parts := split(v, ":")
	count(parts) > 5
	trusted_in(parts[4], lenient)
}

trusted_value(k, v, _) if {
	k in scope_keys
	v != ""
}

restricting(c, lenient) if {
	c.op in positive_operators
	count(c.values) > 0
	every v in c.values {
		is_string(v)
		not wildcard_account(c.key, v)
		trusted_value(c.key, v, lenient)
	}
}

# For an ARN key only the account must be concrete, for an organization
# path only the organization id; for the others, the whole value.
wildcard_account(k, v) if {
	k in arn_keys
	wildcard(split(v, ":")[4])
}

wildcard_account("aws:principalorgpaths", v) if wildcard(split(v, "/")[0])

wildcard_account(k, v) if {
	not k in arn_keys
	k != "aws:principalorgpaths"
	wildcard(v)
}

restricted(s, lenient) if {
	some c in s.condition
	restricting(c, lenient)
}

# ---------------------------------------------------------------------------
# Statements

public(s) if iam.public_principal(s)

public(s) if s.not_principal != null

untrusted_accounts(s, lenient) := sort({acct |
	s.principal != null
	some v in object.get(s.principal, "AWS", [])
	acct := iam.principal_account(v)
	acct != null
	acct != "*"
	not trusted_in(acct, lenient)
})

# An unconditional Deny for everyone covering the Allow.
void(sts, s) if {
	some d in sts
	iam.is_deny(d)
	iam.unconditional(d)
	iam.public_principal(d)
	iam.deny_covers_actions(d, s)
	iam.deny_covers_resources(d, s)
}

problems(s, lenient) := array.concat(
	["every principal is allowed without a condition confining callers to trusted accounts or networks" |
		public(s)
		not restricted(s, lenient)
	],
	[sprintf("principals of accounts outside the trusted accounts: %s", [concat(", ", untrusted_accounts(s, lenient))]) |
		count(untrusted_accounts(s, lenient)) > 0
	],
)

# The statements that give access beyond the trusted accounts (`lenient`:
# counting an account only the organization could trust as trusted).
findings(sts, lenient) := [object.union(evidence(s), {"problems": problems(s, lenient)}) |
	some s in sts
	iam.is_allow(s)
	count(problems(s, lenient)) > 0
	not void(sts, s)
]

# The accounts that only the unresolved organization could trust, named by
# an Allow of `sts` that grants too much unless they are trusted: in an AWS
# principal, or in a value of an account or ARN condition key.
undetermined_accounts(sts) := sort({acct |
	some s in sts
	iam.is_allow(s)
	count(problems(s, false)) > 0
	not void(sts, s)
	some acct in statement_accounts(s)
	common.trust_undeterminable(acct)
})

statement_accounts(s) := {acct |
	s.principal != null
	some v in object.get(s.principal, "AWS", [])
	acct := iam.principal_account(v)
} | {v |
	some c in s.condition
	c.key in account_keys
	some v in c.values
} | {acct |
	some c in s.condition
	c.key in arn_keys
	some v in c.values
	is_string(v)
	parts := split(v, ":")
	count(parts) > 5
	acct := parts[4]
}

# The findings that only an account of the unresolved organization could
# clear (none when the organization is resolved or not trusted).
undetermined_findings(_) := [] if not common.organization_unresolved

undetermined_findings(sts) := findings(sts, false) if common.organization_unresolved

evidence(s) := {
	"label": iam.label(s),
	"statement": s.index,
	"sid": s.sid,
	"principal": object.get(s.raw, "Principal", null),
	"not_principal": object.get(s.raw, "NotPrincipal", null),
	"action": object.get(s.raw, "Action", null),
	"not_action": object.get(s.raw, "NotAction", null),
	"resource": object.get(s.raw, "Resource", null),
	"condition": object.get(s.raw, "Condition", null),
}

# ---------------------------------------------------------------------------
# Outcomes

outcomes contains common.unlisted_tables_outcome(region, "table resource-based policies") if {
	some region in common.unlisted_table_regions
}

resource_policy(x) := object.get(x.table, "resource_policy", null)

# One pass over the tables per case, each body a few lookups (this runs for
# every table).
outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("The resource-based policy of table %s in %s was not collected", [t.name, region]),
	"evidence": {"resource_policy": null},
	"needs": ["GetResourcePolicy"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	object.get(t, "resource_policy", null) == null
}

outcomes contains {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s has no resource-based policy: only IAM principals of its own account can be granted access", [t.name, region]),
	"evidence": {"resource_policy": {"document": null}},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.resource_policy.document == null
}

outcomes contains o if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	doc := t.resource_policy.document
	doc != null
	o := policy_outcome({"region": region, "arn": arn, "table": t}, iam.read_document(doc, "resource"))
}

# `read`: the document read against the policy grammar.
policy_outcome(x, read) := {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("The resource-based policy of table %s in %s is not a valid IAM policy: %s", [x.table.name, x.region, read.problem]),
	"evidence": {"resource_policy": resource_policy(x), "problem": read.problem},
	"needs": [],
} if {
	read.problem != null
}

policy_outcome(x, read) := {
	"status": "fail",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf(
		"The resource-based policy of table %s in %s allows access to everyone or to untrusted accounts (%s)",
		[x.table.name, x.region, concat("; ", [sprintf("%s: %s", [f.label, concat(", ", f.problems)]) | some f in iam.bounded(fs)])],
	),
	"evidence": object.union(common.trust_evidence, {
		"statements": iam.bounded(fs),
		"statement_count": count(fs),
	}),
} if {
	sts := read.statements
	sts != null
	fs := findings(sts, true)
	count(fs) > 0
}

policy_outcome(x, read) := {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf(
		"Cannot tell whether the resource-based policy of table %s in %s allows only trusted accounts: it grants account(s) %s, which only \"organization\" in trusted_account_ids could trust, and %s",
		[x.table.name, x.region, concat(", ", accounts), common.organization_unresolved_reason],
	),
	"evidence": object.union(common.trust_evidence, {
		"statements": iam.bounded(us),
		"statement_count": count(us),
		"undetermined_accounts": accounts,
	}),
	"needs": [],
} if {
	sts := read.statements
	sts != null
	count(findings(sts, true)) == 0
	us := undetermined_findings(sts)
	count(us) > 0
	accounts := undetermined_accounts(sts)
}

policy_outcome(x, read) := {
	"status": "pass",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf(
		"The resource-based policy of table %s in %s allows only principals of trusted accounts",
		[x.table.name, x.region],
	),
	"evidence": object.union(common.trust_evidence, {
		"statements": [],
		"allow_statements": count([s | some s in sts; iam.is_allow(s)]),
	}),
} if {
	sts := read.statements
	sts != null
	count(findings(sts, true)) == 0
	count(undetermined_findings(sts)) == 0
}
