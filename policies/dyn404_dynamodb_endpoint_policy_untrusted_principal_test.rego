package dynaudit.rules.dyn404_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn404

acct := build.account_id

ddb := "com.amazonaws.us-east-1.dynamodb"

endpoint(id, state, policy) := build.vpc_endpoint(id, {"state": state, "policy_document": policy})

inv(endpoints) := build.one_region({"vpc_endpoints": endpoints})

one(policy) := inv({"vpce-1": endpoint("vpce-1", "available", policy)})

policy(statements) := {"Version": "2012-10-17", "Statement": statements}

# AWS's full-access default, as DescribeVpcEndpoints returns it.
default_policy := {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}

allow(principal, condition) := {
	"Effect": "Allow",
	"Principal": principal,
	"Action": "dynamodb:*",
	"Resource": "*",
	"Condition": condition,
}

outcome_of(p) := o if {
	out := dyn404.outcomes with input as one(p)
	count(out) == 1
	o := build.only(out, "vpce-1")
}

status_of(stmts) := outcome_of(policy(stmts)).status

# --- DYN402's findings: no outcome here

test_no_outcome_for_the_full_access_default if {
	out := dyn404.outcomes with input as one(default_policy)
	count(out) == 0
}

test_no_outcome_for_the_default_as_a_json_string_or_in_arrays if {
	every p in [
		json.marshal(default_policy),
		{"Statement": {"Effect": "Allow", "Principal": "*", "Action": ["*"], "Resource": ["*"]}},
		policy([{"Sid": "Default", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]),
	] {
		count(dyn404.outcomes) == 0 with input as one(p)
	}
}

test_no_outcome_without_a_policy if {
	# Schema 1.0: a null policy is absent (AWS applies the default).
	out := dyn404.outcomes with input as one(null)
	count(out) == 0
}

test_no_outcome_when_marked_absent if {
	ep := object.union(endpoint("vpce-1", "available", null), {"absent": ["policy_document"]})
	out := dyn404.outcomes with input as build.v1_1(inv({"vpce-1": ep}))
	count(out) == 0
}

test_fail_default_with_a_second_statement if {
	# No longer exactly the default: judged here too.
	o := outcome_of(policy([default_policy.Statement[0], allow({"AWS": acct}, {})]))
	o.status == "fail"
	o.evidence.statement_count == 1
	o.evidence.statements[0].label == "Statement[0]"
}

test_fail_aws_star_full_access if {
	# DYN402 fails it too, but it is not AWS's default document.
	status_of([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*"}]) == "fail"
}

# --- which endpoints

test_non_dynamodb_and_deleted_endpoints_ignored if {
	p := policy([allow("*", {})])
	out := dyn404.outcomes with input as inv({
		"vpce-s3": build.vpc_endpoint("vpce-s3", {"service_name": "com.amazonaws.us-east-1.s3", "policy_document": p}),
		"vpce-streams": build.vpc_endpoint("vpce-streams", {"service_name": "com.amazonaws.us-east-1.dynamodb-streams", "policy_document": p}),
		"vpce-old": endpoint("vpce-old", "deleted", p),
	})
	count(out) == 0
}

test_interface_and_fips_endpoints_checked if {
	p := policy([allow("*", {})])
	out := dyn404.outcomes with input as inv({
		"vpce-a": build.vpc_endpoint("vpce-a", {"endpoint_type": "Interface", "policy_document": p}),
		"vpce-b": build.vpc_endpoint("vpce-b", {"service_name": "com.amazonaws.us-east-1.dynamodb-fips", "policy_document": p}),
	})
	{[o.resource, o.status] | some o in out} == {["vpce-a", "fail"], ["vpce-b", "fail"]}
}

# --- fail: principals outside the trusted accounts

test_fail_public_principal_without_condition if {
	o := outcome_of(policy([allow("*", {})]))
	o.status == "fail"
	o.region == "us-east-1"
	o.message == "The policy of DynamoDB VPC endpoint vpce-1 (VPC vpc-1, us-east-1) allows access to everyone or to untrusted accounts (Statement[0]: every principal is allowed without a condition confining callers to trusted accounts or the organization)"
	o.evidence.vpc_id == "vpc-1"
	o.evidence.endpoint_type == "Gateway"
	o.evidence.trusted_accounts == [acct]
}

test_fail_public_principal_confined_to_own_tables_only if {
	# aws:ResourceAccount limits the tables, not who reaches them (DYN402 passes it).
	status_of([allow("*", {"StringEquals": {"aws:ResourceAccount": acct}})]) == "fail"
}

test_fail_public_principal_confined_to_the_endpoint_itself if {
	# Every request through the endpoint has these values.
	status_of([allow("*", {"StringEquals": {"aws:SourceVpce": "vpce-1"}})]) == "fail"
	status_of([allow("*", {"StringEquals": {"aws:SourceVpc": "vpc-1"}})]) == "fail"
}

test_fail_public_principal_confined_by_source_account if {
	# aws:SourceAccount describes a service's calls on behalf of a resource.
	status_of([allow("*", {"StringEquals": {"aws:SourceAccount": acct}})]) == "fail"
}

test_fail_untrusted_account_principal if {
	o := outcome_of(policy([allow({"AWS": ["arn:aws:iam::111122223333:role/app", "arn:aws:iam::444455556666:role/x"]}, {})]))
	o.status == "fail"
	o.evidence.statements[0].problems == ["principals of accounts outside the trusted accounts: 444455556666"]
	contains(o.message, "444455556666")
}

test_fail_untrusted_account_id_principal if status_of([allow({"AWS": "444455556666"}, {})]) == "fail"

test_fail_condition_naming_an_untrusted_account if {
	status_of([allow("*", {"StringEquals": {"aws:PrincipalAccount": [acct, "444455556666"]}})]) == "fail"
}

test_fail_condition_arn_of_an_untrusted_account if {
	status_of([allow("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/*"}})]) == "fail"
}

test_fail_condition_with_wildcard_account if {
	status_of([allow("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app"}})]) == "fail"
}

test_fail_condition_if_exists if {
	status_of([allow("*", {"StringEqualsIfExists": {"aws:PrincipalAccount": acct}})]) == "fail"
}

test_fail_negated_condition if {
	status_of([allow("*", {"StringNotEquals": {"aws:PrincipalAccount": "444455556666"}})]) == "fail"
}

test_fail_not_principal if {
	status_of([{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "dynamodb:GetItem", "Resource": "*"}]) == "fail"
}

test_fail_public_allow_with_conditional_deny if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
	status_of([allow("*", {}), d]) == "fail"
}

# --- pass: every Allow confined to trusted accounts

test_pass_public_principal_confined_to_own_account if {
	o := outcome_of(policy([allow("*", {"StringEquals": {"aws:PrincipalAccount": acct, "aws:ResourceAccount": acct}})]))
	o.status == "pass"
	o.message == "The policy of DynamoDB VPC endpoint vpce-1 (VPC vpc-1, us-east-1) allows only principals of trusted accounts"
	o.evidence.allow_statements == 1
	o.evidence.statements == []
}

test_pass_public_principal_confined_to_the_organization if {
	status_of([allow({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})]) == "pass"
}

test_pass_public_principal_confined_to_an_organization_path if {
	status_of([allow("*", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}})]) == "pass"
}

test_pass_public_principal_confined_by_principal_arn if {
	status_of([allow("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app-*"}})]) == "pass"
}

test_pass_own_account_principals if {
	status_of([allow({"AWS": ["arn:aws:iam::111122223333:role/app", acct]}, {})]) == "pass"
}

test_pass_trusted_account_principal if {
	out := dyn404.outcomes with input as one(policy([allow({"AWS": "arn:aws:iam::444455556666:role/x"}, {})]))
		with data.dynaudit.params.trusted_account_ids as ["444455556666"]
	build.only(out, "vpce-1").status == "pass"
}

# The data-perimeter pattern: Allow everyone, Deny every caller outside
# the trusted accounts (or the organization).
deny_outside(op, key, values) := {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {op: {key: values}}}

test_pass_public_allow_confined_by_a_deny_outside_the_trusted_accounts if {
	every d in [
		deny_outside("StringNotEquals", "aws:PrincipalAccount", [acct]),
		deny_outside("StringNotEqualsIfExists", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
		deny_outside("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/*"),
	] {
		status_of([allow("*", {}), d]) == "pass"
	}
}

test_fail_public_allow_with_a_deny_that_lets_an_untrusted_account_in if {
	d := deny_outside("StringNotEquals", "aws:PrincipalAccount", [acct, "444455556666"])
	status_of([allow("*", {}), d]) == "fail"
}

test_fail_public_allow_with_a_deny_of_two_conditions if {
	# Denied only when both hold: a caller of another account through
	# another endpoint is not denied.
	d := {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": acct, "aws:SourceVpce": "vpce-1"}}}
	status_of([allow("*", {}), d]) == "fail"
}

test_fail_public_allow_with_a_deny_on_a_key_that_does_not_confine_callers if {
	every d in [
		deny_outside("StringNotEquals", "aws:ResourceAccount", acct),
		deny_outside("StringNotEquals", "aws:SourceVpce", "vpce-1"),
		deny_outside("StringNotEquals", "aws:PrincipalAccount", "1111*"),
	] {
		status_of([allow("*", {}), d]) == "fail"
	}
}

test_fail_public_allow_with_a_deny_of_fewer_actions if {
	d := object.union(deny_outside("StringNotEquals", "aws:PrincipalAccount", acct), {"Action": "dynamodb:DeleteItem"})
	status_of([allow("*", {}), d]) == "fail"
}

test_unknown_public_allow_with_a_deny_naming_the_unresolved_organization if {
	d := deny_outside("StringNotEquals", "aws:PrincipalAccount", [acct, "444455556666"])
	out := dyn404.outcomes with input as one(policy([allow("*", {}), d]))
		with data.dynaudit.params.trusted_account_ids as ["organization"]
	build.only(out, "vpce-1").status == "unknown"
}

test_pass_public_allow_voided_by_public_deny if {
	d := {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}
	status_of([allow("*", {}), d]) == "pass"
}

test_pass_statements_about_other_services_only if {
	status_of([{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]) == "pass"
}

# --- unknown

test_unknown_when_endpoints_not_collected if {
	out := dyn404.outcomes with input as inv(null)
	o := build.only(out, "111122223333/us-east-1")
	count(out) == 1
	o.status == "unknown"
	o.needs == ["DescribeVpcEndpoints"]
}

test_unknown_when_policy_not_collected if {
	# Schema 1.1: a null policy not marked absent was not collected.
	out := dyn404.outcomes with input as build.v1_1(one(null))
	o := build.only(out, "vpce-1")
	count(out) == 1
	o.status == "unknown"
	o.needs == ["DescribeVpcEndpoints"]
	o.message == "The policy of DynamoDB VPC endpoint vpce-1 (VPC vpc-1, us-east-1) was not collected"
}

test_unknown_when_state_not_collected if {
	out := dyn404.outcomes with input as inv({"vpce-1": endpoint("vpce-1", null, policy([allow("*", {})]))})
	o := build.only(out, "vpce-1")
	count(out) == 1
	o.status == "unknown"
	o.needs == ["DescribeVpcEndpoints"]
	o.evidence.state == null
}

test_no_outcome_when_state_not_collected_for_the_default if {
	# DYN402 reports it (unknown there).
	out := dyn404.outcomes with input as inv({"vpce-1": endpoint("vpce-1", null, default_policy)})
	count(out) == 0
}

test_unknown_when_policy_breaks_the_grammar if {
	o := outcome_of(policy([object.union(allow("*", {}), {"Effect": null})]))
	o.status == "unknown"
	o.needs == []
	o.message == `The policy of DynamoDB VPC endpoint vpce-1 (VPC vpc-1, us-east-1) is not a valid IAM policy: Statement[0] has Effect null; it must be "Allow" or "Deny"`
	o.evidence.policy_document == policy([object.union(allow("*", {}), {"Effect": null})])
	o.evidence.problem != null
}

test_unknown_when_policy_unparseable if {
	o := outcome_of("{not json")
	o.status == "unknown"
	o.needs == []
}

test_unknown_when_a_default_looking_document_breaks_the_grammar if {
	# Not AWS's default: a policy cannot have the element Comment.
	o := outcome_of(object.union(default_policy, {"Comment": "full access"}))
	o.status == "unknown"
	contains(o.message, `it has the element "Comment"`)
}

# --- trusted_account_ids = ["organization"]

member := "444455556666"

outsider := "555566667777"

org_accounts := [acct, build.management_account_id, member]

org_outcome(stmts, ids, org) := o if {
	i := with_org(one(policy(stmts)), org)
	out := dyn404.outcomes with input as i with data.dynaudit.params.trusted_account_ids as ids
	count(out) == 1
	o := build.only(out, "vpce-1")
}

with_org(base, null) := base

with_org(base, org) := build.with_organization(base, org) if org != null

role_of(account) := sprintf("arn:aws:iam::%s:role/app", [account])

test_pass_member_account_trusted_through_organization if {
	o := org_outcome([allow({"AWS": role_of(member)}, {})], ["organization"], org_accounts)
	o.status == "pass"
	o.evidence.trusts_organization == true
	o.evidence.organization_accounts == 3
}

test_pass_public_confined_to_member_accounts if {
	o := org_outcome([allow("*", {"StringEquals": {"aws:PrincipalAccount": [acct, member]}})], ["organization"], org_accounts)
	o.status == "pass"
}

test_fail_account_outside_the_organization if {
	o := org_outcome([allow("*", {"StringEquals": {"aws:PrincipalAccount": [member, outsider]}})], ["organization"], org_accounts)
	o.status == "fail"
}

test_fail_member_account_when_organization_not_trusted if {
	o := org_outcome([allow({"AWS": role_of(member)}, {})], [], org_accounts)
	o.status == "fail"
}

test_unknown_without_organization_block if {
	o := org_outcome([allow("*", {"StringEquals": {"aws:PrincipalAccount": [acct, member]}})], ["organization"], null)
	o.status == "unknown"
	o.needs == []
	o.message == sprintf(
		"Cannot tell whether the policy of DynamoDB VPC endpoint vpce-1 (VPC vpc-1, us-east-1) allows only trusted accounts: it grants account(s) %s, which only \"organization\" in trusted_account_ids could trust, and the organization's accounts are not in this inventory (collect it with --organization or --ou)",
		[member],
	)
	o.evidence.undetermined_accounts == [member]
	o.evidence.organization_accounts == null
}

test_unknown_without_organization_block_for_a_principal if {
	o := org_outcome([allow({"AWS": role_of(member)}, {})], ["organization"], null)
	o.status == "unknown"
	o.evidence.undetermined_accounts == [member]
}

test_fail_without_organization_block_when_public_regardless if {
	o := org_outcome([allow("*", {"StringEquals": {"aws:SourceVpce": "vpce-1"}}), allow({"AWS": role_of(member)}, {})], ["organization"], null)
	o.status == "fail"
	count(o.evidence.statements) == 1
}

test_pass_without_organization_block_when_listed_accounts_suffice if {
	o := org_outcome([allow({"AWS": [role_of(acct), role_of(outsider)]}, {})], ["organization", outsider], null)
	o.status == "pass"
}
