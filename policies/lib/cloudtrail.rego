# CloudTrail helpers shared by the logging rules (DYN501-DYN504).
# Plain Rego v1, no custom builtins.
#
# Semantics implemented here (see the rule descriptions for the reasoning):
# - A trail with no event selectors at all records all read and write
#   management events and no data events (CloudTrail default).
# - Classic selector: `include_management_events` absent means true (API
#   default); `read_write_type` absent means `All`.
# - Advanced selector: all field selectors of a selector must match (AND);
#   within one field selector the positive operators (Equals, StartsWith,
#   EndsWith) are OR-ed and the negative ones (NotEquals, NotStartsWith,
#   NotEndsWith) must all hold; a missing `readOnly` field means both read
#   and write events. A selector that also filters on a field whose effect
#   cannot be decided from configuration alone (eventName, userIdentity.arn,
#   eventType, sessionCredentialFromConsole, ...) records only some events and
#   is not counted as recording "the" events.
package dynaudit.lib.cloudtrail

# ---------------------------------------------------------------------------
# Advanced field selectors

# One field selector matches value `v`.
field_matches(f, v) if {
	positives_ok(f, v)
	not negative_hit(f, v)
}

has_positive(f) if count(f.equals) + count(f.starts_with) + count(f.ends_with) > 0

positives_ok(f, _) if not has_positive(f)

positives_ok(f, v) if v in f.equals

positives_ok(f, v) if {
	some p in f.starts_with
	startswith(v, p)
}

positives_ok(f, v) if {
	some p in f.ends_with
	endswith(v, p)
}

negative_hit(f, v) if v in f.not_equals

negative_hit(f, v) if {
	some p in f.not_starts_with
	startswith(v, p)
}

negative_hit(f, v) if {
	some p in f.not_ends_with
	endswith(v, p)
}

# Some field selector on `name` in advanced selector `sel` rejects `v`.
field_rejects(sel, name, v) if {
	some f in sel.field_selectors
	f.field == name
	not field_matches(f, v)
}

# The selector filters on `name` at all.
has_field(sel, name) if {
	some f in sel.field_selectors
	f.field == name
}

# The selector, restricted to field `name`, accepts `v` (vacuously true when
# the field is absent).
field_accepts(sel, name, v) if not field_rejects(sel, name, v)

# Fields other than these narrow a selector in ways configuration cannot
# decide (which API calls, which callers): such a selector is partial.
management_fields := {"eventCategory", "readOnly", "eventSource"}

data_fields := {"eventCategory", "resources.type", "resources.ARN", "readOnly", "eventSource"}

unknown_field(sel, known) if {
	some f in sel.field_selectors
	not f.field in known
}

# Advanced selector records DynamoDB management events (read: `true` for
# read events, `false` for write events, as the `readOnly` field spells it).
advanced_management(sel, read_only) if {
	has_field(sel, "eventCategory")
	field_accepts(sel, "eventCategory", "Management")
	field_accepts(sel, "eventSource", "dynamodb.amazonaws.com")
	field_accepts(sel, "readOnly", read_only)
	not unknown_field(sel, management_fields)
}

# Advanced selector records DynamoDB table data events of the given
# read/write kind, for the ARNs its `resources.ARN` conditions accept.
advanced_dynamodb_data(sel, read_only) if {
	has_field(sel, "eventCategory")
	field_accepts(sel, "eventCategory", "Data")
	has_field(sel, "resources.type")
	field_accepts(sel, "resources.type", "AWS::DynamoDB::Table")
	field_accepts(sel, "eventSource", "dynamodb.amazonaws.com")
	field_accepts(sel, "readOnly", read_only)
	not unknown_field(sel, data_fields)
}

# ---------------------------------------------------------------------------
# Classic selectors

classic_reads(s) if s.read_write_type in {null, "All", "ReadOnly"}

classic_writes(s) if s.read_write_type in {null, "All", "WriteOnly"}

classic_management(s) if s.include_management_events != false

# ---------------------------------------------------------------------------
# Management events of a trail (selectors must be non-null)

no_selectors(sels) if {
	count(sels.event_selectors) == 0
	count(sels.advanced_event_selectors) == 0
}

management_read(sels) if no_selectors(sels)

management_read(sels) if {
	some s in sels.event_selectors
	classic_management(s)
	classic_reads(s)
}

management_read(sels) if {
	some sel in sels.advanced_event_selectors
	advanced_management(sel, "true")
}

management_write(sels) if no_selectors(sels)

management_write(sels) if {
	some s in sels.event_selectors
	classic_management(s)
	classic_writes(s)
}

management_write(sels) if {
	some sel in sels.advanced_event_selectors
	advanced_management(sel, "false")
}

# The trail records read and write management events.
records_management(t) if {
	t.selectors != null
	management_read(t.selectors)
	management_write(t.selectors)
}

# ---------------------------------------------------------------------------
# Trails DYN501 relies on

# Multi-region, logging, recording read and write management events.
qualifying contains arn if {
	some arn, t in input.trails
	t.is_multi_region == true
	t.is_logging == true
	records_management(t)
}

# The evidence shows the trail cannot qualify.
disqualified(t) if t.is_multi_region != true

disqualified(t) if t.is_logging == false

disqualified(t) if {
	t.selectors != null
	not records_management(t)
}

# Multi-region trails that might qualify but whose status or selectors were
# not collected.
uncertain contains arn if {
	some arn, t in input.trails
	not disqualified(t)
	not arn in qualifying
}

# API operations whose missing answer leaves a trail uncertain.
trail_needs(t) := array.concat(
	[op | op := "GetTrailStatus"; t.is_logging == null],
	[op | op := "GetEventSelectors"; t.selectors == null],
)

# Summary of a trail for evidence.
trail_summary(arn, t) := {
	"arn": arn,
	"name": t.name,
	"home_region": t.home_region,
	"is_multi_region": t.is_multi_region,
	"is_organization_trail": t.is_organization_trail,
	"is_logging": t.is_logging,
	"records_management_events": management_status(t),
}

management_status(t) := null if t.selectors == null

management_status(t) := true if records_management(t)

management_status(t) := false if {
	t.selectors != null
	not records_management(t)
}

# ---------------------------------------------------------------------------
# DynamoDB data events (DYN503)
#
# Rules run on inventories of up to 100,000 tables, and regorus charges a
# few microseconds per function-body evaluation, so nothing here runs a
# function per table: each way a trail records DynamoDB data events becomes
# a digested "spec"; specs are grouped per region once; specs that record
# every table are set apart (a table no other spec records gets the
# region-wide answer they give); each remaining spec's set of recorded
# table ARNs is computed once per region with set operations and inline
# comprehensions, and a table looks itself up in those sets.

# The trail applies to events in `region`.
covers_region(t, _) if t.is_multi_region == true

covers_region(t, region) if t.home_region == region

# One spec per classic data resource value and per advanced selector that
# records DynamoDB table data events. `certain` is false while the trail's
# logging status is unknown. ARN conditions are digested into `eq` (a set of
# exact ARNs), `sw` (prefixes), `ew` (suffixes), `all` (no positive
# condition: every ARN is accepted), and the negative `neq`, `nsw`, `new`.
# A selector with several `resources.ARN` field selectors (all must accept;
# CloudTrail allows a field once per selector, so this is defensive) keeps
# them in `filters`.
data_specs contains spec if {
	some arn, t in input.trails
	t.is_logging != false
	t.selectors != null
	some s in t.selectors.event_selectors
	some dr in s.data_resources
	dr.type == "AWS::DynamoDB::Table"
	some value in dr.values
	spec := object.union(classic_filter(value), {
		"trail": arn,
		"certain": logging_known(t),
		"source": "event_selector",
		"value": value,
		"read": classic_reads_bool(s),
		"write": classic_writes_bool(s),
	})
}

data_specs contains spec if {
	some arn, t in input.trails
	t.is_logging != false
	t.selectors != null
	some sel in t.selectors.advanced_event_selectors
	read := advanced_dynamodb_data_bool(sel, "true")
	write := advanced_dynamodb_data_bool(sel, "false")
	true in {read, write}
	filters := [digest(f) | some f in sel.field_selectors; f.field == "resources.ARN"]
	spec := object.union(combined_filter(filters), {
		"trail": arn,
		"certain": logging_known(t),
		"source": "advanced_event_selector",
		"selector": sel.name,
		"read": read,
		"write": write,
	})
}

no_filter := {"eq": set(), "sw": [], "ew": [], "all": true, "neq": set(), "nsw": [], "new": [], "filters": []}

digest(f) := {
	"eq": {v | some v in f.equals},
	"sw": f.starts_with,
	"ew": f.ends_with,
	"all": none_of([f.equals, f.starts_with, f.ends_with]),
	"neq": {v | some v in f.not_equals},
	"nsw": f.not_starts_with,
	"new": f.not_ends_with,
	"filters": [],
}

# True when every list is empty.
none_of(lists) := true if {
	every l in lists {
		count(l) == 0
	}
} else := false

# The spec records every table of the region it applies to.
accepts_every_table(s) if {
	s.all
	count(s.neq) == 0
	count(s.nsw) == 0
	count(s.new) == 0
	count(s.filters) == 0
}

combined_filter(filters) := no_filter if count(filters) == 0

combined_filter(filters) := filters[0] if count(filters) == 1

# Several filters: every one must accept (`spec_hits` intersects them).
combined_filter(filters) := object.union(no_filter, {"filters": filters}) if count(filters) > 1

# A classic value: `arn:<partition>:dynamodb` (all tables), or the exact ARN
# or an ARN prefix ending at a `:` or `/` boundary of the table ARN (so a
# value naming table `orders` never covers `orders-archive`).
classic_filter(value) := no_filter if {
	value == sprintf("arn:%s:dynamodb", [input.partition])
}

classic_filter(value) := object.union(no_filter, {"all": false, "sw": [value]}) if {
	value != sprintf("arn:%s:dynamodb", [input.partition])
	regex.match(`[:/]$`, value)
}

# A full table ARN covers exactly that table (nothing follows the table
# name in a table ARN).
classic_filter(value) := object.union(no_filter, {"all": false, "eq": {value}}) if {
	not regex.match(`[:/]$`, value)
	regex.match(`^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+$`, value)
}

classic_filter(value) := object.union(no_filter, {
	"all": false,
	"eq": {value},
	"sw": [concat("", [value, ":"]), concat("", [value, "/"])],
}) if {
	value != sprintf("arn:%s:dynamodb", [input.partition])
	not regex.match(`[:/]$`, value)
	not regex.match(`^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+$`, value)
}

logging_known(t) := true if {
	t.is_logging == true
} else := false

classic_reads_bool(s) := true if {
	classic_reads(s)
} else := false

classic_writes_bool(s) := true if {
	classic_writes(s)
} else := false

advanced_dynamodb_data_bool(sel, read_only) := true if {
	advanced_dynamodb_data(sel, read_only)
} else := false

# The subset of `arns` a digested filter (or spec) accepts: some positive
# condition holds and no negative one does. Computed per spec over a whole
# region's ARNs with set operations and inline comprehensions (cheap in
# regorus, unlike a function call per table and spec).
filter_hits(f, arns) := pos - negative_set(f, pos) if {
	pos := positive_set(f, arns)
}

positive_set(f, arns) := arns if f.all

positive_set(f, arns) := ((f.eq & arns) | {arn |
	count(f.sw) > 0
	some arn in arns
	strings.any_prefix_match(arn, f.sw)
}) | {arn |
	count(f.ew) > 0
	some arn in arns
	strings.any_suffix_match(arn, f.ew)
} if {
	not f.all
}

negative_set(f, arns) := ((f.neq & arns) | {arn |
	count(f.nsw) > 0
	some arn in arns
	strings.any_prefix_match(arn, f.nsw)
}) | {arn |
	count(f.new) > 0
	some arn in arns
	strings.any_suffix_match(arn, f.new)
}

# The subset of `arns` whose data events a spec records.
spec_hits(spec, arns) := filter_hits(spec, arns) if spec.filters == []

spec_hits(spec, arns) := intersection({filter_hits(f, arns) | some f in spec.filters}) if {
	spec.filters != []
}

# The specs that apply to each region.
region_specs[region] := [s |
	some s in data_specs
	covers_region(input.trails[s.trail], region)
] if {
	some region, _ in input.regions
}

# Specs of the region that record every table, and the others.
region_every_table_specs[region] := [s |
	some s in specs
	accepts_every_table(s)
] if {
	some region, specs in region_specs
}

region_conditional_specs[region] := [s |
	some s in specs
	not accepts_every_table(s)
] if {
	some region, specs in region_specs
}

# Per region, aligned with `region_conditional_specs`, the ARNs of the
# region's tables each conditional spec records.
region_spec_hits[region] := [spec_hits(s, arns) | some s in region_conditional_specs[region]] if {
	some region, r in input.regions
	r.tables != null
	arns := {arn | some arn, _ in r.tables}
}

# Regions where a miss is uncertain: the trail list was not collected, or a
# trail applying there has unknown selectors.
blind_regions contains region if {
	some region, r in input.regions
	r.trail_arns == null
}

blind_regions contains region if {
	some region, _ in input.regions
	count(region_blind_trails[region]) > 0
}

# Trails applying to `region` that might record data events but whose
# selectors are unknown: they make a miss uncertain.
region_blind_trails[region] := {arn |
	some arn, t in input.trails
	covers_region(t, region)
	t.is_logging != false
	t.selectors == null
} if {
	some region, _ in input.regions
}

# API operations whose missing answers make a miss in `region` uncertain.
region_needs[region] := sort([op | some op in ops]) if {
	some region, r in input.regions
	ops := {op |
		r.trail_arns == null
		op := "DescribeTrails"
	} | {op |
		some arn in region_blind_trails[region]
		some op in trail_needs(input.trails[arn])
	} | {op |
		some s in region_specs[region]
		not s.certain
		op := "GetTrailStatus"
	}
}
