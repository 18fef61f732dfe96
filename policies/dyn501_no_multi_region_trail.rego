# METADATA
# title: No logging multi-region CloudTrail trail records management events
# description: |-
#   Checks, for each scanned region, that at least one CloudTrail trail is
#   multi-region (`IsMultiRegionTrail`), is logging (`GetTrailStatus.IsLogging`)
#   and records both read and write management events. A trail with no event
#   selectors records all management events by default; classic selectors
#   count when `IncludeManagementEvents` is true (the default) with
#   `ReadWriteType` covering reads and writes across the trail's selectors;
#   advanced selectors count when `eventCategory` equals `Management` (a
#   `readOnly` filter narrows them to reads or writes; an `eventSource`
#   exclusion that keeps `dynamodb.amazonaws.com` is accepted). Organisation
#   trails count, in a member account too (the management account's trail,
#   which `DescribeTrails` lists there). A single-region trail never satisfies the rule, even in its
#   home region: it silently misses activity in every other region, including
#   regions enabled later. Without such a trail, DynamoDB control-plane
#   activity (CreateTable, UpdateTable, DeleteTable, UpdateContinuousBackups,
#   PutResourcePolicy, ...) is not captured anywhere durable. The outcome is
#   unknown when no qualifying trail is known and the region's trail list,
#   or a candidate trail's status or selectors, was not collected.
#   PCI DSS v4.0 10.2.1 requires audit logs to be enabled and active for all
#   system components; for DynamoDB the control plane's audit log is
#   CloudTrail, and only a multi-region trail is active for every region the
#   account could use. 10.2.2 requires each auditable event to be recorded
#   with user identity, type, time, outcome, origin and affected resource,
#   which CloudTrail management event records provide. SOC 2 CC7.2 requires
#   monitoring of system components for anomalies indicative of malicious
#   acts or errors; that monitoring has nothing to work on without the
#   management-event record.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html
#     description: Receiving CloudTrail log files from multiple Regions
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html
#     description: Logging management events
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
#     description: Security Hub control CloudTrail.1
# custom:
#   id: DYN501
#   name: no-multi-region-trail
#   severity: high
#   frameworks:
#     pci-dss-4.0: ["10.2.1", "10.2.2"]
#     soc2: [CC7.2]
#   remediation:
#     summary: >-
#       Create (or convert an existing trail into) a multi-region trail that
#       records read and write management events, and start logging on it.
#     aws_cli: |-
#       aws cloudtrail create-trail --name management-events \
#         --s3-bucket-name BUCKET --is-multi-region-trail \
#         --enable-log-file-validation --kms-key-id KEY_ARN
#       aws cloudtrail put-event-selectors --trail-name management-events \
#         --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'
#       aws cloudtrail start-logging --name management-events
#     terraform: |-
#       resource "aws_cloudtrail" "management" {
#         name                          = "management-events"
#         s3_bucket_name                = aws_s3_bucket.trail.id
#         is_multi_region_trail         = true
#         include_global_service_events = true
#         enable_log_file_validation    = true
#         kms_key_id                    = aws_kms_key.trail.arn
#         enable_logging                = true
#         event_selector {
#           read_write_type           = "All"
#           include_management_events = true
#         }
#       }
package dynaudit.rules.dyn501

import data.dynaudit.lib.cloudtrail
import data.dynaudit.lib.common

# Evidence shared by every region's outcome.
trail_evidence := [cloudtrail.trail_summary(arn, t) | some arn, t in input.trails]

qualifying_arns := sort([arn | some arn in cloudtrail.qualifying])

uncertain_arns := sort([arn | some arn in cloudtrail.uncertain])

uncertain_needs := {op |
	some arn in cloudtrail.uncertain
	some op in cloudtrail.trail_needs(input.trails[arn])
}

outcomes contains {
	"status": "pass",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf(
		"Region %s is covered by multi-region trail(s) %s, which are logging and record read and write management events",
		[region, concat(", ", qualifying_arns)],
	),
	"evidence": {"qualifying_trails": qualifying_arns, "trails": trail_evidence},
} if {
	some region, _ in input.regions
	count(qualifying_arns) > 0
}

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf(
		"Cannot tell whether a logging multi-region trail records management events in %s: %s",
		[region, reason],
	),
	"evidence": {
		"qualifying_trails": [],
		"trail_arns": r.trail_arns,
		"uncertain_trails": uncertain_arns,
		"trails": trail_evidence,
	},
	"needs": sort(needs),
} if {
	some region, r in input.regions
	count(qualifying_arns) == 0
	unknown_region(r)
	needs := region_needs(r) | uncertain_needs
	reason := unknown_reason(r)
}

outcomes contains {
	"status": "fail",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf(
		"No multi-region CloudTrail trail that is logging and records read and write management events covers %s (%d trail(s) known, none qualifies)",
		[region, count(input.trails)],
	),
	"evidence": {"qualifying_trails": [], "trail_arns": r.trail_arns, "trails": trail_evidence},
} if {
	some region, r in input.regions
	count(qualifying_arns) == 0
	not unknown_region(r)
}

unknown_region(r) if r.trail_arns == null

unknown_region(_) if count(uncertain_arns) > 0

region_needs(r) := {"DescribeTrails"} if {
	r.trail_arns == null
} else := set()

unknown_reason(r) := "the region's trails could not be listed" if {
	r.trail_arns == null
} else := sprintf("the status or event selectors of trail(s) %s were not collected", [concat(", ", uncertain_arns)])
