package dynaudit.rules.dyn502_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn502

trail(name, multi, logging, selectors, validation) := build.trail("eu-west-1", name, {
	"is_multi_region": multi,
	"is_logging": logging,
	"selectors": selectors,
	"log_file_validation_enabled": validation,
})

no_mgmt := {"event_selectors": [{"read_write_type": "All", "include_management_events": false, "data_resources": []}], "advanced_event_selectors": []}

inv(trails) := build.inventory_with(
	{"us-east-1": build.region({"trail_arns": [t.arn | some t in trails]})},
	{"trails": build.by_arn(trails)},
)

test_pass_when_validation_on if {
	t := trail("main", true, true, build.default_selectors, true)
	out := dyn502.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "pass"
	o.resource == t.arn
	o.region == "eu-west-1"
}

test_fail_when_validation_off if {
	t := trail("main", true, true, build.default_selectors, false)
	out := dyn502.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "fail"
	o.resource == t.arn
}

test_no_outcome_for_trails_not_relied_on if {
	single := trail("single", false, true, build.default_selectors, false)
	stopped := trail("stopped", true, false, build.default_selectors, false)
	data_only := trail("data", true, true, no_mgmt, false)
	out := dyn502.outcomes with input as inv([single, stopped, data_only])
	count(out) == 0
}

test_unknown_when_trail_status_missing if {
	t := trail("main", true, null, build.default_selectors, false)
	out := dyn502.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["GetTrailStatus"]
}

test_unknown_when_selectors_missing if {
	t := trail("main", true, true, null, true)
	out := dyn502.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["GetEventSelectors"]
}

test_each_qualifying_trail_reported if {
	a := trail("a", true, true, build.default_selectors, true)
	b := trail("b", true, true, build.default_selectors, false)
	out := dyn502.outcomes with input as inv([a, b])
	{[o.resource, o.status] | some o in out} == {[a.arn, "pass"], [b.arn, "fail"]}
}
