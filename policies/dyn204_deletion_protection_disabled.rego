# METADATA
# title: Deletion protection is disabled
# description: |-
#   A DynamoDB table without deletion protection can be deleted by a single
#   DeleteTable call, by mistake or by an attacker, taking its data with it
#   (PITR and on-demand backups survive, but recovery is a restore to a new
#   table and an outage). Deletion protection makes the deletion a two-step,
#   auditable change. Maps to PCI DSS v4.0 12.10.1 (incident response plan:
#   the ability to recover from destructive incidents) and SOC 2 A1.2
#   (recovery infrastructure) and CC8.1 (changes are authorised: deleting a
#   production table is a change that should need a deliberate step).
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
#     description: Using deletion protection
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-6
#     description: Security Hub control DynamoDB.6
# custom:
#   id: DYN204
#   name: deletion-protection-disabled
#   severity: medium
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["12.10.1"]
#     soc2: [A1.2, CC8.1]
#   remediation:
#     summary: Turn on deletion protection for the table.
#     aws_cli: |-
#       aws dynamodb update-table --region REGION --table-name TABLE \
#         --deletion-protection-enabled
#     terraform: |-
#       resource "aws_dynamodb_table" "this" {
#         # ...
#         deletion_protection_enabled = true
#       }
package dynaudit.rules.dyn204

import data.dynaudit.lib.common

outcomes contains common.unlisted_tables_outcome(region, "deletion protection") if {
	some region in common.unlisted_table_regions
}

outcomes contains {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Deletion protection of table %s in %s was not collected", [x.table.name, x.region]),
	"evidence": {"deletion_protection": null},
	"needs": ["DescribeTable"],
} if {
	some x in common.tables
	x.table.deletion_protection == null
}

outcomes contains {
	"status": "fail",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s has deletion protection disabled: one DeleteTable call removes it", [x.table.name, x.region]),
	"evidence": {"deletion_protection": false},
} if {
	some x in common.tables
	x.table.deletion_protection == false
}

outcomes contains {
	"status": "pass",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s has deletion protection enabled", [x.table.name, x.region]),
	"evidence": {"deletion_protection": true},
} if {
	some x in common.tables
	x.table.deletion_protection == true
}
