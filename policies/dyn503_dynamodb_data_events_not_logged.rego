# METADATA
# title: DynamoDB data events are not logged for the table
# description: |-
#   Checks that, for each table, a logging CloudTrail trail that applies to
#   the table's region (multi-region, or single-region with that home region)
#   records DynamoDB data events (GetItem, PutItem, Query, Scan,
#   ExecuteStatement, ...) for it, both reads and writes. Classic selectors
#   count through a data resource of type `AWS::DynamoDB::Table` whose values
#   hold `arn:<partition>:dynamodb` (all tables), the table's ARN, or an ARN
#   prefix ending at a `:` or `/` boundary (a value naming table `orders`
#   never covers `orders-archive`); `ReadWriteType` says which of reads and
#   writes. Advanced selectors count when `eventCategory` equals `Data` and
#   `resources.type` equals `AWS::DynamoDB::Table`, with `resources.ARN`
#   conditions honoured (Equals, StartsWith, EndsWith OR-ed; NotEquals,
#   NotStartsWith, NotEndsWith all required to hold) and `readOnly`
#   selecting reads or writes. Reads and writes may come from different
#   selectors or trails. An `eventSource` filter counts when it accepts
#   `dynamodb.amazonaws.com`; a selector that also filters on `eventName`,
#   `userIdentity.arn`, `eventType` or `sessionCredentialFromConsole`
#   records only some accesses and does not count. Management events are
#   covered by DYN501; they never show who read or wrote which items. An
#   organisation trail of the management account counts in a member account
#   for the tables its selectors accept (`arn:<partition>:dynamodb` covers
#   every account's tables; an ARN of the management account's tables
#   covers none of the member's).
#   The outcome fails when reads or writes are definitely not recorded, and
#   is unknown when the only trails that might record them have unknown
#   status or selectors, or the region's trails could not be listed.
#   PCI DSS v4.0 10.2.1 requires audit logs to be enabled and active for all
#   system components, and 10.2.1.1 requires the logs to capture all
#   individual user access to cardholder data; for data stored in DynamoDB,
#   item-level reads and writes appear in CloudTrail only as data events, so
#   both reads and writes must be recorded. SOC 2 CC7.2 requires monitoring
#   for anomalies (bulk reads, unexpected writers), which needs the
#   data-access record.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/logging-using-cloudtrail.html
#     description: Logging DynamoDB operations by using AWS CloudTrail
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
#     description: Logging data events
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
#     description: AdvancedFieldSelector
# custom:
#   id: DYN503
#   name: dynamodb-data-events-not-logged
#   severity: high
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["10.2.1", "10.2.1.1"]
#     soc2: [CC7.2]
#   remediation:
#     summary: >-
#       Add an advanced event selector to a logging trail that covers the
#       table's region, recording read and write data events for
#       `AWS::DynamoDB::Table` (for all tables, or filtered by
#       `resources.ARN` to the tables that hold regulated data).
#     aws_cli: |-
#       aws cloudtrail put-event-selectors --region HOME_REGION --trail-name TRAIL \
#         --advanced-event-selectors '[
#           {"Name": "Management events",
#            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
#           {"Name": "DynamoDB data events",
#            "FieldSelectors": [
#              {"Field": "eventCategory", "Equals": ["Data"]},
#              {"Field": "resources.type", "Equals": ["AWS::DynamoDB::Table"]}]}]'
#     terraform: |-
#       resource "aws_cloudtrail" "management" {
#         # ...
#         advanced_event_selector {
#           name = "Management events"
#           field_selector {
#             field  = "eventCategory"
#             equals = ["Management"]
#           }
#         }
#         advanced_event_selector {
#           name = "DynamoDB data events"
#           field_selector {
#             field  = "eventCategory"
#             equals = ["Data"]
#           }
#           field_selector {
#             field  = "resources.type"
#             equals = ["AWS::DynamoDB::Table"]
#           }
#         }
#       }
package dynaudit.rules.dyn503

import data.dynaudit.lib.cloudtrail
import data.dynaudit.lib.common

outcomes contains common.unlisted_tables_outcome(region, "DynamoDB data event logging") if {
	some region in common.unlisted_table_regions
}

# Regions where every table gets the same answer (all their specs record
# every table, or there are none): the outcome is decided once per region.
uniform[region] := u if {
	some region, r in input.regions
	r.tables != null
	count(cloudtrail.region_conditional_specs[region]) == 0
	specs := cloudtrail.region_every_table_specs[region]
	c := combos[levels_key(specs, region)]
	u := template(c, specs, region)
}

# The outcome shared by many tables, minus the table.
template(c, specs, region) := {
	"status": c.status,
	"format": formats[c.status],
	"detail": detail(c, specs),
	"evidence": {"read_events": c.read, "write_events": c.write, "matching_trails": trails_of(specs)},
	"needs": cloudtrail.region_needs[region],
}

detail(c, specs) := concat(", ", logging_trails_of(specs)) if c.status == "pass"

detail(c, _) := c.missing if c.status != "pass"

formats := {
	"pass": "Read and write data events of table %s in %s are recorded by CloudTrail (%s)",
	"fail": "Table %s in %s: %s are not recorded by any logging CloudTrail trail (no DynamoDB data event selector covers the table for them)",
	"unknown": "Cannot tell whether data events of table %s in %s are recorded: its %s could be recorded only by trails not fully collected (the region's trail list, or a trail's logging status or event selectors)",
}

# Elsewhere, the tables some conditional spec records (computed per spec
# over the region's ARNs with set operations) ...
candidates[region] := union({h | some h in cloudtrail.region_spec_hits[region]}) if {
	some region, r in input.regions
	r.tables != null
	not uniform[region]
}

# ... and the outcome of the others, which only the every-table specs (if
# any) record.
missed[region] := template(combos[levels_key(specs, region)], specs, region) if {
	some region, _ in candidates
	specs := cloudtrail.region_every_table_specs[region]
}

# Tables sharing a region-wide outcome: those of uniform regions, and those
# no spec of their region records. (Written out per case rather than through
# an intermediate set: this runs per table.)
outcomes contains {
	"status": u.status,
	"resource": arn,
	"region": region,
	"message": sprintf(u.format, [t.name, region, u.detail]),
	"evidence": u.evidence,
} if {
	some region, u in uniform
	u.status != "unknown"
	some arn, t in input.regions[region].tables
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf(u.format, [t.name, region, u.detail]),
	"evidence": u.evidence,
	"needs": u.needs,
} if {
	some region, u in uniform
	u.status == "unknown"
	some arn, t in input.regions[region].tables
}

outcomes contains {
	"status": u.status,
	"resource": arn,
	"region": region,
	"message": sprintf(u.format, [t.name, region, u.detail]),
	"evidence": u.evidence,
} if {
	some region, hits in candidates
	u := missed[region]
	u.status != "unknown"
	some arn, t in input.regions[region].tables
	not arn in hits
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf(u.format, [t.name, region, u.detail]),
	"evidence": u.evidence,
	"needs": u.needs,
} if {
	some region, hits in candidates
	u := missed[region]
	u.status == "unknown"
	some arn, t in input.regions[region].tables
	not arn in hits
}

# Candidates: their specs are the every-table ones plus the conditional
# ones whose hit set holds them.
outcomes contains table_outcome(c.status, x, c, matching) if {
	some region, hits in candidates
	every_table := cloudtrail.region_every_table_specs[region]
	conditional := cloudtrail.region_conditional_specs[region]
	spec_hits := cloudtrail.region_spec_hits[region]
	tables := input.regions[region].tables
	some arn in hits
	x := {"arn": arn, "region": region, "table": tables[arn]}
	matching := array.concat(every_table, [s | some i, s in conditional; arn in spec_hits[i]])
	c := combos[levels_key(matching, region)]
}

# "<read level>/<write level>", each "yes" (a logging trail records it),
# "maybe" (only trails with unknown status or selectors, or an unlisted
# region, could) or "no".
levels_key(matching, region) := region_miss[region] if {
	count(matching) == 0
} else := concat("/", [level(matching, "read", region), level(matching, "write", region)])

level(matching, kind, region) := "yes" if {
	some s in matching
	s.certain
	s[kind]
} else := "maybe" if {
	some s in matching
	s[kind]
} else := miss_level[region]

# What a kind of event no spec records is in each region.
miss_level[region] := "maybe" if {
	some region, _ in input.regions
	region in cloudtrail.blind_regions
}

miss_level[region] := "no" if {
	some region, _ in input.regions
	not region in cloudtrail.blind_regions
}

# The key of a table no spec records in each region.
region_miss[region] := concat("/", [miss_level[region], miss_level[region]]) if {
	some region, _ in input.regions
}

combos := {key: c |
	some read in ["yes", "maybe", "no"]
	some write in ["yes", "maybe", "no"]
	key := concat("/", [read, write])
	c := {"read": read, "write": write, "status": verdict(read, write), "missing": missing(read, write)}
}

verdict(read, write) := "pass" if {
	read == "yes"
	write == "yes"
} else := "fail" if {
	"no" in {read, write}
} else := "unknown"

missing(read, write) := "reads and writes" if {
	read != "yes"
	write != "yes"
} else := "reads" if {
	read != "yes"
} else := "writes" if {
	write != "yes"
} else := ""

trails_of(matching) := sort([t | some t in {s.trail | some s in matching}])

logging_trails_of(matching) := sort([t | some t in {s.trail | some s in matching; s.certain}])

table_outcome("pass", x, c, matching) := {
	"status": "pass",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf(formats.pass, [x.table.name, x.region, concat(", ", logging_trails_of(matching))]),
	"evidence": {"read_events": c.read, "write_events": c.write, "matching_trails": trails_of(matching)},
}

table_outcome("fail", x, c, matching) := {
	"status": "fail",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf(formats.fail, [x.table.name, x.region, c.missing]),
	"evidence": {"read_events": c.read, "write_events": c.write, "matching_trails": trails_of(matching)},
}

table_outcome("unknown", x, c, matching) := {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf(formats.unknown, [x.table.name, x.region, c.missing]),
	"evidence": {"read_events": c.read, "write_events": c.write, "matching_trails": trails_of(matching)},
	"needs": cloudtrail.region_needs[x.region],
}
