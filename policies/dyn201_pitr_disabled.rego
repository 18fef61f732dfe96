# METADATA
# title: Point-in-time recovery is disabled or its recovery period is too short
# description: |-
#   Checks every table, and every replica of a global table, for continuous
#   backups (point-in-time recovery, PITR, from DescribeContinuousBackups).
#   Fails when PITR is DISABLED, or when it is ENABLED with a recovery period
#   (`RecoveryPeriodInDays`, 1-35) shorter than the configured minimum
#   (`min_pitr_recovery_days`, default 35). An enabled table that reports no
#   recovery period has the AWS default of 35 days, and the evidence says so.
#   Replicas in scanned regions are table records of their own and get their
#   own outcome there; a replica in a region that was not scanned is reported
#   as unknown (its PITR status was not collected), never as pass. Without
#   PITR, a bad write, a faulty deployment or a malicious delete can only be
#   undone from the last on-demand backup, losing everything since.
#
#   PCI DSS v4.0 12.10.1: the incident response plan must include business
#   recovery and continuity procedures and data backup processes; PITR is the
#   backup process that lets a table be restored to any second of the
#   recovery window after an incident. SOC 2 A1.2: the entity implements and
#   maintains data backup processes and recovery infrastructure to meet its
#   availability commitments; continuous backups with a sufficient window are
#   that process for DynamoDB.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery_Howitworks.html
#     description: Enable point-in-time recovery in DynamoDB (recovery period)
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeContinuousBackups.html
#     description: DescribeContinuousBackups API reference
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-2
#     description: Security Hub control DynamoDB.2
# custom:
#   id: DYN201
#   name: pitr-disabled
#   severity: high
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["12.10.1"]
#     soc2: [A1.2]
#   remediation:
#     summary: >-
#       Turn on point-in-time recovery for the table and for each replica of a
#       global table (PITR is set per replica, in the replica's region), with a
#       recovery period of at least the configured minimum (35 days, the
#       maximum, unless configured otherwise).
#     aws_cli: |-
#       aws dynamodb update-continuous-backups --region REGION --table-name TABLE \
#         --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=35
#     terraform: |-
#       resource "aws_dynamodb_table" "this" {
#         # ...
#         point_in_time_recovery {
#           enabled                 = true
#           recovery_period_in_days = 35
#         }
#         replica {
#           region_name            = "eu-west-1"
#           point_in_time_recovery = true
#         }
#       }
package dynaudit.rules.dyn201

import data.dynaudit.lib.backup.default_pitr_recovery_days
import data.dynaudit.lib.backup.min_pitr_recovery_days
import data.dynaudit.lib.backup.scanned_regions
import data.dynaudit.lib.common.table_arn
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome

min_days := min_pitr_recovery_days

# One rule per case, each body a few lookups: per-table function calls cost
# microseconds each in regorus, and rules run on 100,000 tables.

outcomes contains unlisted_tables_outcome(region, "point-in-time recovery") if {
	some region in unlisted_table_regions
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Point-in-time recovery of table %s in %s was not collected", [t.name, region]),
	"evidence": {"point_in_time_recovery": null},
	"needs": ["DescribeContinuousBackups"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.point_in_time_recovery == null
}

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s has point-in-time recovery disabled: it can only be restored from on-demand backups, if any", [t.name, region]),
	"evidence": {"pitr_status": "DISABLED", "min_recovery_days": min_days},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.point_in_time_recovery.status == "DISABLED"
}

# Enabled with a reported recovery period.
outcomes contains {
	"status": status,
	"resource": arn,
	"region": region,
	"message": sprintf(enabled_message[status], [t.name, region, days, min_days, ""]),
	"evidence": {
		"pitr_status": "ENABLED",
		"recovery_period_days": days,
		"recovery_period_source": "reported",
		"min_recovery_days": min_days,
		"earliest_restorable": object.get(t.point_in_time_recovery, "earliest_restorable", null),
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.point_in_time_recovery.status == "ENABLED"
	days := t.point_in_time_recovery.recovery_period_days
	days != null
	status := short[days < min_days]
}

# Enabled without a reported recovery period: the AWS default of 35 days.
outcomes contains {
	"status": status,
	"resource": arn,
	"region": region,
	"message": sprintf(enabled_message[status], [t.name, region, default_pitr_recovery_days, min_days, "; no recovery period was reported, so the AWS default of 35 days applies"]),
	"evidence": {
		"pitr_status": "ENABLED",
		"recovery_period_days": default_pitr_recovery_days,
		"recovery_period_source": "aws_default_35_days_not_reported",
		"min_recovery_days": min_days,
		"earliest_restorable": object.get(t.point_in_time_recovery, "earliest_restorable", null),
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.point_in_time_recovery.status == "ENABLED"
	object.get(t.point_in_time_recovery, "recovery_period_days", null) == null
	status := short[default_pitr_recovery_days < min_days]
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Point-in-time recovery of table %s in %s has an unrecognised status %v", [t.name, region, t.point_in_time_recovery.status]),
	"evidence": {"pitr_status": t.point_in_time_recovery.status},
	"needs": ["DescribeContinuousBackups"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	t.point_in_time_recovery != null
	not known_status[t.point_in_time_recovery.status]
}

known_status := {"ENABLED", "DISABLED"}

short := {true: "fail", false: "pass"}

enabled_message := {
	"fail": "Table %s in %s has point-in-time recovery enabled with a recovery period of %d days, shorter than the required %d days%s",
	"pass": "Table %s in %s has point-in-time recovery enabled with a recovery period of %d days (at least %d required)%s",
}

# A replica in a region that was not scanned: its PITR status is unknown. The
# object depends only on the replica (table name and region), so the same
# replica listed by several scanned table records is reported once.
outcomes contains {
	"status": "unknown",
	"resource": table_arn(rep.region, t.name),
	"region": rep.region,
	"message": sprintf("Point-in-time recovery of replica %s in %s was not checked: %s is a replica region of global table %s but was not scanned; add it to the scan's regions", [t.name, rep.region, rep.region, t.name]),
	"evidence": {"replica_region": rep.region, "region_scanned": false, "scanned_regions": scanned_regions},
	"needs": ["DescribeContinuousBackups"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some t in r.tables
	rep := t.replicas[_]
	not input.regions[rep.region]
}

# A replica in a scanned region whose tables were listed without it: nothing
# was collected for it either. (Replicas with a table record are evaluated as
# tables; those in a region whose tables could not be listed are covered by
# that region's outcome.)
outcomes contains {
	"status": "unknown",
	"resource": replica_arn,
	"region": rep.region,
	"message": sprintf("Point-in-time recovery of replica %s in %s was not checked: the global table lists a replica there but ListTables in %s did not return it", [t.name, rep.region, rep.region]),
	"evidence": {"replica_region": rep.region, "region_scanned": true, "table_listed": false},
	"needs": ["ListTables", "DescribeContinuousBackups"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	some t in r.tables
	rep := t.replicas[_]
	rep.region != region
	other := input.regions[rep.region].tables
	is_object(other)
	replica_arn := table_arn(rep.region, t.name)
	not other[replica_arn]
}
