package dynaudit.rules.dyn301_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn301

inv(iam) := build.inventory_with({"us-east-1": build.region({})}, {"iam": iam})

principal(kind, name, inline, attached) := build.principal(kind, name, {"inline_policies": inline, "attached_policy_arns": attached})

# One role with one attached managed policy holding `stmts`.
one_managed(stmts) := inv(build.iam([], [], [build.role("app", [], [build.iam_policy_arn("p")])], [build.managed_policy("p", build.policy_document(stmts))]))

admin := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}

only(out, status, resource) if {
	count(out) == 1
	some o in out
	o.status == status
	o.resource == resource
	o.region == "global"
}

test_fail_dynamodb_star_on_star if {
	out := dyn301.outcomes with input as one_managed([admin])
	only(out, "fail", build.iam_policy_arn("p"))
	some o in out
	o.evidence.statements[0].label == "Statement[0]"
	o.evidence.principals == ["arn:aws:iam::111122223333:role/app"]
	o.evidence.policy_type == "managed"
	contains(o.message, "Managed policy p")
}

test_fail_star_action_on_every_table if {
	s := {"Sid": "All", "Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": "arn:aws:dynamodb:*:*:table/*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", build.iam_policy_arn("p"))
	some o in out
	o.evidence.statements[0].label == "Statement[0] (Sid All)"
}

test_fail_every_table_of_the_account if {
	s := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:111122223333:*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", build.iam_policy_arn("p"))
}

test_fail_every_table_of_one_region if {
	s := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:eu-west-1:111122223333:table/*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", build.iam_policy_arn("p"))
}

test_fail_case_insensitive_action if {
	s := {"Effect": "Allow", "Action": "DynamoDB:*", "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", build.iam_policy_arn("p"))
}

test_fail_statement_object_not_array if {
	d := {"Version": "2012-10-17", "Statement": admin}
	i := inv(build.iam([], [], [build.role("app", [], [build.iam_policy_arn("p")])], [build.managed_policy("p", d)]))
	out := dyn301.outcomes with input as i
	only(out, "fail", build.iam_policy_arn("p"))
}

test_fail_document_as_json_string if {
	d := json.marshal(build.policy_document([admin]))
	i := inv(build.iam([], [], [build.role("app", [], [build.iam_policy_arn("p")])], [build.managed_policy("p", d)]))
	out := dyn301.outcomes with input as i
	only(out, "fail", build.iam_policy_arn("p"))
}

test_fail_not_action_that_keeps_dynamodb if {
	s := {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", build.iam_policy_arn("p"))
}

test_fail_not_resource_that_keeps_dynamodb if {
	s := {"Effect": "Allow", "Action": "dynamodb:*", "NotResource": "arn:aws:s3:::logs/*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", build.iam_policy_arn("p"))
}

test_pass_not_action_excluding_some_dynamodb if {
	s := {"Effect": "Allow", "NotAction": "dynamodb:DeleteTable", "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", build.iam_policy_arn("p"))
}

test_no_outcome_not_action_excluding_all_dynamodb if {
	s := {"Effect": "Allow", "NotAction": "dynamodb:*", "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	count(out) == 0
}

test_pass_scoped_to_one_table if {
	s := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/orders"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", build.iam_policy_arn("p"))
}

test_pass_with_condition if {
	s := object.union(admin, {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", build.iam_policy_arn("p"))
}

test_pass_read_wildcard_only if {
	s := {"Effect": "Allow", "Action": ["dynamodb:Get*", "dynamodb:Query"], "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", build.iam_policy_arn("p"))
}

test_pass_other_account_tables if {
	s := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:999999999999:table/*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", build.iam_policy_arn("p"))
}

test_pass_question_mark_is_not_every_action if {
	s := {"Effect": "Allow", "Action": "dynamodb:?", "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", build.iam_policy_arn("p"))
}

test_deny_statement_is_not_a_grant if {
	s := {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	count(out) == 0
}

test_no_outcome_without_dynamodb if {
	s := {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	count(out) == 0
}

test_no_outcome_for_unattached_policy if {
	i := inv(build.iam([], [], [build.role("app", [], [])], [build.managed_policy("p", build.policy_document([admin]))]))
	out := dyn301.outcomes with input as i
	count(out) == 0
}

test_unknown_when_document_not_collected if {
	i := inv(build.iam([], [], [build.role("app", [], [build.iam_policy_arn("p")])], [build.managed_policy("p", null)]))
	out := dyn301.outcomes with input as i
	only(out, "unknown", build.iam_policy_arn("p"))
	some o in out
	o.needs == ["GetAccountAuthorizationDetails"]
}

test_unknown_when_attached_policy_missing if {
	i := inv(build.iam([], [], [build.role("app", [], [build.iam_policy_arn("gone")])], []))
	out := dyn301.outcomes with input as i
	only(out, "unknown", build.iam_policy_arn("gone"))
	some o in out
	o.needs == ["GetAccountAuthorizationDetails"]
}

test_unknown_once_when_iam_not_collected if {
	out := dyn301.outcomes with input as inv(null)
	only(out, "unknown", "111122223333/global")
	some o in out
	o.needs == ["GetAccountAuthorizationDetails"]
}

test_inline_policies_aggregate_per_principal if {
	r := build.role("app", [
		build.inline_policy("reads", build.policy_document([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}])),
		build.inline_policy("admin", build.policy_document([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, admin])),
	], [])
	out := dyn301.outcomes with input as inv(build.iam([], [], [r], []))
	only(out, "fail", r.arn)
	some o in out
	o.evidence.policies == ["admin", "reads"]
	o.evidence.statements[0].policy == "admin"
	o.evidence.statements[0].statement == 1
	contains(o.message, "Statement[1] of admin")
}

test_pass_neutralised_by_unconditional_deny if {
	deny := {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	out := dyn301.outcomes with input as inv(build.iam([], [], [r], [build.managed_policy("p", build.policy_document([admin]))]))
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "pass"
	count(o.evidence.neutralised_by_deny) == 1
	contains(o.message, "unconditional Deny")
}

test_fail_when_deny_has_a_condition if {
	deny := {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*", "Condition": {"Bool": {"aws:ViaAWSService": "false"}}}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	out := dyn301.outcomes with input as inv(build.iam([], [], [r], [build.managed_policy("p", build.policy_document([admin]))]))
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "fail"
}

test_fail_when_deny_covers_only_part if {
	deny := {"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	out := dyn301.outcomes with input as inv(build.iam([], [], [r], [build.managed_policy("p", build.policy_document([admin]))]))
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "fail"
}

test_fail_when_one_of_two_principals_has_no_deny if {
	deny := {"Effect": "Deny", "Action": "*", "Resource": "*"}
	r1 := build.role("guarded", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	r2 := build.role("open", [], [build.iam_policy_arn("p")])
	out := dyn301.outcomes with input as inv(build.iam([], [], [r1, r2], [build.managed_policy("p", build.policy_document([admin]))]))
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "fail"
	o.evidence.principal_count == 2
}

test_user_deny_from_group_neutralises if {
	deny := {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}
	g := principal("group", "guarded", [build.inline_policy("guard", build.policy_document([deny]))], [])
	u := object.union(principal("user", "alice", [], [build.iam_policy_arn("p")]), {"group_names": ["guarded"]})
	out := dyn301.outcomes with input as inv(build.iam([u], [g], [], [build.managed_policy("p", build.policy_document([admin]))]))
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "pass"
}

test_policy_attached_to_group_names_the_group if {
	g := principal("group", "admins", [], [build.iam_policy_arn("p")])
	out := dyn301.outcomes with input as inv(build.iam([], [g], [], [build.managed_policy("p", build.policy_document([admin]))]))
	only(out, "fail", build.iam_policy_arn("p"))
	some o in out
	o.evidence.principals == [g.arn]
}

# --- documents that break the IAM policy grammar

test_unknown_when_the_document_breaks_the_grammar if {
	broken := {"Sid": "Audit", "Effect": "Allow", "Action": null, "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([admin, broken])
	only(out, "unknown", build.iam_policy_arn("p"))
	some o in out
	o.message == `Managed policy p (arn:aws:iam::111122223333:policy/p): the document of p is not a valid IAM policy: Statement[1] (Sid "Audit") has Action null; it must be a string or a non-empty array of strings, so its DynamoDB grants cannot be checked`
	o.needs == []
	o.evidence.policy_problems == [{"policy": "p", "problem": `Statement[1] (Sid "Audit") has Action null; it must be a string or a non-empty array of strings`}]
}

test_unknown_when_an_allow_has_effect_null if {
	# Read leniently, the statement was skipped: pass instead of fail.
	out := dyn301.outcomes with input as one_managed([
		{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"},
		object.union(admin, {"Effect": null}),
	])
	only(out, "unknown", build.iam_policy_arn("p"))
}

test_unknown_when_a_deny_breaks_the_grammar if {
	# A Deny spelt "deny" stopped applying: fail instead of pass.
	deny := {"Effect": "deny", "Action": "dynamodb:*", "Resource": "*"}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	out := dyn301.outcomes with input as inv(build.iam([], [], [r], [build.managed_policy("p", build.policy_document([admin]))]))
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "unknown"
	o.message == `Managed policy p (arn:aws:iam::111122223333:policy/p) would allow every DynamoDB action (dynamodb:* or *) on every table with no condition (Statement[0]), unless a Deny in a policy that could not be read voids it for the principals it applies to: the document of inline policy guard of arn:aws:iam::111122223333:role/app is not a valid IAM policy: Statement[0] has Effect "deny"; it must be "Allow" or "Deny"`
	o.needs == []
	o.evidence.unreadable_policies == [r.arn]
}

test_unknown_when_a_deny_may_be_in_a_document_not_collected if {
	r := build.role("app", [], [build.iam_policy_arn("p"), build.iam_policy_arn("q")])
	out := dyn301.outcomes with input as inv(build.iam([], [], [r], [
		build.managed_policy("p", build.policy_document([admin])),
		build.managed_policy("q", null),
	]))
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "unknown"
	o.needs == ["GetAccountAuthorizationDetails"]
	contains(o.message, "the document of managed policy q was not collected")
}

test_fail_when_a_principal_without_unreadable_policies_is_open if {
	deny := {"Effect": "Deny", "Action": null, "Resource": "*"}
	r1 := build.role("guarded", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	r2 := build.role("open", [], [build.iam_policy_arn("p")])
	out := dyn301.outcomes with input as inv(build.iam([], [], [r1, r2], [build.managed_policy("p", build.policy_document([admin]))]))
	some o in out
	o.resource == build.iam_policy_arn("p")
	o.status == "fail"
}
