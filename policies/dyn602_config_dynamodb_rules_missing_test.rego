package dynaudit.rules.dyn602_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn602

defaults := {"required_config_rules": ["DYNAMODB_TABLE_ENCRYPTED_KMS", "DYNAMODB_PITR_ENABLED", "DYNAMODB_IN_BACKUP_PLAN"]}

inv(rules) := build.one_region({"config_rules": rules})

rule(name, owner, identifier, state) := build.config_rule("us-east-1", name, {
	"source_owner": owner,
	"source_identifier": identifier,
	"state": state,
})

all_three := {
	"dynamodb-table-encrypted-kms": rule("dynamodb-table-encrypted-kms", "AWS", "DYNAMODB_TABLE_ENCRYPTED_KMS", "ACTIVE"),
	"dynamodb-pitr-enabled": rule("dynamodb-pitr-enabled", "AWS", "DYNAMODB_PITR_ENABLED", "ACTIVE"),
	"dynamodb-in-backup-plan": rule("dynamodb-in-backup-plan", "AWS", "DYNAMODB_IN_BACKUP_PLAN", "ACTIVE"),
}

only(out, status) := o if {
	count(out) == 1
	some o in out
	o.status == status
	o.resource == "111122223333/us-east-1"
}

test_pass_when_all_deployed if {
	out := dyn602.outcomes with input as inv(all_three) with data.dynaudit.params as defaults
	o := only(out, "pass")
	o.evidence.deployed["DYNAMODB_PITR_ENABLED"] == ["dynamodb-pitr-enabled"]
}

test_pass_with_default_parameters if {
	# No params at all (stock OPA without dynaudit's defaults).
	out := dyn602.outcomes with input as inv(all_three)
	only(out, "pass")
}

test_fail_lists_missing if {
	rules := object.remove(all_three, ["dynamodb-pitr-enabled", "dynamodb-in-backup-plan"])
	out := dyn602.outcomes with input as inv(rules) with data.dynaudit.params as defaults
	o := only(out, "fail")
	o.evidence.missing == ["DYNAMODB_PITR_ENABLED", "DYNAMODB_IN_BACKUP_PLAN"]
	contains(o.message, "DYNAMODB_PITR_ENABLED, DYNAMODB_IN_BACKUP_PLAN")
}

test_fail_when_no_rules if {
	out := dyn602.outcomes with input as inv({}) with data.dynaudit.params as defaults
	o := only(out, "fail")
	count(o.evidence.missing) == 3
}

test_custom_rule_with_same_name_does_not_count if {
	rules := object.union(all_three, {"dynamodb-pitr-enabled": rule("dynamodb-pitr-enabled", "CUSTOM_LAMBDA", "arn:aws:lambda:us-east-1:111122223333:function:pitr", "ACTIVE")})
	out := dyn602.outcomes with input as inv(rules) with data.dynaudit.params as defaults
	o := only(out, "fail")
	o.evidence.missing == ["DYNAMODB_PITR_ENABLED"]
}

test_deleting_rule_does_not_count if {
	rules := object.union(all_three, {"dynamodb-pitr-enabled": rule("dynamodb-pitr-enabled", "AWS", "DYNAMODB_PITR_ENABLED", "DELETING")})
	out := dyn602.outcomes with input as inv(rules) with data.dynaudit.params as defaults
	o := only(out, "fail")
	o.evidence.missing == ["DYNAMODB_PITR_ENABLED"]
}

test_rule_name_does_not_matter if {
	rules := object.union(all_three, {"dynamodb-pitr-enabled": rule("pitr-everywhere", "AWS", "DYNAMODB_PITR_ENABLED", "ACTIVE")})
	out := dyn602.outcomes with input as inv(rules) with data.dynaudit.params as defaults
	only(out, "pass")
}

test_parameter_names_normalised if {
	params := {"required_config_rules": ["dynamodb-pitr-enabled"]}
	rules := {"p": rule("p", "AWS", "DYNAMODB_PITR_ENABLED", "ACTIVE")}
	out := dyn602.outcomes with input as inv(rules) with data.dynaudit.params as params
	only(out, "pass")
}

test_custom_required_list if {
	params := {"required_config_rules": ["DYNAMODB_AUTOSCALING_ENABLED"]}
	out := dyn602.outcomes with input as inv(all_three) with data.dynaudit.params as params
	o := only(out, "fail")
	o.evidence.missing == ["DYNAMODB_AUTOSCALING_ENABLED"]
}

test_empty_required_list_passes if {
	out := dyn602.outcomes with input as inv({}) with data.dynaudit.params as {"required_config_rules": []}
	only(out, "pass")
}

test_unknown_when_rules_not_collected if {
	out := dyn602.outcomes with input as inv(null) with data.dynaudit.params as defaults
	o := only(out, "unknown")
	o.needs == ["DescribeConfigRules"]
}

test_one_outcome_per_region if {
	i := build.inventory({
		"us-east-1": build.region({"config_rules": all_three}),
		"eu-west-1": build.region({"config_rules": {}}),
		"us-west-2": build.region({"config_rules": null}),
	})
	out := dyn602.outcomes with input as i with data.dynaudit.params as defaults
	count(out) == 3
	{o.resource: o.status | some o in out} == {
		"111122223333/us-east-1": "pass",
		"111122223333/eu-west-1": "fail",
		"111122223333/us-west-2": "unknown",
	}
}

# --- schema 1.1: a null source identifier is absent only when marked so

test_v1_1_unknown_when_an_identifier_was_not_collected if {
	# Read as schema 1.0, the rule without an identifier does not count: fail.
	rules := object.union(
		object.remove(all_three, ["dynamodb-pitr-enabled"]),
		{"pitr": rule("pitr", "AWS", null, "ACTIVE")},
	)
	out := dyn602.outcomes with input as build.v1_1(inv(rules)) with data.dynaudit.params as defaults
	o := only(out, "unknown")
	o.evidence.unidentified_rules == ["pitr"]
	o.needs == ["DescribeConfigRules"]
	contains(o.message, "the source identifier of the managed rule(s) pitr was not collected")
	only(dyn602.outcomes, "fail") with input as inv(rules) with data.dynaudit.params as defaults
}

test_v1_1_fail_when_the_identifier_is_absent if {
	r := object.union(rule("policy-rule", "CUSTOM_POLICY", null, "ACTIVE"), {"absent": ["source_identifier"]})
	rules := object.union(object.remove(all_three, ["dynamodb-pitr-enabled"]), {"policy-rule": r})
	out := dyn602.outcomes with input as build.v1_1(inv(rules)) with data.dynaudit.params as defaults
	o := only(out, "fail")
	o.evidence.missing == ["DYNAMODB_PITR_ENABLED"]
}

test_v1_1_custom_rule_not_collected_does_not_matter if {
	r := rule("mine", "CUSTOM_LAMBDA", null, "ACTIVE")
	out := dyn602.outcomes with input as build.v1_1(inv(object.union(all_three, {"mine": r}))) with data.dynaudit.params as defaults
	only(out, "pass")
}
