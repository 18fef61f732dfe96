package dynaudit.rules.dyn302_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn302

inv(iam) := build.inventory_with({"us-east-1": build.region({})}, {"iam": iam})

iam_of(roles, policies) := build.iam([], [], roles, policies)

table := build.table_arn("us-east-1", "orders")

# A statement granting item actions on the table under `condition`.
rls(condition) := {
	"Sid": "OwnItems",
	"Effect": "Allow",
	"Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
	"Resource": table,
	"Condition": condition,
}

lk(op, values) := {op: {"dynamodb:LeadingKeys": values}}

# One role with one attached managed policy holding `stmts`.
one(stmts) := inv(iam_of(
	[build.role("app", [], [build.iam_policy_arn("p")])],
	[build.managed_policy("p", build.policy_document(stmts))],
))

status_of(stmts) := o.status if {
	out := dyn302.outcomes with input as one(stmts)
	count(out) == 1
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.region == "global"
}

test_pass_userid if status_of([rls(lk("ForAllValues:StringEquals", ["${aws:userid}"]))]) == "pass"

test_pass_username_string_value if status_of([rls(lk("ForAllValues:StringEquals", "${aws:username}"))]) == "pass"

test_pass_principal_tag if status_of([rls(lk("ForAllValues:StringEquals", ["${aws:PrincipalTag/tenant}"]))]) == "pass"

test_pass_principal_tag_lower_case if status_of([rls(lk("ForAllValues:StringEquals", ["${aws:principaltag/tenant}"]))]) == "pass"

test_pass_cognito_sub_like if status_of([rls(lk("ForAllValues:StringLike", ["${cognito-identity.amazonaws.com:sub}"]))]) == "pass"

test_pass_web_identity_variables if {
	status_of([rls(lk("ForAllValues:StringEquals", ["${www.amazon.com:user_id}"]))]) == "pass"
	status_of([rls(lk("ForAllValues:StringEquals", ["${graph.facebook.com:id}"]))]) == "pass"
	status_of([rls(lk("ForAllValues:StringEquals", ["${accounts.google.com:sub}"]))]) == "pass"
	status_of([rls(lk("ForAllValues:StringEquals", ["${saml:sub}"]))]) == "pass"
}

test_pass_variable_name_case_insensitive if status_of([rls(lk("ForAllValues:StringEquals", ["${AWS:UserId}"]))]) == "pass"

test_pass_literal_prefix_with_variable if status_of([rls(lk("ForAllValues:StringEquals", ["tenant#${aws:PrincipalTag/tenant}"]))]) == "pass"

test_pass_condition_key_case_insensitive if status_of([rls({"ForAllValues:StringEquals": {"DynamoDB:leadingkeys": ["${aws:userid}"]}})]) == "pass"

test_fail_string_equals_without_for_all_values if {
	status_of([rls(lk("StringEquals", ["${aws:userid}"]))]) == "fail"
}

test_fail_for_any_value if status_of([rls(lk("ForAnyValue:StringEquals", ["${aws:userid}"]))]) == "fail"

test_fail_if_exists if status_of([rls(lk("ForAllValues:StringEqualsIfExists", ["${aws:userid}"]))]) == "fail"

test_fail_ignore_case if status_of([rls(lk("ForAllValues:StringEqualsIgnoreCase", ["${aws:userid}"]))]) == "fail"

test_fail_star if status_of([rls(lk("ForAllValues:StringLike", ["*"]))]) == "fail"

test_fail_constant if status_of([rls(lk("ForAllValues:StringEquals", ["tenant-1"]))]) == "fail"

test_fail_constant_next_to_variable if status_of([rls(lk("ForAllValues:StringEquals", ["${aws:userid}", "shared"]))]) == "fail"

test_fail_non_principal_variable if status_of([rls(lk("ForAllValues:StringEquals", ["${aws:PrincipalAccount}"]))]) == "fail"

test_fail_variable_with_default if status_of([rls(lk("ForAllValues:StringEquals", ["${aws:PrincipalTag/tenant, 'all'}"]))]) == "fail"

test_fail_like_wildcard_after_variable if status_of([rls(lk("ForAllValues:StringLike", ["${aws:username}*"]))]) == "fail"

test_pass_equals_star_after_variable_is_literal if status_of([rls(lk("ForAllValues:StringEquals", ["${aws:userid}*"]))]) == "pass"

test_pass_one_sound_condition_among_several if {
	c := {
		"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]},
		"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["*"]},
	}
	status_of([rls(c)]) == "pass"
}

test_fail_evidence_names_the_problem if {
	out := dyn302.outcomes with input as one([
		{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
		rls(lk("ForAnyValue:StringEquals", ["${aws:userid}"])),
	])
	some o in out
	o.status == "fail"
	f := o.evidence.statements[0]
	f.label == "Statement[1] (Sid OwnItems)"
	f.problems[0].operator == "ForAnyValue:StringEquals"
	contains(o.message, "Statement[1] (Sid OwnItems)")
}

test_deny_statements_are_not_judged if {
	d := {
		"Effect": "Deny",
		"Action": "dynamodb:*",
		"Resource": table,
		"Condition": lk("ForAnyValue:StringNotEquals", ["${aws:userid}"]),
	}
	out := dyn302.outcomes with input as one([d])
	count(out) == 0
}

test_no_outcome_without_leading_keys if {
	out := dyn302.outcomes with input as one([{"Effect": "Allow", "Action": "dynamodb:*", "Resource": table}])
	count(out) == 0
}

test_unknown_when_document_not_collected if {
	i := inv(iam_of(
		[build.role("app", [], [build.iam_policy_arn("p")])],
		[build.managed_policy("p", null)],
	))
	out := dyn302.outcomes with input as i
	some o in out
	o.status == "unknown"
	o.resource == build.iam_policy_arn("p")
	count(out) == 1
}

test_unknown_once_when_iam_not_collected if {
	out := dyn302.outcomes with input as inv(null)
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/global"
}

test_inline_policy_outcome_is_the_principal if {
	r := build.role("app", [build.inline_policy("rows", build.policy_document([rls(lk("ForAnyValue:StringLike", ["${aws:userid}"]))]))], [])
	out := dyn302.outcomes with input as inv(iam_of([r], []))
	count(out) == 1
	some o in out
	o.status == "fail"
	o.resource == r.arn
	o.evidence.policies == ["rows"]
	contains(o.message, "Inline policy rows of role")
}

test_pass_when_weak_statement_is_denied if {
	deny := {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	i := inv(iam_of([r], [build.managed_policy("p", build.policy_document([rls(lk("StringEquals", ["x"]))]))]))
	out := dyn302.outcomes with input as i
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "pass"
}

test_pass_with_null_guard_next_to_sound_condition if {
	c := object.union(lk("ForAllValues:StringEquals", ["${aws:userid}"]), {"Null": {"dynamodb:LeadingKeys": "false"}})
	status_of([rls(c)]) == "pass"
}

test_fail_null_check_only if {
	out := dyn302.outcomes with input as one([rls({"Null": {"dynamodb:LeadingKeys": "false"}})])
	some o in out
	o.status == "fail"
	o.evidence.statements[0].problems[0].operator == "Null"
}

test_fail_problems_name_only_the_weak_value if {
	c := object.union(lk("ForAllValues:StringEquals", ["tenant-1"]), {"Null": {"dynamodb:LeadingKeys": "false"}})
	out := dyn302.outcomes with input as one([rls(c)])
	some o in out
	o.status == "fail"
	o.evidence.statements[0].problems == [{"operator": "ForAllValues:StringEquals", "value": "tenant-1", "problem": "value is not a principal-bound policy variable"}]
}

# --- documents that break the IAM policy grammar

test_unknown_when_the_document_breaks_the_grammar if {
	out := dyn302.outcomes with input as one([rls(lk("StringEquals", ["x"])), {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": table, "Condition": {"ForAllValues:StringEquals": null}}])
	some o in out
	o.status == "unknown"
	contains(o.message, `the document of p is not a valid IAM policy: Statement[1] has Condition operator "ForAllValues:StringEquals" with null`)
}

test_unknown_when_a_deny_breaks_the_grammar if {
	# The Deny's Action null made it stop applying: fail instead of pass.
	deny := {"Effect": "Deny", "Action": null, "Resource": "*"}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	i := inv(iam_of([r], [build.managed_policy("p", build.policy_document([rls(lk("StringEquals", ["x"]))]))]))
	out := dyn302.outcomes with input as i
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "unknown"
	contains(o.message, "would condition access on dynamodb:LeadingKeys")
	contains(o.message, "Statement[0] has Action null")
	o.evidence.statements[0].sid == "OwnItems"
}
