# Shared helpers of the encryption and key rules (DYN101-DYN103).
# Plain Rego v1, no custom builtins.
#
# Key types, as reported in evidence:
# - AWS_OWNED: the table has no SSEDescription (or its SSE status is
#   DISABLED, which the DynamoDB API defines as "encrypted with the AWS owned
#   key");
# - AWS_MANAGED: `KeyManager = AWS`, or the key carries an `alias/aws/...`
#   alias. Only AWS can create aliases under `alias/aws/` and every AWS
#   managed key has one (`alias/aws/dynamodb` for DynamoDB), so the alias is
#   proof even where an emulator misreports `KeyManager = CUSTOMER`;
# - CUSTOMER_MANAGED: the aliases were collected and none is `alias/aws/`,
#   and `KeyManager` is `CUSTOMER` or was not collected.
# When the aliases were not collected and `KeyManager` is not `AWS` (or the
# key has no record at all) the type is null and rules report unknown
# (needs DescribeKey, ListAliases).
#
# SSE status `DISABLED` on a table means the AWS owned key is in use (the
# DynamoDB API's definition of "SSE disabled"); rules treat it as AWS_OWNED.
#
# Performance (measured with regorus 0.14 on 100,000 tables): rules import
# the individual rules and functions they use from this package (importing
# the package and writing `kms.x` makes regorus evaluate every rule of it,
# per rule evaluated); they iterate `input.regions[_].tables` directly
# (`common.tables` builds a set of whole table objects, ~0.5 s); per-table
# bodies avoid function and builtin calls (a few microseconds each) and
# `some x in <null>` (an error in regorus, undefined in OPA: `x := c[_]` is
# undefined in both); per-key verdicts are computed once per key and looked
# up by key ARN.
package dynaudit.lib.kms

# --- parameters ---------------------------------------------------------------

# `allowed_kms_key_arns`; `[]` (any customer managed key) when unset.
default allowed_key_arns := []

allowed_key_arns := a if {
	a := data.dynaudit.params.allowed_kms_key_arns
	is_array(a)
}

allowed_key_set := {a | some a in allowed_key_arns}

# True when an allow-list of key ARNs is configured.
allow_list_configured if count(allowed_key_set) > 0

# True when an allow-list is configured and `arn` is not on it.
outside_allow_list(arn) if {
	allow_list_configured
	not allowed_key_set[arn]
}

# --- key states ---------------------------------------------------------------

# Key states in which KMS refuses cryptographic operations: DynamoDB cannot
# use the key, and the table becomes (or already is) inaccessible.
unusable_key_states := {"Disabled", "PendingDeletion", "PendingImport", "PendingReplicaDeletion", "Unavailable"}

# Key states in which the key can be used in cryptographic operations
# (`Updating`: a multi-Region key while its primary Region changes).
usable_key_states := {"Enabled", "Updating"}

# --- regions ------------------------------------------------------------------

# Regions whose tables were listed.
listed_regions := {region | some region, r in input.regions; is_object(r.tables)}

# Region of an ARN (`arn:partition:service:region:account:resource`).
arn_region(arn) := parts[3] if {
	is_string(arn)
	parts := split(arn, ":")
	count(parts) >= 6
}

# Regions that were scanned.
scanned_regions := {region | some region, _ in input.regions}

# Why a replica's region has no table records: for messages.
unlisted_reason(region) := "its region's tables could not be listed" if {
	scanned_regions[region]
} else := "its region was not scanned"

# --- key records, once per key ---------------------------------------------------

# Regions whose inventory describes the key `arn`.
_holders[arn] contains region if {
	some region, r in input.regions
	is_object(r.kms_keys)
	some arn, _ in r.kms_keys
}

# The region whose record of a key is used: the key's own region if it
# described the key, else the first (by name) that did (a replica's key in an
# unscanned region can be described from the region of a table listing it).
_record_region[arn] := region if {
	some arn, holders in _holders
	region := arn_region(arn)
	holders[region]
}

_record_region[arn] := min(holders) if {
	some arn, holders in _holders
	not holders[arn_region(arn)]
}

# The inventory record of each key, keyed by key ARN.
key_records[arn] := k if {
	some region, r in input.regions
	is_object(r.kms_keys)
	some arn, k in r.kms_keys
	_record_region[arn] == region
}

_aws_alias(k) if {
	is_array(k.aliases)
	some a in k.aliases
	startswith(a, "alias/aws/")
}

_aws_managed(k) if k.key_manager == "AWS"

_aws_managed(k) if _aws_alias(k)

# The aliases must have been collected: without them an AWS managed key
# that an emulator reports as `CUSTOMER` would pass.
_customer_managed(k) if {
	k.key_manager == "CUSTOMER"
	is_array(k.aliases)
}

_customer_managed(k) if {
	object.get(k, "key_manager", null) == null
	is_array(k.aliases)
}

# "AWS_MANAGED", "CUSTOMER_MANAGED", or null when it cannot be told.
key_type(k) := "AWS_MANAGED" if {
	_aws_managed(k)
} else := "CUSTOMER_MANAGED" if {
	_customer_managed(k)
} else := null

# What is known of each described key, keyed by key ARN.
key_info[arn] := {
	"described": true,
	"key_type": key_type(k),
	"key_manager": object.get(k, "key_manager", null),
	"aliases": object.get(k, "aliases", null),
	"key_state": object.get(k, "key_state", null),
	"rotation_enabled": object.get(k, "rotation_enabled", null),
} if {
	some arn, k in key_records
}

# What is known of a key with no record.
missing_key_info := {
	"described": false,
	"key_type": null,
	"key_manager": null,
	"aliases": null,
	"key_state": null,
	"rotation_enabled": null,
}

# What is known of the key `arn`.
info(arn) := i if {
	i := key_info[arn]
} else := missing_key_info

# --- replicas in regions whose tables were not listed ----------------------------

# Replicas of global tables in regions whose tables were not listed (not
# scanned, or ListTables failed there), keyed by the replica's table ARN,
# with what each scanned table that lists the replica reports about it:
# [listing region, kms_key_arn, replica status, name, replica region].
# Replicas in listed regions are table records in their own right.
unlisted_replica_reports[replica_arn] contains [region, object.get(rep, "kms_key_arn", null), object.get(rep, "status", null), t.name, rep.region] if {
	some region, r in input.regions
	is_object(r.tables)
	some t in r.tables
	rep := t.replicas[_]
	not listed_regions[rep.region]
	replica_arn := sprintf("arn:%s:dynamodb:%s:%s:table/%s", [input.partition, rep.region, input.account_id, t.name])
}

# One summary per unlisted replica: name, region, the distinct key ARNs and
# statuses reported for it, and the regions of the tables that list it.
unlisted_replicas[replica_arn] := {
	"name": first[3],
	"region": first[4],
	"kms_key_arns": {x[1] | some x in reports},
	"statuses": {x[2] | some x in reports},
	"listed_by_regions": sort({x[0] | some x in reports}),
	"reason": unlisted_reason(first[4]),
} if {
	some replica_arn, reports in unlisted_replica_reports
	some first in reports
}

# The key ARN of an unlisted replica when its peers agree on one (non-null)
# key; undefined otherwise.
replica_key(rep) := arn if {
	count(rep.kms_key_arns) == 1
	some arn in rep.kms_key_arns
	is_string(arn)
}
