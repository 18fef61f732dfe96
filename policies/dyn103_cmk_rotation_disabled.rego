# METADATA
# title: Customer managed key encrypting a table has automatic rotation off
# description: |-
#   Checks, once per customer managed KMS key that encrypts at least one
#   table in the inventory (tables in scanned regions, and replicas in
#   regions that were not scanned when their key is reported), that
#   automatic key rotation is enabled. The outcome's resource is the key
#   ARN and its region the key's region; the evidence counts the tables the
#   key encrypts and names the first ten. AWS managed keys
#   (`alias/aws/dynamodb`) are out of scope: AWS rotates them every year and
#   the account cannot change that. A table whose key cannot be determined
#   gets an unknown outcome of its own.
#
#   PCI DSS v4.0 3.7.4 requires key-management procedures for changing keys
#   at the end of their defined cryptoperiod; KMS automatic rotation
#   generates new key material on a fixed period (one year by default),
#   which is the usual way to meet it for keys protecting stored account
#   data. With rotation off, the entity needs a documented, evidenced manual
#   key change instead; this finding is where an assessor starts that
#   conversation. SOC 2 CC6.1 (logical access security) lists the
#   protection of encryption keys, including their lifecycle, among its
#   points of focus.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
#     description: Rotating AWS KMS keys
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4
#     description: Security Hub control KMS.4 (key rotation)
# custom:
#   id: DYN103
#   name: cmk-rotation-disabled
#   severity: medium
#   frameworks:
#     pci-dss-4.0: ["3.7.4"]
#     soc2: [CC6.1]
#   remediation:
#     summary: >-
#       Enable automatic rotation on the customer managed key (the period is
#       365 days unless set between 90 and 2560). Rotation keeps old key
#       material for decryption, so tables need no change. Keys with imported
#       key material or in a custom key store cannot rotate automatically:
#       rotate them on demand or move the table to a new key on a schedule,
#       and keep the evidence.
#     aws_cli: |-
#       aws kms enable-key-rotation --region REGION --key-id KEY_ARN \
#         --rotation-period-in-days 365
#       aws kms get-key-rotation-status --region REGION --key-id KEY_ARN
#     terraform: |-
#       resource "aws_kms_key" "table" {
#         description             = "DynamoDB table key"
#         enable_key_rotation     = true
#         rotation_period_in_days = 365
#       }
package dynaudit.rules.dyn103

# Individual imports keep regorus from evaluating whole library packages
# (see policies/lib/kms.rego on performance).
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome
import data.dynaudit.lib.kms.arn_region
import data.dynaudit.lib.kms.info
import data.dynaudit.lib.kms.replica_key
import data.dynaudit.lib.kms.unlisted_replicas

# Tables (ARNs) each KMS key encrypts, keyed by key ARN: table records on a
# KMS key (SSE status DISABLED means the AWS owned key), and replicas in
# unlisted regions whose peers agree on one key.
tables_by_key[key] contains arn if {
	some r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	key := t.encryption.kms_key_arn
	key != null
	t.encryption.sse_type == "KMS"
	t.encryption.status != "DISABLED"
}

tables_by_key[key] contains arn if {
	some arn, rep in unlisted_replicas
	key := replica_key(rep)
}

outcomes contains unlisted_tables_outcome(region, "which customer managed keys encrypt the tables and whether they rotate") if {
	some region in unlisted_table_regions
}

outcomes contains object.union(
	{
		"resource": key,
		"region": key_region(key, tables),
		"evidence": evidence(i, tables),
	},
	verdict(key, i, tables),
) if {
	some key, tables in tables_by_key
	i := info(key)
	i.key_type != "AWS_MANAGED"
}

# A table whose key ARN is unknown: its key may be a customer managed key
# with rotation off.
outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf(
		"Which KMS key encrypts table %s in %s was not collected, so whether that key rotates is unknown",
		[t.name, region],
	),
	"evidence": {"encryption": null},
	"needs": ["DescribeTable"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption == null
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf(
		"Table %s in %s uses a KMS key whose ARN was not reported by DescribeTable, so whether that key rotates is unknown",
		[t.name, region],
	),
	"evidence": {"encryption": t.encryption},
	"needs": ["DescribeTable"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption.kms_key_arn == null
	t.encryption.sse_type == "KMS"
	t.encryption.status != "DISABLED"
}

verdict(key, i, tables) := {
	"status": "pass",
	"message": sprintf("Customer managed key %s encrypts %s and has automatic rotation enabled", [key, describe(tables)]),
} if {
	i.key_type == "CUSTOMER_MANAGED"
	i.rotation_enabled == true
} else := {
	"status": "fail",
	"message": sprintf(
		"Customer managed key %s encrypts %s but has automatic rotation disabled: enable key rotation",
		[key, describe(tables)],
	),
} if {
	i.key_type == "CUSTOMER_MANAGED"
	i.rotation_enabled == false
} else := {
	"status": "unknown",
	"message": sprintf(
		"Whether customer managed key %s, which encrypts %s, rotates automatically was not collected",
		[key, describe(tables)],
	),
	"needs": ["GetKeyRotationStatus"],
} if {
	i.key_type == "CUSTOMER_MANAGED"
} else := {
	"status": "pass",
	"message": sprintf(
		"KMS key %s, which encrypts %s, has automatic rotation enabled (whether it is customer or AWS managed was not collected; either way it rotates)",
		[key, describe(tables)],
	),
} if {
	i.rotation_enabled == true
} else := {
	"status": "unknown",
	"message": sprintf(
		"Whether KMS key %s, which encrypts %s, is a customer managed key with automatic rotation was not collected",
		[key, describe(tables)],
	),
	"needs": ["DescribeKey", "ListAliases", "GetKeyRotationStatus"],
} if {
	i.rotation_enabled == null
} else := {
	"status": "unknown",
	"message": sprintf(
		"Whether KMS key %s, which encrypts %s and has automatic rotation disabled, is a customer managed key was not collected",
		[key, describe(tables)],
	),
	"needs": ["DescribeKey", "ListAliases"],
}

# The key's region, from its ARN (else the region of its first table).
key_region(key, tables) := region if {
	region := arn_region(key)
} else := arn_region(sort(tables)[0])

# The first ten tables' names, sorted. A key only encrypts tables in its own
# region, whose ARNs differ only by name, so sorting ARNs sorts names.
first_names(tables) := [name_of(arn) | some arn in array.slice(sort(tables), 0, 10)]

# Table names cannot contain `/`.
name_of(table_arn) := parts[count(parts) - 1] if {
	parts := split(table_arn, "/")
}

describe(tables) := sprintf("%d table(s): %s%s", [count(tables), concat(", ", first_names(tables)), more(tables)])

more(tables) := ", ..." if {
	count(tables) > 10
} else := ""

evidence(i, tables) := {
	"key_type": i.key_type,
	"key_manager": i.key_manager,
	"aliases": i.aliases,
	"key_state": i.key_state,
	"rotation_enabled": i.rotation_enabled,
	"table_count": count(tables),
	"tables": first_names(tables),
}
