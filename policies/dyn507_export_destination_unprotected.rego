# METADATA
# title: A table export went to an S3 bucket of an untrusted account, or without the required encryption
# description: |-
#   Checks every export of a table to Amazon S3 the region lists
#   (`ListExports`, then `DescribeExport`), whatever its status: an export
#   in progress or one that failed part way has written data too. The
#   bucket's owner is `S3BucketOwner`, or the scanned account when the
#   export named none (AWS requires the owner only for a bucket of another
#   account). Fails when that owner is neither the scanned account nor in
#   `trusted_account_ids` (the word `organization` standing for every ACTIVE
#   account of the AWS Organization the inventory lists): the export is a
#   full copy of the table, readable by whoever controls the bucket. When
#   `require_export_kms` is true, also fails unless the export asked for
#   SSE-KMS (`S3SseAlgorithm` `KMS`): `AES256` (SSE-S3) fails, and so does an
#   export that named no algorithm, whose objects get the bucket's default
#   encryption, which dynaudit does not read and which is SSE-S3 unless the
#   bucket owner set otherwise. Unknown when a needed field was not
#   collected (DescribeExport failed), when the region's exports were not
#   listed or are not in the inventory's schema version (one outcome for
#   the region), or when the owner is an account that only `organization`
#   could trust and the inventory does not list the organization's
#   accounts. A region without exports has no outcome.
#
#   PCI DSS v4.0 7.2.1: access is granted only as needed through a defined
#   access control model; an export into another organisation's bucket
#   hands that account's principals a copy of the data outside the model.
#   PCI DSS v4.0 3.5.1: stored account data is rendered unreadable; an
#   export is stored data, and its protection is decided by the bucket
#   owner's encryption unless the export itself requests a KMS key the
#   table's owner controls (`require_export_kms`). SOC 2 CC6.1 (logical
#   access to protected information assets is restricted) and CC6.7 (the
#   movement of information is restricted to authorised parties): an
#   export moves the whole table out of DynamoDB's access controls.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.HowItWorks.html
#     description: DynamoDB data export to Amazon S3, how it works
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExportDescription.html
#     description: ExportDescription (S3BucketOwner, S3SseAlgorithm, S3SseKmsKeyId)
#   - ref: https://cloudcustodian.io/docs/aws/resources/dynamodb.html
#     description: Cloud Custodian DynamoDB resources (export descriptions)
# custom:
#   id: DYN507
#   name: export-destination-unprotected
#   severity: high
#   frameworks:
#     pci-dss-4.0: ["3.5.1", "7.2.1"]
#     soc2: [CC6.1, CC6.7]
#   remediation:
#     summary: >-
#       Delete the exported objects from buckets of untrusted accounts (ask
#       the bucket owner, who controls them) and export only to buckets of
#       the account or of accounts in `trusted_account_ids`; request SSE-KMS
#       with a customer managed key for every export. Restrict
#       `dynamodb:ExportTableToPointInTime` to the roles that need it.
#     aws_cli: |-
#       aws dynamodb export-table-to-point-in-time --region REGION \
#         --table-arn arn:aws:dynamodb:REGION:ACCOUNT_ID:table/TABLE \
#         --s3-bucket EXPORT_BUCKET --s3-bucket-owner ACCOUNT_ID \
#         --s3-sse-algorithm KMS --s3-sse-kms-key-id arn:aws:kms:REGION:ACCOUNT_ID:key/KEY_ID
#     terraform: |-
#       resource "aws_dynamodb_table_export" "orders" {
#         table_arn         = aws_dynamodb_table.orders.arn
#         s3_bucket         = aws_s3_bucket.exports.id
#         s3_bucket_owner   = data.aws_caller_identity.current.account_id
#         s3_sse_algorithm  = "KMS"
#         s3_sse_kms_key_id = aws_kms_key.exports.arn
#       }
package dynaudit.rules.dyn507

import data.dynaudit.lib.common

default require_export_kms := false

require_export_kms := data.dynaudit.params.require_export_kms

kms_required if require_export_kms == true

# ---------------------------------------------------------------------------
# Regions whose exports cannot be read

# A region that was not collected at all (`not_collected`) has no keys of
# the later versions: its exports were not collected, the version is not
# the reason.
region_not_collected(r) if object.get(r, "not_collected", null) != null

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Cannot check the exports of tables in %s to Amazon S3: they are %s", [region, common.not_in_version_reason]),
	"evidence": {"exports": "not in this inventory's schema version"},
	"needs": [],
} if {
	some region, r in input.regions
	common.not_in_version(r, "exports")
	not region_not_collected(r)
}

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Cannot check the exports of tables in %s to Amazon S3: they were not listed%s", [region, cause_text(r)]),
	"evidence": {"exports": null},
	"needs": ["ListExports"],
} if {
	some region, r in input.regions
	object.get(r, "exports", null) == null
	not_listed(r)
}

not_listed(r) if common.has_field(r, "exports")

not_listed(r) if region_not_collected(r)

cause_text(r) := sprintf(" (%s)", [r.not_collected]) if {
	region_not_collected(r)
} else := ""

outcomes contains export_outcome(region, arn, e) if {
	some region, r in input.regions
	is_object(object.get(r, "exports", null))
	some arn, e in r.exports
}

# ---------------------------------------------------------------------------
# One export

# `e[field]` is null because the export has no value for it (exports exist
# from schema 1.3 on, whose `absent` list tells it apart from "not
# collected").
absent(e, field) if {
	e[field] == null
	field in object.get(e, "absent", [])
}

uncollected(e, field) if {
	e[field] == null
	not absent(e, field)
}

# The account that owns the bucket, undefined when not collected.
owner(e) := e.s3_bucket_owner if {
	is_string(e.s3_bucket_owner)
} else := input.account_id if {
	absent(e, "s3_bucket_owner")
}

owner_problems(e) := [sprintf("the bucket's owner, account %s, is not a trusted account", [o]) |
	o := owner(e)
	not common.trusted_account(o)
	not common.trust_undeterminable(o)
]

kms_problems(e) := [] if {
	not kms_required
} else := [sprintf("it is encrypted with %s, not SSE-KMS", [algorithm_label(e.s3_sse_algorithm)])] if {
	is_string(e.s3_sse_algorithm)
	e.s3_sse_algorithm != "KMS"
} else := ["it requested no encryption, so its objects have the bucket's default encryption (SSE-S3 unless the bucket owner set SSE-KMS), not SSE-KMS requested by the export"] if {
	absent(e, "s3_sse_algorithm")
} else := []

algorithm_label("AES256") := "SSE-S3 (AES256)"

algorithm_label(a) := a if a != "AES256"

problems(e) := array.concat(owner_problems(e), kms_problems(e))

unknown_reasons(e) := array.concat(
	array.concat(
		["its bucket owner was not collected" | uncollected(e, "s3_bucket_owner")],
		["its encryption was not collected, and require_export_kms is on" | kms_required; uncollected(e, "s3_sse_algorithm")],
	),
	[sprintf("the bucket's owner, account %s, could only be trusted through \"organization\" in trusted_account_ids, and %s", [o, common.organization_unresolved_reason]) |
		o := owner(e)
		common.trust_undeterminable(o)
	],
)

unknown_needs(e) := ["DescribeExport"] if {
	describe_failed(e)
} else := []

# A field the outcome depends on was not collected: DescribeExport failed.
describe_failed(e) if uncollected(e, "s3_bucket_owner")

describe_failed(e) if {
	kms_required
	uncollected(e, "s3_sse_algorithm")
}

owner_or_null(e) := o if {
	o := owner(e)
} else := null

# What the message says of the export: table, bucket and owner, as far as
# they were collected.
subject(region, arn, e) := concat("", ["The export ", table_part(arn, e), " in ", region, bucket_part(e), owner_part(e)])

table_part(arn, e) := sprintf("of table %s", [e.table_arn]) if {
	is_string(e.table_arn)
} else := arn

bucket_part(e) := sprintf(" to S3 bucket %s", [e.s3_bucket]) if {
	is_string(e.s3_bucket)
} else := " to an S3 bucket"

owner_part(e) := sprintf(" of account %s", [e.s3_bucket_owner]) if {
	is_string(e.s3_bucket_owner)
} else := sprintf(" of this account (%s)", [input.account_id]) if {
	absent(e, "s3_bucket_owner")
} else := ""

evidence(e) := object.union(common.trust_evidence, {
	"table_arn": e.table_arn,
	"status": e.status,
	"s3_bucket": e.s3_bucket,
	"s3_bucket_owner": e.s3_bucket_owner,
	"bucket_owner": owner_or_null(e),
	"s3_sse_algorithm": e.s3_sse_algorithm,
	"s3_sse_kms_key_id": e.s3_sse_kms_key_id,
	"absent": object.get(e, "absent", []),
	"require_export_kms": kms_required_value,
})

kms_required_value := true if {
	kms_required
} else := false

export_outcome(region, arn, e) := {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("%s is not protected: %s", [subject(region, arn, e), concat("; ", ps)]),
	"evidence": object.union(evidence(e), {"problems": ps}),
} if {
	ps := problems(e)
	count(ps) > 0
} else := {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot tell whether %s is protected: %s", [lower_first(subject(region, arn, e)), concat("; ", reasons)]),
	"evidence": object.union(evidence(e), {"problems": []}),
	"needs": unknown_needs(e),
} if {
	reasons := unknown_reasons(e)
	count(reasons) > 0
} else := {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("%s went to a trusted account%s", [subject(region, arn, e), kms_text(e)]),
	"evidence": object.union(evidence(e), {"problems": []}),
}

kms_text(e) := sprintf(", encrypted with SSE-KMS (key %s)", [e.s3_sse_kms_key_id]) if {
	e.s3_sse_algorithm == "KMS"
	is_string(e.s3_sse_kms_key_id)
} else := ", encrypted with SSE-KMS" if {
	e.s3_sse_algorithm == "KMS"
} else := ""

lower_first(s) := concat("", [lower(substring(s, 0, 1)), substring(s, 1, -1)])
