# METADATA
# title: Table's KMS key is unusable
# description: |-
#   Checks that DynamoDB can use the KMS key that encrypts each table (every
#   table record in a scanned region, and every replica in a region that was
#   not scanned, judged from what its scanned peers report). The check fails
#   when the table reports `INACCESSIBLE_ENCRYPTION_CREDENTIALS` (or an
#   inaccessible-encryption date), whatever the key looks like, or when the
#   key is `Disabled`, `PendingDeletion`, `PendingReplicaDeletion`,
#   `PendingImport` or `Unavailable` (KMS refuses cryptographic operations in
#   these states). A table on the AWS owned key passes: its key cannot be
#   disabled or deleted by the account.
#
#   An unusable key makes the table unreadable and unwritable
#   (`EncryptionKeyUnavailableException`); if the key stays inaccessible for
#   seven days DynamoDB archives the table, and a deleted key makes the data,
#   and backups encrypted with it, unrecoverable. PCI DSS v4.0 3.6.1 requires
#   procedures that protect the keys protecting stored account data against
#   disclosure and misuse: disabling or scheduling the deletion of a key that
#   still protects account data is exactly the misuse those procedures must
#   prevent or catch. SOC 2 A1.2 (recovery infrastructure) is at stake
#   because the data and its backups become unavailable; CC6.1 (logical
#   access security, including protection of encryption keys) because the
#   key's lifecycle is not controlled.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
#     description: Using and managing DynamoDB encryption keys (inaccessible keys)
#   - ref: https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
#     description: Key states of AWS KMS keys
# custom:
#   id: DYN102
#   name: table-kms-key-unusable
#   severity: critical
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["3.6.1"]
#     soc2: [A1.2, CC6.1]
#   remediation:
#     summary: >-
#       Make the key usable again before DynamoDB archives the table: cancel
#       its scheduled deletion and enable it, re-import its key material
#       (PendingImport), or reconnect its custom key store (Unavailable); if
#       the key is enabled but the table is still inaccessible, restore
#       DynamoDB's access in the key policy and grants. Guard keys that
#       protect tables against deletion.
#     aws_cli: |-
#       aws kms cancel-key-deletion --region REGION --key-id KEY_ARN
#       aws kms enable-key --region REGION --key-id KEY_ARN
#       aws dynamodb describe-table --region REGION --table-name TABLE \
#         --query 'Table.[TableStatus,SSEDescription]'
#     terraform: |-
#       resource "aws_kms_key" "table" {
#         description             = "DynamoDB table key"
#         is_enabled              = true
#         enable_key_rotation     = true
#         deletion_window_in_days = 30
#         lifecycle {
#           prevent_destroy = true
#         }
#       }
package dynaudit.rules.dyn102

# Individual imports keep regorus from evaluating whole library packages
# (see policies/lib/kms.rego on performance).
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome
import data.dynaudit.lib.kms.key_info
import data.dynaudit.lib.kms.replica_key
import data.dynaudit.lib.kms.unlisted_replicas
import data.dynaudit.lib.kms.unusable_key_states
import data.dynaudit.lib.kms.usable_key_states

outcomes contains unlisted_tables_outcome(region, "the usability of table encryption keys") if {
	some region in unlisted_table_regions
}

inaccessible := "INACCESSIBLE_ENCRYPTION_CREDENTIALS"

# What to do about a key in each unusable state.
fix := {
	"Disabled": "enable the key",
	"PendingDeletion": "cancel the key's scheduled deletion and enable it",
	"PendingReplicaDeletion": "cancel the replica key's scheduled deletion and enable it",
	"PendingImport": "re-import the key material",
	"Unavailable": "reconnect the key's custom key store",
}

# --- the state of each described key, once per key ----------------------------

# Key ARN -> {state, case}: case is "unusable", "usable", "unknown" (state
# not collected) or "other" (transient or unrecognised state).
key_cases[arn] := {"state": i.key_state, "case": state_case(i.key_state)} if {
	some arn, i in key_info
}

state_case(s) := "unusable" if {
	unusable_key_states[s]
} else := "usable" if {
	usable_key_states[s]
} else := "unknown" if {
	s == null
} else := "other"

# Key ARN -> what a table on that key gets (status, message text after
# "Table T in R", key state, needs when unknown), when the table itself
# looks accessible.
key_verdicts[arn] := key_verdict(arn, c) if {
	some arn, c in key_cases
}

key_verdict(arn, c) := {
	"status": "fail",
	"text": sprintf(
		"is encrypted with KMS key %s, which is %s: DynamoDB cannot use it and the table becomes inaccessible; %s",
		[arn, c.state, fix[c.state]],
	),
	"state": c.state,
} if {
	c.case == "unusable"
} else := {
	"status": "pass",
	"text": sprintf("is encrypted with KMS key %s, which is %s and usable", [arn, c.state]),
	"state": c.state,
} if {
	c.case == "usable"
} else := {
	"status": "unknown",
	"text": sprintf("is encrypted with KMS key %s, which is in the transient or unrecognised state %s: check again once it settles", [arn, c.state]),
	"state": c.state,
	"needs": ["DescribeKey"],
} if {
	c.case == "other"
} else := {
	"status": "unknown",
	"text": sprintf("is encrypted with KMS key %s, whose state was not collected", [arn]),
	"state": null,
	"needs": ["DescribeKey"],
}

# --- tables: one pass per case, cheap tests only (see lib/kms.rego) -----------

# The table reports the key inaccessible.
outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf(
		"Table %s in %s is inaccessible (INACCESSIBLE_ENCRYPTION_CREDENTIALS): DynamoDB cannot use its KMS key %v; restore access to the key (enable it, cancel its deletion, or fix its key policy and grants) before DynamoDB archives the table",
		[t.name, region, key_arn_of(t)],
	),
	"evidence": evidence(t),
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.status == inaccessible
}

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf(
		"Table %s in %s reports its KMS key %v inaccessible since %s: restore access to the key (enable it, cancel its deletion, or fix its key policy and grants) before DynamoDB archives the table",
		[t.name, region, t.encryption.kms_key_arn, t.encryption.inaccessible_since],
	),
	"evidence": evidence(t),
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption.inaccessible_since != null
	t.status != inaccessible
}

# DescribeTable did not answer.
outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Status and encryption of table %s in %s were not collected (DescribeTable failed)", [t.name, region]),
	"evidence": evidence(t),
	"needs": ["DescribeTable"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption == null
	t.status != inaccessible
}

# Status missing but encryption present (not what DescribeTable returns;
# handled so that no table is left without an outcome).
outcomes contains status_missing_verdict(arn, region, t) if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.status == null
	t.encryption.inaccessible_since == null
}

# The AWS owned key (no SSEDescription, or SSE status DISABLED).
outcomes contains {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s is encrypted with the AWS owned key, which is always available to DynamoDB", [t.name, region]),
	"evidence": {
		"table_status": t.status,
		"sse_type": "AWS_OWNED",
		"sse_status": t.encryption.status,
		"kms_key_arn": t.encryption.kms_key_arn,
		"inaccessible_since": null,
		"key_state": null,
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption.sse_type == "AWS_OWNED"
	t.encryption.inaccessible_since == null
	t.status != inaccessible
	t.status != null
}

outcomes contains {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s is encrypted with the AWS owned key (SSE status DISABLED), which is always available to DynamoDB", [t.name, region]),
	"evidence": {
		"table_status": t.status,
		"sse_type": "KMS",
		"sse_status": "DISABLED",
		"kms_key_arn": t.encryption.kms_key_arn,
		"inaccessible_since": null,
		"key_state": null,
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption.status == "DISABLED"
	t.encryption.sse_type == "KMS"
	t.encryption.inaccessible_since == null
	t.status != inaccessible
	t.status != null
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s uses a KMS key whose ARN was not reported by DescribeTable", [t.name, region]),
	"evidence": evidence(t),
	"needs": ["DescribeTable"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.encryption.kms_key_arn == null
	t.encryption.sse_type == "KMS"
	t.encryption.status != "DISABLED"
	t.encryption.inaccessible_since == null
	t.status != inaccessible
	t.status != null
}

# Tables on a described key: the verdict was made once for the key (two
# rules, with and without `needs`; cheaper than object.union per table).
outcomes contains {
	"status": v.status,
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s %s", [t.name, region, v.text]),
	"evidence": {
		"table_status": t.status,
		"sse_type": "KMS",
		"sse_status": t.encryption.status,
		"kms_key_arn": t.encryption.kms_key_arn,
		"inaccessible_since": null,
		"key_state": v.state,
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	v := key_verdicts[t.encryption.kms_key_arn]
	t.encryption.sse_type == "KMS"
	t.encryption.status != "DISABLED"
	t.encryption.inaccessible_since == null
	t.status != inaccessible
	t.status != null
	v.status != "unknown"
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s %s", [t.name, region, v.text]),
	"evidence": {
		"table_status": t.status,
		"sse_type": "KMS",
		"sse_status": t.encryption.status,
		"kms_key_arn": t.encryption.kms_key_arn,
		"inaccessible_since": null,
		"key_state": v.state,
	},
	"needs": v.needs,
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	v := key_verdicts[t.encryption.kms_key_arn]
	t.encryption.sse_type == "KMS"
	t.encryption.status != "DISABLED"
	t.encryption.inaccessible_since == null
	t.status != inaccessible
	t.status != null
	v.status == "unknown"
}

# Tables on a key with no record.
outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("The state of KMS key %s of table %s in %s was not collected", [key, t.name, region]),
	"evidence": evidence(t),
	"needs": ["DescribeKey"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	key := t.encryption.kms_key_arn
	key != null
	not key_verdicts[key]
	t.encryption.sse_type == "KMS"
	t.encryption.status != "DISABLED"
	t.encryption.inaccessible_since == null
	t.status != inaccessible
	t.status != null
}

status_missing_verdict(arn, region, t) := {
	"status": v.status,
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s %s", [t.name, region, v.text]),
	"evidence": evidence(t),
} if {
	t.encryption.sse_type == "KMS"
	t.encryption.status != "DISABLED"
	v := key_verdicts[t.encryption.kms_key_arn]
	v.status == "fail"
} else := {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("The status of table %s in %s was not collected (DescribeTable failed)", [t.name, region]),
	"evidence": evidence(t),
	"needs": ["DescribeTable"],
}

key_arn_of(t) := t.encryption.kms_key_arn if {
	is_object(t.encryption)
} else := null

evidence(t) := {
	"table_status": t.status,
	"sse_type": t.encryption.sse_type,
	"sse_status": t.encryption.status,
	"kms_key_arn": t.encryption.kms_key_arn,
	"inaccessible_since": t.encryption.inaccessible_since,
	"key_state": key_state_of(t.encryption.kms_key_arn),
} if {
	is_object(t.encryption)
} else := {
	"table_status": t.status,
	"sse_type": null,
	"sse_status": null,
	"kms_key_arn": null,
	"inaccessible_since": null,
	"key_state": null,
}

key_state_of(arn) := c.state if {
	c := key_cases[arn]
} else := null

# --- replicas in regions whose tables were not listed ------------------------

outcomes contains object.union({"resource": arn, "region": rep.region}, replica_verdict(rep, replica_case(rep))) if {
	some arn, rep in unlisted_replicas
}

# The state of the replica's key, or a missing-record case.
replica_case(rep) := c if {
	c := key_cases[replica_key(rep)]
} else := {"state": null, "case": "unknown"}

replica_verdict(rep, c) := {
	"status": "fail",
	"message": sprintf(
		"Replica of table %s in %s reports INACCESSIBLE_ENCRYPTION_CREDENTIALS (as listed by the table in %s; %s): restore access to its KMS key before DynamoDB archives it",
		[rep.name, rep.region, concat(", ", rep.listed_by_regions), rep.reason],
	),
	"evidence": replica_evidence(rep, c.state),
} if {
	rep.statuses[inaccessible]
} else := {
	"status": "fail",
	"message": sprintf(
		"Replica of table %s in %s (%s) is encrypted with KMS key %s, which is %s: DynamoDB cannot use it and the replica becomes inaccessible; %s",
		[rep.name, rep.region, rep.reason, replica_key(rep), c.state, fix[c.state]],
	),
	"evidence": replica_evidence(rep, c.state),
} if {
	c.case == "unusable"
} else := {
	"status": "unknown",
	"message": sprintf(
		"Replica of table %s in %s: %s, and the tables that list it report %s for it: scan %s",
		[rep.name, rep.region, rep.reason, key_report(rep), rep.region],
	),
	"evidence": replica_evidence(rep, null),
	"needs": ["DescribeTable"],
} if {
	not replica_key(rep)
} else := {
	"status": "unknown",
	"message": sprintf(
		"Replica of table %s in %s is encrypted with KMS key %s, but %s and the key's state was not described from any scanned region: scan %s",
		[rep.name, rep.region, replica_key(rep), rep.reason, rep.region],
	),
	"evidence": replica_evidence(rep, null),
	"needs": ["DescribeKey"],
} if {
	c.case == "unknown"
} else := {
	"status": "unknown",
	"message": sprintf(
		"Replica of table %s in %s: %s and its status was not reported, so whether it is inaccessible is unknown: scan %s",
		[rep.name, rep.region, rep.reason, rep.region],
	),
	"evidence": replica_evidence(rep, c.state),
	"needs": ["DescribeTable"],
} if {
	rep.statuses[null]
} else := {
	"status": "pass",
	"message": sprintf(
		"Replica of table %s in %s (%s) is encrypted with KMS key %s, which is %s and usable",
		[rep.name, rep.region, rep.reason, replica_key(rep), c.state],
	),
	"evidence": replica_evidence(rep, c.state),
} if {
	c.case == "usable"
} else := {
	"status": "unknown",
	"message": sprintf(
		"KMS key %s of the replica of table %s in %s is in the transient or unrecognised state %s: check again once it settles",
		[replica_key(rep), rep.name, rep.region, c.state],
	),
	"evidence": replica_evidence(rep, c.state),
	"needs": ["DescribeKey"],
}

key_report(rep) := "different KMS keys" if {
	count(rep.kms_key_arns) > 1
} else := "no KMS key (it uses the AWS owned key, or its key was not reported)"

replica_evidence(rep, state) := {
	"replica_region_tables_listed": false,
	"listed_by_regions": rep.listed_by_regions,
	"replica_statuses": sort(rep.statuses),
	"reported_kms_key_arns": sort(rep.kms_key_arns),
	"key_state": state,
}
