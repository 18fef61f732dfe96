# Shared helpers for the dynaudit rule pack. Plain Rego v1, no custom builtins.
package dynaudit.lib.common

# Parameters from the configuration file (defaults filled in by dynaudit).
params := data.dynaudit.params

# Every table that was listed: {"region": r, "arn": arn, "table": t}.
tables contains {"region": region, "arn": arn, "table": t} if {
	some region, r in input.regions
	r.tables != null
	some arn, t in r.tables
}

# Regions whose tables could not be listed (ListTables failed).
unlisted_table_regions contains region if {
	some region, r in input.regions
	r.tables == null
}

# The resource id used for account/region-scoped outcomes.
region_resource(region) := sprintf("%s/%s", [input.account_id, region])

# The ARN a table named `name` has in `region` in this account.
table_arn(region, name) := sprintf("arn:%s:dynamodb:%s:%s:table/%s", [input.partition, region, input.account_id, name])

# An unknown outcome for a table-scoped rule in a region whose tables could
# not be listed. Rules add it with:
#   outcomes contains common.unlisted_tables_outcome(region, "...") if some region in common.unlisted_table_regions
unlisted_tables_outcome(region, what) := {
	"status": "unknown",
	"resource": region_resource(region),
	"region": region,
	"message": sprintf("Cannot check %s in %s: the region's tables could not be listed", [what, region]),
	"evidence": {"tables": null},
	"needs": ["ListTables"],
}

# Tag value of a table, or "" when absent (tags must be non-null to call).
tag(t, key) := object.get(t.tags, key, "")

# IAM-style wildcard match: `*` matches any run of characters (including
# `:` and `/`), `?` one character.
wildcard_match(pattern, value) if glob.match(pattern, null, value)

# Normalise a string-or-array IAM element to an array.
as_array(x) := x if is_array(x)

as_array(x) := [x] if is_string(x)

as_array(x) := [] if x == null

# RFC 3339 to nanoseconds.
ns(ts) := time.parse_rfc3339_ns(ts)

# The evaluation instant: the inventory's collection time.
now_ns := ns(input.collected_at)

# ---------------------------------------------------------------------------
# Absent values (schema 1.1)
#
# A few fields are null in two cases: the value does not exist in AWS (a
# trail with no KMS key, a VPC endpoint with no policy, a custom AWS Config
# rule with no source identifier) or it was not collected. From schema 1.1
# the collector names the first case in the record's `absent` list, so a
# null field not in the list was not collected. Inventories before 1.1 did
# not tell the two apart: there a null of these fields is read as absent,
# as it always was (the errors list explained any collection failure).

# The inventory marks absent values (schema 1.1 or later).
marks_absent if {
	v := input.schema_version
	is_string(v)
	regex.match(`^[0-9]+\.[0-9]+$`, v)
	parts := split(v, ".")
	to_number(parts[0]) == 1
	to_number(parts[1]) >= 1
}

marks_absent if {
	v := input.schema_version
	is_string(v)
	regex.match(`^[0-9]+\.[0-9]+$`, v)
	to_number(split(v, ".")[0]) > 1
}

# `record[field]` is null because the value does not exist in AWS.
absent(record, field) if {
	object.get(record, field, null) == null
	field in object.get(record, "absent", [])
}

absent(record, field) if {
	object.get(record, field, null) == null
	not marks_absent
}

# `record[field]` is null because it was not collected (told apart from an
# absent value from schema 1.1 on).
uncollected(record, field) if {
	object.get(record, field, null) == null
	not absent(record, field)
}
