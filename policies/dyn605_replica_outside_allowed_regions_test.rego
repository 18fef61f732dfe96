package dynaudit.rules.dyn605_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn605

eu := ["eu-west-1", "eu-central-1", "eu-north-1"]

rep(region) := build.replica(region, "ACTIVE", null)

table(region, replicas, witnesses) := build.table(region, "orders", {"replicas": replicas, "witness_regions": witnesses})

inv(t) := build.inventory({split(t.arn, ":")[3]: build.region({"tables": build.by_arn([t])})})

outcome(t, allowed) := o if {
	out := dyn605.outcomes with input as inv(t) with data.dynaudit.params.allowed_regions as allowed
	count(out) == 1
	o := build.only(out, t.arn)
}

# The table without its `witness_regions` key, in a schema 1.2 inventory.
old_outcome(t, allowed) := o if {
	i := build.merge(inv(object.remove(t, {"witness_regions"})), {"schema_version": "1.2"})
	out := dyn605.outcomes with input as i with data.dynaudit.params.allowed_regions as allowed
	count(out) == 1
	o := build.only(out, t.arn)
}

test_no_outcome_when_allowed_regions_empty if {
	t := table("us-east-1", [rep("ap-south-1")], [])
	count(dyn605.outcomes) == 0 with input as inv(t)
	out := dyn605.outcomes with input as inv(t) with data.dynaudit.params.allowed_regions as []
	count(out) == 0
}

test_no_outcome_for_unlisted_tables_when_allowed_regions_empty if {
	out := dyn605.outcomes with input as build.one_region({"tables": null})
	count(out) == 0
}

test_pass_single_region_table if {
	o := outcome(table("eu-west-1", [], []), eu)
	o.status == "pass"
	contains(o.message, "Table orders in eu-west-1 is in an allowed region and has no replica")
}

test_pass_replicas_in_allowed_regions if {
	o := outcome(table("eu-west-1", [rep("eu-central-1"), rep("eu-north-1")], []), eu)
	o.status == "pass"
	o.evidence.replica_regions == ["eu-central-1", "eu-north-1"]
	o.evidence.outside == []
}

test_pass_mrsc_table_with_witness_in_allowed_region if {
	o := outcome(table("eu-west-1", [rep("eu-central-1")], ["eu-north-1"]), eu)
	o.status == "pass"
	contains(o.message, "its witness (eu-north-1)")
}

test_fail_table_itself_outside if {
	o := outcome(table("us-east-1", [], []), eu)
	o.status == "fail"
	o.evidence.outside == ["us-east-1"]
	contains(o.message, "the table itself is in us-east-1")
}

test_fail_replica_outside if {
	o := outcome(table("eu-west-1", [rep("eu-central-1"), rep("us-east-1")], []), eu)
	o.status == "fail"
	o.evidence.outside == ["us-east-1"]
	contains(o.message, "replica(s) in us-east-1")
}

test_fail_replica_outside_whatever_its_status if {
	o := outcome(table("eu-west-1", [build.replica("us-west-2", "CREATING", null)], []), eu)
	o.status == "fail"
}

test_fail_witness_outside if {
	o := outcome(table("eu-west-1", [rep("eu-central-1")], ["us-west-2"]), eu)
	o.status == "fail"
	contains(o.message, "witness in us-west-2")
}

test_fail_lists_every_kind if {
	o := outcome(table("us-east-1", [rep("us-east-2")], ["us-west-2"]), eu)
	o.status == "fail"
	o.evidence.outside == ["us-east-1", "us-east-2", "us-west-2"]
	contains(o.message, "the table itself is in us-east-1; replica(s) in us-east-2; witness in us-west-2")
}

test_fail_when_table_outside_even_if_replicas_unknown if {
	o := outcome(table("us-east-1", null, null), eu)
	o.status == "fail"
	contains(o.message, "its replicas were not collected")
}

test_fail_replica_outside_even_if_witness_unknown if {
	o := outcome(table("eu-west-1", [rep("us-east-1")], null), eu)
	o.status == "fail"
	contains(o.message, "its witness region was not collected")
}

test_fail_replica_outside_even_if_witness_not_in_version if {
	o := old_outcome(table("eu-west-1", [rep("us-east-1")], []), eu)
	o.status == "fail"
	contains(o.message, "not in this inventory's schema version")
}

test_unknown_when_replicas_not_collected if {
	o := outcome(table("eu-west-1", null, null), eu)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
	o.evidence.replica_regions == null
}

test_unknown_when_witness_not_collected if {
	o := outcome(table("eu-west-1", [rep("eu-central-1")], null), eu)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
	contains(o.message, "its witness region was not collected")
}

test_pass_when_witness_not_collected_and_no_replica if {
	# A table without replicas is no global table: it has no witness.
	o := outcome(table("eu-west-1", [], null), eu)
	o.status == "pass"
}

test_unknown_when_witness_not_in_schema_version if {
	o := old_outcome(table("eu-west-1", [rep("eu-central-1")], []), eu)
	o.status == "unknown"
	o.needs == []
	contains(o.message, "its witness region is not in this inventory's schema version (1.2); collect it again with this dynaudit")
	o.evidence.witness_regions == "not in this inventory's schema version"
}

test_pass_when_witness_not_in_schema_version_and_no_replica if {
	o := old_outcome(table("eu-west-1", [], []), eu)
	o.status == "pass"
}

test_unknown_when_tables_not_listed if {
	out := dyn605.outcomes with input as build.one_region({"tables": null})
		with data.dynaudit.params.allowed_regions as eu
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["ListTables"]
}
