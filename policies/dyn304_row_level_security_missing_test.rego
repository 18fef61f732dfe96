package dynaudit.rules.dyn304_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn304

tag := "dynaudit:row-level-security"

arn(name) := build.table_arn("us-east-1", name)

table(name, tags, rp) := build.table("us-east-1", name, {"tags": tags, "resource_policy": rp})

required := {tag: "required"}

inv(iam, tables) := build.inventory_with({"us-east-1": build.region({"tables": build.by_arn(tables)})}, {"iam": iam})

iam_of(roles, policies) := build.iam([], [], roles, policies)

# One role with one attached managed policy holding `stmts`.
one(stmts) := iam_of(
	[build.role("app", [], [build.iam_policy_arn("p")])],
	[build.managed_policy("p", build.policy_document(stmts))],
)

# A policy that grants no DynamoDB action (a Statement cannot be empty).
no_grants := [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]

lk := {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}}

grant(actions, resource) := {"Effect": "Allow", "Action": actions, "Resource": resource}

outcome(out, name) := o if {
	some o in out
	o.resource == arn(name)
}

test_fail_tagged_table_reached_without_leading_keys if {
	i := inv(one([grant(["dynamodb:GetItem", "dynamodb:Query"], arn("orders"))]), [table("orders", required, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	count(out) == 1
	o := outcome(out, "orders")
	o.status == "fail"
	o.region == "us-east-1"
	o.evidence.statements[0].source == "iam"
	o.evidence.statements[0].actions == ["dynamodb:getitem", "dynamodb:query"]
	o.evidence.statements[0].principals == ["arn:aws:iam::111122223333:role/app"]
	contains(o.message, "Statement[0] of managed policy p (attached to arn:aws:iam::111122223333:role/app)")
}

test_pass_with_leading_keys if {
	s := object.union(grant(["dynamodb:GetItem", "dynamodb:Query"], arn("orders")), {"Condition": lk})
	i := inv(one([s]), [table("orders", required, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	outcome(out, "orders").status == "pass"
	count(out) == 1
}

test_pass_grant_on_other_table if {
	i := inv(one([grant("dynamodb:*", arn("audit"))]), [table("orders", required, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	outcome(out, "orders").status == "pass"
}

test_pass_non_item_actions_only if {
	i := inv(one([grant(["dynamodb:DescribeTable", "dynamodb:ListTagsOfResource"], "*")]), [table("orders", required, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	outcome(out, "orders").status == "pass"
}

test_fail_wildcard_resource_and_action if {
	i := inv(one([grant("dynamodb:*", "*")]), [table("orders", required, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	outcome(out, "orders").status == "fail"
}

test_fail_index_only_grant if {
	i := inv(one([grant("dynamodb:Query", sprintf("%s/index/byCustomer", [arn("orders")]))]), [table("orders", required, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	outcome(out, "orders").status == "fail"
}

test_fail_policy_variable_resource_is_read_as_any if {
	i := inv(one([grant("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/${aws:username}")]), [table("orders", required, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	outcome(out, "orders").status == "fail"
}

test_no_outcome_when_not_required if {
	i := inv(one([grant("dynamodb:*", "*")]), [table("orders", {}, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	count(out) == 0
}

test_named_in_config if {
	i := inv(one([grant("dynamodb:*", "*")]), [table("orders", {}, build.no_resource_policy), table("audit", {}, build.no_resource_policy)])
	out := dyn304.outcomes with input as i with data.dynaudit.params as {"row_level_security_tables": ["orders"], "row_level_security_tag": tag}
	count(out) == 1
	o := outcome(out, "orders")
	o.status == "fail"
	o.evidence.row_level_security.named == true
}

test_named_by_arn_in_config_decided_without_tags if {
	i := inv(one([grant("dynamodb:GetItem", "*")]), [table("orders", null, build.no_resource_policy)])
	out := dyn304.outcomes with input as i with data.dynaudit.params as {"row_level_security_tables": [arn("orders")], "row_level_security_tag": tag}
	count(out) == 1
	outcome(out, "orders").status == "fail"
}

test_custom_tag_key if {
	i := inv(one([grant("dynamodb:GetItem", "*")]), [table("orders", {"rls": "Required"}, build.no_resource_policy)])
	out := dyn304.outcomes with input as i with data.dynaudit.params as {"row_level_security_tables": [], "row_level_security_tag": "rls"}
	outcome(out, "orders").status == "fail"
}

test_unknown_when_tags_not_collected if {
	i := inv(one(no_grants), [table("orders", null, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	count(out) == 1
	o := outcome(out, "orders")
	o.status == "unknown"
	o.needs == ["ListTagsOfResource"]
}

test_unknown_when_iam_not_collected if {
	i := inv(null, [table("orders", required, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	count(out) == 1
	o := outcome(out, "orders")
	o.status == "unknown"
	o.needs == ["GetAccountAuthorizationDetails"]
}

test_unknown_when_a_policy_document_is_missing if {
	iam := iam_of(
		[build.role("app", [], [build.iam_policy_arn("p"), build.iam_policy_arn("q")])],
		[
			build.managed_policy("p", build.policy_document(no_grants)),
			build.managed_policy("q", null),
		],
	)
	out := dyn304.outcomes with input as inv(iam, [table("orders", required, build.no_resource_policy)])
	o := outcome(out, "orders")
	o.status == "unknown"
	o.evidence.unreadable_policies == [build.iam_policy_arn("q")]
}

test_fail_beats_missing_document_of_another_principal if {
	iam := iam_of(
		[
			build.role("app", [], [build.iam_policy_arn("p")]),
			build.role("other", [], [build.iam_policy_arn("q")]),
		],
		[
			build.managed_policy("p", build.policy_document([grant("dynamodb:Scan", "*")])),
			build.managed_policy("q", null),
		],
	)
	out := dyn304.outcomes with input as inv(iam, [table("orders", required, build.no_resource_policy)])
	outcome(out, "orders").status == "fail"
}

# The missing document may deny the grant to the only principal it applies
# to: not a sure fail.
test_unknown_when_the_principal_has_a_missing_document if {
	iam := iam_of(
		[build.role("app", [], [build.iam_policy_arn("p"), build.iam_policy_arn("q")])],
		[
			build.managed_policy("p", build.policy_document([grant("dynamodb:Scan", "*")])),
			build.managed_policy("q", null),
		],
	)
	out := dyn304.outcomes with input as inv(iam, [table("orders", required, build.no_resource_policy)])
	o := outcome(out, "orders")
	o.status == "unknown"
	o.needs == ["GetAccountAuthorizationDetails"]
}

test_unknown_when_resource_policy_not_collected if {
	i := inv(one(no_grants), [table("orders", required, null)])
	out := dyn304.outcomes with input as i
	o := outcome(out, "orders")
	o.status == "unknown"
	o.needs == ["GetResourcePolicy"]
}

test_fail_resource_policy_grant if {
	rp := {"document": build.policy_document([{
		"Effect": "Allow",
		"Principal": {"AWS": "arn:aws:iam::111122223333:role/reporting"},
		"Action": "dynamodb:Scan",
		"Resource": arn("orders"),
	}])}
	out := dyn304.outcomes with input as inv(one(no_grants), [table("orders", required, rp)])
	o := outcome(out, "orders")
	o.status == "fail"
	o.evidence.statements[0].source == "resource_policy"
}

test_pass_resource_policy_delegating_to_account if {
	rp := {"document": build.policy_document([{
		"Effect": "Allow",
		"Principal": {"AWS": ["arn:aws:iam::111122223333:root", "444455556666"]},
		"Action": "dynamodb:GetItem",
		"Resource": arn("orders"),
	}])}
	out := dyn304.outcomes with input as inv(one(no_grants), [table("orders", required, rp)])
	outcome(out, "orders").status == "pass"
}

test_pass_item_actions_denied_on_table if {
	deny := {"Effect": "Deny", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": arn("orders")}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	iam := iam_of([r], [build.managed_policy("p", build.policy_document([grant(["dynamodb:GetItem", "dynamodb:Query"], "*")]))])
	out := dyn304.outcomes with input as inv(iam, [table("orders", required, build.no_resource_policy)])
	outcome(out, "orders").status == "pass"
}

test_fail_partly_denied_lists_remaining_actions if {
	deny := {"Effect": "Deny", "Action": "dynamodb:GetItem", "Resource": "*"}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	iam := iam_of([r], [build.managed_policy("p", build.policy_document([grant(["dynamodb:GetItem", "dynamodb:Query"], "*")]))])
	out := dyn304.outcomes with input as inv(iam, [table("orders", required, build.no_resource_policy)])
	o := outcome(out, "orders")
	o.status == "fail"
	o.evidence.statements[0].actions == ["dynamodb:query"]
}

test_unknown_when_tables_not_listed if {
	i := build.inventory_with({"us-east-1": build.region({"tables": null})}, {"iam": one(no_grants)})
	out := dyn304.outcomes with input as i
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
}

test_wildcard_table_name_prefixes if {
	tables := [table("orders", required, build.no_resource_policy), table("ab", required, build.no_resource_policy), table("invoices", required, build.no_resource_policy)]
	iam := one([
		grant("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/ord*"),
		grant("dynamodb:Query", "arn:aws:dynamodb:us-east-1:111122223333:table/a?"),
		grant("dynamodb:Query", "arn:aws:dynamodb:us-east-1:111122223333:table/inx*/index/*"),
	])
	out := dyn304.outcomes with input as inv(iam, tables)
	outcome(out, "orders").status == "fail"
	outcome(out, "ab").status == "fail"
	outcome(out, "invoices").status == "pass"
}

test_index_wildcard_reaches_table if {
	i := inv(one([grant("dynamodb:Query", "arn:aws:dynamodb:us-east-1:111122223333:table/orders/*")]), [table("orders", required, build.no_resource_policy)])
	out := dyn304.outcomes with input as i
	outcome(out, "orders").status == "fail"
}

test_not_resource_statement if {
	s := {"Effect": "Allow", "Action": "dynamodb:GetItem", "NotResource": "arn:aws:dynamodb:*:*:table/audit*"}
	out := dyn304.outcomes with input as inv(one([s]), [table("orders", required, build.no_resource_policy), table("audit", required, build.no_resource_policy)])
	outcome(out, "orders").status == "fail"
	outcome(out, "audit").status == "pass"
}

# --- documents that break the IAM policy grammar

test_unknown_when_a_deny_breaks_the_grammar if {
	# The Deny's Effect null made it stop applying: fail instead of pass.
	deny := {"Sid": "NoItems", "Effect": null, "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": arn("orders")}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [build.iam_policy_arn("p")])
	iam := iam_of([r], [build.managed_policy("p", build.policy_document([grant(["dynamodb:GetItem", "dynamodb:Query"], "*")]))])
	out := dyn304.outcomes with input as inv(iam, [table("orders", required, build.no_resource_policy)])
	o := outcome(out, "orders")
	o.status == "unknown"
	o.needs == []
	o.message == `Table orders in us-east-1 requires row-level security, and 1 statement(s) grant item actions on it without a dynamodb:LeadingKeys condition unless a Deny in a policy that could not be read voids them (Statement[0] of managed policy p (attached to arn:aws:iam::111122223333:role/app)), but the document of inline policy guard of arn:aws:iam::111122223333:role/app is not a valid IAM policy: Statement[0] (Sid "NoItems") has Effect null; it must be "Allow" or "Deny"`
	o.evidence.statements_a_deny_may_void[0].actions == ["dynamodb:getitem", "dynamodb:query"]
}

test_unknown_names_no_grant_when_there_is_none if {
	deny := {"Effect": "Deny", "Action": ["dynamodb:GetItem"], "Resource": "*", "Condition": null}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [])
	out := dyn304.outcomes with input as inv(iam_of([r], []), [table("orders", required, build.no_resource_policy)])
	o := outcome(out, "orders")
	o.status == "unknown"
	startswith(o.message, "Table orders in us-east-1 requires row-level security, and no collected policy grants item access to it without dynamodb:LeadingKeys, but the document of inline policy guard")
	o.evidence.statements_a_deny_may_void == []
}

test_fail_when_the_grant_is_sure_despite_a_broken_document if {
	deny := {"Effect": "Deny", "Action": "dynamodb:GetItem"}
	r := build.role("app", [build.inline_policy("guard", build.policy_document([deny]))], [])
	iam := iam_of([r, build.role("reader", [], [build.iam_policy_arn("p")])], [build.managed_policy("p", build.policy_document([grant("dynamodb:GetItem", "*")]))])
	out := dyn304.outcomes with input as inv(iam, [table("orders", required, build.no_resource_policy)])
	outcome(out, "orders").status == "fail"
}

test_unknown_when_the_resource_policy_breaks_the_grammar if {
	# Read leniently, the Principal-less grant was skipped: pass instead of fail.
	rp := {"document": build.policy_document([{"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": arn("orders")}])}
	out := dyn304.outcomes with input as inv(one(no_grants), [table("orders", required, rp)])
	o := outcome(out, "orders")
	o.status == "unknown"
	o.evidence.resource_policy_problem == "Statement[0] has neither Principal nor NotPrincipal (a resource-based policy must say whom it applies to)"
	contains(o.message, "the table's resource-based policy is not a valid IAM policy: Statement[0] has neither Principal nor NotPrincipal")
}

test_unknown_when_the_resource_policy_is_not_json if {
	out := dyn304.outcomes with input as inv(one(no_grants), [table("orders", required, {"document": "{not json"})])
	outcome(out, "orders").status == "unknown"
}
