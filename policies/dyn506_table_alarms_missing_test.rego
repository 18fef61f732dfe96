package dynaudit.rules.dyn506_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn506

topic := "arn:aws:sns:us-east-1:111122223333:oncall"

# A metric alarm of us-east-1 on `metrics` ({metric_name, dimensions}),
# actions enabled with one SNS action, in INSUFFICIENT_DATA (a healthy
# alarm on a metric DynamoDB publishes only when there is something to
# count).
alarm(name, metrics, fields) := build.merge(
	{
		"name": name,
		"arn": sprintf("arn:aws:cloudwatch:us-east-1:111122223333:alarm:%s", [name]),
		"actions_enabled": true,
		"alarm_actions": [topic],
		"state": "INSUFFICIENT_DATA",
		"metrics": metrics,
	},
	fields,
)

metric(name, dimensions) := {"metric_name": name, "dimensions": dimensions}

on_table(name, table) := metric(name, {"TableName": table})

latency(table, receiving) := metric("ReplicationLatency", {"TableName": table, "ReceivingRegion": receiving})

# The two alarms the default parameters ask of table `table`.
defaults_for(table) := [
	alarm(sprintf("%s-throttles", [table]), [metric("ThrottledRequests", {"TableName": table, "Operation": "PutItem"})], {}),
	alarm(sprintf("%s-errors", [table]), [on_table("SystemErrors", table)], {}),
]

by_arn(alarms) := {a.arn: a | some a in alarms}

table(name, fields) := build.table("us-east-1", name, fields)

inv(tables, alarms) := build.one_region({"tables": build.by_arn(tables), "metric_alarms": alarms})

v1_3(i) := build.merge(i, {"schema_version": "1.3"})

single(tables, alarms) := o if {
	out := dyn506.outcomes with input as inv(tables, alarms)
	count(out) == count(tables)
	o := build.only(out, tables[0].arn)
}

single_with(tables, alarms, params) := o if {
	out := dyn506.outcomes with input as inv(tables, alarms) with data.dynaudit.params as params
	o := build.only(out, tables[0].arn)
}

orders := table("orders", {})

test_pass_with_default_parameters if {
	o := single([orders], by_arn(defaults_for("orders")))
	o.status == "pass"
	o.evidence.missing == []
	contains(o.message, "ThrottledRequests or ReadThrottleEvents or WriteThrottleEvents (orders-throttles)")
	contains(o.message, "SystemErrors (orders-errors)")
}

test_pass_in_any_alarm_state if {
	alarms := [
		alarm("a", [on_table("ReadThrottleEvents", "orders")], {"state": "ALARM"}),
		alarm("b", [on_table("SystemErrors", "orders")], {"state": "OK"}),
	]
	single([orders], by_arn(alarms)).status == "pass"
}

test_pass_with_an_alternative_metric if {
	alarms := [
		alarm("w", [on_table("WriteThrottleEvents", "orders")], {}),
		alarm("e", [on_table("SystemErrors", "orders")], {"state": null}),
	]
	single([orders], by_arn(alarms)).status == "pass"
}

test_pass_with_a_metric_math_alarm if {
	alarms := [alarm("both", [on_table("ReadThrottleEvents", "orders"), on_table("SystemErrors", "orders")], {})]
	o := single([orders], by_arn(alarms))
	o.status == "pass"
	[c.alarms | some c in o.evidence.checks] == [["both"], ["both"]]
}

test_fail_when_no_alarm if {
	o := single([orders], {})
	o.status == "fail"
	o.evidence.missing == ["ThrottledRequests or ReadThrottleEvents or WriteThrottleEvents", "SystemErrors"]
	contains(o.message, "Table orders in us-east-1 has no CloudWatch alarm")
}

test_fail_lists_only_the_missing_metric if {
	alarms := [alarm("t", [on_table("ThrottledRequests", "orders")], {})]
	o := single([orders], by_arn(alarms))
	o.status == "fail"
	o.evidence.missing == ["SystemErrors"]
}

test_fail_when_alarm_is_on_another_table if {
	o := single([orders, table("carts", {})], by_arn(defaults_for("carts")))
	o.status == "fail"
	count(o.evidence.missing) == 2
}

test_fail_when_actions_disabled if {
	alarms := [
		alarm("t", [on_table("ThrottledRequests", "orders")], {}),
		alarm("e", [on_table("SystemErrors", "orders")], {"actions_enabled": false}),
	]
	o := single([orders], by_arn(alarms))
	o.status == "fail"
	contains(o.message, "SystemErrors (alarm e matches but its actions are disabled)")
}

test_fail_when_no_alarm_action if {
	alarms := [
		alarm("t", [on_table("ThrottledRequests", "orders")], {"alarm_actions": []}),
		alarm("e", [on_table("SystemErrors", "orders")], {}),
	]
	o := single([orders], by_arn(alarms))
	o.status == "fail"
	o.evidence.checks[0].without_action == ["alarm t matches but it has no alarm action"]
}

global := table("orders", {"replicas": [build.replica("eu-west-1", "ACTIVE", null), build.replica("ap-south-1", "ACTIVE", null)]})

test_pass_global_table_with_latency_alarms if {
	alarms := array.concat(defaults_for("orders"), [
		alarm("lat-eu", [latency("orders", "eu-west-1")], {}),
		alarm("lat-ap", [latency("orders", "ap-south-1")], {}),
	])
	o := single([global], by_arn(alarms))
	o.status == "pass"
	o.evidence.replica_regions == ["ap-south-1", "eu-west-1"]
}

test_fail_global_table_missing_latency_alarm_for_one_region if {
	alarms := array.concat(defaults_for("orders"), [alarm("lat-eu", [latency("orders", "eu-west-1")], {})])
	o := single([global], by_arn(alarms))
	o.status == "fail"
	o.evidence.missing == ["ReplicationLatency to ap-south-1"]
}

test_fail_latency_alarm_without_receiving_region_does_not_count if {
	alarms := array.concat(defaults_for("orders"), [alarm("lat", [on_table("ReplicationLatency", "orders")], {})])
	o := single([global], by_arn(alarms))
	o.status == "fail"
	o.evidence.missing == ["ReplicationLatency to ap-south-1", "ReplicationLatency to eu-west-1"]
}

test_pass_global_table_when_latency_alarm_not_required if {
	o := single_with([global], by_arn(defaults_for("orders")), {"require_replication_latency_alarm": false})
	o.status == "pass"
}

test_pass_custom_metrics if {
	alarms := [alarm("u", [on_table("UserErrors", "orders")], {})]
	o := single_with([orders], by_arn(alarms), {"required_alarm_metrics": [["UserErrors"]]})
	o.status == "pass"
}

test_no_outcome_when_nothing_is_required if {
	out := dyn506.outcomes with input as inv([global], null)
		with data.dynaudit.params as {"required_alarm_metrics": [], "require_replication_latency_alarm": false}
	count(out) == 0
}

test_pass_when_only_latency_is_required_and_no_replica if {
	o := single_with([orders], null, {"required_alarm_metrics": []})
	o.status == "pass"
	contains(o.message, "needs no alarm")
}

test_unknown_when_alarms_not_collected if {
	o := single([orders], null)
	o.status == "unknown"
	o.needs == ["DescribeAlarms"]
}

test_unknown_when_alarms_and_replicas_not_collected if {
	o := single([table("orders", {"replicas": null})], null)
	o.status == "unknown"
	o.needs == ["DescribeAlarms", "DescribeTable"]
}

test_unknown_when_alarms_not_in_schema_version if {
	i := build.merge(inv([orders], {}), {"schema_version": "1.2"})
	old := build.merge(i, {"regions": {"us-east-1": object.remove(i.regions["us-east-1"], {"metric_alarms"})}})
	out := dyn506.outcomes with input as old
	o := build.only(out, orders.arn)
	o.status == "unknown"
	o.needs == []
	contains(o.message, "not in this inventory's schema version (1.2); collect it again with this dynaudit")
}

test_unknown_when_replicas_not_collected_and_metrics_met if {
	o := single([table("orders", {"replicas": null})], by_arn(defaults_for("orders")))
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_fail_when_replicas_not_collected_and_a_metric_missing if {
	o := single([table("orders", {"replicas": null})], {})
	o.status == "fail"
	contains(o.message, "its replicas were not collected")
}

test_pass_when_replicas_not_collected_and_latency_not_required if {
	o := single_with([table("orders", {"replicas": null})], by_arn(defaults_for("orders")), {"require_replication_latency_alarm": false})
	o.status == "pass"
}

test_unknown_when_tables_not_listed if {
	out := dyn506.outcomes with input as build.one_region({"tables": null})
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
	o.needs == ["ListTables"]
}

test_alarms_of_another_region_do_not_count if {
	eu := build.region({"metric_alarms": by_arn(defaults_for("orders"))})
	i := build.inventory({"us-east-1": build.region({"tables": build.by_arn([orders]), "metric_alarms": {}}), "eu-west-1": eu})
	out := dyn506.outcomes with input as v1_3(i)
	build.only(out, orders.arn).status == "fail"
}
