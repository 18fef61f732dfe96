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
