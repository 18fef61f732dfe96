package dynaudit.rules.dyn301_test

import data.dynaudit.rules.dyn301

acct := "111122223333"

inv(iam) := {
	"account_id": acct,
	"partition": "aws",
	"collected_at": "2026-11-01T00:00:00Z",
	"iam": iam,
	"regions": {"us-east-1": {"tables": {}}},
}

doc(stmts) := {"Version": "2012-10-17", "Statement": stmts}

principal(kind, name, inline, attached) := {
	"arn": sprintf("arn:aws:iam::%s:%s/%s", [acct, kind, name]),
	"name": name,
	"inline_policies": inline,
	"attached_policy_arns": attached,
	"group_names": [],
	"tags": {},
}

role(name, inline, attached) := principal("role", name, inline, attached)

policy_arn(name) := sprintf("arn:aws:iam::%s:policy/%s", [acct, name])

managed(name, d) := {"arn": policy_arn(name), "name": name, "attachment_count": 1, "document": d}

iam_of(users, groups, roles, policies) := {
	"users": {u.arn: u | some u in users},
	"groups": {g.arn: g | some g in groups},
	"roles": {r.arn: r | some r in roles},
	"policies": {p.arn: p | some p in policies},
}

# One role with one attached managed policy holding `stmts`.
one_managed(stmts) := inv(iam_of([], [], [role("app", [], [policy_arn("p")])], [managed("p", doc(stmts))]))

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
	only(out, "fail", policy_arn("p"))
	some o in out
	o.evidence.statements[0].label == "Statement[0]"
	o.evidence.principals == ["arn:aws:iam::111122223333:role/app"]
	o.evidence.policy_type == "managed"
	contains(o.message, "Managed policy p")
}

test_fail_star_action_on_every_table if {
	s := {"Sid": "All", "Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": "arn:aws:dynamodb:*:*:table/*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", policy_arn("p"))
	some o in out
	o.evidence.statements[0].label == "Statement[0] (Sid All)"
}

test_fail_every_table_of_the_account if {
	s := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:111122223333:*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", policy_arn("p"))
}

test_fail_every_table_of_one_region if {
	s := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:eu-west-1:111122223333:table/*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", policy_arn("p"))
}

test_fail_case_insensitive_action if {
	s := {"Effect": "Allow", "Action": "DynamoDB:*", "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", policy_arn("p"))
}

test_fail_statement_object_not_array if {
	d := {"Version": "2012-10-17", "Statement": admin}
	i := inv(iam_of([], [], [role("app", [], [policy_arn("p")])], [managed("p", d)]))
	out := dyn301.outcomes with input as i
	only(out, "fail", policy_arn("p"))
}

test_fail_document_as_json_string if {
	d := json.marshal(doc([admin]))
	i := inv(iam_of([], [], [role("app", [], [policy_arn("p")])], [managed("p", d)]))
	out := dyn301.outcomes with input as i
	only(out, "fail", policy_arn("p"))
}

test_fail_not_action_that_keeps_dynamodb if {
	s := {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", policy_arn("p"))
}

test_fail_not_resource_that_keeps_dynamodb if {
	s := {"Effect": "Allow", "Action": "dynamodb:*", "NotResource": "arn:aws:s3:::logs/*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "fail", policy_arn("p"))
}

test_pass_not_action_excluding_some_dynamodb if {
	s := {"Effect": "Allow", "NotAction": "dynamodb:DeleteTable", "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", policy_arn("p"))
}

test_no_outcome_not_action_excluding_all_dynamodb if {
	s := {"Effect": "Allow", "NotAction": "dynamodb:*", "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	count(out) == 0
}

test_pass_scoped_to_one_table if {
	s := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/orders"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", policy_arn("p"))
}

test_pass_with_condition if {
	s := object.union(admin, {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", policy_arn("p"))
}

test_pass_read_wildcard_only if {
	s := {"Effect": "Allow", "Action": ["dynamodb:Get*", "dynamodb:Query"], "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", policy_arn("p"))
}

test_pass_other_account_tables if {
	s := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:999999999999:table/*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", policy_arn("p"))
}

test_pass_question_mark_is_not_every_action if {
	s := {"Effect": "Allow", "Action": "dynamodb:?", "Resource": "*"}
	out := dyn301.outcomes with input as one_managed([s])
	only(out, "pass", policy_arn("p"))
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
	i := inv(iam_of([], [], [role("app", [], [])], [managed("p", doc([admin]))]))
	out := dyn301.outcomes with input as i
	count(out) == 0
}

test_unknown_when_document_not_collected if {
	i := inv(iam_of([], [], [role("app", [], [policy_arn("p")])], [managed("p", null)]))
	out := dyn301.outcomes with input as i
	only(out, "unknown", policy_arn("p"))
	some o in out
	o.needs == ["GetAccountAuthorizationDetails"]
}

test_unknown_when_attached_policy_missing if {
	i := inv(iam_of([], [], [role("app", [], [policy_arn("gone")])], []))
	out := dyn301.outcomes with input as i
	only(out, "unknown", policy_arn("gone"))
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
	r := role("app", [
		{"name": "reads", "document": doc([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}])},
		{"name": "admin", "document": doc([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, admin])},
	], [])
	out := dyn301.outcomes with input as inv(iam_of([], [], [r], []))
	only(out, "fail", r.arn)
	some o in out
	o.evidence.policies == ["admin", "reads"]
	o.evidence.statements[0].policy == "admin"
	o.evidence.statements[0].statement == 1
	contains(o.message, "Statement[1] of admin")
}

test_pass_neutralised_by_unconditional_deny if {
	deny := {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}
	r := role("app", [{"name": "guard", "document": doc([deny])}], [policy_arn("p")])
	out := dyn301.outcomes with input as inv(iam_of([], [], [r], [managed("p", doc([admin]))]))
	some o in out
	o.resource == policy_arn("p")
	o.status == "pass"
	count(o.evidence.neutralised_by_deny) == 1
	contains(o.message, "unconditional Deny")
}

test_fail_when_deny_has_a_condition if {
	deny := {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*", "Condition": {"Bool": {"aws:ViaAWSService": "false"}}}
	r := role("app", [{"name": "guard", "document": doc([deny])}], [policy_arn("p")])
	out := dyn301.outcomes with input as inv(iam_of([], [], [r], [managed("p", doc([admin]))]))
	some o in out
	o.resource == policy_arn("p")
	o.status == "fail"
}

test_fail_when_deny_covers_only_part if {
	deny := {"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"}
	r := role("app", [{"name": "guard", "document": doc([deny])}], [policy_arn("p")])
	out := dyn301.outcomes with input as inv(iam_of([], [], [r], [managed("p", doc([admin]))]))
	some o in out
	o.resource == policy_arn("p")
	o.status == "fail"
}

test_fail_when_one_of_two_principals_has_no_deny if {
	deny := {"Effect": "Deny", "Action": "*", "Resource": "*"}
	r1 := role("guarded", [{"name": "guard", "document": doc([deny])}], [policy_arn("p")])
	r2 := role("open", [], [policy_arn("p")])
	out := dyn301.outcomes with input as inv(iam_of([], [], [r1, r2], [managed("p", doc([admin]))]))
	some o in out
	o.resource == policy_arn("p")
	o.status == "fail"
	o.evidence.principal_count == 2
}

test_user_deny_from_group_neutralises if {
	deny := {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}
	g := principal("group", "guarded", [{"name": "guard", "document": doc([deny])}], [])
	u := object.union(principal("user", "alice", [], [policy_arn("p")]), {"group_names": ["guarded"]})
	out := dyn301.outcomes with input as inv(iam_of([u], [g], [], [managed("p", doc([admin]))]))
	some o in out
	o.resource == policy_arn("p")
	o.status == "pass"
}

test_policy_attached_to_group_names_the_group if {
	g := principal("group", "admins", [], [policy_arn("p")])
	out := dyn301.outcomes with input as inv(iam_of([], [g], [], [managed("p", doc([admin]))]))
	only(out, "fail", policy_arn("p"))
	some o in out
	o.evidence.principals == [g.arn]
}
