package dynaudit.rules.dyn201_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn201

# `regions`: region name -> the region's collected fields.
inv(regions) := build.inventory({name: build.region(fields) | some name, fields in regions})

table(region, name, pitr, replicas) := build.table(region, name, {"point_in_time_recovery": pitr, "replicas": replicas})

one(t) := build.one_region({"tables": {t.arn: t}})

only(out, status, resource) if {
	count(out) == 1
	some o in out
	o.status == status
	o.resource == resource
}

test_pass_when_enabled_35_days if {
	t := table("us-east-1", "orders", build.pitr_enabled(35), [])
	out := dyn201.outcomes with input as one(t)
	only(out, "pass", t.arn)
	some o in out
	o.evidence.recovery_period_days == 35
	o.evidence.recovery_period_source == "reported"
}

test_pass_with_aws_default_period_when_not_reported if {
	t := table("us-east-1", "orders", build.pitr_enabled(null), [])
	out := dyn201.outcomes with input as one(t)
	only(out, "pass", t.arn)
	some o in out
	o.evidence.recovery_period_days == 35
	o.evidence.recovery_period_source == "aws_default_35_days_not_reported"
	contains(o.message, "AWS default of 35 days")
}

test_fail_when_disabled if {
	t := table("us-east-1", "orders", build.pitr_disabled, [])
	out := dyn201.outcomes with input as one(t)
	only(out, "fail", t.arn)
	some o in out
	o.evidence.pitr_status == "DISABLED"
	contains(o.message, "orders")
	contains(o.message, "us-east-1")
}

test_fail_when_period_below_default_minimum if {
	t := table("us-east-1", "orders", build.pitr_enabled(7), [])
	out := dyn201.outcomes with input as one(t)
	only(out, "fail", t.arn)
	some o in out
	o.evidence.recovery_period_days == 7
	o.evidence.min_recovery_days == 35
}

test_pass_when_period_meets_configured_minimum if {
	t := table("us-east-1", "orders", build.pitr_enabled(7), [])
	out := dyn201.outcomes with input as one(t) with data.dynaudit.params.min_pitr_recovery_days as 7
	only(out, "pass", t.arn)
}

test_fail_when_period_below_configured_minimum if {
	t := table("us-east-1", "orders", build.pitr_enabled(6), [])
	out := dyn201.outcomes with input as one(t) with data.dynaudit.params.min_pitr_recovery_days as 7
	only(out, "fail", t.arn)
}

test_unknown_when_not_collected if {
	t := table("us-east-1", "orders", null, [])
	out := dyn201.outcomes with input as one(t)
	only(out, "unknown", t.arn)
	some o in out
	o.needs == ["DescribeContinuousBackups"]
}

test_unknown_when_status_unrecognised if {
	t := table("us-east-1", "orders", {"status": "ENABLING", "recovery_period_days": null, "earliest_restorable": null, "latest_restorable": null}, [])
	out := dyn201.outcomes with input as one(t)
	only(out, "unknown", t.arn)
}

test_unknown_when_tables_not_listed if {
	out := dyn201.outcomes with input as inv({"us-east-1": {"tables": null}})
	only(out, "unknown", "111122223333/us-east-1")
	some o in out
	o.needs == ["ListTables"]
}

test_replica_in_scanned_region_evaluated_there if {
	p := table("us-east-1", "orders", build.pitr_enabled(35), [{"region": "eu-west-1", "status": "ACTIVE", "kms_key_arn": null}])
	r := table("eu-west-1", "orders", build.pitr_disabled, [{"region": "us-east-1", "status": "ACTIVE", "kms_key_arn": null}])
	out := dyn201.outcomes with input as inv({"us-east-1": {"tables": {p.arn: p}}, "eu-west-1": {"tables": {r.arn: r}}})
	count(out) == 2
	some o1 in out
	o1.resource == p.arn
	o1.status == "pass"
	some o2 in out
	o2.resource == r.arn
	o2.status == "fail"
	o2.region == "eu-west-1"
}

test_replica_in_unscanned_region_is_unknown if {
	p := table("us-east-1", "orders", build.pitr_enabled(35), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": null}])
	out := dyn201.outcomes with input as one(p)
	count(out) == 2
	some o in out
	o.resource == build.table_arn("ap-south-1", "orders")
	o.status == "unknown"
	o.region == "ap-south-1"
	o.evidence.region_scanned == false
	contains(o.message, "not scanned")
	o.needs == ["DescribeContinuousBackups"]
}

test_unscanned_replica_reported_once_from_two_scanned_tables if {
	reps := [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": null}]
	a := table("us-east-1", "orders", build.pitr_enabled(35), array.concat(reps, [{"region": "eu-west-1", "status": "ACTIVE", "kms_key_arn": null}]))
	b := table("eu-west-1", "orders", build.pitr_enabled(35), array.concat(reps, [{"region": "us-east-1", "status": "UPDATING", "kms_key_arn": null}]))
	out := dyn201.outcomes with input as inv({"us-east-1": {"tables": {a.arn: a}}, "eu-west-1": {"tables": {b.arn: b}}})
	count(out) == 3
	count({o | some o in out; o.resource == build.table_arn("ap-south-1", "orders")}) == 1
}

test_replica_missing_from_scanned_region_listing_is_unknown if {
	p := table("us-east-1", "orders", build.pitr_enabled(35), [{"region": "eu-west-1", "status": "CREATING", "kms_key_arn": null}])
	out := dyn201.outcomes with input as inv({"us-east-1": {"tables": {p.arn: p}}, "eu-west-1": {"tables": {}}})
	count(out) == 2
	some o in out
	o.resource == build.table_arn("eu-west-1", "orders")
	o.status == "unknown"
}

test_replica_in_unlisted_region_covered_by_region_outcome if {
	p := table("us-east-1", "orders", build.pitr_enabled(35), [{"region": "eu-west-1", "status": "ACTIVE", "kms_key_arn": null}])
	out := dyn201.outcomes with input as inv({"us-east-1": {"tables": {p.arn: p}}, "eu-west-1": {"tables": null}})
	count(out) == 2
	some o in out
	o.resource == "111122223333/eu-west-1"
	o.status == "unknown"
}

test_replicas_not_collected_still_decides_table if {
	t := table("us-east-1", "orders", build.pitr_disabled, null)
	out := dyn201.outcomes with input as one(t)
	only(out, "fail", t.arn)
}

test_one_outcome_per_table if {
	a := table("us-east-1", "a", build.pitr_enabled(35), [])
	b := table("us-east-1", "b", build.pitr_disabled, [])
	c := table("us-east-1", "c", null, [])
	d := table("us-east-1", "d", build.pitr_enabled(1), [])
	out := dyn201.outcomes with input as inv({"us-east-1": {"tables": {a.arn: a, b.arn: b, c.arn: c, d.arn: d}}})
	count(out) == 4
	count({o.resource | some o in out}) == 4
}
