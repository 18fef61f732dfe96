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
#   policy is not counted. Nor is an Allow that a Deny for every principal
#   confines to trusted callers: one negated condition (`StringNotEquals`,
#   `StringNotEqualsIfExists`, `ArnNotLike`, ...) on one of the keys above
#   whose values are all trusted, the data-perimeter pattern.
#   Service and federated principals are not judged
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

# Individual imports keep regorus from evaluating whole library packages
# (see policies/lib/kms.rego on performance). The trust analysis is shared
# with DYN306 and DYN404 (policies/lib/resource_policy.rego).
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome
import data.dynaudit.lib.iam.read_document
import data.dynaudit.lib.resource_policy.outcome
import data.dynaudit.lib.resource_policy.table_keys

outcomes contains unlisted_tables_outcome(region, "table resource-based policies") if {
	some region in unlisted_table_regions
}

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
	o := outcome(read_document(doc, "resource"), table_keys, {
		"resource": arn,
		"region": region,
		"subject": sprintf("resource-based policy of table %s in %s", [t.name, region]),
		"evidence": {},
		"document_evidence": {"resource_policy": t.resource_policy},
	})
}
