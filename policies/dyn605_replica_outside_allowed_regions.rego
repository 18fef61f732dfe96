# METADATA
# title: A table, one of its replicas or its witness is in a region outside the allowed regions
# description: |-
#   Data residency. Applies only when `allowed_regions` is set (default
#   empty: the rule emits nothing). Every table must be in an allowed
#   region, and so must every replica of a global table (`Replicas` of
#   DescribeTable, whatever the replica's status: a replica being created or
#   deleted still holds data) and the witness region of a multi-Region
#   strong consistency (MRSC) global table (`GlobalTableWitnesses`), which
#   stores the replicated change data that lets the table keep strong
#   consistency when one replica Region is unavailable. Fails listing the
#   regions outside the allowed ones, saying which is the table itself, a
#   replica or the witness; a region outside is a failure even when other
#   parts of the table are unknown. Unknown when the replicas or the
#   witness were not collected (DescribeTable failed) and no region is
#   known to be outside, or when the inventory predates witness regions
#   (schema before 1.3) and the table has or may have replicas: a table
#   with no replica is not a global table and has no witness.
#
#   PCI DSS v4.0 12.5.2: the entity documents and confirms its PCI DSS
#   scope, identifying every location where account data is stored; a
#   replica or witness in a region outside the approved ones stores the
#   table's data in a location outside that documented scope. SOC 2 CC6.7:
#   the entity restricts the movement of information to authorised
#   locations and parties; replication sends every write of the table to
#   each replica and witness Region. SOC 2 C1.1: confidential information is
#   maintained to meet the entity's commitments, and data residency
#   commitments (contracts, GDPR transfer rules) name the regions where the
#   data may be kept.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html
#     description: Global tables, multi-Region replication for DynamoDB
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/multi-region-strong-consistency-gt.html
#     description: Multi-Region strong consistency and witness Regions
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
#     description: TableDescription (Replicas, GlobalTableWitnesses)
# custom:
#   id: DYN605
#   name: replica-outside-allowed-regions
#   severity: high
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["12.5.2"]
#     soc2: [C1.1, CC6.7]
#   remediation:
#     summary: >-
#       Remove the replicas (and the witness) in regions that are not
#       allowed, and move tables out of them (export, import into a table in
#       an allowed region, delete the original); or, if the region is
#       approved, add it to `allowed_regions`. Deny replica creation outside
#       the approved regions with an SCP on `aws:RequestedRegion`.
#     aws_cli: |-
#       aws dynamodb update-table --region REGION --table-name TABLE \
#         --replica-updates '[{"Delete":{"RegionName":"DISALLOWED_REGION"}}]'
#     terraform: |-
#       resource "aws_dynamodb_table" "this" {
#         # ...
#         # keep only replicas in allowed regions
#         replica {
#           region_name = "eu-central-1"
#         }
#       }
package dynaudit.rules.dyn605

import data.dynaudit.lib.common

default allowed_regions := []

allowed_regions := data.dynaudit.params.allowed_regions

allowed := {r | some r in allowed_regions}

enabled if count(allowed) > 0

outcomes contains common.unlisted_tables_outcome(region, "the regions of tables and their replicas") if {
	enabled
	some region in common.unlisted_table_regions
}

outcomes contains o if {
	enabled
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	o := table_outcome({"region": region, "arn": arn, "table": t})
}

# --- the regions of a table

replicas_known(x) if is_array(x.table.replicas)

replica_regions(x) := sort({rep.region | some rep in x.table.replicas; rep.region != x.region}) if {
	replicas_known(x)
} else := []

witness_known(x) if is_array(object.get(x.table, "witness_regions", null))

witness_regions(x) := sort({w | some w in x.table.witness_regions}) if {
	witness_known(x)
} else := []

# A table with no replica is not a global table, so it has no witness: its
# witness regions do not matter.
witness_matters(x) if not replicas_known(x)

witness_matters(x) if count(replica_regions(x)) > 0

# --- regions outside the allowed ones

outside_own(x) := [x.region | not x.region in allowed]

outside_replicas(x) := [reg | some reg in replica_regions(x); not reg in allowed] if {
	replicas_known(x)
} else := []

outside_witness(x) := [reg | some reg in witness_regions(x); not reg in allowed] if {
	witness_known(x)
} else := []

violations(x) := array.concat(
	array.concat(
		[sprintf("the table itself is in %s", [x.region]) | count(outside_own(x)) > 0],
		[sprintf("replica(s) in %s", [concat(", ", outside_replicas(x))]) | count(outside_replicas(x)) > 0],
	),
	[sprintf("witness in %s", [concat(", ", outside_witness(x))]) | count(outside_witness(x)) > 0],
)

outside(x) := sort({reg | some reg in array.concat(array.concat(outside_own(x), outside_replicas(x)), outside_witness(x))})

# --- what is not known

replicas_unknown(x) if x.table.replicas == null

witness_unknown(x) if {
	witness_matters(x)
	common.has_field(x.table, "witness_regions")
	x.table.witness_regions == null
}

witness_not_in_version(x) if {
	witness_matters(x)
	common.not_in_version(x.table, "witness_regions")
}

unknown_reasons(x) := array.concat(
	array.concat(
		["its replicas were not collected" | replicas_unknown(x)],
		["its witness region was not collected" | witness_unknown(x)],
	),
	[sprintf("its witness region is %s", [common.not_in_version_reason]) | witness_not_in_version(x)],
)

unknown_needs(x) := ["DescribeTable"] if {
	replicas_unknown(x)
} else := ["DescribeTable"] if {
	witness_unknown(x)
} else := []

# --- evidence and outcome

witness_evidence(x) := x.table.witness_regions if {
	common.has_field(x.table, "witness_regions")
} else := "not in this inventory's schema version"

evidence(x) := {
	"allowed_regions": sort(allowed),
	"table_region": x.region,
	"replica_regions": replica_regions_or_null(x),
	"witness_regions": witness_evidence(x),
	"outside": outside(x),
}

replica_regions_or_null(x) := replica_regions(x) if {
	replicas_known(x)
} else := null

unknown_suffix(x) := sprintf(" (also, %s)", [concat("; ", unknown_reasons(x))]) if {
	count(unknown_reasons(x)) > 0
} else := ""

table_outcome(x) := {
	"status": "fail",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s keeps data in regions that are not allowed (allowed: %s): %s%s", [
		x.table.name, x.region, concat(", ", sort(allowed)),
		concat("; ", v), unknown_suffix(x),
	]),
	"evidence": evidence(x),
} if {
	v := violations(x)
	count(v) > 0
} else := {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Cannot tell whether table %s in %s keeps data only in the allowed regions: %s", [x.table.name, x.region, concat("; ", reasons)]),
	"evidence": evidence(x),
	"needs": unknown_needs(x),
} if {
	reasons := unknown_reasons(x)
	count(reasons) > 0
} else := {
	"status": "pass",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s%s", [x.table.name, x.region, members_text(x)]),
	"evidence": evidence(x),
}

members_text(x) := sprintf(", its replicas (%s) and its witness (%s) are all in the allowed regions", [concat(", ", replica_regions(x)), concat(", ", witness_regions(x))]) if {
	count(replica_regions(x)) > 0
	count(witness_regions(x)) > 0
} else := sprintf(" and its replicas (%s) are all in the allowed regions", [concat(", ", replica_regions(x))]) if {
	count(replica_regions(x)) > 0
} else := " is in an allowed region and has no replica"
