package dynaudit.rules.dyn204_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn204

inv(tables) := build.one_region({"tables": tables})

table(name, dp) := build.table("us-east-1", name, {"deletion_protection": dp})

test_pass_when_enabled if {
	t := table("orders", true)
	out := dyn204.outcomes with input as inv({t.arn: t})
	out == {o | some o in out; o.status == "pass"; o.resource == t.arn}
	count(out) == 1
}

test_fail_when_disabled if {
	t := table("orders", false)
	out := dyn204.outcomes with input as inv({t.arn: t})
	some o in out
	o.status == "fail"
	o.resource == t.arn
	count(out) == 1
}

test_unknown_when_not_collected if {
	t := table("orders", null)
	out := dyn204.outcomes with input as inv({t.arn: t})
	some o in out
	o.status == "unknown"
	o.needs == ["DescribeTable"]
	count(out) == 1
}

test_unknown_when_tables_not_listed if {
	out := dyn204.outcomes with input as inv(null)
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
	count(out) == 1
}
