package dynaudit.rules.dyn306_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn306

acct := build.account_id

arn(name) := build.table_arn("us-east-1", name)

stream_arn(name) := sprintf("%s/stream/2026-01-01T00:00:00.000", [arn(name)])

# An enabled stream of table `name` whose resource policy is `rp` (null: not
# collected; {"document": null}: no policy).
stream(name, rp) := {"enabled": true, "view_type": "NEW_AND_OLD_IMAGES", "arn": stream_arn(name), "resource_policy": rp}

table(name, rp) := build.table("us-east-1", name, {"stream": stream(name, rp)})

inv(tables) := build.inventory_with({"us-east-1": build.region({"tables": build.by_arn(tables)})}, {"iam": null})

# A resource policy holding `stmts`.
doc(stmts) := {"document": build.policy_document(stmts)}

allow(principal, condition) := {
	"Effect": "Allow",
	"Principal": principal,
	"Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
	"Resource": stream_arn("orders"),
	"Condition": condition,
}

outcome_of(stmts) := o if {
	out := dyn306.outcomes with input as inv([table("orders", doc(stmts))])
	o := build.only(out, arn("orders"))
	count(out) == 1
}

status_of(stmts) := outcome_of(stmts).status

# --- which tables

test_pass_no_policy if {
	out := dyn306.outcomes with input as inv([table("orders", {"document": null})])
	o := build.only(out, arn("orders"))
	count(out) == 1
	o.status == "pass"
	o.region == "us-east-1"
	o.evidence.stream_arn == stream_arn("orders")
	o.message == "The stream of table orders in us-east-1 has no resource-based policy: only IAM principals of the table's own account can be granted access to it"
}

test_no_outcome_without_a_stream if {
	# The builder's default: no stream (as DescribeTable reports it).
	out := dyn306.outcomes with input as inv([build.table("us-east-1", "orders", {})])
	count(out) == 0
}

test_no_outcome_for_a_disabled_stream_even_with_a_public_policy if {
	s := object.union(stream("orders", doc([allow("*", {})])), {"enabled": false})
	out := dyn306.outcomes with input as inv([build.table("us-east-1", "orders", {"stream": s})])
	count(out) == 0
}

test_pass_the_table_policy_is_not_the_stream_policy if {
	# DYN305's business: a public table policy does not make the stream public.
	t := build.table("us-east-1", "orders", {
		"stream": stream("orders", {"document": null}),
		"resource_policy": doc([allow("*", {})]),
	})
	out := dyn306.outcomes with input as inv([t])
	build.only(out, arn("orders")).status == "pass"
}

test_one_outcome_per_table_with_an_enabled_stream if {
	out := dyn306.outcomes with input as inv([
		table("orders", {"document": null}),
		table("events", doc([allow("*", {})])),
		build.table("us-east-1", "quiet", {}),
	])
	{[o.resource, o.status] | some o in out} == {[arn("orders"), "pass"], [arn("events"), "fail"]}
	count(out) == 2
}

# --- unknown: not collected, not in this inventory's schema version

test_unknown_when_stream_not_collected if {
	out := dyn306.outcomes with input as inv([build.table("us-east-1", "orders", {"stream": null})])
	o := build.only(out, arn("orders"))
	count(out) == 1
	o.status == "unknown"
	o.needs == ["DescribeTable"]
	o.evidence.stream == null
}

test_unknown_when_stream_policy_not_collected if {
	out := dyn306.outcomes with input as inv([table("orders", null)])
	o := build.only(out, arn("orders"))
	count(out) == 1
	o.status == "unknown"
	o.needs == ["GetResourcePolicy"]
	o.message == "The resource-based policy of the stream of table orders in us-east-1 was not collected"
	# The stream ARN lets dynaudit find the failed call's error.
	o.evidence.stream_arn == stream_arn("orders")
}

# An inventory before 1.3: the stream has neither `arn` nor `resource_policy`.
v1_2(tables) := object.union(inv(tables), {"schema_version": "1.2"})

test_unknown_when_not_in_this_inventorys_schema_version if {
	s := object.remove(stream("orders", {"document": null}), {"arn", "resource_policy"})
	out := dyn306.outcomes with input as v1_2([build.table("us-east-1", "orders", {"stream": s})])
	o := build.only(out, arn("orders"))
	count(out) == 1
	o.status == "unknown"
	o.needs == []
	o.message == "Cannot check the resource-based policy of the stream of table orders in us-east-1: the stream's ARN and policy are not in this inventory's schema version (1.2); collect it again with this dynaudit"
	o.evidence.missing_fields == ["arn", "resource_policy"]
}

test_unknown_when_only_the_policy_key_is_missing if {
	s := object.remove(stream("orders", {"document": null}), {"resource_policy"})
	out := dyn306.outcomes with input as v1_2([build.table("us-east-1", "orders", {"stream": s})])
	o := build.only(out, arn("orders"))
	count(out) == 1
	o.status == "unknown"
	contains(o.message, "not in this inventory's schema version (1.2)")
	o.evidence.missing_fields == ["resource_policy"]
}

test_no_outcome_in_an_older_inventory_without_a_stream if {
	s := {"enabled": false, "view_type": null}
	out := dyn306.outcomes with input as v1_2([build.table("us-east-1", "orders", {"stream": s})])
	count(out) == 0
}

test_unknown_when_tables_not_listed if {
	i := object.union(inv([]), {"regions": {"us-east-1": {"tables": null}}})
	out := dyn306.outcomes with input as i
	o := build.only(out, "111122223333/us-east-1")
	count(out) == 1
	o.status == "unknown"
	o.needs == ["ListTables"]
}

# --- the policy, judged as DYN305 judges a table's

test_fail_public_star if {
	o := outcome_of([allow("*", {})])
	o.status == "fail"
	o.message == "The resource-based policy of the stream of table orders in us-east-1 allows access to everyone or to untrusted accounts (Statement[0]: every principal is allowed without a condition confining callers to trusted accounts or networks)"
	o.evidence.stream_arn == stream_arn("orders")
	o.evidence.statement_count == 1
}

test_fail_public_aws_star if status_of([allow({"AWS": "*"}, {})]) == "fail"

test_fail_not_principal_allow if {
	s := {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/x"}, "Action": "dynamodb:GetRecords", "Resource": "*"}
	status_of([s]) == "fail"
}

test_fail_cross_account_role if {
	o := outcome_of([allow({"AWS": "arn:aws:iam::444455556666:role/consumer"}, {})])
	o.status == "fail"
	o.evidence.statements[0].problems == ["principals of accounts outside the trusted accounts: 444455556666"]
	contains(o.message, "444455556666")
}

test_pass_cross_account_trusted if {
	out := dyn306.outcomes with input as inv([table("orders", doc([allow({"AWS": "arn:aws:iam::444455556666:role/consumer"}, {})]))])
		with data.dynaudit.params.trusted_account_ids as ["444455556666"]
	o := build.only(out, arn("orders"))
	o.status == "pass"
	o.message == "The resource-based policy of the stream of table orders in us-east-1 allows only principals of trusted accounts"
	o.evidence.trusted_accounts == ["111122223333", "444455556666"]
	o.evidence.allow_statements == 1
}

test_pass_own_account_principals if status_of([allow({"AWS": ["arn:aws:iam::111122223333:role/consumer", acct]}, {})]) == "pass"

test_pass_public_restricted_by_org if status_of([allow("*", {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})]) == "pass"

test_pass_public_restricted_to_own_account if status_of([allow("*", {"StringEquals": {"aws:PrincipalAccount": acct}})]) == "pass"

test_fail_restriction_if_exists if status_of([allow("*", {"StringEqualsIfExists": {"aws:PrincipalAccount": acct}})]) == "fail"

test_fail_restriction_to_untrusted_account if status_of([allow("*", {"StringEquals": {"aws:PrincipalAccount": "999999999999"}})]) == "fail"

test_pass_service_principal_not_judged if status_of([allow({"Service": "lambda.amazonaws.com"}, {})]) == "pass"

test_pass_public_allow_voided_by_public_deny if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}
	status_of([allow("*", {}), d]) == "pass"
}

test_fail_public_allow_with_conditional_deny if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
	status_of([allow("*", {}), d]) == "fail"
}

test_fail_policy_document_as_a_json_string if {
	out := dyn306.outcomes with input as inv([table("orders", {"document": json.marshal(build.policy_document([allow("*", {})]))})])
	build.only(out, arn("orders")).status == "fail"
}

# --- documents that break the IAM policy grammar

public_grant := {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetRecords", "Resource": "*"}

test_unknown_when_principal_is_null if {
	o := outcome_of([object.union(public_grant, {"Principal": null})])
	o.status == "unknown"
	o.needs == []
	o.message == `The resource-based policy of the stream of table orders in us-east-1 is not a valid IAM policy: Statement[0] (Sid "Public") has Principal null; it must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}`
	o.evidence.stream_arn == stream_arn("orders")
	o.evidence.resource_policy == doc([object.union(public_grant, {"Principal": null})])
}

test_unknown_when_effect_is_wrong if {
	o := outcome_of([object.union(public_grant, {"Effect": "ALLOW"})])
	o.status == "unknown"
	contains(o.message, `has Effect "ALLOW"; it must be "Allow" or "Deny"`)
}

test_unknown_unparseable_document if {
	out := dyn306.outcomes with input as inv([table("orders", {"document": "{not json"})])
	o := build.only(out, arn("orders"))
	o.status == "unknown"
	o.needs == []
}

# --- trusted_account_ids = ["organization"]

member := "444455556666"

outsider := "555566667777"

org_accounts := [acct, build.management_account_id, member]

org_outcome(stmts, ids, org) := o if {
	i := with_org(inv([table("orders", doc(stmts))]), org)
	out := dyn306.outcomes with input as i with data.dynaudit.params.trusted_account_ids as ids
	count(out) == 1
	o := build.only(out, arn("orders"))
}

with_org(base, null) := base

with_org(base, org) := build.with_organization(base, org) if org != null

role_of(account) := sprintf("arn:aws:iam::%s:role/consumer", [account])

test_pass_member_account_trusted_through_organization if {
	o := org_outcome([allow({"AWS": role_of(member)}, {})], ["organization"], org_accounts)
	o.status == "pass"
	o.evidence.trusts_organization == true
	o.evidence.organization_accounts == 3
}

test_fail_account_outside_the_organization if {
	o := org_outcome([allow({"AWS": [role_of(member), role_of(outsider)]}, {})], ["organization"], org_accounts)
	o.status == "fail"
	o.evidence.statements[0].problems == [sprintf("principals of accounts outside the trusted accounts: %s", [outsider])]
}

test_fail_member_account_when_organization_not_trusted if {
	o := org_outcome([allow({"AWS": role_of(member)}, {})], [], org_accounts)
	o.status == "fail"
}

test_pass_public_restricted_to_member_account if {
	o := org_outcome([allow("*", {"StringEquals": {"aws:PrincipalAccount": [acct, member]}})], ["organization"], org_accounts)
	o.status == "pass"
}

test_unknown_without_organization_block if {
	o := org_outcome([allow({"AWS": role_of(member)}, {})], ["organization"], null)
	o.status == "unknown"
	o.needs == []
	o.message == sprintf(
		"Cannot tell whether the resource-based policy of the stream of table orders in us-east-1 allows only trusted accounts: it grants account(s) %s, which only \"organization\" in trusted_account_ids could trust, and the organization's accounts are not in this inventory (collect it with --organization or --ou)",
		[member],
	)
	o.evidence.undetermined_accounts == [member]
	o.evidence.organization_accounts == null
	o.evidence.stream_arn == stream_arn("orders")
}

test_unknown_without_organization_block_for_a_restricting_condition if {
	o := org_outcome([allow("*", {"StringEquals": {"aws:SourceAccount": member}})], ["organization"], null)
	o.status == "unknown"
	o.evidence.undetermined_accounts == [member]
}

test_pass_without_organization_block_when_listed_accounts_suffice if {
	o := org_outcome([allow({"AWS": [role_of(acct), role_of(outsider)]}, {})], ["organization", outsider], null)
	o.status == "pass"
}

test_fail_without_organization_block_when_public_regardless if {
	o := org_outcome([allow("*", {}), allow({"AWS": role_of(member)}, {})], ["organization"], null)
	o.status == "fail"
	count(o.evidence.statements) == 1
}

test_pass_without_organization_block_when_the_grant_is_voided_by_a_deny if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}
	o := org_outcome([allow({"AWS": role_of(member)}, {}), d], ["organization"], null)
	o.status == "pass"
}
