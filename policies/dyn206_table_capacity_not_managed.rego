# METADATA
# title: A provisioned-capacity table or index does not scale with demand
# description: |-
#   Checks that every DynamoDB table's capacity follows demand, as Security
#   Hub control DynamoDB.1 and the AWS Config rule
#   `dynamodb-autoscaling-enabled` do. A table in on-demand mode
#   (`PAY_PER_REQUEST`) passes: DynamoDB manages its capacity and that of
#   its indexes. A table in provisioned mode passes only when, for the
#   table (`table/NAME`, dimensions `dynamodb:table:ReadCapacityUnits` and
#   `dynamodb:table:WriteCapacityUnits`) and for each of its global
#   secondary indexes (`table/NAME/index/INDEX`, dimensions
#   `dynamodb:index:ReadCapacityUnits` and
#   `dynamodb:index:WriteCapacityUnits`), Application Auto Scaling has a
#   scalable target whose dynamic scaling is not suspended and at least one
#   scaling policy of the same resource and dimension: a target without a
#   policy, or with scaling suspended, keeps capacity fixed. The failure
#   lists every missing resource and dimension and why (no scalable
#   target, dynamic scaling suspended, no scaling policy). A failure that
#   the collected evidence already shows is reported even when another part
#   (the policies, the indexes) was not collected; otherwise the result is
#   unknown when the billing mode (DescribeTable), the region's scalable
#   targets (DescribeScalableTargets) or scaling policies
#   (DescribeScalingPolicies), or a provisioned table's global secondary
#   indexes (DescribeTable) were not collected, or when the inventory
#   predates them (schema before 1.3).
#
#   Severity medium: a provisioned table whose capacity cannot grow
#   throttles requests when traffic exceeds it, an availability failure
#   (and, for writes, lost or delayed data in clients without retries) but
#   not an exposure of data. SOC 2 A1.1: the entity maintains, monitors and
#   evaluates current processing capacity and use of system components to
#   manage capacity demand and to enable additional capacity; on-demand
#   mode or auto scaling with a working policy is how a DynamoDB table
#   meets that demand. No PCI DSS v4.0 requirement addresses processing
#   capacity, so none is mapped.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html
#     description: Managing throughput capacity automatically with DynamoDB auto scaling
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/capacity-mode.html
#     description: DynamoDB throughput capacity (on-demand and provisioned modes)
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-1
#     description: Security Hub control DynamoDB.1
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/dynamodb-autoscaling-enabled.html
#     description: AWS Config managed rule dynamodb-autoscaling-enabled
#   - ref: https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-suspend-resume-scaling.html
#     description: Suspending and resuming scaling for Application Auto Scaling
# custom:
#   id: DYN206
#   name: table-capacity-not-managed
#   severity: medium
#   evaluated_per: table
#   frameworks:
#     soc2: [A1.1]
#   remediation:
#     summary: >-
#       Switch the table to on-demand capacity, or register a scalable target
#       for the read and write capacity of the table and of each global
#       secondary index, attach a target-tracking scaling policy to each,
#       and resume dynamic scaling where it is suspended.
#     aws_cli: |-
#       # on-demand:
#       aws dynamodb update-table --region REGION --table-name TABLE --billing-mode PAY_PER_REQUEST
#       # or auto scaling, for each resource and dimension (repeat with
#       # WriteCapacityUnits, and with table/TABLE/index/INDEX and dynamodb:index:...):
#       aws application-autoscaling register-scalable-target --region REGION \
#         --service-namespace dynamodb --resource-id table/TABLE \
#         --scalable-dimension dynamodb:table:ReadCapacityUnits \
#         --min-capacity 5 --max-capacity 1000 \
#         --suspended-state DynamicScalingInSuspended=false,DynamicScalingOutSuspended=false
#       aws application-autoscaling put-scaling-policy --region REGION \
#         --service-namespace dynamodb --resource-id table/TABLE \
#         --scalable-dimension dynamodb:table:ReadCapacityUnits \
#         --policy-name TABLE-read --policy-type TargetTrackingScaling \
#         --target-tracking-scaling-policy-configuration \
#         '{"TargetValue":70.0,"PredefinedMetricSpecification":{"PredefinedMetricType":"DynamoDBReadCapacityUtilization"}}'
#     terraform: |-
#       resource "aws_appautoscaling_target" "read" {
#         service_namespace  = "dynamodb"
#         resource_id        = "table/${aws_dynamodb_table.this.name}"
#         scalable_dimension = "dynamodb:table:ReadCapacityUnits"
#         min_capacity       = 5
#         max_capacity       = 1000
#       }
#       resource "aws_appautoscaling_policy" "read" {
#         name               = "read-utilization"
#         policy_type        = "TargetTrackingScaling"
#         service_namespace  = aws_appautoscaling_target.read.service_namespace
#         resource_id        = aws_appautoscaling_target.read.resource_id
#         scalable_dimension = aws_appautoscaling_target.read.scalable_dimension
#         target_tracking_scaling_policy_configuration {
#           target_value = 70
#           predefined_metric_specification {
#             predefined_metric_type = "DynamoDBReadCapacityUtilization"
#           }
#         }
#       }
#       # ... the same for WriteCapacityUnits and each index, or:
#       # billing_mode = "PAY_PER_REQUEST" on aws_dynamodb_table
package dynaudit.rules.dyn206

import data.dynaudit.lib.common.not_in_version
import data.dynaudit.lib.common.not_in_version_reason
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome

outcomes contains unlisted_tables_outcome(region, "capacity management of tables") if {
	some region in unlisted_table_regions
}

outcomes contains {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s uses on-demand capacity, which DynamoDB scales with demand", [t.name, region]),
	"evidence": {"billing_mode": "PAY_PER_REQUEST"},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.billing_mode == "PAY_PER_REQUEST"
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot check capacity management of table %s in %s: its billing mode was not collected", [t.name, region]),
	"evidence": {"billing_mode": null},
	"needs": ["DescribeTable"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	object.get(t, "billing_mode", null) == null
}

# Provisioned tables: one outcome from the resources and dimensions checked.
outcomes contains provisioned_outcome(region, r, arn, t, checks(region, t)) if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	provisioned(t)
}

# Any billing mode but on-demand is provisioned (AWS has these two).
provisioned(t) if {
	is_string(t.billing_mode)
	t.billing_mode != "PAY_PER_REQUEST"
}

# --- the region's auto scaling, as sets of [resource_id, dimension] ---

targets[region] := {[x.resource_id, x.scalable_dimension] | some x in r.scalable_targets} if {
	some region, r in input.regions
	is_array(object.get(r, "scalable_targets", null))
}

active_targets[region] := {[x.resource_id, x.scalable_dimension] |
	some x in r.scalable_targets
	x.dynamic_scaling_suspended == false
} if {
	some region, r in input.regions
	is_array(object.get(r, "scalable_targets", null))
}

policies[region] := {[x.resource_id, x.scalable_dimension] | some x in r.scaling_policies} if {
	some region, r in input.regions
	is_array(object.get(r, "scaling_policies", null))
}

# --- per table ---

table_dimensions := ["dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"]

index_dimensions := ["dynamodb:index:ReadCapacityUnits", "dynamodb:index:WriteCapacityUnits"]

# The (resource_id, dimension) pairs that must scale: the table's, and its
# global secondary indexes' when they are known.
pairs(t) := array.concat(
	[[sprintf("table/%s", [t.name]), d] | some d in table_dimensions],
	[[sprintf("table/%s/index/%s", [t.name, i]), d] | some i in indexes(t); some d in index_dimensions],
)

indexes(t) := t.global_secondary_indexes if {
	is_array(object.get(t, "global_secondary_indexes", null))
} else := []

# Each pair with the problems the collected evidence shows (none when the
# evidence that would show them was not collected).
checks(region, t) := [{
	"resource_id": p[0],
	"scalable_dimension": p[1],
	"problems": array.concat(target_problems(region, p), policy_problems(region, p)),
} |
	some p in pairs(t)
]

target_problems(region, p) := [] if {
	not targets[region]
} else := ["no scalable target"] if {
	not p in targets[region]
} else := ["dynamic scaling suspended"] if {
	not p in active_targets[region]
} else := []

policy_problems(region, p) := [] if {
	not policies[region]
} else := ["no scaling policy"] if {
	not p in policies[region]
} else := []

# The evidence that is missing, each with why and the call that failed.
field_needs := {
	"scalable_targets": "DescribeScalableTargets",
	"scaling_policies": "DescribeScalingPolicies",
	"global_secondary_indexes": "DescribeTable",
}

field_labels := {
	"scalable_targets": "the region's Application Auto Scaling targets",
	"scaling_policies": "the region's scaling policies",
	"global_secondary_indexes": "the table's global secondary indexes",
}

gaps(r, t) := array.concat(
	[gap(r, f) | some f in ["scalable_targets", "scaling_policies"]; object.get(r, f, null) == null],
	[gap(t, "global_secondary_indexes") | object.get(t, "global_secondary_indexes", null) == null],
)

gap(record, f) := {"field": f, "old": true, "operations": []} if {
	not_in_version(record, f)
} else := {"field": f, "old": false, "operations": [field_needs[f]]}

# Why the gaps leave the table unknown: one clause for the fields the
# inventory predates, one for those not collected.
gap_reasons(gs) := array.concat(
	[sprintf("%s are %s", [and_list(old), not_in_version_reason]) |
		old := [field_labels[g.field] | some g in gs; g.old]
		count(old) > 0
	],
	[sprintf("%s were not collected", [and_list(failed)]) |
		failed := [field_labels[g.field] | some g in gs; not g.old]
		count(failed) > 0
	],
)

and_list(xs) := xs[0] if {
	count(xs) == 1
} else := sprintf("%s and %s", [concat(", ", array.slice(xs, 0, count(xs) - 1)), xs[count(xs) - 1]])

missing(cs) := [c | some c in cs; count(c.problems) > 0]

describe(c) := sprintf("%s %s (%s)", [c.resource_id, c.scalable_dimension, concat(", ", c.problems)])

checked(cs) := [{"resource_id": c.resource_id, "scalable_dimension": c.scalable_dimension} | some c in cs]

provisioned_outcome(region, r, arn, t, cs) := {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s uses provisioned capacity that does not scale with demand for %s; switch it to on-demand or give each an active scalable target and a scaling policy", [t.name, region, concat("; ", [describe(c) | some c in gone])]),
	"evidence": {
		"billing_mode": t.billing_mode,
		"global_secondary_indexes": object.get(t, "global_secondary_indexes", null),
		"missing": [{"resource_id": c.resource_id, "scalable_dimension": c.scalable_dimension, "problems": c.problems} | some c in gone],
		"not_collected": [g.field | some g in gaps(r, t)],
	},
} if {
	gone := missing(cs)
	count(gone) > 0
} else := {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot check auto scaling of provisioned table %s in %s: %s", [t.name, region, concat("; ", gap_reasons(gs))]),
	"evidence": {
		"billing_mode": t.billing_mode,
		"global_secondary_indexes": object.get(t, "global_secondary_indexes", null),
		"not_collected": [g.field | some g in gs],
	},
	"needs": sort({op | some g in gs; some op in g.operations}),
} if {
	gs := gaps(r, t)
	count(gs) > 0
} else := {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s uses provisioned capacity with an active scalable target and a scaling policy for the read and write capacity of the table and its %d global secondary index(es)", [t.name, region, count(indexes(t))]),
	"evidence": {
		"billing_mode": t.billing_mode,
		"global_secondary_indexes": t.global_secondary_indexes,
		"scaled": checked(cs),
	},
}
