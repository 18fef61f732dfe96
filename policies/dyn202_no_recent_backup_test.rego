package dynaudit.rules.dyn202_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn202

arn := build.table_arn("us-east-1", "orders")

table := build.table("us-east-1", "orders", {})

inv(backups) := build.one_region({"tables": {arn: table}, "backups": backups})

bk(id, type, status, created) := build.backup(arn, id, {"backup_type": type, "status": status, "creation_time": created})

only(out, status) := o if {
	count(out) == 1
	some o in out
	o.status == status
	o.resource == arn
}

test_pass_with_backup_inside_window if {
	out := dyn202.outcomes with input as inv({arn: [bk("b1", "USER", "AVAILABLE", "2026-10-31T06:00:00Z")]})
	o := only(out, "pass")
	o.evidence.latest_available_backup.arn == sprintf("%s/backup/b1", [arn])
	o.evidence.age_hours == 18
}

test_pass_with_aws_backup_type_at_window_edge if {
	out := dyn202.outcomes with input as inv({arn: [bk("b1", "AWS_BACKUP", "AVAILABLE", "2026-10-31T00:00:00Z")]})
	only(out, "pass")
}

test_pass_uses_latest_of_several if {
	out := dyn202.outcomes with input as inv({arn: [
		bk("old", "USER", "AVAILABLE", "2026-09-01T00:00:00Z"),
		bk("new", "SYSTEM", "AVAILABLE", "2026-10-31T20:30:00Z"),
		bk("mid", "USER", "AVAILABLE", "2026-10-15T00:00:00Z"),
	]})
	o := only(out, "pass")
	o.evidence.latest_available_backup.name == "new"
	o.evidence.available_backups == 3
	o.evidence.age_hours == 3.5
}

test_fail_when_latest_backup_too_old if {
	out := dyn202.outcomes with input as inv({arn: [bk("b1", "USER", "AVAILABLE", "2026-10-30T12:00:00Z")]})
	o := only(out, "fail")
	o.evidence.age_hours == 36
	contains(o.message, "2026-10-30T12:00:00Z")
}

test_fail_just_outside_window if {
	out := dyn202.outcomes with input as inv({arn: [bk("b1", "USER", "AVAILABLE", "2026-10-30T23:59:59Z")]})
	only(out, "fail")
}

test_pass_with_configured_window if {
	out := dyn202.outcomes with input as inv({arn: [bk("b1", "USER", "AVAILABLE", "2026-10-30T12:00:00Z")]})
		with data.dynaudit.params.backup_window_hours as 48
	only(out, "pass")
}

test_fail_when_no_backups if {
	out := dyn202.outcomes with input as inv({})
	o := only(out, "fail")
	o.evidence.latest_available_backup == null
	contains(o.message, "no available backup at all")
}

test_creating_backup_does_not_count if {
	out := dyn202.outcomes with input as inv({arn: [bk("b1", "USER", "CREATING", "2026-10-31T23:00:00Z")]})
	o := only(out, "fail")
	o.evidence.creating_backups == 1
	contains(o.message, "CREATING")
}

test_creating_backup_newer_than_old_available if {
	out := dyn202.outcomes with input as inv({arn: [
		bk("new", "USER", "CREATING", "2026-10-31T23:00:00Z"),
		bk("old", "USER", "AVAILABLE", "2026-10-20T00:00:00Z"),
	]})
	o := only(out, "fail")
	o.evidence.latest_available_backup.name == "old"
}

test_deleted_backup_does_not_count if {
	out := dyn202.outcomes with input as inv({arn: [bk("b1", "USER", "DELETED", "2026-10-31T23:00:00Z")]})
	only(out, "fail")
}

test_other_tables_backups_do_not_count if {
	other := "arn:aws:dynamodb:us-east-1:111122223333:table/other"
	out := dyn202.outcomes with input as inv({other: [bk("b1", "USER", "AVAILABLE", "2026-10-31T23:00:00Z")]})
	only(out, "fail")
}

test_unknown_when_backups_not_collected if {
	out := dyn202.outcomes with input as inv(null)
	o := only(out, "unknown")
	o.needs == ["ListBackups"]
}

test_unknown_when_tables_not_listed if {
	out := dyn202.outcomes with input as build.one_region({"tables": null})
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
}

test_same_tie_picks_one if {
	out := dyn202.outcomes with input as inv({arn: [
		bk("a", "USER", "AVAILABLE", "2026-10-31T23:00:00Z"),
		bk("b", "USER", "AVAILABLE", "2026-10-31T23:00:00Z"),
	]})
	o := only(out, "pass")
	o.evidence.latest_available_backup.name == "b"
}
