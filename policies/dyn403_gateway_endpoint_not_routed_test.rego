package dynaudit.rules.dyn403_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn403

endpoint(id, service, type, state, rtbs) := build.vpc_endpoint(id, {
	"service_name": service,
	"endpoint_type": type,
	"state": state,
	"route_table_ids": rtbs,
})

ddb := "com.amazonaws.us-east-1.dynamodb"

inv(endpoints) := build.one_region({"vpc_endpoints": endpoints})

statuses(out) := {[o.resource, o.status] | some o in out}

test_pass_when_routed if {
	out := dyn403.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "Gateway", "available", ["rtb-1", "rtb-2"])})
	statuses(out) == {["vpce-1", "pass"]}
	some o in out
	o.evidence.route_table_ids == ["rtb-1", "rtb-2"]
}

test_fail_when_not_routed if {
	out := dyn403.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "Gateway", "available", [])})
	statuses(out) == {["vpce-1", "fail"]}
}

test_interface_endpoints_ignored if {
	out := dyn403.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "Interface", "available", [])})
	count(out) == 0
}

test_other_services_ignored if {
	out := dyn403.outcomes with input as inv({"vpce-1": endpoint("vpce-1", "com.amazonaws.us-east-1.s3", "Gateway", "available", [])})
	count(out) == 0
}

test_deleted_endpoint_ignored if {
	out := dyn403.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "Gateway", "Deleted", [])})
	count(out) == 0
}

test_pending_endpoint_checked if {
	out := dyn403.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "Gateway", "pending", [])})
	statuses(out) == {["vpce-1", "fail"]}
}

test_unknown_when_endpoints_not_collected if {
	out := dyn403.outcomes with input as inv(null)
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
	o.needs == ["DescribeVpcEndpoints"]
}

test_mixed if {
	out := dyn403.outcomes with input as inv({
		"vpce-1": endpoint("vpce-1", ddb, "Gateway", "available", ["rtb-1"]),
		"vpce-2": endpoint("vpce-2", ddb, "Gateway", "available", []),
		"vpce-3": endpoint("vpce-3", ddb, "Interface", "available", []),
	})
	statuses(out) == {["vpce-1", "pass"], ["vpce-2", "fail"]}
}

# A null state was not collected: the endpoint may be deleted, so it is
# unknown, whatever its routes (it was read as active: a fail when unrouted).
test_unknown_not_fail_when_state_not_collected if {
	every rtbs in [[], ["rtb-1"]] {
		state_unknown_outcome(rtbs)
	}
}

state_unknown_outcome(rtbs) if {
	out := dyn403.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "Gateway", null, rtbs)})
	o := build.only(out, "vpce-1")
	o.status == "unknown"
	o.needs == ["DescribeVpcEndpoints"]
	o.evidence.route_table_ids == rtbs
	o.message == "Cannot tell whether DynamoDB gateway endpoint vpce-1 (VPC vpc-1, us-east-1) is in use: its state was not collected, so its routes are not judged"
}

test_interface_endpoint_of_unknown_state_ignored if {
	out := dyn403.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "Interface", null, [])})
	count(out) == 0
}
