package dynaudit.rules.dyn603_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn603

inv(rules) := build.one_region({"config_rules": rules})

arn(name) := build.config_rule_arn("us-east-1", name)

rule(name, identifier, scope, compliance, resources) := build.config_rule("us-east-1", name, {
	"source_identifier": identifier,
	"scope_resource_types": scope,
	"compliance": compliance,
	"non_compliant_resources": resources,
})

pitr(compliance, resources) := rule("dynamodb-pitr-enabled", "DYNAMODB_PITR_ENABLED", ["AWS::DynamoDB::Table"], compliance, resources)

single(rules) := o if {
	out := dyn603.outcomes with input as inv(rules)
	count(out) == 1
	some o in out
}

test_fail_non_compliant_names_rule_and_resources if {
	o := single({"dynamodb-pitr-enabled": pitr("NON_COMPLIANT", ["orders", "sessions"])})
	o.status == "fail"
	o.resource == arn("dynamodb-pitr-enabled")
	o.region == "us-east-1"
	contains(o.message, "dynamodb-pitr-enabled")
	contains(o.message, "orders, sessions")
	o.evidence.non_compliant_resources == ["orders", "sessions"]
}

test_fail_non_compliant_resources_not_collected if {
	o := single({"dynamodb-pitr-enabled": pitr("NON_COMPLIANT", null)})
	o.status == "fail"
	contains(o.message, "not collected")
}

test_pass_compliant if {
	o := single({"dynamodb-pitr-enabled": pitr("COMPLIANT", [])})
	o.status == "pass"
}

test_pass_not_applicable if {
	o := single({"dynamodb-pitr-enabled": pitr("NOT_APPLICABLE", [])})
	o.status == "pass"
}

test_unknown_insufficient_data if {
	o := single({"dynamodb-pitr-enabled": pitr("INSUFFICIENT_DATA", [])})
	o.status == "unknown"
	contains(o.message, "not evaluated")
	o.needs == []
}

test_unknown_compliance_not_collected if {
	o := single({"dynamodb-pitr-enabled": pitr(null, null)})
	o.status == "unknown"
	o.needs == ["DescribeComplianceByConfigRule"]
}

test_unknown_unrecognised_compliance if {
	o := single({"dynamodb-pitr-enabled": pitr("SOMETHING_NEW", null)})
	o.status == "unknown"
}

test_scope_only_custom_rule_concerns_dynamodb if {
	r := object.union(
		rule("tables-tagged", null, ["AWS::DynamoDB::Table"], "NON_COMPLIANT", ["orders"]),
		{"source_owner": "CUSTOM_POLICY"},
	)
	o := single({"tables-tagged": r})
	o.status == "fail"
	o.resource == arn("tables-tagged")
}

test_identifier_only_rule_concerns_dynamodb if {
	o := single({"dynamodb-autoscaling": rule("dynamodb-autoscaling", "DYNAMODB_AUTOSCALING_ENABLED", [], "COMPLIANT", [])})
	o.status == "pass"
}

test_unrelated_rules_ignored if {
	rules := {
		"s3-versioning": rule("s3-versioning", "S3_BUCKET_VERSIONING_ENABLED", ["AWS::S3::Bucket"], "NON_COMPLIANT", ["b"]),
		"dynamodb-pitr-enabled": pitr("COMPLIANT", []),
	}
	out := dyn603.outcomes with input as inv(rules)
	count(out) == 1
}

test_resource_falls_back_without_arn if {
	r := object.union(pitr("COMPLIANT", []), {"arn": null})
	o := single({"dynamodb-pitr-enabled": r})
	o.resource == "111122223333/us-east-1/config-rule/dynamodb-pitr-enabled"
}

test_unknown_when_rules_not_collected if {
	o := single(null)
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
	o.needs == ["DescribeConfigRules"]
}

test_no_outcome_when_no_dynamodb_rules if {
	out := dyn603.outcomes with input as inv({})
	count(out) == 0
}

test_one_outcome_per_rule if {
	rules := {
		"dynamodb-pitr-enabled": pitr("NON_COMPLIANT", ["orders"]),
		"dynamodb-table-encrypted-kms": rule("dynamodb-table-encrypted-kms", "DYNAMODB_TABLE_ENCRYPTED_KMS", ["AWS::DynamoDB::Table"], "INSUFFICIENT_DATA", null),
		"dynamodb-in-backup-plan": rule("dynamodb-in-backup-plan", "DYNAMODB_IN_BACKUP_PLAN", ["AWS::DynamoDB::Table"], "COMPLIANT", []),
	}
	out := dyn603.outcomes with input as inv(rules)
	{o.resource: o.status | some o in out} == {
		arn("dynamodb-pitr-enabled"): "fail",
		arn("dynamodb-table-encrypted-kms"): "unknown",
		arn("dynamodb-in-backup-plan"): "pass",
	}
	count(out) == 3
}

# --- schema 1.1: a null source identifier is absent only when marked so

test_v1_1_unknown_when_identifier_not_collected if {
	# Read as schema 1.0, the rule has no identifier and no DynamoDB scope:
	# it gets no outcome.
	r := rule("maybe-dynamodb", null, [], "NON_COMPLIANT", ["orders"])
	out := dyn603.outcomes with input as build.v1_1(inv({"maybe-dynamodb": r}))
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["DescribeConfigRules"]
	o.resource == arn("maybe-dynamodb")
	count(dyn603.outcomes) == 0 with input as inv({"maybe-dynamodb": r})
}

test_v1_1_no_outcome_when_identifier_absent if {
	r := object.union(rule("custom", null, [], "NON_COMPLIANT", ["x"]), {"source_owner": "CUSTOM_POLICY", "absent": ["source_identifier"]})
	count(dyn603.outcomes) == 0 with input as build.v1_1(inv({"custom": r}))
}

test_v1_1_scoped_rule_decided_without_identifier if {
	r := rule("scoped", null, ["AWS::DynamoDB::Table"], "COMPLIANT", [])
	out := dyn603.outcomes with input as build.v1_1(inv({"scoped": r}))
	{o.status | some o in out} == {"pass"}
}
