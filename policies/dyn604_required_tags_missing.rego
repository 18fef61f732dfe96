# METADATA
# title: Table lacks a required tag or has a tag value outside the allowed values
# description: |-
#   Checks every DynamoDB table's tags (`ListTagsOfResource`) against the
#   `required_tags` parameter, a map from tag key to allowed values (default
#   `Environment` and `Application`, any value, from the reference
#   architecture; an empty list allows any non-empty value). The table fails
#   when a required key is absent or has an empty value, or when its value is
#   not one of the key's allowed values (keys and values are compared
#   exactly, as AWS treats them case-sensitively); the message lists the
#   missing keys and the offending values. Tags that could not be collected
#   make the outcome unknown. Tags are how the estate's inventory says what a
#   table is for, which environment it belongs to and whether it holds
#   cardholder data (for example `Compliance=PCI-DSS`), and the other rules'
#   parameters (replica regions, row-level security) key on them. Maps to
#   PCI DSS v4.0 12.5.1 (an inventory of in-scope system components with a
#   description of their function is maintained and kept current) and SOC 2
#   CC6.1 (the entity identifies, inventories and classifies its information
#   assets before protecting them).
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Tagging.html
#     description: Tagging resources in DynamoDB
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-5
#     description: Security Hub control DynamoDB.5
# custom:
#   id: DYN604
#   name: required-tags-missing
#   severity: low
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["12.5.1"]
#     soc2: [CC6.1]
#   remediation:
#     summary: >-
#       Add the missing tags to the table, and correct values that are not
#       in the allowed list (tag replicas of a global table in each region).
#     aws_cli: |-
#       aws dynamodb tag-resource --region REGION \
#         --resource-arn arn:aws:dynamodb:REGION:ACCOUNT_ID:table/TABLE \
#         --tags Key=Environment,Value=Production Key=Application,Value=GlobalTransactions
#     terraform: |-
#       resource "aws_dynamodb_table" "this" {
#         # ...
#         tags = {
#           Environment = "Production"
#           Application = "GlobalTransactions"
#         }
#       }
package dynaudit.rules.dyn604

import data.dynaudit.lib.common

default required_tags := {"Environment": [], "Application": []}

required_tags := data.dynaudit.params.required_tags

# The required keys, sorted.
required_keys := sort([k | some k, _ in required_tags])

# Evidence of a table that has none of the required keys.
absent_tags := {k: null | some k in required_keys}

# The required keys whose values are restricted to a list.
restricted_tags := {k: allowed | some k, allowed in required_tags; count(allowed) > 0}

problems(m, bad) := concat("; ", array.concat(
	[sprintf("missing %s", [concat(", ", m)]) | count(m) > 0],
	[sprintf("%s=%s is not one of %s", [k, v, concat(", ", required_tags[k])]) | some k, v in bad],
))

# What the pass message says after the table and region.
pass_text := ": no tags are required (required_tags is empty)" if {
	count(required_keys) == 0
} else := sprintf(" carries every required tag (%s)", [concat(", ", required_keys)])

# What the message says after the table and region.
verdict_text(m, bad) := pass_text if {
	count(m) + count(bad) == 0
} else := concat("", [" does not carry the required tags: ", problems(m, bad)])

status := {true: "pass", false: "fail"}

outcomes contains common.unlisted_tables_outcome(region, "required tags") if {
	some region in common.unlisted_table_regions
}

outcomes contains {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Tags of table %s in %s were not collected", [x.table.name, x.region]),
	"evidence": {"tags": null, "required_tags": required_tags},
	"needs": ["ListTagsOfResource"],
} if {
	some x in common.tables
	object.get(x.table, "tags", null) == null
}

# Tables whose tags were collected. The body is inline, each check computed
# once: regorus costs microseconds per function call, and this runs for
# every table.
outcomes contains {
	"status": status[count(m) + count(bad) == 0],
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s%s", [x.table.name, x.region, verdict_text(m, bad)]),
	"evidence": {
		"required_tags": required_tags,
		# the value of each required key, null when absent
		"tags": object.union(absent_tags, object.filter(tags, required_keys)),
		"missing": m,
		"invalid": bad,
	},
} if {
	some x in common.tables
	tags := x.table.tags
	is_object(tags)

	# required keys absent or empty
	m := [k | some k in required_keys; object.get(tags, k, "") == ""]

	# required keys present with a value outside the key's allowed list
	bad := {k: v |
		some k, allowed in restricted_tags
		v := object.get(tags, k, "")
		v != ""
		not v in allowed
	}
}
