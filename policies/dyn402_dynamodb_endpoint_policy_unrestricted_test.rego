package dynaudit.rules.dyn402_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn402

endpoint(id, service, state, policy) := build.vpc_endpoint(id, {
	"service_name": service,
	"state": state,
	"policy_document": policy,
	"route_table_ids": ["rtb-1"],
})

ddb := "com.amazonaws.us-east-1.dynamodb"

inv(endpoints) := build.one_region({"vpc_endpoints": endpoints})

default_policy := {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}

policy(statements) := {"Version": "2012-10-17", "Statement": statements}

status(p) := o.status if {
	out := dyn402.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "available", p)})
	count(out) == 1
	some o in out
	o.resource == "vpce-1"
}

test_fail_default_policy if {
	status(default_policy) == "fail"
}

test_fail_default_policy_as_string if {
	status(json.marshal(default_policy)) == "fail"
}

test_fail_no_policy if {
	out := dyn402.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "available", null)})
	count(out) == 1
	some o in out
	o.status == "fail"
	o.evidence.policy_document == null
}

test_fail_dynamodb_star_aws_star_principal if {
	status(policy([{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["dynamodb:*"], "Resource": ["*"]}])) == "fail"
}

test_fail_statement_object_and_case if {
	status({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "DynamoDB:*", "Resource": "*"}}) == "fail"
}

test_fail_all_tables_arn_wildcard if {
	status(policy([{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/*"}])) == "fail"
}

test_fail_not_action_excluding_other_service if {
	status(policy([{"Effect": "Allow", "Principal": "*", "NotAction": "s3:*", "Resource": "*"}])) == "fail"
}

test_fail_evidence_names_statement if {
	out := dyn402.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "available", policy([
		{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": "*"},
		{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
	]))})
	some o in out
	o.status == "fail"
	o.evidence.full_access_statements == [1]
}

test_pass_with_condition if {
	status(policy([{
		"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
		"Condition": {"StringEquals": {"aws:ResourceAccount": "111122223333"}},
	}])) == "pass"
}

test_pass_specific_actions if {
	status(policy([{"Effect": "Allow", "Principal": "*", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": "*"}])) == "pass"
}

test_pass_specific_tables if {
	status(policy([{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/*"}])) == "pass"
}

test_pass_specific_principal if {
	status(policy([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "*", "Resource": "*"}])) == "pass"
}

test_pass_not_action_excluding_dynamodb if {
	status(policy([{"Effect": "Allow", "Principal": "*", "NotAction": "dynamodb:DeleteTable", "Resource": "*"}])) == "pass"
}

test_pass_full_allow_narrowed_by_deny if {
	status(policy([
		{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
		{
			"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*",
			"Condition": {"StringNotEquals": {"aws:ResourceAccount": "111122223333"}},
		},
	])) == "pass"
}

test_fail_full_allow_with_unrelated_deny if {
	status(policy([
		{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
		{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
	])) == "fail"
}

test_unknown_when_policy_unparseable if {
	status("{not json") == "unknown"
}

test_non_dynamodb_and_deleted_endpoints_ignored if {
	out := dyn402.outcomes with input as inv({
		"vpce-s3": endpoint("vpce-s3", "com.amazonaws.us-east-1.s3", "available", default_policy),
		"vpce-streams": endpoint("vpce-streams", "com.amazonaws.us-east-1.dynamodb-streams", "available", default_policy),
		"vpce-old": endpoint("vpce-old", ddb, "deleted", default_policy),
	})
	count(out) == 0
}

test_interface_and_china_endpoints_checked if {
	out := dyn402.outcomes with input as inv({
		"vpce-a": object.union(endpoint("vpce-a", ddb, "available", default_policy), {"endpoint_type": "Interface"}),
		"vpce-b": endpoint("vpce-b", "cn.com.amazonaws.cn-north-1.dynamodb", "available", default_policy),
	})
	{[o.resource, o.status] | some o in out} == {["vpce-a", "fail"], ["vpce-b", "fail"]}
}

test_unknown_when_endpoints_not_collected if {
	out := dyn402.outcomes with input as inv(null)
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
	o.needs == ["DescribeVpcEndpoints"]
}

# --- documents that break the IAM policy grammar (read leniently, each of
# these was a pass: the full-access statement was skipped)

grammar_outcome(p) := o if {
	out := dyn402.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, "available", p)})
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == []
}

full := {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}

test_unknown_when_effect_is_null if {
	o := grammar_outcome(policy([object.union(full, {"Effect": null})]))
	o.message == `The policy of DynamoDB VPC endpoint vpce-1 (VPC vpc-1, us-east-1) is not a valid IAM policy: Statement[0] has Effect null; it must be "Allow" or "Deny"`
}

test_unknown_when_principal_aws_is_not_a_string if {
	o := grammar_outcome(policy([object.union(full, {"Principal": {"AWS": [null]}})]))
	contains(o.message, "Statement[0] has Principal.AWS[0] null; each must be a string")
}

test_unknown_when_action_is_a_number if {
	o := grammar_outcome(policy([{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": "*"}, object.union(full, {"Action": 42})]))
	contains(o.message, "Statement[1] has Action 42")
}

test_unknown_when_statement_is_a_string if {
	o := grammar_outcome({"Statement": json.marshal([full])})
	contains(o.message, "its Statement is")
}

test_unknown_when_a_deny_breaks_the_grammar if {
	# A Deny with Effect "deny" narrowed the full access: pass instead of fail.
	o := grammar_outcome(policy([full, {"Effect": "deny", "Principal": "*", "Action": "dynamodb:DeleteTable", "Resource": "*"}]))
	contains(o.message, `Statement[1] has Effect "deny"`)
}

# --- schema 1.1: a null policy is absent only when marked so

v11(endpoints) := build.v1_1(inv(endpoints))

test_v1_1_fail_when_marked_absent if {
	ep := object.union(endpoint("vpce-1", ddb, "available", null), {"absent": ["policy_document"]})
	out := dyn402.outcomes with input as v11({"vpce-1": ep})
	count(out) == 1
	some o in out
	o.status == "fail"
}

test_v1_1_unknown_when_not_collected if {
	# Read as schema 1.0, the same null is a fail: no policy.
	out := dyn402.outcomes with input as v11({"vpce-1": endpoint("vpce-1", ddb, "available", null)})
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["DescribeVpcEndpoints"]
	o.message == "The policy of DynamoDB VPC endpoint vpce-1 (VPC vpc-1, us-east-1) was not collected"
}

test_v1_1_policy_present if {
	out := dyn402.outcomes with input as v11({"vpce-1": endpoint("vpce-1", ddb, "available", default_policy)})
	{o.status | some o in out} == {"fail"}
}

# --- an endpoint whose state was not collected (it may be deleted)

# It was read as active: no policy (or a full-access one) failed it.
test_unknown_not_fail_when_state_not_collected if {
	every p in [null, default_policy, policy([{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": "*"}])] {
		state_unknown_outcome(p)
	}
}

state_unknown_outcome(p) if {
	out := dyn402.outcomes with input as inv({"vpce-1": endpoint("vpce-1", ddb, null, p)})
	o := build.only(out, "vpce-1")
	o.status == "unknown"
	o.needs == ["DescribeVpcEndpoints"]
	o.evidence.state == null
	o.message == "Cannot tell whether DynamoDB VPC endpoint vpce-1 (VPC vpc-1, us-east-1) is in use: its state was not collected, so its policy is not judged"
}

test_every_state_not_collected_is_unknown if {
	out := dyn402.outcomes with input as inv({
		"vpce-1": endpoint("vpce-1", ddb, null, null),
		"vpce-2": endpoint("vpce-2", ddb, null, default_policy),
	})
	{[o.resource, o.status] | some o in out} == {["vpce-1", "unknown"], ["vpce-2", "unknown"]}
	count(out) == 2
}
