package dynaudit.rules.dyn501_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn501

trail(name, multi, logging, selectors) := build.trail("us-east-1", name, {
	"is_multi_region": multi,
	"is_logging": logging,
	"selectors": selectors,
})

classic(rw, mgmt) := {"event_selectors": [{"read_write_type": rw, "include_management_events": mgmt, "data_resources": []}], "advanced_event_selectors": []}

fs(field, equals) := build.field_selector(field, {"equals": equals})

advanced(selectors) := {"event_selectors": [], "advanced_event_selectors": selectors}

inv(trails, trail_arns) := build.inventory_with(
	{
		"us-east-1": build.region({"trail_arns": trail_arns}),
		"eu-west-1": build.region({"trail_arns": trail_arns}),
	},
	{"trails": build.by_arn(trails)},
)

statuses(out) := {[o.resource, o.status] | some o in out}

test_pass_default_selectors if {
	t := trail("main", true, true, build.default_selectors)
	out := dyn501.outcomes with input as inv([t], [t.arn])
	statuses(out) == {["111122223333/us-east-1", "pass"], ["111122223333/eu-west-1", "pass"]}
	count(out) == 2
}

test_pass_classic_all_management if {
	t := trail("main", true, true, classic("All", true))
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "pass" }
	count(out) == 2
}

test_pass_classic_management_default_null if {
	t := trail("main", true, true, classic(null, null))
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "pass" }
	count(out) == 2
}

test_pass_classic_read_and_write_selectors_combined if {
	sels := {"event_selectors": [
		{"read_write_type": "ReadOnly", "include_management_events": true, "data_resources": []},
		{"read_write_type": "WriteOnly", "include_management_events": true, "data_resources": []},
	], "advanced_event_selectors": []}
	t := trail("main", true, true, sels)
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "pass" }
}

test_fail_classic_write_only if {
	t := trail("main", true, true, classic("WriteOnly", true))
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "fail" }
	count(out) == 2
}

test_fail_classic_management_excluded if {
	t := trail("main", true, true, classic("All", false))
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "fail" }
}

test_pass_advanced_management if {
	t := trail("main", true, true, advanced([{"name": "mgmt", "field_selectors": [fs("eventCategory", ["Management"])]}]))
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "pass" }
	count(out) == 2
}

test_pass_advanced_management_kms_excluded if {
	src := object.union(fs("eventSource", []), {"not_equals": ["kms.amazonaws.com"]})
	t := trail("main", true, true, advanced([{"name": "mgmt", "field_selectors": [fs("eventCategory", ["Management"]), src]}]))
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "pass" }
}

test_fail_advanced_management_read_only if {
	t := trail("main", true, true, advanced([{"name": "mgmt", "field_selectors": [fs("eventCategory", ["Management"]), fs("readOnly", ["true"])]}]))
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "fail" }
}

test_pass_advanced_read_and_write_selectors if {
	t := trail("main", true, true, advanced([
		{"name": "r", "field_selectors": [fs("eventCategory", ["Management"]), fs("readOnly", ["true"])]},
		{"name": "w", "field_selectors": [fs("eventCategory", ["Management"]), fs("readOnly", ["false"])]},
	]))
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "pass" }
}

test_fail_advanced_data_only if {
	t := trail("main", true, true, advanced([{"name": "data", "field_selectors": [fs("eventCategory", ["Data"]), fs("resources.type", ["AWS::DynamoDB::Table"])]}]))
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "fail" }
	count(out) == 2
}

test_fail_single_region_trail if {
	t := trail("main", false, true, build.default_selectors)
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "fail" }
	count(out) == 2
}

test_fail_not_logging if {
	t := trail("main", true, false, build.default_selectors)
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "fail" }
	count(out) == 2
}

test_fail_no_trails if {
	out := dyn501.outcomes with input as inv([], [])
	statuses(out) == {["111122223333/us-east-1", "fail"], ["111122223333/eu-west-1", "fail"]}
}

test_unknown_when_trails_not_listed if {
	out := dyn501.outcomes with input as inv([], null)
	every o in out {
		o.status == "unknown"
		o.needs == ["DescribeTrails"]
	}
	count(out) == 2
}

test_unknown_when_status_not_collected if {
	t := trail("main", true, null, build.default_selectors)
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out {
		o.status == "unknown"
		o.needs == ["GetTrailStatus"]
	}
	count(out) == 2
}

test_unknown_when_selectors_not_collected if {
	t := trail("main", true, true, null)
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out {
		o.status == "unknown"
		o.needs == ["GetEventSelectors"]
	}
}

test_fail_when_unknown_trail_is_disqualified_anyway if {
	# Not logging: the missing selectors cannot make it qualify.
	t := trail("main", true, false, null)
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "fail" }
	count(out) == 2
}

test_pass_beats_unknown if {
	good := trail("main", true, true, build.default_selectors)
	odd := trail("other", true, null, null)
	out := dyn501.outcomes with input as inv([good, odd], null)
	every o in out { o.status == "pass" }
	count(out) == 2
}

test_pass_organization_trail if {
	t := object.union(trail("org", true, true, build.default_selectors), {
		"arn": "arn:aws:cloudtrail:us-east-1:999988887777:trail/org",
		"is_organization_trail": true,
	})
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "pass" }
	count(out) == 2
}

test_advanced_unknown_field_not_counted if {
	# eventName is not a trail management-event field: treat as partial.
	t := trail("main", true, true, advanced([{"name": "m", "field_selectors": [fs("eventCategory", ["Management"]), fs("eventName", ["CreateTable"])]}]))
	out := dyn501.outcomes with input as inv([t], [t.arn])
	every o in out { o.status == "fail" }
}

# --- an organization trail of the management account, seen from a member
# account (DescribeTrails with shadow trails lists it; its home region need
# not be a scanned region)

member_inv(t) := build.inventory_with(
	{"eu-west-1": build.region({"trail_arns": [t.arn]})},
	{"trails": build.by_arn([t])},
)

test_pass_member_account_covered_by_organization_trail if {
	t := build.organization_trail("us-east-1", "org-trail", {})
	out := dyn501.outcomes with input as member_inv(t)
	statuses(out) == {["111122223333/eu-west-1", "pass"]}
	some o in out
	o.evidence.qualifying_trails == ["arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail"]
	o.evidence.trails[0].is_organization_trail == true
}

test_unknown_when_member_account_is_refused_the_organization_trails_details if {
	t := build.organization_trail("us-east-1", "org-trail", {"is_logging": null, "selectors": null})
	out := dyn501.outcomes with input as member_inv(t)
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["GetEventSelectors", "GetTrailStatus"]
	contains(o.message, "arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail")
}

test_fail_organization_trail_not_logging if {
	t := build.organization_trail("us-east-1", "org-trail", {"is_logging": false})
	out := dyn501.outcomes with input as member_inv(t)
	statuses(out) == {["111122223333/eu-west-1", "fail"]}
}

test_fail_single_region_organization_trail_in_another_region if {
	t := build.organization_trail("us-east-1", "org-trail", {"is_multi_region": false})
	out := dyn501.outcomes with input as member_inv(t)
	statuses(out) == {["111122223333/eu-west-1", "fail"]}
}
