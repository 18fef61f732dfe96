# METADATA
# title: A global table lacks a required replica, has a replica that is not ACTIVE, or its replicas differ in posture
# description: |-
#   Applies only to tables configured as requiring replicas: by name in
#   `required_replica_regions` (table name -> regions) or by the tag named
#   in `replica_regions_tag` (default `dynaudit:replica-regions`, a list of
#   regions separated by spaces or commas). When both are present the
#   requirement is their union, so neither a table owner's tag nor the
#   central configuration can weaken the other. The table's own region
#   counts as covered. Fails when a required region has no replica (global
#   tables version 2019.11.21, from DescribeTable), when any replica's
#   status is not ACTIVE, or when the table and the replicas whose regions
#   were scanned differ in point-in-time recovery status or in the type of
#   key that encrypts them (AWS owned, AWS managed or customer managed). A
#   replica whose region was not scanned still counts for coverage and
#   status (the table's DescribeTable reports both), but its posture cannot
#   be compared: the evidence says so, and DYN201 and DYN101 report that
#   replica as unknown. Unknown when the replicas were not collected, when
#   the table's tags were not collected and the tag could add a requirement,
#   when a posture value needed for the comparison was not collected, or
#   when a replica's region was scanned but its tables were not collected.
#   Tables with no requirement produce no outcome.
#
#   PCI DSS v4.0 12.10.1: the incident response plan must include business
#   recovery and continuity procedures; a multi-Region replica is the
#   continuity procedure for a Regional outage, and a missing, unhealthy or
#   weaker replica (no PITR, weaker key) means failing over lowers recovery
#   or protection. SOC 2 A1.2: the entity implements and maintains recovery
#   infrastructure to meet its availability objectives; the replica set is
#   that infrastructure and must match the design.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html
#     description: Global tables, multi-Region replication for DynamoDB
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ReplicaDescription.html
#     description: ReplicaDescription (ReplicaStatus, KMSMasterKeyId)
# custom:
#   id: DYN205
#   name: global-table-replica-gap
#   severity: high
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["12.10.1"]
#     soc2: [A1.2]
#   remediation:
#     summary: >-
#       Add a replica in every required region, repair or recreate replicas
#       that are not ACTIVE (for INACCESSIBLE_ENCRYPTION_CREDENTIALS restore
#       access to the replica's KMS key), and give every replica the same
#       posture: point-in-time recovery on and a customer managed key in each
#       region.
#     aws_cli: |-
#       aws dynamodb update-table --region REGION --table-name TABLE \
#         --replica-updates '[{"Create":{"RegionName":"REPLICA_REGION","KMSMasterKeyId":"arn:aws:kms:REPLICA_REGION:ACCOUNT:key/KEY_ID"}}]'
#       aws dynamodb update-continuous-backups --region REPLICA_REGION --table-name TABLE \
#         --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true
#     terraform: |-
#       resource "aws_dynamodb_table" "this" {
#         # ...
#         stream_enabled   = true
#         stream_view_type = "NEW_AND_OLD_IMAGES"
#         point_in_time_recovery {
#           enabled = true
#         }
#         replica {
#           region_name            = "eu-west-1"
#           kms_key_arn            = aws_kms_key.eu_west_1.arn
#           point_in_time_recovery = true
#         }
#       }
package dynaudit.rules.dyn205

import data.dynaudit.lib.backup.replica_regions_tag
import data.dynaudit.lib.backup.required_replica_regions
import data.dynaudit.lib.backup.scanned
import data.dynaudit.lib.backup.table_record
import data.dynaudit.lib.common.as_array
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome
import data.dynaudit.lib.kms.info

outcomes contains unlisted_tables_outcome(region, "global table replicas") if {
	some region in unlisted_table_regions
}

# Tables in scope: named in required_replica_regions, or carrying the
# replica-regions tag. Out-of-scope tables cost one lookup per rule below.
outcomes contains o if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.name in configured_names
	o := table_outcome({"region": region, "arn": arn, "table": t})
}

outcomes contains o if {
	tag_enabled
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	is_object(t.tags)
	_ := t.tags[tag_key]
	not t.name in configured_names
	o := table_outcome({"region": region, "arn": arn, "table": t})
}

# Tables whose tags were not collected (the tag could name required regions)
# and that the configuration does not name.
outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot tell whether table %s in %s requires replicas: its tags (tag %s) were not collected", [t.name, region, tag_key]),
	"evidence": {"required_by_config": null, "replica_regions_tag": tag_key, "tags": null},
	"needs": ["ListTagsOfResource"],
} if {
	tag_enabled
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.tags == null
	not t.name in configured_names
}

# --- requirement ---

tag_key := replica_regions_tag

required_by_name := required_replica_regions

configured_names := {name | some name, _ in required_by_name}

tag_enabled if {
	is_string(tag_key)
	tag_key != ""
}

tags_of(x) := object.get(x.table, "tags", null)

# Regions required by the configuration, or undefined.
config_regions(x) := sort({r | some r in as_array(v)}) if {
	v := required_by_name[x.table.name]
}

# The tag's value, or undefined when the tag is absent, disabled or the tags
# were not collected.
tag_value(x) := v if {
	tag_enabled
	is_object(tags_of(x))
	v := tags_of(x)[tag_key]
}

tag_regions(x) := sort({r | some r in regex.split(`[ \t\r\n,]+`, v); r != ""}) if {
	v := tag_value(x)
}

# The tag might add regions we cannot see.
tag_unknown(x) if {
	tag_enabled
	tags_of(x) == null
}

config_or_empty(x) := r if {
	r := config_regions(x)
} else := []

tag_or_empty(x) := r if {
	r := tag_regions(x)
} else := []

# Required regions other than the table's own (which is covered by itself).
required(x) := sort({r | some r in array.concat(config_or_empty(x), tag_or_empty(x)); r != x.region})

# --- replicas ---

replicas(x) := [r | some r in x.table.replicas; r.region != x.region]

replica_regions(x) := {r.region | some r in replicas(x)}

missing(x) := [r | some r in required(x); not r in replica_regions(x)]

not_active(x) := sort([sprintf("%s (%s)", [r.region, r.status]) |
	some r in replicas(x)
	r.status != null
	r.status != "ACTIVE"
])

status_unknown(x) := sort([r.region | some r in replicas(x); r.status == null])

replica_statuses(x) := [{"region": reg, "status": st} | some pair in sort([[r.region, object.get(r, "status", null)] | some r in replicas(x)]); reg := pair[0]; st := pair[1]]

# --- posture ---

# The table itself and every replica whose table record was collected, in
# region order.
members(x) := array.concat([{"region": x.region, "table": x.table}], [{"region": reg, "table": t} |
	some reg in sort(replica_regions(x))
	t := table_record(reg, x.table.name)
])

not_compared(x) := [{"region": reg, "reason": why} |
	some reg in sort(replica_regions(x))
	not table_record(reg, x.table.name)
	why := not_compared_reason(reg)
]

not_compared_reason(reg) := "region not scanned" if {
	not scanned(reg)
} else := "the region's tables could not be listed" if {
	input.regions[reg].tables == null
} else := "ListTables in the region did not return the replica"

pitr_status(t) := s if {
	p := object.get(t, "point_in_time_recovery", null)
	p != null
	s := p.status
} else := null

# AWS_OWNED (no SSEDescription, or SSE status DISABLED, which the DynamoDB
# API defines as the AWS owned key), AWS_MANAGED or CUSTOMER_MANAGED as the
# encryption rules classify keys (lib/kms.rego), or null when unknown.
key_type(t) := "AWS_OWNED" if {
	enc := object.get(t, "encryption", null)
	enc != null
	aws_owned(enc)
} else := kt if {
	enc := object.get(t, "encryption", null)
	enc != null
	enc.sse_type == "KMS"
	key := object.get(enc, "kms_key_arn", null)
	is_string(key)
	kt := info(key).key_type
} else := null

aws_owned(enc) if enc.sse_type == "AWS_OWNED"

aws_owned(enc) if {
	enc.sse_type == "KMS"
	enc.status == "DISABLED"
}

sse_type(t) := s if {
	enc := object.get(t, "encryption", null)
	enc != null
	s := enc.sse_type
} else := null

posture(x) := [{
	"region": m.region,
	"pitr_status": pitr_status(m.table),
	"sse_type": sse_type(m.table),
	"key_type": key_type(m.table),
} |
	some m in members(x)
]

compared_attributes := ["pitr_status", "key_type"]

attribute_label := {"pitr_status": "point-in-time recovery status", "key_type": "encryption key type"}

posture_differs(x) := [a |
	some a in compared_attributes
	count({p[a] | some p in posture(x); p[a] != null}) > 1
]

posture_unknown(x) := [a |
	some a in compared_attributes
	some p in posture(x)
	p[a] == null
]

attribute_values(x, a) := concat(", ", [sprintf("%s: %v", [p.region, p[a]]) | some p in posture(x)])

# --- outcome ---

problems(x) := array.concat(
	array.concat(
		[sprintf("no replica in required region(s) %s", [concat(", ", missing(x))]) | count(missing(x)) > 0],
		[sprintf("replica(s) not ACTIVE: %s", [concat(", ", not_active(x))]) | count(not_active(x)) > 0],
	),
	[sprintf("%s differs between replicas (%s)", [attribute_label[a], attribute_values(x, a)]) | some a in posture_differs(x)],
)

unknown_needs(x) := sort({n |
	some n in array.concat(
		array.concat(
			array.concat(
				["ListTagsOfResource" | tag_unknown(x)],
				["DescribeTable" | count(status_unknown(x)) > 0],
			),
			["ListTables" | count(tables_not_collected(x)) > 0],
		),
		[op | some a in posture_unknown(x); some op in needs_for[a]],
	)
})

# Replica regions that were scanned but whose tables were not collected:
# the replicas there may differ in posture, so the table cannot pass (a
# region that was not scanned at all is only noted, as the user chose).
tables_not_collected(x) := sort([reg |
	some reg in replica_regions(x)
	scanned(reg)
	input.regions[reg].tables == null
])

needs_for := {"pitr_status": ["DescribeContinuousBackups"], "key_type": ["DescribeTable", "DescribeKey"]}

unknown_reasons(x) := array.concat(
	array.concat(
		array.concat(
			[sprintf("its tags were not collected, so tag %s may require more regions", [tag_key]) | tag_unknown(x)],
			[sprintf("the status of replica(s) in %s was not reported", [concat(", ", status_unknown(x))]) | count(status_unknown(x)) > 0],
		),
		[sprintf("the tables of replica region(s) %s were not collected, so the posture of the replicas there cannot be compared", [concat(", ", tables_not_collected(x))]) | count(tables_not_collected(x)) > 0],
	),
	[sprintf("the %s of some replicas was not collected (%s)", [attribute_label[a], attribute_values(x, a)]) | some a in posture_unknown(x)],
)

evidence(x) := {
	"required_regions": required(x),
	"required_by_config": config_regions_or_null(x),
	"required_by_tag": tag_value_or_null(x),
	"replicas": replica_statuses(x),
	"missing_regions": missing(x),
	"replicas_not_active": not_active(x),
	"posture": posture(x),
	"posture_differs": posture_differs(x),
	"posture_not_compared": not_compared(x),
}

config_regions_or_null(x) := r if {
	r := config_regions(x)
} else := null

tag_value_or_null(x) := v if {
	v := tag_value(x)
} else := null

table_outcome(x) := {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Replicas of table %s in %s were not collected, so its required replica regions cannot be checked", [x.table.name, x.region]),
	"evidence": {"required_by_config": config_regions_or_null(x), "required_by_tag": tag_value_or_null(x), "replicas": null},
	"needs": sort({n | some n in array.concat(["DescribeTable"], ["ListTagsOfResource" | tag_unknown(x)])}),
} if {
	x.table.replicas == null
} else := {
	"status": "fail",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Global table %s in %s: %s", [x.table.name, x.region, concat("; ", probs)]),
	"evidence": evidence(x),
} if {
	probs := problems(x)
	count(probs) > 0
} else := {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Cannot fully check the replicas of table %s in %s: %s", [x.table.name, x.region, concat("; ", unknown_reasons(x))]),
	"evidence": evidence(x),
	"needs": needs,
} if {
	needs := unknown_needs(x)
	count(needs) > 0
} else := {
	"status": "pass",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s has an ACTIVE replica in every required region (%s); %s", [x.table.name, x.region, required_text(x), posture_text(x)]),
	"evidence": evidence(x),
}

posture_text(x) := sprintf("PITR status and key type match across the %d copies in scanned regions%s", [count(posture(x)), not_compared_text(x, "; not compared: ")]) if {
	count(posture(x)) > 1
} else := sprintf("no replica's posture could be compared%s", [not_compared_text(x, ": ")]) if {
	count(not_compared(x)) > 0
} else := "it has no replicas whose posture could differ"

not_compared_text(x, prefix) := concat("", [prefix, concat(", ", [sprintf("%s (%s)", [n.region, n.reason]) | some n in not_compared(x)])]) if {
	count(not_compared(x)) > 0
} else := ""

required_text(x) := concat(", ", required(x)) if {
	count(required(x)) > 0
} else := "none besides its own region"
