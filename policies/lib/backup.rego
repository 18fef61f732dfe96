# Shared helpers for the backup, recovery and resilience rules (DYN2xx).
# Plain Rego v1, no custom builtins.
#
# Rules import the individual rules and functions they use
# (`import data.dynaudit.lib.backup.aws_glob`): writing `backup.x` after
# importing the package makes regorus 0.14 evaluate every rule of the
# package for each rule evaluated.
package dynaudit.lib.backup

import data.dynaudit.lib.common.table_arn

# Default point-in-time recovery period when DescribeContinuousBackups
# reports PITR enabled without `RecoveryPeriodInDays` (AWS default: 35 days).
default_pitr_recovery_days := 35

# Whether `region` is one of the regions this inventory was collected for.
scanned(region) if {
	_ := input.regions[region]
}

# Sorted list of the scanned regions.
scanned_regions := sort(object.keys(input.regions))

# The table record named `name` in `region`, when that region was scanned and
# its tables were listed and include it.
table_record(region, name) := t if {
	ts := input.regions[region].tables
	ts != null
	t := ts[table_arn(region, name)]
}

# A glob pattern for `glob.match(p, null, value)` from an AWS-style wildcard
# pattern (AWS Backup resource ARNs, StringLike values), in which only `*` is
# special and matches any run of characters: every other glob metacharacter
# is escaped and runs of `*` are collapsed (a bare `**` is a different
# operator in glob syntax).
aws_glob(pattern) := regex.replace(regex.replace(pattern, `([?\[\]{}\\])`, "\\${1}"), `\*+`, "*")

# Parameters, with the defaults of policies/README.md when dynaudit (or a
# stock OPA run) provides none.
default min_pitr_recovery_days := 35

min_pitr_recovery_days := data.dynaudit.params.min_pitr_recovery_days

default backup_window_hours := 24

backup_window_hours := data.dynaudit.params.backup_window_hours

default required_replica_regions := {}

required_replica_regions := data.dynaudit.params.required_replica_regions

default replica_regions_tag := "dynaudit:replica-regions"

replica_regions_tag := data.dynaudit.params.replica_regions_tag
