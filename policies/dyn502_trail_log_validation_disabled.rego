# METADATA
# title: A trail relied on for management events has log file validation off
# description: |-
#   Checks every CloudTrail trail that DYN501 relies on (multi-region, logging,
#   recording read and write management events) for log file validation
#   (`LogFileValidationEnabled`). With validation on, CloudTrail writes a
#   signed, hash-chained digest file every hour, so `aws cloudtrail
#   validate-logs` can prove that no log file was modified, deleted or forged
#   after delivery; without it, tampering with the S3 objects is undetectable.
#   Multi-region trails whose logging status or event selectors were not
#   collected (so DYN501 might rely on them) get an unknown outcome; trails
#   DYN501 cannot rely on get none, and when no trail qualifies there is no
#   outcome at all (DYN501 already fails or is unknown).
#   PCI DSS v4.0 10.3.2 requires audit log files to be protected to prevent
#   modification by individuals, and 10.3.4 requires file integrity
#   monitoring or change-detection mechanisms on audit logs so that changes
#   to existing log data raise an alert; the signed digest chain is AWS's
#   change-detection mechanism for CloudTrail log files. SOC 2 CC7.2
#   (monitoring of system components for anomalies) depends on the integrity
#   of the log evidence it monitors.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html
#     description: Validating CloudTrail log file integrity
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-4
#     description: Security Hub control CloudTrail.4
# custom:
#   id: DYN502
#   name: trail-log-validation-disabled
#   severity: medium
#   frameworks:
#     pci-dss-4.0: ["10.3.2", "10.3.4"]
#     soc2: [CC7.2]
#   remediation:
#     summary: Turn on log file validation for the trail (run the update in the trail's home region).
#     aws_cli: |-
#       aws cloudtrail update-trail --region HOME_REGION --name TRAIL \
#         --enable-log-file-validation
#     terraform: |-
#       resource "aws_cloudtrail" "management" {
#         # ...
#         enable_log_file_validation = true
#       }
package dynaudit.rules.dyn502

import data.dynaudit.lib.cloudtrail

outcomes contains {
	"status": "pass",
	"resource": arn,
	"region": t.home_region,
	"message": sprintf("Trail %s (home region %s) has log file validation enabled", [t.name, t.home_region]),
	"evidence": {"log_file_validation_enabled": true, "relied_on_by": "DYN501"},
} if {
	some arn in cloudtrail.qualifying
	t := input.trails[arn]
	t.log_file_validation_enabled == true
}

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": t.home_region,
	"message": sprintf(
		"Trail %s (home region %s) records the account's management events but has log file validation disabled: tampering with its log files cannot be detected",
		[t.name, t.home_region],
	),
	"evidence": {"log_file_validation_enabled": false, "relied_on_by": "DYN501"},
} if {
	some arn in cloudtrail.qualifying
	t := input.trails[arn]
	t.log_file_validation_enabled == false
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": t.home_region,
	"message": sprintf(
		"Cannot tell whether multi-region trail %s (home region %s) is one DYN501 relies on: its status or event selectors were not collected",
		[t.name, t.home_region],
	),
	"evidence": {
		"log_file_validation_enabled": t.log_file_validation_enabled,
		"is_logging": t.is_logging,
		"records_management_events": cloudtrail.management_status(t),
	},
	"needs": cloudtrail.trail_needs(t),
} if {
	some arn in cloudtrail.uncertain
	t := input.trails[arn]
}
