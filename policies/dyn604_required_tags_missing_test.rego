package dynaudit.rules.dyn604_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn604

defaults := {"required_tags": {"Environment": [], "Application": []}}

restricted := {"required_tags": {"Environment": ["Production", "Staging"], "Application": []}}

inv(tables) := build.one_region({"tables": tables})

table(name, tags) := build.table("us-east-1", name, {"tags": tags})

single(t, params) := o if {
	out := dyn604.outcomes with input as inv({t.arn: t}) with data.dynaudit.params as params
	count(out) == 1
	some o in out
	o.resource == t.arn
	o.region == "us-east-1"
}

test_pass_when_all_present if {
	o := single(table("orders", {"Environment": "Production", "Application": "Orders", "Team": "x"}), defaults)
	o.status == "pass"
	o.evidence.tags == {"Environment": "Production", "Application": "Orders"}
}

test_pass_with_default_parameters if {
	t := table("orders", {"Environment": "Production", "Application": "Orders"})
	out := dyn604.outcomes with input as inv({t.arn: t})
	count(out) == 1
	some o in out
	o.status == "pass"
}

test_fail_lists_missing_keys if {
	o := single(table("orders", {"Team": "payments"}), defaults)
	o.status == "fail"
	o.evidence.missing == ["Application", "Environment"]
	contains(o.message, "missing Application, Environment")
	contains(o.message, "orders")
}

test_fail_when_no_tags if {
	o := single(table("orders", {}), defaults)
	o.status == "fail"
	count(o.evidence.missing) == 2
}

test_empty_value_counts_as_missing if {
	o := single(table("orders", {"Environment": "", "Application": "Orders"}), defaults)
	o.status == "fail"
	o.evidence.missing == ["Environment"]
}

test_keys_are_case_sensitive if {
	o := single(table("orders", {"environment": "Production", "Application": "Orders"}), defaults)
	o.status == "fail"
	o.evidence.missing == ["Environment"]
}

test_fail_value_outside_allowed if {
	o := single(table("orders", {"Environment": "prod", "Application": "Orders"}), restricted)
	o.status == "fail"
	o.evidence.invalid == {"Environment": "prod"}
	o.evidence.missing == []
	contains(o.message, "Environment=prod is not one of Production, Staging")
}

test_fail_missing_and_invalid_together if {
	o := single(table("orders", {"Environment": "Dev"}), restricted)
	o.status == "fail"
	o.evidence.missing == ["Application"]
	o.evidence.invalid == {"Environment": "Dev"}
}

test_pass_value_in_allowed if {
	o := single(table("orders", {"Environment": "Staging", "Application": "Orders"}), restricted)
	o.status == "pass"
}

test_empty_requirements_pass if {
	o := single(table("orders", {}), {"required_tags": {}})
	o.status == "pass"
}

test_unknown_when_tags_not_collected if {
	o := single(table("orders", null), defaults)
	o.status == "unknown"
	o.needs == ["ListTagsOfResource"]
}

test_unknown_when_tables_not_listed if {
	out := dyn604.outcomes with input as inv(null) with data.dynaudit.params as defaults
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
	o.needs == ["ListTables"]
}

test_one_outcome_per_table if {
	a := table("a", {"Environment": "Production", "Application": "A"})
	b := table("b", {})
	c := table("c", null)
	out := dyn604.outcomes with input as inv({a.arn: a, b.arn: b, c.arn: c}) with data.dynaudit.params as defaults
	count(out) == 3
	{o.resource: o.status | some o in out} == {a.arn: "pass", b.arn: "fail", c.arn: "unknown"}
}
