# METADATA
# title: No backup of the table completed within the backup window
# description: |-
#   Checks that every table has a recent backup: the newest backup of the
#   table in ListBackups (type ALL: on-demand `USER`, `SYSTEM` and
#   `AWS_BACKUP`) whose status is AVAILABLE must have been created within the
#   configured window (`backup_window_hours`, default 24) before the
#   inventory's collection time. Backups still CREATING, or DELETED, do not
#   count: only an AVAILABLE backup can be restored. ListBackups reports the
#   creation time (BackupCreationDateTime), the instant the backup captures,
#   so the window is measured from it. The rule is evaluated as of
#   `collected_at`, never the wall clock, so re-evaluating old evidence gives
#   the answer it gave then. PITR (DYN201) is not a substitute: it is lost
#   with the table's continuous-backup setting and limited to 35 days, while
#   a backup is a separate, retained copy.
#
#   PCI DSS v4.0 12.10.1: the incident response plan must include data backup
#   processes; a table with no recent restorable backup shows that the
#   process is not running for it. SOC 2 A1.2: the entity operates and
#   monitors data backup processes to meet its recovery objectives; a backup
#   older than the window means the recovery point objective is not being met.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListBackups.html
#     description: ListBackups API reference (BackupType ALL, BackupStatus)
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Backup-and-Restore.html
#     description: Backup and restore for DynamoDB
# custom:
#   id: DYN202
#   name: no-recent-backup
#   severity: medium
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["12.10.1"]
#     soc2: [A1.2]
#   remediation:
#     summary: >-
#       Schedule backups of the table at least as often as the configured
#       window, preferably with an AWS Backup plan (see DYN203) so they are
#       taken and retained automatically; take an on-demand backup now to
#       close the gap.
#     aws_cli: |-
#       aws dynamodb create-backup --region REGION --table-name TABLE \
#         --backup-name TABLE-$(date -u +%Y%m%dT%H%M%SZ)
#     terraform: |-
#       resource "aws_backup_plan" "daily" {
#         name = "dynamodb-daily"
#         rule {
#           rule_name         = "daily"
#           target_vault_name = aws_backup_vault.this.name
#           schedule          = "cron(0 3 * * ? *)"
#           lifecycle {
#             delete_after = 30
#           }
#         }
#       }
package dynaudit.rules.dyn202

import data.dynaudit.lib.backup.backup_window_hours
import data.dynaudit.lib.common.now_ns
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome

window_hours := backup_window_hours

window_ns := window_hours * 3600000000000

outcomes contains unlisted_tables_outcome(region, "recent backups") if {
	some region in unlisted_table_regions
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Backups of table %s in %s were not collected", [t.name, region]),
	"evidence": {"backups": null},
	"needs": ["ListBackups"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	r.backups == null
	some arn, t in r.tables
}

# The AVAILABLE backups of each table ranked by creation time (ties broken
# by ARN, so the choice is stable). One rule per case, each body a few
# lookups: per-table function calls cost microseconds each in regorus, and
# rules run on 100,000 tables.
outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s has no available backup at all: %s", [t.name, region, none_text]),
	"evidence": {
		"backup_window_hours": window_hours,
		"collected_at": input.collected_at,
		"latest_available_backup": null,
		"age_hours": null,
		"available_backups": 0,
		"creating_backups": creating,
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	region_backups := r.backups
	region_backups != null
	available := with_available[region]
	some arn, t in r.tables
	not available[arn]
	backups := object.get(region_backups, arn, [])
	creating := count([b | some b in backups; b.status == "CREATING"])
	none_text := none_available(count(backups), creating)
}

outcomes contains {
	"status": status,
	"resource": arn,
	"region": region,
	"message": sprintf(latest_message[status], [t.name, region, latest.backup_type, latest.creation_time, age_hours, window_hours]),
	"evidence": {
		"backup_window_hours": window_hours,
		"collected_at": input.collected_at,
		"latest_available_backup": {
			"arn": latest.arn,
			"name": object.get(latest, "name", null),
			"backup_type": latest.backup_type,
			"creation_time": latest.creation_time,
		},
		"age_hours": age_hours,
		"available_backups": count(ranked),
		"creating_backups": count([b | some b in backups; b.status == "CREATING"]),
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	region_backups := r.backups
	region_backups != null
	some arn, backups in region_backups
	t := r.tables[arn]
	ranked := sort([[time.parse_rfc3339_ns(b.creation_time), b.arn, i] |
		some i, b in backups
		b.status == "AVAILABLE"
	])
	count(ranked) > 0
	top := ranked[count(ranked) - 1]
	latest := backups[top[2]]
	age_ns := now_ns - top[0]
	age_hours := round(age_ns / 360000000000) / 10
	status := within[age_ns <= window_ns]
}

# Tables with at least one AVAILABLE backup, per region.
with_available[region] := {arn |
	some arn, backups in r.backups
	some b in backups
	b.status == "AVAILABLE"
} if {
	some region, r in input.regions
	r.backups != null
}

within := {true: "pass", false: "fail"}

latest_message := {
	"pass": "Table %s in %s has an available %s backup created %s (%v h before collection), within the %v h window",
	"fail": "Table %s in %s has no backup within the window: the latest available (%s) backup was created %s (%v h before collection), more than %v h before",
}

none_available(0, _) := "ListBackups returned no backup of it"

none_available(n, creating) := sprintf("ListBackups returned %d backup(s) of it, none AVAILABLE", [n]) if {
	n > 0
	creating == 0
}

none_available(n, creating) := sprintf("ListBackups returned %d backup(s) of it, none AVAILABLE (%d still CREATING, not yet restorable)", [n, creating]) if {
	n > 0
	creating > 0
}
