# METADATA
# title: Table is not encrypted with a customer managed KMS key
# description: |-
#   Checks which key encrypts each DynamoDB table at rest, per region: every
#   table record in a scanned region (a global table's replica in a scanned
#   region is checked as a table there), and every replica in a region that
#   was not scanned, judged from what its scanned peers report. The check
#   fails when the key is the AWS owned key (no `SSEDescription`, or SSE
#   status `DISABLED`/`DISABLING`) or the AWS managed key
#   (`alias/aws/dynamodb`; recognised by `KeyManager = AWS` or by an
#   `alias/aws/` alias, since some emulators report AWS managed keys as
#   `CUSTOMER`), or, when `allowed_kms_key_arns` is configured, a key outside
#   that list. The key type (`AWS_OWNED`, `AWS_MANAGED`, `CUSTOMER_MANAGED`)
#   is reported in the evidence.
#
#   DynamoDB always encrypts at rest, but with the AWS owned or AWS managed
#   key anyone allowed to read the table reads plaintext: the entity
#   controls neither the key policy nor its lifecycle, cannot revoke access
#   to the data independently of table permissions, and (AWS owned key) gets
#   no CloudTrail record of key use. PCI DSS v4.0 3.5.1 requires PAN to be
#   rendered unreadable with strong cryptography and associated key
#   management; storage encryption whose key is not under the entity's key
#   management gives no protection beyond the table's own access control
#   (compare the limits 3.5.1.2 places on transparent disk-level encryption).
#   3.6.1 requires procedures that protect the keys protecting stored account
#   data against disclosure and misuse, including restricting access to the
#   fewest custodians: only a customer managed key has a key policy the
#   entity defines and audits. SOC 2 CC6.1 (logical access security over
#   protected information assets) names encryption and the protection of
#   encryption keys among its points of focus.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
#     description: DynamoDB encryption at rest
#   - ref: https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-mgmt
#     description: Customer keys and AWS keys
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/dynamodb-table-encrypted-kms.html
#     description: AWS Config rule dynamodb-table-encrypted-kms
# custom:
#   id: DYN101
#   name: table-not-encrypted-with-cmk
#   severity: high
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["3.5.1", "3.6.1"]
#     soc2: [CC6.1]
#   remediation:
#     summary: >-
#       Create a customer managed KMS key in the table's region (with
#       automatic rotation on and a key policy granting only the roles that
#       need the data), and switch the table, and each replica of a global
#       table, to it. Switching keys is online; the table stays available.
#       When allowed_kms_key_arns is configured, use a key from that list.
#     aws_cli: |-
#       KEY_ARN=$(aws kms create-key --region REGION \
#         --description "DynamoDB TABLE" --query KeyMetadata.Arn --output text)
#       aws kms enable-key-rotation --region REGION --key-id "$KEY_ARN"
#       aws dynamodb update-table --region REGION --table-name TABLE \
#         --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId="$KEY_ARN"
#       # each replica of a global table, with a key in the replica's region:
#       aws dynamodb update-table --region REGION --table-name TABLE \
#         --replica-updates 'Update={RegionName=REPLICA_REGION,KMSMasterKeyId=REPLICA_KEY_ARN}'
#     terraform: |-
#       resource "aws_kms_key" "table" {
#         description         = "DynamoDB table key"
#         enable_key_rotation = true
#       }
#
#       resource "aws_dynamodb_table" "this" {
#         # ...
#         server_side_encryption {
#           enabled     = true
#           kms_key_arn = aws_kms_key.table.arn # omit it and AWS uses the AWS managed key
#         }
#         replica {
#           region_name = "eu-west-1"
#           kms_key_arn = aws_kms_key.table_eu_west_1.arn
#         }
#       }
package dynaudit.rules.dyn101

# Individual imports keep regorus from evaluating whole library packages
# (see policies/lib/kms.rego on performance).
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome
import data.dynaudit.lib.kms.allow_list_configured
import data.dynaudit.lib.kms.allowed_key_set
import data.dynaudit.lib.kms.key_info
import data.dynaudit.lib.kms.missing_key_info
import data.dynaudit.lib.kms.outside_allow_list
import data.dynaudit.lib.kms.replica_key
import data.dynaudit.lib.kms.unlisted_replicas

outcomes contains unlisted_tables_outcome(region, "which keys encrypt the tables") if {
	some region in unlisted_table_regions
}

# --- tables: one pass per case, cheap tests only ----------------------------

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Encryption of table %s in %s was not collected (DescribeTable failed)", [t.name, region]),
	"evidence": {"encryption": null},
	"needs": ["DescribeTable"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption == null
}

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf(
		"Table %s in %s is encrypted with the AWS owned key, not a customer managed KMS key: switch it to a customer managed key",
		[t.name, region],
	),
	"evidence": {
		"sse_type": t.encryption.sse_type,
		"sse_status": t.encryption.status,
		"kms_key_arn": t.encryption.kms_key_arn,
		"key_type": "AWS_OWNED",
		"key_manager": null,
		"aliases": null,
		"on_allowed_list": null,
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption.sse_type == "AWS_OWNED"
}

# SSE status of a KMS-encrypted table that means the AWS owned key.
off_kms := {
	"DISABLED": "is encrypted with the AWS owned key (SSE status DISABLED), not a customer managed KMS key: switch it to a customer managed key",
	"DISABLING": "is being switched to the AWS owned key (SSE status DISABLING), away from a customer managed KMS key: switch it back to a customer managed key",
}

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s %s", [t.name, region, text]),
	"evidence": {
		"sse_type": t.encryption.sse_type,
		"sse_status": t.encryption.status,
		"kms_key_arn": t.encryption.kms_key_arn,
		"key_type": "AWS_OWNED",
		"key_manager": null,
		"aliases": null,
		"on_allowed_list": null,
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption.sse_type == "KMS"
	text := off_kms[t.encryption.status]
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s uses a KMS key whose ARN was not reported by DescribeTable", [t.name, region]),
	"evidence": {
		"sse_type": t.encryption.sse_type,
		"sse_status": t.encryption.status,
		"kms_key_arn": null,
		"key_type": null,
		"key_manager": null,
		"aliases": null,
		"on_allowed_list": null,
	},
	"needs": ["DescribeTable"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption.sse_type == "KMS"
	not off_kms[t.encryption.status]
	t.encryption.kms_key_arn == null
}

# Tables on a described key: the verdict was made once for the key (two
# rules, with and without `needs`; cheaper than object.union per table).
outcomes contains {
	"status": v.status,
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s %s", [t.name, region, v.text]),
	"evidence": {
		"sse_type": "KMS",
		"sse_status": t.encryption.status,
		"kms_key_arn": t.encryption.kms_key_arn,
		"key_type": v.evidence.key_type,
		"key_manager": v.evidence.key_manager,
		"aliases": v.evidence.aliases,
		"on_allowed_list": v.evidence.on_allowed_list,
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	v := key_verdicts[t.encryption.kms_key_arn]
	t.encryption.sse_type == "KMS"
	not off_kms[t.encryption.status]
	v.status != "unknown"
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s %s", [t.name, region, v.text]),
	"evidence": {
		"sse_type": "KMS",
		"sse_status": t.encryption.status,
		"kms_key_arn": t.encryption.kms_key_arn,
		"key_type": v.evidence.key_type,
		"key_manager": v.evidence.key_manager,
		"aliases": v.evidence.aliases,
		"on_allowed_list": v.evidence.on_allowed_list,
	},
	"needs": v.needs,
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	v := key_verdicts[t.encryption.kms_key_arn]
	t.encryption.sse_type == "KMS"
	not off_kms[t.encryption.status]
	v.status == "unknown"
}

# Tables on a key with no record (rare: the verdict is made per table).
outcomes contains object.union(
	{
		"status": v.status,
		"resource": arn,
		"region": region,
		"message": sprintf("Table %s in %s %s", [t.name, region, v.text]),
		"evidence": object.union(v.evidence, {"sse_type": "KMS", "sse_status": t.encryption.status}),
	},
	needs_of(v),
) if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	key := t.encryption.kms_key_arn
	key != null
	not key_verdicts[key]
	t.encryption.sse_type == "KMS"
	not off_kms[t.encryption.status]
	v := key_verdict(key, missing_key_info)
}

needs_of(v) := {"needs": v.needs} if {
	v.status == "unknown"
} else := {}

# --- the verdict on a key, once per key -----------------------------------------

# Key ARN -> {status, text (what follows the resource in the message),
# evidence, needs (when unknown)}, for every described key.
key_verdicts[arn] := key_verdict(arn, i) if {
	some arn, i in key_info
}

key_verdict(arn, i) := {
	"status": "fail",
	"text": sprintf(
		"is encrypted with the AWS managed key %s (alias/aws/dynamodb), whose key policy and lifecycle AWS controls: switch it to a customer managed key",
		[arn],
	),
	"evidence": key_evidence(arn, i),
} if {
	i.key_type == "AWS_MANAGED"
} else := {
	"status": "fail",
	"text": sprintf(
		"is encrypted with KMS key %s, which is not in allowed_kms_key_arns: switch it to an allowed customer managed key",
		[arn],
	),
	"evidence": key_evidence(arn, i),
} if {
	outside_allow_list(arn)
} else := {
	"status": "pass",
	"text": sprintf("is encrypted with customer managed key %s%s", [arn, allowed_note]),
	"evidence": key_evidence(arn, i),
} if {
	i.key_type == "CUSTOMER_MANAGED"
} else := {
	"status": "unknown",
	"text": sprintf(
		"is encrypted with KMS key %s, but whether it is AWS managed or customer managed was not collected",
		[arn],
	),
	"evidence": key_evidence(arn, i),
	"needs": ["DescribeKey", "ListAliases"],
}

key_evidence(arn, i) := {
	"kms_key_arn": arn,
	"key_type": i.key_type,
	"key_manager": i.key_manager,
	"aliases": i.aliases,
	"on_allowed_list": on_allowed_list(arn),
}

# Whether the key is on allowed_kms_key_arns; null when no list is set.
on_allowed_list(arn) := true if {
	allowed_key_set[arn]
} else := false if {
	allow_list_configured
	arn != null
} else := null

allowed_note := " (listed in allowed_kms_key_arns)" if {
	allow_list_configured
} else := ""

verdict_for(arn) := v if {
	v := key_verdicts[arn]
} else := key_verdict(arn, missing_key_info)

# --- replicas in regions whose tables were not listed ------------------------

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": rep.region,
	"message": sprintf(
		"Replica of table %s in %s: %s, and the tables that list it (in %s) report different KMS keys for it",
		[rep.name, rep.region, rep.reason, concat(", ", rep.listed_by_regions)],
	),
	"evidence": replica_evidence(rep, key_evidence(null, missing_key_info)),
	"needs": ["DescribeTable"],
} if {
	some arn, rep in unlisted_replicas
	count(rep.kms_key_arns) > 1
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": rep.region,
	"message": sprintf(
		"Replica of table %s in %s: %s, and the tables that list it report no KMS key for it (it uses the AWS owned key, or its key was not reported): scan %s",
		[rep.name, rep.region, rep.reason, rep.region],
	),
	"evidence": replica_evidence(rep, key_evidence(null, missing_key_info)),
	"needs": ["DescribeTable"],
} if {
	some arn, rep in unlisted_replicas
	rep.kms_key_arns == {null}
}

# A replica whose key was decided on (pass, fail, or unknown key type).
outcomes contains object.union(
	{
		"status": v.status,
		"resource": arn,
		"region": rep.region,
		"message": sprintf("Replica of table %s in %s (%s) %s", [rep.name, rep.region, rep.reason, v.text]),
		"evidence": replica_evidence(rep, v.evidence),
	},
	needs_of(v),
) if {
	some arn, rep in unlisted_replicas
	key := replica_key(rep)
	v := verdict_for(key)
	not undescribed_unknown(key, v)
}

# A replica whose key has no record in any scanned region.
outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": rep.region,
	"message": sprintf(
		"Replica of table %s in %s is encrypted with KMS key %s, but %s and the key was not described from any scanned region, so whether it is AWS managed or customer managed is unknown: scan %s",
		[rep.name, rep.region, key, rep.reason, rep.region],
	),
	"evidence": replica_evidence(rep, v.evidence),
	"needs": ["DescribeKey", "ListAliases"],
} if {
	some arn, rep in unlisted_replicas
	key := replica_key(rep)
	v := verdict_for(key)
	undescribed_unknown(key, v)
}

undescribed_unknown(key, v) if {
	not key_verdicts[key]
	v.status == "unknown"
}

replica_evidence(rep, key_ev) := object.union(
	{
		"replica_region_tables_listed": false,
		"listed_by_regions": rep.listed_by_regions,
		"replica_statuses": sort(rep.statuses),
		"reported_kms_key_arns": sort(rep.kms_key_arns),
	},
	key_ev,
)
