# METADATA
# title: AWS Config does not record DynamoDB tables in a scanned region
# description: |-
#   Checks, for every scanned region, that an AWS Config configuration
#   recorder exists, is recording (`DescribeConfigurationRecorderStatus`
#   reports `recording = true`) and records the `AWS::DynamoDB::Table`
#   resource type: its recording group records all supported types without
#   excluding tables (`allSupported`, or the `EXCLUSION_BY_RESOURCE_TYPES`
#   strategy with tables not excluded), or lists `AWS::DynamoDB::Table`
#   explicitly. Without it no configuration history of the tables exists and
#   no Config rule can evaluate them, so a change to encryption, PITR or a
#   resource policy goes unnoticed. The outcome is per region (resource
#   `<account>/<region>`); it is unknown when the recorders could not be
#   listed, or when the only recorders that would cover tables have an
#   uncollected status. Maps to PCI DSS v4.0 11.5.2 (a change-detection
#   mechanism alerts personnel to unauthorised modification of critical
#   configuration: Config's recorder is that mechanism for table settings)
#   and SOC 2 CC7.1 (detection and monitoring procedures identify changes to
#   configurations that introduce vulnerabilities).
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html
#     description: Recording AWS resources with AWS Config
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html
#     description: Managing the configuration recorder
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html#config-1
#     description: Security Hub control Config.1
# custom:
#   id: DYN601
#   name: config-recorder-not-recording
#   severity: medium
#   frameworks:
#     pci-dss-4.0: ["11.5.2"]
#     soc2: [CC7.1]
#   remediation:
#     summary: >-
#       Create an AWS Config configuration recorder in the region that records
#       all supported resource types (or at least AWS::DynamoDB::Table), give
#       it a delivery channel, and start it.
#     aws_cli: |-
#       aws configservice put-configuration-recorder --region REGION \
#         --configuration-recorder name=default,roleARN=arn:aws:iam::ACCOUNT_ID:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig \
#         --recording-group allSupported=true,includeGlobalResourceTypes=false
#       aws configservice put-delivery-channel --region REGION \
#         --delivery-channel name=default,s3BucketName=CONFIG_BUCKET
#       aws configservice start-configuration-recorder --region REGION \
#         --configuration-recorder-name default
#     terraform: |-
#       resource "aws_config_configuration_recorder" "this" {
#         name     = "default"
#         role_arn = aws_iam_service_linked_role.config.arn
#         recording_group {
#           all_supported = true
#         }
#       }
#
#       resource "aws_config_configuration_recorder_status" "this" {
#         name       = aws_config_configuration_recorder.this.name
#         is_enabled = true
#         depends_on = [aws_config_delivery_channel.this]
#       }
package dynaudit.rules.dyn601

import data.dynaudit.lib.common

table_type := "AWS::DynamoDB::Table"

# Whether a recorder's recording group covers DynamoDB tables.
# ALL_SUPPORTED_RESOURCE_TYPES: allSupported, nothing excluded.
records_tables(rec) if {
	rec.all_supported == true
	not table_type in rec.excluded_resource_types
}

# EXCLUSION_BY_RESOURCE_TYPES: AWS requires allSupported = false and a
# non-empty exclusion list; everything not excluded is recorded.
records_tables(rec) if {
	rec.all_supported == false
	count(rec.excluded_resource_types) > 0
	not table_type in rec.excluded_resource_types
}

# INCLUSION_BY_RESOURCE_TYPES: tables listed explicitly.
records_tables(rec) if {
	table_type in rec.resource_types
	not table_type in rec.excluded_resource_types
}

covers(rec) := true if {
	records_tables(rec)
} else := false

recording(rec) := object.get(rec, "recording", null)

summary(rec) := {
	"name": rec.name,
	"all_supported": rec.all_supported,
	"resource_types": rec.resource_types,
	"excluded_resource_types": rec.excluded_resource_types,
	"records_dynamodb_tables": covers(rec),
	"recording": recording(rec),
	"last_status": object.get(rec, "last_status", null),
}

evidence(recs) := {"config_recorders": [summary(rec) | some rec in recs]}

# Regions with a recorder that records tables and is recording.
passing_regions contains region if {
	some region, r in input.regions
	r.config_recorders != null
	some rec in r.config_recorders
	recording(rec) == true
	records_tables(rec)
}

# Regions that do not pass, where a recorder covering tables has an
# uncollected recording status: it may be recording.
pending_regions contains region if {
	some region, r in input.regions
	r.config_recorders != null
	not region in passing_regions
	some rec in r.config_recorders
	recording(rec) == null
	records_tables(rec)
}

names(recs) := concat(", ", [rec.name | some rec in recs])

fail_reason(recs) := "has no AWS Config configuration recorder" if {
	count(recs) == 0
} else := sprintf("has no recorder that records AWS::DynamoDB::Table (recorders: %s)", [names(recs)]) if {
	not any_covers(recs)
} else := sprintf("has recorders that record AWS::DynamoDB::Table but none is recording (stopped: %s)", [names([rec | some rec in recs; records_tables(rec)])])

any_covers(recs) if {
	some rec in recs
	records_tables(rec)
}

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Cannot check AWS Config recording in %s: the configuration recorders were not collected", [region]),
	"evidence": {"config_recorders": null},
	"needs": ["DescribeConfigurationRecorders"],
} if {
	some region, r in input.regions
	r.config_recorders == null
}

outcomes contains {
	"status": "pass",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("AWS Config in %s is recording AWS::DynamoDB::Table (recorder %s)", [region, names([rec | some rec in r.config_recorders; recording(rec) == true; records_tables(rec)])]),
	"evidence": evidence(r.config_recorders),
} if {
	some region in passing_regions
	r := input.regions[region]
}

outcomes contains {
	"status": "unknown",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Cannot tell whether AWS Config is recording DynamoDB tables in %s: the status of recorder %s was not collected", [region, names([rec | some rec in r.config_recorders; recording(rec) == null; records_tables(rec)])]),
	"evidence": evidence(r.config_recorders),
	"needs": ["DescribeConfigurationRecorderStatus"],
} if {
	some region in pending_regions
	r := input.regions[region]
}

outcomes contains {
	"status": "fail",
	"resource": common.region_resource(region),
	"region": region,
	"message": sprintf("Region %s %s: changes to its DynamoDB tables are not recorded", [region, fail_reason(r.config_recorders)]),
	"evidence": evidence(r.config_recorders),
} if {
	some region, r in input.regions
	r.config_recorders != null
	not region in passing_regions
	not region in pending_regions
}
