package dynaudit.rules.dyn305_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn305

acct := build.account_id

arn(name) := build.table_arn("us-east-1", name)

table(name, rp) := build.table("us-east-1", name, {"resource_policy": rp})

inv(tables) := build.inventory_with({"us-east-1": build.region({"tables": build.by_arn(tables)})}, {"iam": null})

# A resource policy holding `stmts`.
doc(stmts) := {"document": build.policy_document(stmts)}

allow(principal, condition) := {
	"Effect": "Allow",
	"Principal": principal,
	"Action": ["dynamodb:GetItem", "dynamodb:Query"],
	"Resource": arn("orders"),
	"Condition": condition,
}

status_of(stmts) := o.status if {
	out := dyn305.outcomes with input as inv([table("orders", doc(stmts))])
	count(out) == 1
	some o in out
	o.resource == arn("orders")
	o.region == "us-east-1"
}

status_with_trusted(stmts, ids) := o.status if {
	out := dyn305.outcomes with input as inv([table("orders", doc(stmts))])
		with data.dynaudit.params.trusted_account_ids as ids
	some o in out
	o.resource == arn("orders")
}

test_pass_no_policy if {
	out := dyn305.outcomes with input as inv([table("orders", {"document": null})])
	count(out) == 1
	some o in out
	o.status == "pass"
}

test_unknown_not_collected if {
	out := dyn305.outcomes with input as inv([table("orders", null)])
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["GetResourcePolicy"]
}

test_unknown_unparseable_document if {
	out := dyn305.outcomes with input as inv([table("orders", {"document": "{not json"})])
	some o in out
	o.status == "unknown"
}

test_unknown_when_tables_not_listed if {
	i := object.union(inv([]), {"regions": {"us-east-1": {"tables": null}}})
	out := dyn305.outcomes with input as i
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
}

test_fail_public_star if status_of([allow("*", {})]) == "fail"

test_fail_public_aws_star if status_of([allow({"AWS": "*"}, {})]) == "fail"

test_fail_public_aws_star_in_list if status_of([allow({"AWS": ["arn:aws:iam::111122223333:role/app", "*"]}, {})]) == "fail"

test_fail_not_principal_allow if {
	s := {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/x"}, "Action": "dynamodb:GetItem", "Resource": arn("orders")}
	status_of([s]) == "fail"
}

test_pass_public_restricted_to_own_account if status_of([allow("*", {"StringEquals": {"aws:PrincipalAccount": acct}})]) == "pass"

test_pass_public_restricted_by_org if status_of([allow({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})]) == "pass"

test_pass_public_restricted_by_org_path if {
	status_of([allow("*", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}})]) == "pass"
}

test_pass_public_restricted_by_vpce if status_of([allow("*", {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})]) == "pass"

test_pass_public_restricted_by_principal_arn if {
	status_of([allow("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app-*"}})]) == "pass"
}

test_fail_restriction_with_wildcard if status_of([allow("*", {"StringLike": {"aws:SourceVpce": "vpce-*"}})]) == "fail"

test_fail_restriction_arn_any_account if {
	status_of([allow("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app"}})]) == "fail"
}

test_fail_restriction_if_exists if {
	status_of([allow("*", {"StringEqualsIfExists": {"aws:PrincipalAccount": acct}})]) == "fail"
}

test_fail_restriction_negated if {
	status_of([allow("*", {"StringNotEquals": {"aws:PrincipalAccount": "999999999999"}})]) == "fail"
}

test_fail_restriction_to_untrusted_account if {
	status_of([allow("*", {"StringEquals": {"aws:PrincipalAccount": "999999999999"}})]) == "fail"
}

test_fail_unrelated_condition_is_not_a_restriction if {
	status_of([allow("*", {"Bool": {"aws:SecureTransport": "true"}})]) == "fail"
}

test_fail_cross_account_role if {
	out := dyn305.outcomes with input as inv([table("orders", doc([allow({"AWS": "arn:aws:iam::444455556666:role/reader"}, {})]))])
	some o in out
	o.status == "fail"
	o.evidence.statements[0].problems == ["principals of accounts outside the trusted accounts: 444455556666"]
	contains(o.message, "444455556666")
}

test_fail_cross_account_id if status_of([allow({"AWS": "444455556666"}, {})]) == "fail"

test_pass_cross_account_trusted if {
	status_with_trusted([allow({"AWS": ["arn:aws:iam::444455556666:root", "arn:aws:sts::444455556666:assumed-role/r/s"]}, {})], ["444455556666"]) == "pass"
}

test_pass_own_account_principals if {
	status_of([allow({"AWS": ["arn:aws:iam::111122223333:role/app", "111122223333"]}, {})]) == "pass"
}

test_pass_service_principal_not_judged if {
	status_of([allow({"Service": "dynamodb.amazonaws.com"}, {})]) == "pass"
}

test_pass_deny_statement_public if {
	s := {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:DeleteTable", "Resource": arn("orders")}
	status_of([s]) == "pass"
}

test_pass_public_allow_voided_by_public_deny if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}
	status_of([allow("*", {}), d]) == "pass"
}

test_pass_public_allow_confined_by_a_deny_outside_the_organization if {
	# The data-perimeter pattern: Allow everyone, Deny the rest.
	d := {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
	status_of([allow("*", {}), d]) == "pass"
}

test_fail_public_allow_with_a_deny_outside_an_untrusted_account if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ["111122223333", "999988887777"]}}}
	status_of([allow("*", {}), d]) == "fail"
}

test_fail_public_allow_with_conditional_deny if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
	status_of([allow("*", {}), d]) == "fail"
}

test_unknown_principal_id_is_not_cross_account if {
	# The unique id of a deleted principal names no account anyone can use.
	status_of([allow({"AWS": "AROAEXAMPLEID123456"}, {})]) == "pass"
}

# --- documents that break the IAM policy grammar (read leniently, each of
# these was a pass: the public grant was skipped or misread)

public_grant := {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}

grammar_outcome(stmts) := o if {
	out := dyn305.outcomes with input as inv([table("orders", doc(stmts))])
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == []
}

test_unknown_when_principal_is_null if {
	o := grammar_outcome([object.union(public_grant, {"Principal": null})])
	o.message == `The resource-based policy of table orders in us-east-1 is not a valid IAM policy: Statement[0] (Sid "Public") has Principal null; it must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}`
	o.evidence.problem == `Statement[0] (Sid "Public") has Principal null; it must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}`
}

test_unknown_when_principal_aws_is_a_number if {
	o := grammar_outcome([allow("*", {}), object.union(public_grant, {"Principal": {"AWS": 444455556666}})])
	contains(o.message, `Statement[1] (Sid "Public") has Principal.AWS 444455556666; it must be a string or a non-empty array of strings`)
}

test_unknown_when_effect_is_wrong if {
	o := grammar_outcome([object.union(public_grant, {"Effect": "ALLOW"})])
	contains(o.message, `has Effect "ALLOW"; it must be "Allow" or "Deny"`)
}

test_unknown_when_action_is_an_object if {
	o := grammar_outcome([object.union(public_grant, {"Action": {"dynamodb": "*"}})])
	contains(o.message, "has Action an object")
}

test_unknown_when_statement_is_null if {
	out := dyn305.outcomes with input as inv([table("orders", {"document": {"Version": "2012-10-17", "Statement": null}})])
	some o in out
	o.status == "unknown"
	contains(o.message, "its Statement is null")
}

test_resource_may_be_left_out if {
	status_of([object.remove(public_grant, {"Resource"})]) == "fail"
}

# --- trusted_account_ids = ["organization"]

member := "444455556666"

outsider := "555566667777"

org_accounts := [acct, build.management_account_id, member]

# The outcome for table orders with `stmts`, trusting `ids`, in an inventory
# with (`org` an array of account ids) or without (`org` null) an
# organization block.
org_outcome(stmts, ids, org) := o if {
	base := inv([table("orders", doc(stmts))])
	i := with_org(base, org)
	out := dyn305.outcomes with input as i with data.dynaudit.params.trusted_account_ids as ids
	count(out) == 1
	some o in out
	o.resource == arn("orders")
}

with_org(base, null) := base

with_org(base, org) := build.with_organization(base, org) if org != null

role_of(account) := sprintf("arn:aws:iam::%s:role/reader", [account])

test_pass_member_account_trusted_through_organization if {
	o := org_outcome([allow({"AWS": role_of(member)}, {})], ["organization"], org_accounts)
	o.status == "pass"
	o.evidence.trusted_accounts == [acct]
	o.evidence.trusts_organization == true
	o.evidence.organization_accounts == 3
}

test_fail_account_outside_the_organization if {
	o := org_outcome([allow({"AWS": [role_of(member), role_of(outsider)]}, {})], ["organization"], org_accounts)
	o.status == "fail"
	o.evidence.statements[0].problems == [sprintf("principals of accounts outside the trusted accounts: %s", [outsider])]
}

test_fail_member_account_when_organization_not_trusted if {
	# The organization block alone trusts nothing.
	o := org_outcome([allow({"AWS": role_of(member)}, {})], [], org_accounts)
	o.status == "fail"
	not o.evidence.trusts_organization
}

test_pass_organization_and_listed_account if {
	o := org_outcome([allow({"AWS": [role_of(member), role_of(outsider)]}, {})], ["organization", outsider], org_accounts)
	o.status == "pass"
	o.evidence.trusted_accounts == sort([acct, outsider])
}

test_pass_public_restricted_to_member_account if {
	o := org_outcome([allow("*", {"StringEquals": {"aws:PrincipalAccount": [acct, member]}})], ["organization"], org_accounts)
	o.status == "pass"
}

test_pass_public_restricted_to_member_role_arn if {
	o := org_outcome([allow("*", {"ArnLike": {"aws:PrincipalArn": role_of(member)}})], ["organization"], org_accounts)
	o.status == "pass"
}

test_fail_public_restricted_to_outsider_in_organization_inventory if {
	o := org_outcome([allow("*", {"StringEquals": {"aws:PrincipalAccount": outsider}})], ["organization"], org_accounts)
	o.status == "fail"
}

test_unknown_without_organization_block if {
	# Collected with --accounts alone (or before 1.2): the member may or may
	# not be in the organization.
	o := org_outcome([allow({"AWS": role_of(member)}, {})], ["organization"], null)
	o.status == "unknown"
	o.needs == []
	o.message == sprintf(
		"Cannot tell whether the resource-based policy of table orders in us-east-1 allows only trusted accounts: it grants account(s) %s, which only \"organization\" in trusted_account_ids could trust, and the organization's accounts are not in this inventory (collect it with --organization or --ou)",
		[member],
	)
	o.evidence.undetermined_accounts == [member]
	o.evidence.organization_accounts == null
	o.evidence.statements[0].problems == [sprintf("principals of accounts outside the trusted accounts: %s", [member])]
}

test_unknown_without_organization_block_for_a_restricting_condition if {
	o := org_outcome([allow("*", {"StringEquals": {"aws:SourceAccount": member}})], ["organization"], null)
	o.status == "unknown"
	o.evidence.undetermined_accounts == [member]
}

test_unknown_without_organization_block_in_a_schema_1_2_inventory if {
	# An inventory of 1.2 collected with --accounts alone has no block either.
	base := object.union(inv([table("orders", doc([allow({"AWS": member}, {})]))]), {"schema_version": "1.2"})
	out := dyn305.outcomes with input as base with data.dynaudit.params.trusted_account_ids as ["organization"]
	some o in out
	o.status == "unknown"
}

test_pass_without_organization_block_when_listed_accounts_suffice if {
	o := org_outcome([allow({"AWS": [role_of(acct), role_of(outsider)]}, {})], ["organization", outsider], null)
	o.status == "pass"
}

test_fail_without_organization_block_when_public_regardless if {
	# No organization account can make an unconditional public grant safe.
	o := org_outcome([allow("*", {}), allow({"AWS": role_of(member)}, {})], ["organization"], null)
	o.status == "fail"
	count(o.evidence.statements) == 1
}

test_fail_without_organization_block_for_a_non_account_principal_value if {
	# A wildcard account can be no one account of the organization.
	o := org_outcome([allow("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/reader"}})], ["organization"], null)
	o.status == "fail"
}

test_fail_without_organization_block_when_organization_not_trusted if {
	o := org_outcome([allow({"AWS": role_of(member)}, {})], [], null)
	o.status == "fail"
}

test_unknown_from_a_statement_voided_by_a_deny_is_not_counted if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}
	o := org_outcome([allow({"AWS": role_of(member)}, {}), d], ["organization"], null)
	o.status == "pass"
}
