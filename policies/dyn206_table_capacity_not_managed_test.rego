package dynaudit.rules.dyn206_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn206

provisioned(name, indexes) := build.table("us-east-1", name, {"billing_mode": "PROVISIONED", "global_secondary_indexes": indexes})

target(resource_id, dimension, suspended) := {
	"resource_id": resource_id,
	"scalable_dimension": dimension,
	"min_capacity": 5,
	"max_capacity": 100,
	"dynamic_scaling_suspended": suspended,
}

policy(resource_id, dimension) := {
	"name": concat("-", [resource_id, dimension]),
	"resource_id": resource_id,
	"scalable_dimension": dimension,
	"policy_type": "TargetTrackingScaling",
}

# Active targets and a policy for read and write of `resource_id` (`kind`:
# "table" or "index").
scaled(resource_id, kind) := {
	"targets": [target(resource_id, sprintf("dynamodb:%s:%s", [kind, c]), false) | some c in ["ReadCapacityUnits", "WriteCapacityUnits"]],
	"policies": [policy(resource_id, sprintf("dynamodb:%s:%s", [kind, c])) | some c in ["ReadCapacityUnits", "WriteCapacityUnits"]],
}

orders_scaled := scaled("table/orders", "table")

by_date_scaled := scaled("table/orders/index/by-date", "index")

inv(tables, targets, policies) := build.one_region({
	"tables": build.by_arn(tables),
	"scalable_targets": targets,
	"scaling_policies": policies,
})

# The inventory as schema 1.2 wrote it: without the 1.3 keys.
v1_2(inventory) := build.merge(inventory, {"schema_version": "1.2"})

region_1_2(fields) := object.remove(build.region(fields), {"scalable_targets", "scaling_policies", "backup_vaults", "metric_alarms", "exports"})

table_1_2(t) := object.remove(t, {"global_secondary_indexes", "witness_regions"})

test_pass_on_demand if {
	t := build.table("us-east-1", "orders", {"billing_mode": "PAY_PER_REQUEST"})
	out := dyn206.outcomes with input as inv([t], [], [])
	count(out) == 1
	o := build.only(out, t.arn)
	o.status == "pass"
	o.region == "us-east-1"
	o.evidence.billing_mode == "PAY_PER_REQUEST"
}

test_pass_on_demand_in_older_schema if {
	t := table_1_2(build.table("us-east-1", "orders", {}))
	out := dyn206.outcomes with input as v1_2(build.inventory({"us-east-1": region_1_2({"tables": {t.arn: t}})}))
	build.only(out, t.arn).status == "pass"
}

test_pass_provisioned_with_auto_scaling if {
	t := provisioned("orders", ["by-date"])
	out := dyn206.outcomes with input as inv(
		[t],
		array.concat(orders_scaled.targets, by_date_scaled.targets),
		array.concat(orders_scaled.policies, by_date_scaled.policies),
	)
	o := build.only(out, t.arn)
	o.status == "pass"
	count(o.evidence.scaled) == 4
	contains(o.message, "1 global secondary index")
}

test_unknown_billing_mode_not_collected if {
	t := build.table("us-east-1", "orders", {"billing_mode": null})
	out := dyn206.outcomes with input as inv([t], [], [])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_fail_provisioned_without_auto_scaling if {
	t := provisioned("orders", [])
	out := dyn206.outcomes with input as inv([t], [], [])
	o := build.only(out, t.arn)
	o.status == "fail"
	contains(o.message, "orders")
	contains(o.message, "us-east-1")
	contains(o.message, "table/orders dynamodb:table:ReadCapacityUnits (no scalable target, no scaling policy)")
	o.evidence.missing == [
		{"resource_id": "table/orders", "scalable_dimension": "dynamodb:table:ReadCapacityUnits", "problems": ["no scalable target", "no scaling policy"]},
		{"resource_id": "table/orders", "scalable_dimension": "dynamodb:table:WriteCapacityUnits", "problems": ["no scalable target", "no scaling policy"]},
	]
	not o.needs
}

test_fail_index_not_scaled if {
	t := provisioned("orders", ["by-date"])
	out := dyn206.outcomes with input as inv([t], orders_scaled.targets, orders_scaled.policies)
	o := build.only(out, t.arn)
	o.status == "fail"
	[m.resource_id | some m in o.evidence.missing] == ["table/orders/index/by-date", "table/orders/index/by-date"]
}

test_fail_target_without_policy if {
	t := provisioned("orders", [])
	write := "dynamodb:table:WriteCapacityUnits"
	out := dyn206.outcomes with input as inv([t], orders_scaled.targets, [policy("table/orders", "dynamodb:table:ReadCapacityUnits")])
	o := build.only(out, t.arn)
	o.status == "fail"
	o.evidence.missing == [{"resource_id": "table/orders", "scalable_dimension": write, "problems": ["no scaling policy"]}]
}

test_fail_scaling_suspended if {
	t := provisioned("orders", [])
	targets := [
		target("table/orders", "dynamodb:table:ReadCapacityUnits", true),
		target("table/orders", "dynamodb:table:WriteCapacityUnits", false),
	]
	out := dyn206.outcomes with input as inv([t], targets, orders_scaled.policies)
	o := build.only(out, t.arn)
	o.status == "fail"
	o.evidence.missing[0].problems == ["dynamic scaling suspended"]
	count(o.evidence.missing) == 1
}

test_fail_policy_of_other_table_or_dimension_does_not_count if {
	t := provisioned("orders", [])
	others := scaled("table/orders-archive", "table")
	wrong := [policy("table/orders", "dynamodb:index:ReadCapacityUnits"), policy("table/orders", "dynamodb:index:WriteCapacityUnits")]
	out := dyn206.outcomes with input as inv([t], array.concat(orders_scaled.targets, others.targets), array.concat(wrong, others.policies))
	o := build.only(out, t.arn)
	o.status == "fail"
	{p | some m in o.evidence.missing; some p in m.problems} == {"no scaling policy"}
}

test_unknown_targets_not_collected if {
	t := provisioned("orders", [])
	out := dyn206.outcomes with input as inv([t], null, orders_scaled.policies)
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeScalableTargets"]
	o.evidence.not_collected == ["scalable_targets"]
}

test_unknown_policies_not_collected if {
	t := provisioned("orders", [])
	out := dyn206.outcomes with input as inv([t], orders_scaled.targets, null)
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeScalingPolicies"]
}

test_unknown_indexes_not_collected if {
	t := provisioned("orders", null)
	out := dyn206.outcomes with input as inv([t], orders_scaled.targets, orders_scaled.policies)
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
	contains(o.message, "global secondary indexes were not collected")
}

test_fail_shown_by_collected_evidence_despite_uncollected_policies if {
	t := provisioned("orders", null)
	out := dyn206.outcomes with input as inv([t], [], null)
	o := build.only(out, t.arn)
	o.status == "fail"
	o.evidence.not_collected == ["scaling_policies", "global_secondary_indexes"]
	o.evidence.missing[0].problems == ["no scalable target"]
}

test_unknown_not_in_this_schema_version if {
	t := table_1_2(build.table("us-east-1", "orders", {"billing_mode": "PROVISIONED"}))
	out := dyn206.outcomes with input as v1_2(build.inventory({"us-east-1": region_1_2({"tables": {t.arn: t}})}))
	o := build.only(out, t.arn)
	o.status == "unknown"
	contains(o.message, "the region's Application Auto Scaling targets, the region's scaling policies and the table's global secondary indexes are not in this inventory's schema version (1.2)")
	o.needs == []
	o.evidence.not_collected == ["scalable_targets", "scaling_policies", "global_secondary_indexes"]
}

test_unknown_both_not_in_version_and_not_collected if {
	t := object.remove(provisioned("orders", []), {"global_secondary_indexes"})
	out := dyn206.outcomes with input as inv([t], null, null)
	o := build.only(out, t.arn)
	o.status == "unknown"
	contains(o.message, "the table's global secondary indexes are not in this inventory's schema version")
	contains(o.message, "; the region's Application Auto Scaling targets and the region's scaling policies were not collected")
	o.needs == ["DescribeScalableTargets", "DescribeScalingPolicies"]
}

test_unknown_index_key_missing_only if {
	t := object.remove(provisioned("orders", []), {"global_secondary_indexes"})
	out := dyn206.outcomes with input as inv([t], orders_scaled.targets, orders_scaled.policies)
	o := build.only(out, t.arn)
	o.status == "unknown"
	contains(o.message, "the table's global secondary indexes are not in this inventory's schema version")
}

test_unknown_when_tables_not_listed if {
	out := dyn206.outcomes with input as build.one_region({"tables": null})
	count(out) == 1
	o := build.only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["ListTables"]
}

test_one_outcome_per_table_across_regions if {
	a := provisioned("orders", [])
	b := build.table("us-east-1", "events", {})
	c := build.table("eu-west-1", "orders", {"billing_mode": "PROVISIONED"})
	out := dyn206.outcomes with input as build.inventory({
		"us-east-1": build.region({"tables": build.by_arn([a, b]), "scalable_targets": orders_scaled.targets, "scaling_policies": orders_scaled.policies}),
		"eu-west-1": build.region({"tables": build.by_arn([c])}),
	})
	count(out) == 3
	build.only(out, a.arn).status == "pass"
	build.only(out, b.arn).status == "pass"
	build.only(out, c.arn).status == "fail"
}
