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

# ---------------------------------------------------------------------------
# Trusted accounts (`trusted_account_ids`)
#
# `trusted_account_ids` holds account ids and, optionally, the word
# "organization": every ACTIVE account of the AWS Organization, which the
# inventory lists in `organization.account_ids` when the account was
# collected through the organization (`--organization`, `--ou`). An
# inventory without that list (older, or collected with `--accounts` alone)
# cannot say which accounts the word trusts: an account that nothing but the
# organization could trust is then neither trusted nor untrusted, and a rule
# that meets one says unknown (`trust_undeterminable`), never fail or pass.

# The word of `trusted_account_ids` that stands for the organization.
organization_word := "organization"

# `trusted_account_ids` names the organization.
organization_trusted if organization_word in params.trusted_account_ids

# The organization's ACTIVE accounts, when the inventory lists them.
organization_account_ids := {a | some a in input.organization.account_ids} if {
	is_array(input.organization.account_ids)
}

# The organization is trusted but its accounts are not in this inventory.
organization_unresolved if {
	organization_trusted
	not organization_account_ids
}

# Why a trust question is unknown when the organization is unresolved.
organization_unresolved_reason := "the organization's accounts are not in this inventory (collect it with --organization or --ou)"

# Every account the rules trust: the scanned account, the ids listed in
# `trusted_account_ids` and, when it names the organization, the
# organization's accounts the inventory lists.
trusted_accounts := listed_trusted_accounts | trusted_organization_accounts

# The scanned account and the ids `trusted_account_ids` lists (without the
# organization's accounts).
listed_trusted_accounts := {input.account_id} | {a |
	some a in params.trusted_account_ids
	a != organization_word
}

trusted_organization_accounts := organization_account_ids if {
	organization_trusted
} else := set()

# `acct` is trusted.
trusted_account(acct) if acct in trusted_accounts

# Whether `acct` is trusted cannot be told: it is an account id no listed id
# trusts, and only the organization, whose accounts this inventory lacks,
# could.
trust_undeterminable(acct) if {
	organization_unresolved
	is_string(acct)
	regex.match(`^[0-9]{12}$`, acct)
	not acct in trusted_accounts
}

# `acct` may be trusted: it is, or whether it is cannot be told.
possibly_trusted_account(acct) if trusted_account(acct)

possibly_trusted_account(acct) if trust_undeterminable(acct)

# What a rule's evidence says about the trusted accounts: the listed ones
# and, when the organization is trusted, whether and how many of its
# accounts the inventory lists (not the ids: an organization has thousands).
trust_evidence := {"trusted_accounts": sort(listed_trusted_accounts)} if not organization_trusted

trust_evidence := {
	"trusted_accounts": sort(listed_trusted_accounts),
	"trusts_organization": true,
	"organization_accounts": count(organization_account_ids),
} if {
	organization_trusted
	organization_account_ids
}

trust_evidence := {
	"trusted_accounts": sort(listed_trusted_accounts),
	"trusts_organization": true,
	"organization_accounts": null,
} if organization_unresolved

# ---------------------------------------------------------------------------
# Fields added in a minor version (schema 1.3 on)
#
# A field that a later minor version added is missing from older
# inventories; its key is left out of the input, while a field that was not
# collected is `null`. A rule that needs such a field says unknown with
# `not_in_version_reason` when the key is missing.

# `record` has the key `field` (its value may be null).
has_field(record, field) if {
	_ = record[field]
}

# `record` lacks `field`: the inventory predates the version that added it.
not_in_version(record, field) if not has_field(record, field)

# Why a value is unknown when the inventory predates it.
not_in_version_reason := sprintf("not in this inventory's schema version (%s); collect it again with this dynaudit", [input.schema_version])
