package dynaudit.rules.dyn505_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn505

inv(tables) := build.one_region({"tables": tables})

table(name, ci) := build.table("us-east-1", name, {"contributor_insights": ci})

single(status) := o if {
	t := table("orders", status)
	out := dyn505.outcomes with input as inv({t.arn: t})
	count(out) == 1
	some o in out
	o.resource == t.arn
}

test_pass_when_enabled if {
	single("ENABLED").status == "pass"
}

test_fail_when_disabled if {
	o := single("DISABLED")
	o.status == "fail"
	contains(o.message, "DISABLED")
}

test_fail_when_enabling if {
	single("ENABLING").status == "fail"
}

test_fail_when_failed if {
	single("FAILED").status == "fail"
}

test_unknown_when_not_collected if {
	o := single(null)
	o.status == "unknown"
	o.needs == ["DescribeContributorInsights"]
}

test_unknown_when_tables_not_listed if {
	out := dyn505.outcomes with input as inv(null)
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
}

test_one_outcome_per_table if {
	a := table("a", "ENABLED")
	b := table("b", "DISABLED")
	c := table("c", null)
	out := dyn505.outcomes with input as inv({a.arn: a, b.arn: b, c.arn: c})
	{[o.resource, o.status] | some o in out} == {[a.arn, "pass"], [b.arn, "fail"], [c.arn, "unknown"]}
}
