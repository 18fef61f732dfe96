package dynaudit.rules.dyn504_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn504

key := build.kms_key_arn("eu-west-1", "0f0e0d0c-0b0a-0908-0706-050403020100")

trail(name, multi, logging, selectors, kms) := build.trail("eu-west-1", name, {
	"is_multi_region": multi,
	"is_logging": logging,
	"selectors": selectors,
	"kms_key_id": kms,
})

inv(trails) := build.inventory_with(
	{"us-east-1": build.region({"trail_arns": [t.arn | some t in trails]})},
	{"trails": build.by_arn(trails)},
)

test_pass_when_kms_encrypted if {
	t := trail("main", true, true, build.default_selectors, key)
	out := dyn504.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "pass"
	o.evidence.kms_key_id == key
}

test_fail_when_not_encrypted if {
	t := trail("main", true, true, build.default_selectors, null)
	out := dyn504.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "fail"
	o.resource == t.arn
}

test_fail_when_key_id_empty if {
	t := trail("main", true, true, build.default_selectors, "")
	out := dyn504.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "fail"
}

test_no_outcome_for_single_region_trail if {
	t := trail("single", false, true, build.default_selectors, null)
	out := dyn504.outcomes with input as inv([t])
	count(out) == 0
}

test_no_outcome_without_trails if {
	out := dyn504.outcomes with input as inv([])
	count(out) == 0
}

test_unknown_when_status_and_selectors_missing if {
	t := trail("main", true, null, null, null)
	out := dyn504.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["GetTrailStatus", "GetEventSelectors"]
}

# --- schema 1.1: a null KMS key is absent only when marked so

test_v1_1_fail_when_marked_absent if {
	t := object.union(trail("main", true, true, build.default_selectors, null), {"absent": ["kms_key_id"]})
	out := dyn504.outcomes with input as build.v1_1(inv([t]))
	count(out) == 1
	some o in out
	o.status == "fail"
}

test_v1_1_unknown_when_not_collected if {
	# Read as schema 1.0, the same null is a fail.
	t := trail("main", true, true, build.default_selectors, null)
	out := dyn504.outcomes with input as build.v1_1(inv([t]))
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["DescribeTrails"]
	contains(o.message, "its KMS key setting was not collected")
}

test_v1_1_pass_when_kms_encrypted if {
	t := trail("main", true, true, build.default_selectors, key)
	out := dyn504.outcomes with input as build.v1_1(inv([t]))
	{o.status | some o in out} == {"pass"}
}

test_v1_1_fail_when_key_id_empty if {
	t := trail("main", true, true, build.default_selectors, "")
	out := dyn504.outcomes with input as build.v1_1(inv([t]))
	{o.status | some o in out} == {"fail"}
}
