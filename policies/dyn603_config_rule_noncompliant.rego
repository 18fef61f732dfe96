# METADATA
# title: AWS Config reports a DynamoDB rule as non-compliant
# description: |-
#   Surfaces what AWS Config itself concludes about DynamoDB, so that its
#   view and dynaudit's can be reconciled: for every Config rule that
#   concerns DynamoDB tables (its scope lists `AWS::DynamoDB::Table`, or its
#   managed identifier starts with `DYNAMODB_`), the rule's compliance from
#   `DescribeComplianceByConfigRule` is reported. `NON_COMPLIANT` fails,
#   naming the rule and the resources Config lists as non-compliant;
#   `COMPLIANT` and `NOT_APPLICABLE` pass; `INSUFFICIENT_DATA` (Config has
#   not evaluated the rule yet) and an uncollected compliance are unknown.
#   The resource is the Config rule's ARN (or `<account>/<region>/config-rule/<name>`
#   when the ARN is missing); a region whose Config rules could not be listed
#   gives one unknown outcome for `<account>/<region>`, and (in an inventory
#   of schema 1.1) an AWS managed rule whose source identifier was not
#   collected and whose scope does not list DynamoDB tables is unknown. Maps to PCI DSS v4.0
#   11.5.2 (the change-detection mechanism's alerts must be acted on: a
#   non-compliant evaluation is such an alert) and SOC 2 CC4.1 (the results
#   of ongoing evaluations of controls are known and followed up).
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_view-compliance.html
#     description: Viewing compliance information and evaluation results
#   - ref: https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeComplianceByConfigRule.html
#     description: DescribeComplianceByConfigRule
# custom:
#   id: DYN603
#   name: config-rule-noncompliant
#   severity: medium
#   frameworks:
#     pci-dss-4.0: ["11.5.2"]
#     soc2: [CC4.1]
#   remediation:
#     summary: >-
#       List the resources the Config rule reports as non-compliant, fix each
#       one (the matching dynaudit rule, e.g. DYN101, DYN201 or DYN203, gives
#       the specific remediation), then re-evaluate the rule.
#     aws_cli: |-
#       aws configservice get-compliance-details-by-config-rule --region REGION \
#         --config-rule-name RULE_NAME --compliance-types NON_COMPLIANT
#       # after fixing the resources:
#       aws configservice start-config-rules-evaluation --region REGION \
#         --config-rule-names RULE_NAME
package dynaudit.rules.dyn603

import data.dynaudit.lib.common

table_type := "AWS::DynamoDB::Table"

concerns_dynamodb(rule) if table_type in rule.scope_resource_types

concerns_dynamodb(rule) if {
	id := rule.source_identifier
	is_string(id)
	startswith(id, "DYNAMODB_")
}

# Every Config rule that concerns DynamoDB, with its resource id.
dynamodb_rules contains {"region": region, "resource": resource_of(region, rule), "rule": rule} if {
	some region, r in input.regions
	r.config_rules != null
	some rule in r.config_rules
	concerns_dynamodb(rule)
}

# AWS managed rules whose source identifier was not collected (a null
# without the schema 1.1 `absent` mark) and whose scope does not say
# whether they concern DynamoDB: they may be `DYNAMODB_` rules.
outcomes contains {
	"status": "unknown",
	"resource": resource_of(region, rule),
	"region": region,
	"message": sprintf(
		"Cannot tell whether AWS Config rule %s in %s concerns DynamoDB: its source identifier was not collected and its scope does not list %s",
		[rule.name, region, table_type],
	),
	"evidence": {
		"config_rule": rule.name,
		"source_owner": rule.source_owner,
		"source_identifier": null,
		"scope_resource_types": rule.scope_resource_types,
		"compliance": compliance(rule),
	},
	"needs": ["DescribeConfigRules"],
} if {
	some region, r in input.regions
	r.config_rules != null
	some rule in r.config_rules
	rule.source_owner == "AWS"
	not concerns_dynamodb(rule)
	common.uncollected(rule, "source_identifier")
}

resource_of(_, rule) := rule.arn if is_string(rule.arn)

resource_of(region, rule) := sprintf("%s/%s/config-rule/%s", [input.account_id, region, rule.name]) if not is_string(rule.arn)

compliance(rule) := object.get(rule, "compliance", null)

noncompliant_resources(rule) := object.get(rule, "non_compliant_resources", null)

label(x) := sprintf("AWS Config rule %s (%s) in %s", [x.rule.name, x.rule.source_identifier, x.region]) if is_string(x.rule.source_identifier)

label(x) := sprintf("AWS Config rule %s in %s", [x.rule.name, x.region]) if not is_string(x.rule.source_identifier)

evidence(x) := {
	"config_rule": x.rule.name,
	"source_owner": x.rule.source_owner,
	"source_identifier": x.rule.source_identifier,
	"state": object.get(x.rule, "state", null),
	"compliance": compliance(x.rule),
	"non_compliant_resources": noncompliant_resources(x.rule),
}

resources_text(rule) := concat(", ", rs) if {
	rs := noncompliant_resources(rule)
	is_array(rs)
	count(rs) > 0
} else := "(Config did not list the resources)" if {
	is_array(noncompliant_resources(rule))
} else := "(the non-compliant resources were not collected)"

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Cannot check AWS Config rule compliance in %s: the Config rules were not collected", [region]),
	"evidence": {"config_rules": null},
	"needs": ["DescribeConfigRules"],
} if {
	some region, r in input.regions
	r.config_rules == null
}

outcomes contains {
	"status": "fail",
	"resource": x.resource,
	"region": x.region,
	"message": sprintf("%s reports NON_COMPLIANT for: %s", [label(x), resources_text(x.rule)]),
	"evidence": evidence(x),
} if {
	some x in dynamodb_rules
	compliance(x.rule) == "NON_COMPLIANT"
}

outcomes contains {
	"status": "pass",
	"resource": x.resource,
	"region": x.region,
	"message": sprintf("%s reports %s", [label(x), c]),
	"evidence": evidence(x),
} if {
	some x in dynamodb_rules
	c := compliance(x.rule)
	c in {"COMPLIANT", "NOT_APPLICABLE"}
}

outcomes contains {
	"status": "unknown",
	"resource": x.resource,
	"region": x.region,
	"message": sprintf("%s reports INSUFFICIENT_DATA: Config has not evaluated it yet, so its verdict is not known", [label(x)]),
	"evidence": evidence(x),
	"needs": [],
} if {
	some x in dynamodb_rules
	compliance(x.rule) == "INSUFFICIENT_DATA"
}

outcomes contains {
	"status": "unknown",
	"resource": x.resource,
	"region": x.region,
	"message": sprintf("The compliance of %s was not collected", [label(x)]),
	"evidence": evidence(x),
	"needs": ["DescribeComplianceByConfigRule"],
} if {
	some x in dynamodb_rules
	compliance(x.rule) == null
}

# Any other value (a compliance type added after this rule was written).
outcomes contains {
	"status": "unknown",
	"resource": x.resource,
	"region": x.region,
	"message": sprintf("%s reports compliance %v, which dynaudit does not interpret", [label(x), c]),
	"evidence": evidence(x),
	"needs": [],
} if {
	some x in dynamodb_rules
	c := compliance(x.rule)
	c != null
	not c in {"NON_COMPLIANT", "COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA"}
}
