package dynaudit.rules.dyn303_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn303

inv(iam) := build.inventory_with({"us-east-1": build.region({})}, {"iam": iam})

iam_of(roles, policies) := build.iam([], [], roles, policies)

table := build.table_arn("us-east-1", "orders")

lk := {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}}

rls(actions, resource, condition) := {
	"Effect": "Allow",
	"Action": actions,
	"Resource": resource,
	"Condition": condition,
}

one(stmts) := inv(iam_of(
	[build.role("app", [], [build.iam_policy_arn("p")])],
	[build.managed_policy("p", build.policy_document(stmts))],
))

outcome_of(stmts) := o if {
	out := dyn303.outcomes with input as one(stmts)
	count(out) == 1
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.region == "global"
}

test_pass_key_carrying_actions_only if {
	o := outcome_of([rls(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLInsert"], table, lk)])
	o.status == "pass"
}

test_fail_explicit_scan if {
	o := outcome_of([rls(["dynamodb:GetItem", "dynamodb:Scan"], table, lk)])
	o.status == "fail"
	o.evidence.statements[0].bypass_actions == ["dynamodb:Scan"]
	contains(o.message, "dynamodb:Scan")
}

test_fail_dynamodb_star if {
	o := outcome_of([rls("dynamodb:*", table, lk)])
	o.status == "fail"
	"dynamodb:ExportTableToPointInTime" in o.evidence.statements[0].bypass_actions
	"dynamodb:DeleteTable" in o.evidence.statements[0].bypass_actions
	"dynamodb:PartiQLSelect" in o.evidence.statements[0].bypass_actions
}

test_fail_wildcard_delete_includes_delete_table if {
	o := outcome_of([rls(["dynamodb:GetItem", "dynamodb:Delete*"], table, lk)])
	o.status == "fail"
	o.evidence.statements[0].bypass_actions == ["dynamodb:DeleteTable", "dynamodb:DeleteTableReplica"]
}

test_fail_partiql_select if {
	o := outcome_of([rls(["dynamodb:PartiQLSelect"], table, {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["${aws:userid}"]}})])
	o.status == "fail"
}

test_pass_partiql_select_with_full_table_scan_guard if {
	c := object.union(lk, {"Bool": {"dynamodb:FullTableScan": "false"}})
	o := outcome_of([rls(["dynamodb:PartiQLSelect", "dynamodb:GetItem"], table, c)])
	o.status == "pass"
}

test_fail_full_table_scan_guard_does_not_cover_scan if {
	c := object.union(lk, {"Bool": {"dynamodb:FullTableScan": "false"}})
	o := outcome_of([rls(["dynamodb:PartiQLSelect", "dynamodb:Scan"], table, c)])
	o.status == "fail"
	o.evidence.statements[0].bypass_actions == ["dynamodb:Scan"]
}

test_pass_with_null_guard if {
	c := object.union(lk, {"Null": {"dynamodb:LeadingKeys": "false"}})
	o := outcome_of([rls("dynamodb:*", table, c)])
	o.status == "pass"
}

test_pass_with_null_guard_boolean if {
	c := object.union(lk, {"Null": {"dynamodb:LeadingKeys": [false]}})
	o := outcome_of([rls(["dynamodb:Scan"], table, c)])
	o.status == "pass"
}

test_fail_null_guard_true_is_no_guard if {
	c := object.union(lk, {"Null": {"dynamodb:LeadingKeys": "true"}})
	o := outcome_of([rls(["dynamodb:Scan"], table, c)])
	o.status == "fail"
}

test_fail_not_action if {
	s := {"Effect": "Allow", "NotAction": ["dynamodb:DeleteTable"], "Resource": table, "Condition": lk}
	o := outcome_of([s])
	o.status == "fail"
	not "dynamodb:DeleteTable" in o.evidence.statements[0].bypass_actions
	"dynamodb:Scan" in o.evidence.statements[0].bypass_actions
}

test_fail_get_star_on_stream_wildcard if {
	o := outcome_of([rls("dynamodb:Get*", "arn:aws:dynamodb:us-east-1:111122223333:table/orders*", lk)])
	o.status == "fail"
	o.evidence.statements[0].bypass_actions == ["dynamodb:GetRecords"]
}

test_pass_get_star_on_exact_table if {
	o := outcome_of([rls("dynamodb:Get*", table, lk)])
	o.status == "pass"
}

test_pass_for_any_value_is_not_this_rule if {
	# ForAnyValue over an absent key is false: no bypass (DYN302 flags the operator).
	out := dyn303.outcomes with input as one([rls("dynamodb:*", table, {"ForAnyValue:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}})])
	count(out) == 0
}

test_pass_scan_denied_to_every_principal if {
	deny := {"Effect": "Deny", "Action": ["dynamodb:Scan"], "Resource": "*"}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	i := inv(iam_of([r], [build.managed_policy("p", build.policy_document([rls(["dynamodb:GetItem", "dynamodb:Scan"], table, lk)]))]))
	out := dyn303.outcomes with input as i
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "pass"
}

test_fail_deny_with_condition_does_not_close if {
	deny := {"Effect": "Deny", "Action": ["dynamodb:Scan"], "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	i := inv(iam_of([r], [build.managed_policy("p", build.policy_document([rls(["dynamodb:GetItem", "dynamodb:Scan"], table, lk)]))]))
	out := dyn303.outcomes with input as i
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "fail"
}

test_no_outcome_without_leading_keys if {
	out := dyn303.outcomes with input as one([rls("dynamodb:*", table, {})])
	count(out) == 0
}

test_unknown_when_document_not_collected if {
	i := inv(iam_of(
		[build.role("app", [], [build.iam_policy_arn("p")])],
		[build.managed_policy("p", null)],
	))
	out := dyn303.outcomes with input as i
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["GetAccountAuthorizationDetails"]
}

test_unknown_once_when_iam_not_collected if {
	out := dyn303.outcomes with input as inv(null)
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/global"
}

test_fail_inline_policy if {
	r := build.role("app", [build.inline_policy("rows", build.policy_document([rls(["dynamodb:Query", "dynamodb:Scan"], "*", lk)]))], [])
	out := dyn303.outcomes with input as inv(iam_of([r], []))
	count(out) == 1
	some o in out
	o.status == "fail"
	o.resource == r.arn
}

# --- documents that break the IAM policy grammar

test_unknown_when_the_document_breaks_the_grammar if {
	out := dyn303.outcomes with input as one([rls(["dynamodb:GetItem", "dynamodb:Scan"], table, lk), {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": table, "Sid": 1}])
	some o in out
	o.status == "unknown"
	contains(o.message, "Statement[1] has Sid 1; it must be a string")
}

test_unknown_when_a_deny_breaks_the_grammar if {
	# The Deny's Statement null made it stop applying: fail instead of pass.
	r := build.role("app", [build.inline_policy("guard", {"Version": "2012-10-17", "Statement": null})], [build.iam_policy_arn("p")])
	i := inv(iam_of([r], [build.managed_policy("p", build.policy_document([rls(["dynamodb:GetItem", "dynamodb:Scan"], table, lk)]))]))
	out := dyn303.outcomes with input as i
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "unknown"
	contains(o.message, "dynamodb:Scan")
	contains(o.message, "its Statement is null")
	o.evidence.statements[0].bypass_actions == ["dynamodb:Scan"]
}

test_fail_when_only_some_bypass_actions_may_be_denied if {
	deny := {"Effect": "Deny", "Action": "dynamodb:Scan", "Resource": "*"}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	i := inv(iam_of([r], [build.managed_policy("p", build.policy_document([rls(["dynamodb:GetItem", "dynamodb:Scan", "dynamodb:DeleteTable"], table, lk)]))]))
	out := dyn303.outcomes with input as i
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "fail"
	o.evidence.statements[0].bypass_actions == ["dynamodb:DeleteTable"]
}
