# METADATA
# title: A trail relied on for management events is not encrypted with a KMS key
# description: |-
#   Checks every CloudTrail trail that DYN501 relies on (multi-region, logging,
#   recording read and write management events) for SSE-KMS encryption of its
#   log files (`KmsKeyId` set). Without it the log files are encrypted only
#   with S3-managed keys, so anyone who can read the bucket can read the
#   account's full activity history; with a KMS key, reading a log file also
#   needs `kms:Decrypt` under a key policy the security team controls, and
#   every decryption is itself logged. Multi-region trails whose logging
#   status or event selectors were not collected (so DYN501 might rely on
#   them) get an unknown outcome, and so does (in an inventory of schema
#   1.1) a trail whose `kms_key_id` is null without being marked absent (not
#   collected); trails DYN501 cannot rely on get none, and when no trail
#   qualifies there is no outcome at all (DYN501 already fails or is
#   unknown).
#   PCI DSS v4.0 10.3.2 requires audit log files to be protected to prevent
#   modification by individuals: with SSE-KMS, changing a record in place
#   means decrypting and re-encrypting it, which needs permissions under the
#   key policy, a gate administered separately from the bucket policy, so
#   S3 write access alone no longer suffices (log file validation, DYN502,
#   detects what remains). SOC 2 CC6.1 requires logical access security over
#   protected information assets, which the audit trail is: the key policy
#   restricts who can read the account's activity history.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html
#     description: Encrypting CloudTrail log files with AWS KMS keys (SSE-KMS)
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-2
#     description: Security Hub control CloudTrail.2
# custom:
#   id: DYN504
#   name: trail-not-kms-encrypted
#   severity: medium
#   frameworks:
#     pci-dss-4.0: ["10.3.2"]
#     soc2: [CC6.1]
#   remediation:
#     summary: >-
#       Encrypt the trail's log files with a customer managed KMS key whose
#       policy lets CloudTrail encrypt and only log readers decrypt (run the
#       update in the trail's home region).
#     aws_cli: |-
#       aws cloudtrail update-trail --region HOME_REGION --name TRAIL \
#         --kms-key-id arn:aws:kms:HOME_REGION:ACCOUNT:key/KEY_ID
#     terraform: |-
#       resource "aws_cloudtrail" "management" {
#         # ...
#         kms_key_id = aws_kms_key.trail.arn
#       }
package dynaudit.rules.dyn504

import data.dynaudit.lib.cloudtrail
import data.dynaudit.lib.common

encrypted(t) if {
	is_string(t.kms_key_id)
	t.kms_key_id != ""
}

outcomes contains {
	"status": "pass",
	"resource": arn,
	"region": t.home_region,
	"message": sprintf("Trail %s (home region %s) encrypts its log files with KMS key %s", [t.name, t.home_region, t.kms_key_id]),
	"evidence": {"kms_key_id": t.kms_key_id, "relied_on_by": "DYN501"},
} if {
	some arn in cloudtrail.qualifying
	t := input.trails[arn]
	encrypted(t)
}

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": t.home_region,
	"message": sprintf(
		"Trail %s (home region %s) records the account's management events but does not encrypt its log files with a KMS key",
		[t.name, t.home_region],
	),
	"evidence": {"kms_key_id": null, "relied_on_by": "DYN501"},
} if {
	some arn in cloudtrail.qualifying
	t := input.trails[arn]
	not encrypted(t)
	not common.uncollected(t, "kms_key_id")
}

# Schema 1.1 names a trail without a KMS key in its `absent` list; a null
# `kms_key_id` without that mark was not collected.
outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": t.home_region,
	"message": sprintf(
		"Cannot tell whether trail %s (home region %s) encrypts its log files with a KMS key: its KMS key setting was not collected",
		[t.name, t.home_region],
	),
	"evidence": {"kms_key_id": null, "relied_on_by": "DYN501"},
	"needs": ["DescribeTrails"],
} if {
	some arn in cloudtrail.qualifying
	t := input.trails[arn]
	common.uncollected(t, "kms_key_id")
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
		"kms_key_id": t.kms_key_id,
		"is_logging": t.is_logging,
		"records_management_events": cloudtrail.management_status(t),
	},
	"needs": cloudtrail.trail_needs(t),
} if {
	some arn in cloudtrail.uncertain
	t := input.trails[arn]
}
