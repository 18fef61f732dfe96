# METADATA
# title: A table stream's resource-based policy allows everyone or an untrusted account
# description: |-
#   Checks the resource-based policy of the stream of every table whose
#   DynamoDB stream is enabled (GetResourcePolicy on the stream ARN; streams
#   have their own policy since 2024, separate from the table's). The
#   stream is judged exactly as DYN305 judges a table's policy: it fails
#   when an Allow statement names every principal (`"Principal": "*"`,
#   `{"AWS": "*"}`, or an Allow with `NotPrincipal`) without a condition
#   that restricts callers to trusted accounts or networks, or names an AWS
#   principal (account id, account root, IAM or STS ARN) of an account that
#   is neither the scanned account nor in `trusted_account_ids`, where the
#   word `organization` stands for every ACTIVE account of the AWS
#   Organization the inventory lists (`organization.account_ids`, collected
#   with `--organization` or `--ou`). A restricting condition uses a
#   positive operator (`StringEquals`, `StringLike`, `ArnEquals`,
#   `ArnLike`, not `...IfExists`, negated or `ForAllValues` forms, which
#   are true when the key is absent) on `aws:PrincipalAccount` or
#   `aws:SourceAccount` with trusted account ids, on `aws:PrincipalArn` or
#   `aws:SourceArn` with ARNs of trusted accounts, or on
#   `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:SourceOrgID`,
#   `aws:SourceVpce` or `aws:SourceVpc` with values that are not
#   wildcards. An Allow void under an unconditional Deny for every principal
#   in the same policy is not counted. Nor is an Allow that a Deny for every principal
#   confines to trusted callers: one negated condition (`StringNotEquals`,
#   `StringNotEqualsIfExists`, `ArnNotLike`, ...) on one of the keys above
#   whose values are all trusted, the data-perimeter pattern.
#   Service and federated principals are
#   not judged. Passes when the stream has no resource-based policy (only
#   IAM principals of the table's own account can then be granted access)
#   or when every Allow is confined to trusted accounts. The finding is
#   about the table (its ARN); the evidence names the stream ARN. Tables
#   without an enabled stream have no outcome.
#
#   Unknown when the table's stream was not described (DescribeTable), when
#   the stream's policy was not collected (GetResourcePolicy), when the
#   inventory predates the stream's ARN and policy (schema 1.3), or when
#   the policy is not a valid IAM policy (not JSON, or breaking the policy
#   grammar): the finding quotes the first problem. Unknown too when
#   `trusted_account_ids` names `organization`, the inventory does not list
#   the organization's accounts, and the policy grants an account that only
#   the organization could trust.
#
#   Critical, as DYN305: a stream carries every change to the table's items
#   for 24 hours, with the new and old item images when its view type
#   includes them, so reading the stream is reading the table's data, and a
#   stream grant is easily overlooked beside a locked-down table policy.
#   PCI DSS v4.0 7.2.1 (an access control model grants access only as
#   needed): a stream readable by anyone, or by an account outside the
#   organisation's control, is access to the table's data granted without
#   need. SOC 2 CC6.1 (logical access security restricts access to
#   protected information assets) and CC6.6 (logical access security
#   measures protect against threats from sources outside the system
#   boundaries): a public or foreign-account grant opens the table's
#   changes to callers outside the boundary.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-attach-resource-policy-streams.html
#     description: Attach a resource-based policy to a DynamoDB stream
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-examples.html
#     description: DynamoDB resource-based policy examples (tables and streams)
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-bpa-rbp.html
#     description: Blocking public access with resource-based policies in DynamoDB
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
#     description: AWS global condition context keys
# custom:
#   id: DYN306
#   name: stream-policy-public-or-cross-account
#   severity: critical
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["7.2.1"]
#     soc2: [CC6.1, CC6.6]
#   remediation:
#     summary: >-
#       Name the principals that need the stream (roles of this account or
#       of trusted accounts, e.g. a consumer's Lambda execution role)
#       instead of `*`, or add a condition such as `aws:PrincipalAccount` /
#       `aws:PrincipalOrgID` that confines callers; remove statements for
#       accounts that are not trusted, or add them to `trusted_account_ids`
#       if they are. Delete the stream's policy if no cross-account consumer
#       needs it.
#     aws_cli: |-
#       STREAM_ARN=$(aws dynamodb describe-table --region REGION --table-name TABLE \
#         --query Table.LatestStreamArn --output text)
#       aws dynamodb put-resource-policy --region REGION --resource-arn "$STREAM_ARN" \
#         --policy file://stream-policy.json
#       # or remove it:
#       aws dynamodb delete-resource-policy --region REGION --resource-arn "$STREAM_ARN"
#     terraform: |-
#       resource "aws_dynamodb_resource_policy" "orders_stream" {
#         resource_arn = aws_dynamodb_table.orders.stream_arn
#         policy       = data.aws_iam_policy_document.orders_stream.json
#       }
#       data "aws_iam_policy_document" "orders_stream" {
#         statement {
#           principals {
#             type        = "AWS"
#             identifiers = ["arn:aws:iam::TRUSTED_ACCOUNT:role/stream-consumer"]
#           }
#           actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
#           resources = [aws_dynamodb_table.orders.stream_arn]
#         }
#       }
package dynaudit.rules.dyn306

# Individual imports keep regorus from evaluating whole library packages
# (see policies/lib/kms.rego on performance). The trust analysis is DYN305's
# (policies/lib/resource_policy.rego).
import data.dynaudit.lib.common.not_in_version
import data.dynaudit.lib.common.not_in_version_reason
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome
import data.dynaudit.lib.iam.read_document
import data.dynaudit.lib.resource_policy.outcome
import data.dynaudit.lib.resource_policy.table_keys

outcomes contains unlisted_tables_outcome(region, "stream resource-based policies") if {
	some region in unlisted_table_regions
}

# One pass over the tables per case, each body a few lookups (this runs for
# every table); the rest only for tables with an enabled stream.

# Whether the table has a stream is not known.
outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot check the resource-based policy of the stream of table %s in %s: whether the table has a stream was not collected", [t.name, region]),
	"evidence": {"stream": null},
	"needs": ["DescribeTable"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	object.get(t, "stream", null) == null
}

# The tables with an enabled stream.
streams contains [region, arn, t] if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.stream.enabled == true
}

# The inventory predates the stream's ARN and policy (schema 1.3).
predates(s) if not_in_version(s, "resource_policy")

predates(s) if not_in_version(s, "arn")

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot check the resource-based policy of the stream of table %s in %s: the stream's ARN and policy are %s", [t.name, region, not_in_version_reason]),
	"evidence": {"stream_enabled": true, "missing_fields": [f | some f in ["arn", "resource_policy"]; not_in_version(t.stream, f)]},
	"needs": [],
} if {
	some [region, arn, t] in streams
	predates(t.stream)
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("The resource-based policy of the stream of table %s in %s was not collected", [t.name, region]),
	"evidence": {"stream_arn": t.stream.arn, "resource_policy": null},
	"needs": ["GetResourcePolicy"],
} if {
	some [region, arn, t] in streams
	not predates(t.stream)
	t.stream.resource_policy == null
}

outcomes contains {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("The stream of table %s in %s has no resource-based policy: only IAM principals of the table's own account can be granted access to it", [t.name, region]),
	"evidence": {"stream_arn": t.stream.arn, "resource_policy": {"document": null}},
} if {
	some [region, arn, t] in streams
	not predates(t.stream)
	t.stream.resource_policy.document == null
}

outcomes contains o if {
	some [region, arn, t] in streams
	not predates(t.stream)
	doc := t.stream.resource_policy.document
	doc != null
	o := outcome(read_document(doc, "resource"), table_keys, {
		"resource": arn,
		"region": region,
		"subject": sprintf("resource-based policy of the stream of table %s in %s", [t.name, region]),
		"evidence": {"stream_arn": t.stream.arn},
		"document_evidence": {"resource_policy": t.stream.resource_policy},
	})
}
