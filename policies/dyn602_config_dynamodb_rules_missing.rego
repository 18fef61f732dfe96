# METADATA
# title: Required AWS Config managed rules for DynamoDB are not deployed
# description: |-
#   Checks, for every scanned region, that each AWS Config managed rule named
#   in the `required_config_rules` parameter (default
#   `DYNAMODB_TABLE_ENCRYPTED_KMS`, `DYNAMODB_PITR_ENABLED`,
#   `DYNAMODB_IN_BACKUP_PLAN`, the rules of the reference architecture) is
#   deployed there: some Config rule has `Source.Owner = AWS` and that
#   `SourceIdentifier`. A rule that is being deleted (`DELETING`,
#   `DELETING_RESULTS`) does not count. Parameter entries are matched
#   case-insensitively with `-` read as `_`, so `dynamodb-pitr-enabled` names
#   `DYNAMODB_PITR_ENABLED`. The outcome is per region (resource
#   `<account>/<region>`) and lists the missing identifiers; it is unknown
#   when the region's Config rules could not be listed, or (in an inventory
#   of schema 1.1) when a required rule is missing but the source identifier
#   of some AWS managed rule was not collected. dynaudit evaluates the
#   same controls itself; the Config rules add continuous evaluation between
#   scans and the compliance history auditors ask for. Maps to PCI DSS v4.0
#   11.5.2 (a change-detection mechanism alerts on unauthorised
#   modification: the rules evaluate every recorded change of a table's
#   encryption, PITR and backup coverage) and SOC 2 CC4.1 (the entity
#   performs ongoing evaluations to ascertain that controls are present and
#   functioning).
#
#   `DYNAMODB_THROUGHPUT_LIMIT_CHECK`, which the reference architecture also
#   deploys, is not in the default: it compares the account's provisioned
#   throughput with the account quota, a capacity-planning signal with no
#   PCI DSS or SOC 2 control of its own here (capacity per table is
#   DYN206's), and adding it would fail DYN602 in every region of estates
#   that passed before. Add it to `required_config_rules` to require it.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/dynamodb-table-encrypted-kms.html
#     description: Managed rule dynamodb-table-encrypted-kms
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/dynamodb-pitr-enabled.html
#     description: Managed rule dynamodb-pitr-enabled
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/dynamodb-in-backup-plan.html
#     description: Managed rule dynamodb-in-backup-plan
# custom:
#   id: DYN602
#   name: config-dynamodb-rules-missing
#   severity: low
#   frameworks:
#     pci-dss-4.0: ["11.5.2"]
#     soc2: [CC4.1]
#   remediation:
#     summary: >-
#       Deploy each missing AWS Config managed rule in the region, scoped to
#       AWS::DynamoDB::Table (AWS Config must be recording there, see DYN601).
#     aws_cli: |-
#       aws configservice put-config-rule --region REGION --config-rule '{
#         "ConfigRuleName": "dynamodb-pitr-enabled",
#         "Source": {"Owner": "AWS", "SourceIdentifier": "DYNAMODB_PITR_ENABLED"},
#         "Scope": {"ComplianceResourceTypes": ["AWS::DynamoDB::Table"]}
#       }'
#     terraform: |-
#       resource "aws_config_config_rule" "dynamodb_pitr_enabled" {
#         name = "dynamodb-pitr-enabled"
#         source {
#           owner             = "AWS"
#           source_identifier = "DYNAMODB_PITR_ENABLED"
#         }
#         scope {
#           compliance_resource_types = ["AWS::DynamoDB::Table"]
#         }
#         depends_on = [aws_config_configuration_recorder.this]
#       }
package dynaudit.rules.dyn602

import data.dynaudit.lib.common

default required_rules := ["DYNAMODB_TABLE_ENCRYPTED_KMS", "DYNAMODB_PITR_ENABLED", "DYNAMODB_IN_BACKUP_PLAN"]

required_rules := data.dynaudit.params.required_config_rules

# `dynamodb-pitr-enabled` and `DYNAMODB_PITR_ENABLED` name the same rule.
normalise(id) := upper(replace(id, "-", "_"))

required := [normalise(id) | some id in required_rules]

deleting(rule) if {
	s := rule.state
	is_string(s)
	startswith(s, "DELETING")
}

# Per region: managed identifier -> names of the deployed rules using it.
deployed[region] := {id: names |
	some id in required
	names := sort([rule.name |
		some rule in r.config_rules
		rule.source_owner == "AWS"
		is_string(rule.source_identifier)
		normalise(rule.source_identifier) == id
		not deleting(rule)
	])
} if {
	some region, r in input.regions
	r.config_rules != null
}

missing(region) := [id | some id in required; count(deployed[region][id]) == 0]

# AWS managed rules whose source identifier was not collected (a null
# without the schema 1.1 `absent` mark): each may be a missing one.
unidentified[region] := sort([rule.name |
	some rule in r.config_rules
	rule.source_owner == "AWS"
	common.uncollected(rule, "source_identifier")
	not deleting(rule)
]) if {
	some region, r in input.regions
	r.config_rules != null
}

pass_message(region) := sprintf("Region %s has no required AWS Config rules (required_config_rules is empty)", [region]) if {
	count(required) == 0
} else := sprintf("Region %s has every required AWS Config managed rule deployed (%s)", [region, concat(", ", required)])

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Cannot check which AWS Config rules are deployed in %s: the Config rules were not collected", [region]),
	"evidence": {"config_rules": null, "required_config_rules": required},
	"needs": ["DescribeConfigRules"],
} if {
	some region, r in input.regions
	r.config_rules == null
}

outcomes contains {
	"status": "fail",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Region %s lacks the required AWS Config managed rules %s", [region, concat(", ", m)]),
	"evidence": {"required_config_rules": required, "deployed": deployed[region], "missing": m},
} if {
	some region, _ in deployed
	m := missing(region)
	count(m) > 0
	count(unidentified[region]) == 0
}

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf(
		"Region %s seems to lack the required AWS Config managed rules %s, but the source identifier of the managed rule(s) %s was not collected, so they may be among them",
		[region, concat(", ", m), concat(", ", unidentified[region])],
	),
	"evidence": {"required_config_rules": required, "deployed": deployed[region], "missing": m, "unidentified_rules": unidentified[region]},
	"needs": ["DescribeConfigRules"],
} if {
	some region, _ in deployed
	m := missing(region)
	count(m) > 0
	count(unidentified[region]) > 0
}

outcomes contains {
	"status": "pass",
	"resource": common.region_resource(region),
	"region": region,
	"message": pass_message(region),
	"evidence": {"required_config_rules": required, "deployed": deployed[region], "missing": []},
} if {
	some region, _ in deployed
	count(missing(region)) == 0
}
