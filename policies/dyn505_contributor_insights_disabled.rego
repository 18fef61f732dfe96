# METADATA
# title: CloudWatch Contributor Insights is off for the table
# description: |-
#   Checks that CloudWatch Contributor Insights for DynamoDB is `ENABLED` on
#   each table (`DescribeContributorInsights`). Contributor Insights
#   continuously ranks the most accessed and most throttled partition and
#   sort keys, which is how hot keys, abusive clients hammering one key, and
#   throttling that degrades availability become visible. Any other status
#   (`DISABLED`, `ENABLING`, `DISABLING`, `FAILED`) fails: the table is not
#   being monitored at the time of the scan. The rule checks the table
#   itself; rules on global secondary indexes are not evaluated. The outcome
#   is unknown when the status was not collected (for example the emulator
#   or an SCP refuses the call).
#   No PCI DSS v4.0 requirement is claimed: key-access ranking is operational
#   monitoring, not an audit-log or security control the standard names.
#   SOC 2 CC7.2 requires monitoring of system components for anomalies
#   indicative of malicious acts, natural disasters and errors; a sudden
#   concentration of traffic or throttling on one key is such an anomaly,
#   and Contributor Insights is the DynamoDB feature that surfaces it.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/contributorinsights_HowItWorks.html
#     description: CloudWatch Contributor Insights for DynamoDB
# custom:
#   id: DYN505
#   name: contributor-insights-disabled
#   severity: low
#   evaluated_per: table
#   frameworks:
#     soc2: [CC7.2]
#   remediation:
#     summary: Enable CloudWatch Contributor Insights on the table (and on its busy global secondary indexes).
#     aws_cli: |-
#       aws dynamodb update-contributor-insights --region REGION \
#         --table-name TABLE --contributor-insights-action ENABLE
#     terraform: |-
#       resource "aws_dynamodb_contributor_insights" "this" {
#         table_name = aws_dynamodb_table.this.name
#       }
package dynaudit.rules.dyn505

import data.dynaudit.lib.common

outcomes contains common.unlisted_tables_outcome(region, "Contributor Insights") if {
	some region in common.unlisted_table_regions
}

outcomes contains {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Contributor Insights status of table %s in %s was not collected", [x.table.name, x.region]),
	"evidence": {"contributor_insights": null},
	"needs": ["DescribeContributorInsights"],
} if {
	some x in common.tables
	x.table.contributor_insights == null
}

outcomes contains {
	"status": "pass",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s has CloudWatch Contributor Insights enabled", [x.table.name, x.region]),
	"evidence": {"contributor_insights": "ENABLED"},
} if {
	some x in common.tables
	x.table.contributor_insights == "ENABLED"
}

outcomes contains {
	"status": "fail",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf(
		"Table %s in %s does not have CloudWatch Contributor Insights enabled (status %s): hot keys and throttled keys are not visible",
		[x.table.name, x.region, x.table.contributor_insights],
	),
	"evidence": {"contributor_insights": x.table.contributor_insights},
} if {
	some x in common.tables
	x.table.contributor_insights != null
	x.table.contributor_insights != "ENABLED"
}
