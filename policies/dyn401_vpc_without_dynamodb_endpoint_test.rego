package dynaudit.rules.dyn401_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn401

vpc(id, is_default) := build.vpc(id, {"is_default": is_default})

endpoint(id, vpc_id, service, type, state) := build.vpc_endpoint(id, {
	"vpc_id": vpc_id,
	"service_name": service,
	"endpoint_type": type,
	"state": state,
})

ddb := "com.amazonaws.us-east-1.dynamodb"

region_inv(region, vpcs, endpoints) := build.inventory({region: build.region({"vpcs": vpcs, "vpc_endpoints": endpoints})})

inv(vpcs, endpoints) := region_inv("us-east-1", vpcs, endpoints)

defaults := {"vpc_ids": [], "skip_default_vpcs": false}

statuses(out) := {[o.resource, o.status] | some o in out}

test_pass_gateway_endpoint if {
	out := dyn401.outcomes with input as inv(build.vpcs_by_id([vpc("vpc-1", false)]), build.endpoints_by_id([endpoint("vpce-1", "vpc-1", ddb, "Gateway", "available")]))
		with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "pass"]}
	some o in out
	o.evidence.dynamodb_endpoints == ["vpce-1"]
}

test_pass_interface_endpoint if {
	out := dyn401.outcomes with input as inv(build.vpcs_by_id([vpc("vpc-1", false)]), build.endpoints_by_id([endpoint("vpce-1", "vpc-1", ddb, "Interface", "available")]))
		with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "pass"]}
}

test_pass_china_interface_endpoint if {
	e := endpoint("vpce-1", "vpc-1", "cn.com.amazonaws.cn-north-1.dynamodb", "Interface", "available")
	out := dyn401.outcomes with input as region_inv("cn-north-1", build.vpcs_by_id([vpc("vpc-1", false)]), build.endpoints_by_id([e]))
		with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "pass"]}
}

test_pass_state_case_insensitive if {
	out := dyn401.outcomes with input as inv(
		build.vpcs_by_id([vpc("vpc-1", false)]),
		build.endpoints_by_id([endpoint("vpce-1", "vpc-1", ddb, "Gateway", "Available")]),
	)
		with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "pass"]}
}

# A null state was not collected: the endpoint may be active or deleted, so
# a VPC with no endpoint known to be active is unknown (this was a pass).
test_unknown_when_endpoint_state_not_collected if {
	out := dyn401.outcomes with input as inv(
		build.vpcs_by_id([vpc("vpc-1", false)]),
		build.endpoints_by_id([endpoint("vpce-1", "vpc-1", ddb, "Gateway", null)]),
	)
		with data.dynaudit.params as defaults
	o := build.only(out, "vpc-1")
	o.status == "unknown"
	o.needs == ["DescribeVpcEndpoints"]
	o.evidence.endpoints_of_unknown_state == ["vpce-1"]
	o.message == "Cannot tell whether VPC vpc-1 in us-east-1 has an active DynamoDB endpoint: none is known to be active, and the state of DynamoDB endpoint(s) vpce-1 was not collected"
}

# A deleted endpoint beside one of unknown state: still unknown, not fail
# (the fail needs every DynamoDB endpoint of the VPC known to be inactive).
test_unknown_not_fail_when_other_endpoint_inactive if {
	out := dyn401.outcomes with input as inv(
		build.vpcs_by_id([vpc("vpc-1", false)]),
		build.endpoints_by_id([endpoint("vpce-1", "vpc-1", ddb, "Gateway", "deleted"), endpoint("vpce-2", "vpc-1", ddb, "Interface", null)]),
	)
		with data.dynaudit.params as defaults
	o := build.only(out, "vpc-1")
	o.status == "unknown"
	o.evidence.endpoints_of_unknown_state == ["vpce-2"]
	o.evidence.inactive_dynamodb_endpoints == [{"endpoint_id": "vpce-1", "state": "deleted"}]
}

# One endpoint known to be active is enough, whatever the state of another.
test_pass_when_active_beside_unknown_state if {
	out := dyn401.outcomes with input as inv(
		build.vpcs_by_id([vpc("vpc-1", false)]),
		build.endpoints_by_id([endpoint("vpce-1", "vpc-1", ddb, "Gateway", "available"), endpoint("vpce-2", "vpc-1", ddb, "Interface", null)]),
	)
		with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "pass"]}
	some o in out
	o.evidence.dynamodb_endpoints == ["vpce-1"]
}

test_fail_no_endpoint if {
	out := dyn401.outcomes with input as inv(build.vpcs_by_id([vpc("vpc-1", false)]), {}) with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "fail"]}
}

test_fail_other_services_only if {
	out := dyn401.outcomes with input as inv(build.vpcs_by_id([vpc("vpc-1", false)]), build.endpoints_by_id([
		endpoint("vpce-s3", "vpc-1", "com.amazonaws.us-east-1.s3", "Gateway", "available"),
		endpoint("vpce-streams", "vpc-1", "com.amazonaws.us-east-1.dynamodb-streams", "Interface", "available"),
	]))
		with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "fail"]}
}

test_fail_endpoint_in_other_vpc if {
	out := dyn401.outcomes with input as inv(
		build.vpcs_by_id([vpc("vpc-1", false), vpc("vpc-2", false)]),
		build.endpoints_by_id([endpoint("vpce-1", "vpc-2", ddb, "Gateway", "available")]),
	)
		with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "fail"], ["vpc-2", "pass"]}
}

test_fail_endpoint_for_other_region if {
	e := endpoint("vpce-1", "vpc-1", "com.amazonaws.us-west-2.dynamodb", "Interface", "available")
	out := dyn401.outcomes with input as inv(build.vpcs_by_id([vpc("vpc-1", false)]), build.endpoints_by_id([e])) with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "fail"]}
}

test_fail_deleted_or_failed_endpoint if {
	out := dyn401.outcomes with input as inv(
		build.vpcs_by_id([vpc("vpc-1", false)]),
		build.endpoints_by_id([endpoint("vpce-1", "vpc-1", ddb, "Gateway", "deleted"), endpoint("vpce-2", "vpc-1", ddb, "Interface", "Failed")]),
	)
		with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "fail"]}
	some o in out
	count(o.evidence.inactive_dynamodb_endpoints) == 2
}

test_vpc_ids_parameter_selects if {
	out := dyn401.outcomes with input as inv(build.vpcs_by_id([vpc("vpc-1", false), vpc("vpc-2", false)]), {})
		with data.dynaudit.params as {"vpc_ids": ["vpc-2"], "skip_default_vpcs": false}
	statuses(out) == {["vpc-2", "fail"]}
}

test_skip_default_vpcs if {
	out := dyn401.outcomes with input as inv(build.vpcs_by_id([vpc("vpc-default", true), vpc("vpc-2", false)]), {})
		with data.dynaudit.params as {"vpc_ids": [], "skip_default_vpcs": true}
	statuses(out) == {["vpc-2", "fail"]}
}

test_default_vpcs_checked_by_default if {
	out := dyn401.outcomes with input as inv(build.vpcs_by_id([vpc("vpc-default", true)]), {}) with data.dynaudit.params as defaults
	statuses(out) == {["vpc-default", "fail"]}
}

test_vpc_ids_and_skip_default_combined if {
	out := dyn401.outcomes with input as inv(build.vpcs_by_id([vpc("vpc-default", true), vpc("vpc-2", false)]), {})
		with data.dynaudit.params as {"vpc_ids": ["vpc-default", "vpc-2"], "skip_default_vpcs": true}
	statuses(out) == {["vpc-2", "fail"]}
}

test_unknown_when_vpcs_not_collected if {
	out := dyn401.outcomes with input as inv(null, {}) with data.dynaudit.params as defaults
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
	o.needs == ["DescribeVpcs"]
}

test_unknown_when_nothing_collected if {
	out := dyn401.outcomes with input as inv(null, null) with data.dynaudit.params as defaults
	count(out) == 1
	some o in out
	o.needs == ["DescribeVpcs", "DescribeVpcEndpoints"]
}

test_unknown_per_vpc_when_endpoints_not_collected if {
	out := dyn401.outcomes with input as inv(build.vpcs_by_id([vpc("vpc-1", false), vpc("vpc-2", true)]), null)
		with data.dynaudit.params as defaults
	statuses(out) == {["vpc-1", "unknown"], ["vpc-2", "unknown"]}
	every o in out { o.needs == ["DescribeVpcEndpoints"] }
}

test_no_vpcs_no_outcome if {
	out := dyn401.outcomes with input as inv({}, {}) with data.dynaudit.params as defaults
	count(out) == 0
}
